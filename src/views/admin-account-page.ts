// /admin/accounts/:id: everything a support person needs to see about one account, and what they can do.
import { ACTION_RULES, type AdminAction } from "../admin/account-actions.ts";
import type { AccountWithIdentifiers } from "../admin/account-search.ts";
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { secondFactorSummary } from "../messages/pages.ts";
import { accountBadges, accountLabel } from "./admin-accounts-page.ts";
import { adminNav, adminTime } from "./admin-nav.ts";
import { notice } from "./layout.ts";
import { around } from "./message-markup.ts";

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
  locale?: Locale;
  /** What protects the account besides its password. */
  secondFactors: { totp: boolean; passkeys: number; recoveryCodesLeft: number };
}

/** What each action is called on its button and its confirmation page. */
const ACTION_MESSAGES: Record<AdminAction, MessageId> = {
  disable: "admin.actionDisable",
  enable: "admin.actionEnable",
  "sign-out": "admin.actionSignOut",
  "reset-password": "admin.actionResetPassword",
  "grant-admin": "admin.actionGrantAdmin",
  "revoke-admin": "admin.actionRevokeAdmin",
  delete: "admin.actionDelete",
  "remove-second-factors": "admin.actionRemoveSecondFactors",
};

/** An action's name in a language. */
export function actionLabel(action: AdminAction, t: Translate = translator("en")): string {
  return t(ACTION_MESSAGES[action]);
}

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
  const locale = o.locale ?? "en";
  const t = translator(locale);
  const at = (when: Date) => adminTime(when, locale);
  const factors = o.secondFactors;
  const hasFactors = factors.totp || factors.passkeys > 0 || factors.recoveryCodesLeft > 0;
  const actions = ACTION_ORDER.filter(
    (a) =>
      ACTION_RULES[a].applies(account) && (a !== "reset-password" || identifiers.some((i) => i.verifiedAt)) && (a !== "remove-second-factors" || hasFactors),
  );
  return html`${adminNav("accounts", t)}
<p><a href="/admin/accounts">${t("admin.backToAll")}</a></p>
<h1>${label}${accountBadges(o.account, t)}</h1>
${o.notice ? notice("success", o.notice) : ""}
<dl class="details">
<div><dt>${t("admin.accountId")}</dt><dd><code>${account.id}</code></dd></div>
<div><dt>${t("admin.name")}</dt><dd>${account.name ? html`<bdi>${account.name}</bdi>` : "–"}</dd></div>
<div><dt>${t("admin.status")}</dt><dd>${account.disabledAt ? around(t, "admin.disabledSince", {}, "time", at(account.disabledAt)) : t("admin.enabled")}</dd></div>
<div><dt>${t("admin.administrator")}</dt><dd>${account.isAdmin ? t("admin.yes") : t("admin.no")}</dd></div>
<div><dt>${t("admin.secondFactorsTitle")}</dt><dd>${secondFactorSummary(factors, t)}</dd></div>
<div><dt>${t("admin.colCreated")}</dt><dd>${at(account.createdAt)}</dd></div>
<div><dt>${t("admin.lastChanged")}</dt><dd>${at(account.updatedAt)}</dd></div>
</dl>

<section aria-labelledby="actions-title">
<h2 id="actions-title">${t("admin.actionsTitle")}</h2>
<p>${t(o.self ? "admin.actionsIntroSelf" : "admin.actionsIntro")}</p>
<ul class="action-list">
${actions.map((a) => html`<li><a class="button ${a === "delete" || a === "disable" ? "button--danger" : "button--secondary"}" href="/admin/accounts/${account.id}/${a}">${actionLabel(a, t)}</a></li>`)}
</ul>
</section>

<section aria-labelledby="identifiers-title">
<h2 id="identifiers-title">${t("admin.identifiersTitle")}</h2>
<table class="table table--cards"><caption class="visually-hidden">${t("admin.identifiersTitle")}</caption>
<thead><tr><th scope="col">${t("admin.colIdentifier")}</th><th scope="col">${t("admin.colKind")}</th><th scope="col">${t("admin.colConfirmed")}</th><th scope="col">${t("admin.colAdded")}</th></tr></thead>
<tbody>
${identifiers.map(
  (i) =>
    html`<tr><td data-label="${t("admin.colIdentifier")}">${i.display}</td><td data-label="${t("admin.colKind")}">${i.kind === "email" ? t("admin.kindEmail") : t("admin.kindPhone")}</td><td data-label="${t("admin.colConfirmed")}">${i.verifiedAt ? at(i.verifiedAt) : t("admin.notConfirmed")}</td><td data-label="${t("admin.colAdded")}">${at(i.createdAt)}</td></tr>\n`,
)}</tbody></table>
</section>

<section aria-labelledby="sessions-title">
<h2 id="sessions-title">${t("admin.sessionsTitle")}</h2>
${
  o.sessions.length === 0
    ? html`<p>${t("admin.notSignedIn")}</p>`
    : html`<table class="table table--cards"><caption class="visually-hidden">${t("admin.sessionsCaption")}</caption>
<thead><tr><th scope="col">${t("admin.colBrowser")}</th><th scope="col">${t("admin.colSystem")}</th><th scope="col">${t("admin.colAddress")}</th><th scope="col">${t("admin.colCreated")}</th><th scope="col">${t("admin.colLastActive")}</th></tr></thead>
<tbody>
${o.sessions.map(
  (s) =>
    html`<tr><td data-label="${t("admin.colBrowser")}"><bdi>${s.browser}</bdi></td><td data-label="${t("admin.colSystem")}"><bdi>${s.system}</bdi></td><td data-label="${t("admin.colAddress")}">${s.ip ? html`<bdi>${s.ip}</bdi>` : "–"}</td><td data-label="${t("admin.colCreated")}">${at(s.createdAt)}</td><td data-label="${t("admin.colLastActive")}">${at(s.lastSeenAt)}</td></tr>\n`,
)}</tbody></table>`
}
</section>

<section aria-labelledby="events-title">
<h2 id="events-title">${t("admin.eventsTitle")}</h2>
${
  o.events.length === 0
    ? html`<p>${t("admin.noEvents")}</p>`
    : html`<ul class="activity-list">
${o.events.map((e) => html`<li>${at(e.at)}<p>${e.text}${e.device ? html` \u00B7 <bdi>${e.device}</bdi>` : ""}${e.ip ? html` \u00B7 <bdi>${e.ip}</bdi>` : ""}</p></li>\n`)}</ul>`
}
<p><a href="/admin/events?account=${account.id}">${t("admin.everyEvent")}</a></p>
</section>`;
}
