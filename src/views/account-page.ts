// The account page: identifiers, sessions, and the forms that change them.

import type { PublicAccount } from "../accounts/public-account.ts";
import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { csrfField, errorSummary, notice, textField } from "./layout.ts";
import { around } from "./message-markup.ts";

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
  /** The page's language. */
  t: Translate;
}

export function accountPage(o: AccountPageOptions): SafeHtml {
  const t = o.t;
  const verified = o.account.identifiers.filter((i) => i.verified);
  const others = o.sessions.filter((s) => !s.current).length;
  const apps = o.apps?.length ?? 0;
  return html`<h1>${o.account.name ? t("account.helloName", { name: o.account.name }) : t("account.yourAccount")}</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors)}
<section class="card" aria-labelledby="identifiers-title">
<h2 id="identifiers-title">${t("account.identifiersTitle")}</h2>
<p>${t("account.identifiersIntro")}</p>
<ul class="session-list">
${verified.map(
  (
    i,
  ) => html`<li class="session"><div class="session-main"><strong>${i.display}</strong> <span class="badge">${i.kind === "email" ? t("account.kindEmail") : t("account.kindPhone")}</span></div>
${verified.length > 1 ? html`<form class="inline-form" method="post" action="/account/identifiers/${i.id}/remove">${csrfField(o.csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="${t("account.removeLabel", { identifier: i.display })}">${t("account.remove")}</button></form>` : ""}
</li>`,
)}
</ul>
<form class="form" method="post" action="/account/identifiers" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "identifier", label: t("account.addLabel"), value: o.identifierInput, hint: t("account.addHint"), errors: o.errors, maxlength: 320, autofocus: o.errors.some((e) => e.field === "identifier") })}
<div class="form-actions"><button class="button button--secondary" type="submit">${t("account.sendCode")}</button></div>
</form>
</section>
<section class="card" aria-labelledby="password-title">
<h2 id="password-title">${t("account.passwordTitle")}</h2>
<p><a href="/account/password">${t("account.changePassword")}</a></p>
<p><a href="/account/security">${t("account.securityLink")}</a>${t("account.securityLinkAfter")}</p>
</section>
<section class="card" aria-labelledby="sessions-title">
<h2 id="sessions-title">${t("account.sessionsTitle")}</h2>
<ul class="session-list">
${o.sessions.map(
  (
    s,
  ) => html`<li class="session"><div class="session-main"><strong><bdi>${s.device}</bdi></strong>${s.current ? html` <span class="badge">${t("account.thisDevice")}</span>` : ""}
<p class="session-meta">${around(t, "account.signedInAgo", {}, "ago", html`<time datetime="${s.createdAt}">${s.createdAgo}</time>`)} \u00B7 ${t("account.lastActive", { ago: s.lastSeenAgo })}${s.ip ? html` \u00B7 ${sessionAddress(t, s)}` : ""}</p></div>
${s.current ? "" : html`<form class="inline-form" method="post" action="/account/sessions/${s.id}/revoke">${csrfField(o.csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="${t("account.signOutLabel", { device: s.device })}">${t("account.signOut")}</button></form>`}
</li>`,
)}
</ul>
${others > 0 || apps > 0 ? signOutOthersForm(t, o.csrfToken, apps > 0) : ""}
</section>
${o.apps && o.apps.length > 0 ? appsSection(t, o.apps, o.csrfToken) : ""}
<section class="card" aria-labelledby="activity-title">
<h2 id="activity-title">${t("account.activityTitle")}</h2>
${o.activity.length === 0 ? html`<p>${t("account.nothingYet")}</p>` : html`<ul class="activity-list">${o.activity.map((a) => html`<li>${activityLine(t, a)}</li>`)}</ul>`}
<p class="field-hint">${t("account.activityHint")}</p>
</section>
<section class="card" aria-labelledby="help-title">
<h2 id="help-title">${t("account.safetyTitle")}</h2>
<p>${t("account.safetyText")} <a href="/help/account-security">${t("account.safetyLink")}</a></p>
</section>`;
}

/** "from 203.0.113.5 (France)", the address marked up so it reads as one. */
function sessionAddress(t: Translate, s: SessionView): SafeHtml {
  return html`${around(t, "account.fromAddress", {}, "address", html`<span class="session-address">${s.ip ?? ""}</span>`)}${s.country ? html` (${s.country})` : ""}`;
}

/** "Signed in, 2 hours ago", the time marked up with its exact moment. */
function activityLine(t: Translate, a: ActivityView): SafeHtml {
  return around(t, "account.activityAt", { what: a.text }, "ago", html`<time datetime="${a.at}">${a.ago}</time>`);
}

/** "Sign out of all other sessions": it signs out every application too (their tokens are not tied to a browser), so it says so when there are any. */
function signOutOthersForm(t: Translate, csrfToken: string, withApps: boolean): SafeHtml {
  return html`<form class="form" method="post" action="/account/sessions/revoke-others">${csrfField(csrfToken)}
${withApps ? html`<p class="field-hint" id="sign-out-others-hint">${t("account.signOutOthersApps")}</p>` : ""}
<button class="button button--secondary" type="submit"${withApps ? html` aria-describedby="sign-out-others-hint"` : ""}>${t("account.signOutOthers")}</button></form>`;
}

function appsSection(t: Translate, apps: AppAccessView[], csrfToken: string): SafeHtml {
  return html`<section class="card" aria-labelledby="apps-title">
<h2 id="apps-title">${t("account.appsTitle")}</h2>
<p>${t("account.appsIntro")}</p>
<ul class="session-list">
${apps.map(
  (a) => html`<li class="session"><div class="session-main"><strong>${a.name}</strong>
<p class="session-meta">${t("account.appsSince", { ago: a.sinceAgo })} \u00B7 ${a.access.join("; ")}</p></div>
<form class="inline-form" method="post" action="/account/apps/${a.clientId}/remove">${csrfField(csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="${t("account.removeAccessLabel", { app: a.name })}">${t("account.removeAccess")}</button></form>
</li>`,
)}
</ul>
</section>`;
}

/** One line of recent activity: what happened, and from which browser when known. */
export function describeActivity(text: string, device: string | null, t: Translate = translator("en")): string {
  return device ? t("account.activityFrom", { what: text, device }) : text;
}
