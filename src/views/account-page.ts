// The account page: identifiers, sessions, and the forms that change them.

import type { PublicAccount } from "../accounts/public-account.ts";
import type { FieldError } from "../http/flows.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { csrfField, errorSummary, notice, textField } from "./layout.ts";

export interface SessionView {
  id: string;
  device: string;
  createdAgo: string;
  createdAt: string;
  lastSeenAgo: string;
  current: boolean;
  /** The network address the session signed in from, when known. */
  ip: string | null;
  /** Its country's name, from the owner's offline table, when known. */
  country: string | null;
}

export interface ActivityView {
  text: string;
  at: string;
  ago: string;
}

export interface AppAccessView {
  clientId: string;
  name: string;
  /** What it may see, in words. */
  access: string[];
  sinceAgo: string;
}

export interface AccountPageOptions {
  /** Applications the person let use their account (OpenID Connect), shown under "Apps with access". */
  apps?: AppAccessView[];
  csrfToken: string;
  account: PublicAccount;
  sessions: SessionView[];
  errors: FieldError[];
  identifierInput: string;
  notice?: string;
  activity: ActivityView[];
}

export function accountPage(o: AccountPageOptions): SafeHtml {
  const verified = o.account.identifiers.filter((i) => i.verified);
  const others = o.sessions.filter((s) => !s.current).length;
  return html`<h1>${o.account.name ? `Hello, ${o.account.name}` : "Your account"}</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors)}
<section class="card" aria-labelledby="identifiers-title">
<h2 id="identifiers-title">E-mail addresses and mobile numbers</h2>
<p>You can sign in with any of these.</p>
<ul class="session-list">
${verified.map(
  (
    i,
  ) => html`<li class="session"><div class="session-main"><strong>${i.display}</strong> <span class="badge">${i.kind === "email" ? "E-mail" : "Mobile"}</span></div>
${verified.length > 1 ? html`<form class="inline-form" method="post" action="/account/identifiers/${i.id}/remove">${csrfField(o.csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="Remove ${i.display}">Remove</button></form>` : ""}
</li>`,
)}
</ul>
<form class="form" method="post" action="/account/identifiers" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "identifier", label: "Add an e-mail address or mobile number", value: o.identifierInput, hint: "We will send a code to confirm it first. Include the country code for a mobile number.", errors: o.errors, maxlength: 320, autofocus: o.errors.some((e) => e.field === "identifier") })}
<div class="form-actions"><button class="button button--secondary" type="submit">Send code</button></div>
</form>
</section>
<section class="card" aria-labelledby="password-title">
<h2 id="password-title">Password and sign-in</h2>
<p><a href="/account/password">Change your password</a></p>
<p><a href="/account/security">Sign-in and security</a>: passkeys, authenticator app, recovery codes, your name, deleting your account</p>
</section>
<section class="card" aria-labelledby="sessions-title">
<h2 id="sessions-title">Where you're signed in</h2>
<ul class="session-list">
${o.sessions.map(
  (s) => html`<li class="session"><div class="session-main"><strong>${s.device}</strong>${s.current ? html` <span class="badge">This device</span>` : ""}
<p class="session-meta">Signed in <time datetime="${s.createdAt}">${s.createdAgo}</time> · last active ${s.lastSeenAgo}${s.ip ? html` · from <span class="session-address">${s.ip}</span>${s.country ? html` (${s.country})` : ""}` : ""}</p></div>
${s.current ? "" : html`<form class="inline-form" method="post" action="/account/sessions/${s.id}/revoke">${csrfField(o.csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="Sign out ${s.device}">Sign out</button></form>`}
</li>`,
)}
</ul>
${others > 0 ? html`<form class="form" method="post" action="/account/sessions/revoke-others">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">Sign out of all other sessions</button></form>` : ""}
</section>
${o.apps && o.apps.length > 0 ? appsSection(o.apps, o.csrfToken) : ""}
<section class="card" aria-labelledby="activity-title">
<h2 id="activity-title">Recent activity</h2>
${o.activity.length === 0 ? html`<p>Nothing yet.</p>` : html`<ul class="activity-list">${o.activity.map((a) => html`<li>${a.text}, <time datetime="${a.at}">${a.ago}</time></li>`)}</ul>`}
<p class="field-hint">Something you don't recognise? Change your password and sign out of the other sessions.</p>
</section>
<section class="card" aria-labelledby="help-title">
<h2 id="help-title">Keeping your account safe</h2>
<p>If you see a session you don't recognise, sign it out and change your password. <a href="/help/account-security">More about account security</a></p>
</section>`;
}

function appsSection(apps: AppAccessView[], csrfToken: string): SafeHtml {
  return html`<section class="card" aria-labelledby="apps-title">
<h2 id="apps-title">Apps with access</h2>
<p>These applications can sign you in with your account here. Removing access signs you out of the application and it must ask again.</p>
<ul class="session-list">
${apps.map(
  (a) => html`<li class="session"><div class="session-main"><strong>${a.name}</strong>
<p class="session-meta">Since ${a.sinceAgo} · ${a.access.join("; ")}</p></div>
<form class="inline-form" method="post" action="/account/apps/${a.clientId}/remove">${csrfField(csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="Remove access for ${a.name}">Remove access</button></form>
</li>`,
)}
</ul>
</section>`;
}

/** One line of recent activity: what happened, and from which browser when known. */
export function describeActivity(text: string, device: string | null): string {
  return device ? `${text} from ${device}` : text;
}
