// /admin/accounts/:id: everything a support person needs to see about one account, and what they can do.
import { ACTION_RULES, type AdminAction } from "../admin/account-actions.ts";
import type { AccountWithIdentifiers } from "../admin/account-search.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { adminSecondFactorTexts } from "../messages/pages.ts";
import { accountBadges, accountLabel } from "./admin-accounts-page.ts";
import { adminNav, adminTime } from "./admin-nav.ts";
import { notice } from "./layout.ts";

export interface AdminSessionView {
  browser: string;
  system: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

export interface AdminEventView {
  at: Date;
  text: string;
  ip: string | null;
  device: string | null;
}

export interface AdminAccountPageOptions {
  account: AccountWithIdentifiers;
  sessions: AdminSessionView[];
  events: AdminEventView[];
  /** The signed-in admin looks at their own account. */
  self: boolean;
  notice?: string;
  /** What protects the account besides its password. */
  secondFactors: { totp: boolean; passkeys: number; recoveryCodesLeft: number };
}

/** What each action is called on its button and its confirmation page. */
export const ACTION_LABELS: Record<AdminAction, string> = {
  disable: "Disable account",
  enable: "Enable account",
  "sign-out": "Sign out everywhere",
  "reset-password": "Send a password reset",
  "grant-admin": "Make administrator",
  "revoke-admin": "Remove administrator access",
  "remove-second-factors": adminSecondFactorTexts.action,
  delete: "Delete account",
};

const ACTION_ORDER: readonly AdminAction[] = [
  "reset-password",
  "sign-out",
  "remove-second-factors",
  "disable",
  "enable",
  "grant-admin",
  "revoke-admin",
  "delete",
];

export function adminAccountPage(o: AdminAccountPageOptions): SafeHtml {
  const { account, identifiers } = o.account;
  const label = accountLabel(o.account);
  const factors = o.secondFactors;
  const hasFactors = factors.totp || factors.passkeys > 0 || factors.recoveryCodesLeft > 0;
  const actions = ACTION_ORDER.filter(
    (a) =>
      ACTION_RULES[a].applies(account) && (a !== "reset-password" || identifiers.some((i) => i.verifiedAt)) && (a !== "remove-second-factors" || hasFactors),
  );
  return html`${adminNav("accounts")}
<p><a href="/admin/accounts">← All accounts</a></p>
<h1>${label}${accountBadges(o.account)}</h1>
${o.notice ? notice("success", o.notice) : ""}
<dl class="details">
<div><dt>Account id</dt><dd><code>${account.id}</code></dd></div>
<div><dt>Name</dt><dd>${account.name ?? "–"}</dd></div>
<div><dt>Status</dt><dd>${account.disabledAt ? html`Disabled since ${adminTime(account.disabledAt)}` : "Enabled"}</dd></div>
<div><dt>Administrator</dt><dd>${account.isAdmin ? "Yes" : "No"}</dd></div>
<div><dt>${adminSecondFactorTexts.heading}</dt><dd>${adminSecondFactorTexts.summary(factors)}</dd></div>
<div><dt>Created</dt><dd>${adminTime(account.createdAt)}</dd></div>
<div><dt>Last changed</dt><dd>${adminTime(account.updatedAt)}</dd></div>
</dl>

<section aria-labelledby="actions-title">
<h2 id="actions-title">Actions</h2>
<p>Each one asks you to confirm first${o.self ? ". This is your own account" : ""}.</p>
<ul class="action-list">
${actions.map((a) => html`<li><a class="button ${a === "delete" || a === "disable" ? "button--danger" : "button--secondary"}" href="/admin/accounts/${account.id}/${a}">${ACTION_LABELS[a]}</a></li>`)}
</ul>
</section>

<section aria-labelledby="identifiers-title">
<h2 id="identifiers-title">E-mail addresses and mobile numbers</h2>
<table class="table table--cards"><caption class="visually-hidden">E-mail addresses and mobile numbers</caption>
<thead><tr><th scope="col">Address or number</th><th scope="col">Kind</th><th scope="col">Confirmed</th><th scope="col">Added</th></tr></thead>
<tbody>
${identifiers.map(
  (i) =>
    html`<tr><td data-label="Address or number">${i.display}</td><td data-label="Kind">${i.kind === "email" ? "E-mail" : "Mobile"}</td><td data-label="Confirmed">${i.verifiedAt ? adminTime(i.verifiedAt) : "Not confirmed"}</td><td data-label="Added">${adminTime(i.createdAt)}</td></tr>\n`,
)}</tbody></table>
</section>

<section aria-labelledby="sessions-title">
<h2 id="sessions-title">Sessions</h2>
${
  o.sessions.length === 0
    ? html`<p>Not signed in anywhere.</p>`
    : html`<table class="table table--cards"><caption class="visually-hidden">Sessions, most recently used first</caption>
<thead><tr><th scope="col">Browser</th><th scope="col">System</th><th scope="col">Address</th><th scope="col">Created</th><th scope="col">Last active</th></tr></thead>
<tbody>
${o.sessions.map(
  (s) =>
    html`<tr><td data-label="Browser">${s.browser}</td><td data-label="System">${s.system}</td><td data-label="Address">${s.ip ?? "–"}</td><td data-label="Created">${adminTime(s.createdAt)}</td><td data-label="Last active">${adminTime(s.lastSeenAt)}</td></tr>\n`,
)}</tbody></table>`
}
</section>

<section aria-labelledby="events-title">
<h2 id="events-title">Recent security events</h2>
${
  o.events.length === 0
    ? html`<p>No events recorded.</p>`
    : html`<ul class="activity-list">
${o.events.map((e) => html`<li>${adminTime(e.at)}<p>${e.text}${e.device ? html` · ${e.device}` : ""}${e.ip ? html` · ${e.ip}` : ""}</p></li>\n`)}</ul>`
}
<p><a href="/admin/events?account=${account.id}">Every event of this account</a></p>
</section>`;
}
