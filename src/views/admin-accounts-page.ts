// /admin/accounts: find an account by address, number or id; below it, every account, newest first.
import type { AccountWithIdentifiers } from "../admin/account-search.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { adminNav, adminTime } from "./admin-nav.ts";
import { notice } from "./layout.ts";
import { around } from "./message-markup.ts";

export interface AdminAccountsPageOptions {
  query: string;
  /** The search result: undefined when nothing was searched, null when nothing matched. */
  found?: AccountWithIdentifiers | null;
  accounts: AccountWithIdentifiers[];
  /** Link to the next page of the list, when there is one. */
  nextHref?: string;
  /** True on any page after the first. */
  paged: boolean;
  notice?: string;
  locale?: Locale;
}

/** "Disabled", "Admin", "Unconfirmed": the badges that say how an account stands. */
export function accountBadges(a: AccountWithIdentifiers, t: Translate = translator("en")): SafeHtml {
  const badges: string[] = [];
  if (a.account.disabledAt) badges.push(t("admin.badgeDisabled"));
  if (a.account.isAdmin) badges.push(t("admin.badgeAdmin"));
  if (!a.identifiers.some((i) => i.verifiedAt)) badges.push(t("admin.badgeUnconfirmed"));
  return html`${badges.map((b) => html` <span class="badge">${b}</span>`)}`;
}

/** The name to call an account by: its first confirmed identifier, else its first, else its id. */
export function accountLabel(a: AccountWithIdentifiers): string {
  return (a.identifiers.find((i) => i.verifiedAt) ?? a.identifiers[0])?.display ?? a.account.id;
}

function accountRow(a: AccountWithIdentifiers, t: Translate, locale: Locale): SafeHtml {
  return html`<tr>
<td data-label="${t("admin.colAccount")}"><a href="/admin/accounts/${a.account.id}">${accountLabel(a)}</a>${accountBadges(a, t)}</td>
<td data-label="${t("admin.colIdentifiers")}">${a.identifiers.map((i, n) => html`${n > 0 ? html`<br>` : ""}${i.display}${i.verifiedAt ? "" : t("admin.unconfirmedSuffix")}`)}</td>
<td data-label="${t("admin.colCreated")}">${adminTime(a.account.createdAt, locale)}</td>
</tr>\n`;
}

export function adminAccountsPage(o: AdminAccountsPageOptions): SafeHtml {
  const locale = o.locale ?? "en";
  const t = translator(locale);
  const head = html`<thead><tr><th scope="col">${t("admin.colAccount")}</th><th scope="col">${t("admin.colIdentifiers")}</th><th scope="col">${t("admin.colCreated")}</th></tr></thead>`;
  return html`${adminNav("accounts", t)}
<h1>${t("admin.accountsTitle")}</h1>
${o.notice ? notice("success", o.notice) : ""}
<form class="search-form" method="get" action="/admin/accounts" role="search">
<label for="q">${t("admin.searchLabel")}</label>
<input class="input" id="q" name="q" type="search" value="${o.query}" maxlength="320" spellcheck="false" autocapitalize="off" autocomplete="off" aria-describedby="q-hint">
<button class="button" type="submit">${t("admin.searchButton")}</button>
<p class="field-hint" id="q-hint">${t("admin.searchHint")}</p>
</form>
${
  o.found === undefined
    ? ""
    : o.found === null
      ? html`<div class="notice notice--info" role="status"><p>${around(t, "admin.noAccountUses", {}, "query", html`<strong>${o.query}</strong>`)}</p></div>`
      : html`<section aria-labelledby="found-title"><h2 id="found-title">${t("admin.found")}</h2>
<table class="table table--cards"><caption class="visually-hidden">${t("admin.foundCaption")}</caption>
${head}
<tbody>${accountRow(o.found, t, locale)}</tbody></table></section>`
}
${
  o.found !== undefined
    ? html`<p><a href="/admin/accounts">${t("admin.allAccountsLink")}</a></p>`
    : html`<section aria-labelledby="all-title">
<h2 id="all-title">${t("admin.allNewestFirst")}</h2>
${
  o.accounts.length === 0
    ? html`<p>${t(o.paged ? "admin.noAccountsOnPage" : "admin.noAccountsYet")}</p>`
    : html`<table class="table table--cards"><caption class="visually-hidden">${t("admin.accountsCaption")}</caption>
${head}
<tbody>
${o.accounts.map((a) => accountRow(a, t, locale))}</tbody></table>`
}
<nav class="pager" aria-label="${t("admin.accountPages")}">${o.paged ? html`<a href="/admin/accounts">${t("admin.newestAccounts")}</a>` : ""}${o.nextHref ? html`<a href="${o.nextHref}" rel="next">${t("admin.olderAccounts")}</a>` : ""}</nav>
</section>`
}`;
}
