// /admin/accounts: find an account by address, number or id; below it, every account, newest first.
import type { AccountWithIdentifiers } from "../admin/account-search.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { adminNav, adminTime } from "./admin-nav.ts";
import { notice } from "./layout.ts";

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
}

/** "Disabled", "Admin", "Unconfirmed": the badges that say how an account stands. */
export function accountBadges(a: AccountWithIdentifiers): SafeHtml {
  const badges: string[] = [];
  if (a.account.disabledAt) badges.push("Disabled");
  if (a.account.isAdmin) badges.push("Admin");
  if (!a.identifiers.some((i) => i.verifiedAt)) badges.push("Unconfirmed");
  return html`${badges.map((b) => html` <span class="badge">${b}</span>`)}`;
}

/** The name to call an account by: its first confirmed identifier, else its first, else its id. */
export function accountLabel(a: AccountWithIdentifiers): string {
  return (a.identifiers.find((i) => i.verifiedAt) ?? a.identifiers[0])?.display ?? a.account.id;
}

function accountRow(a: AccountWithIdentifiers): SafeHtml {
  return html`<tr>
<td data-label="Account"><a href="/admin/accounts/${a.account.id}">${accountLabel(a)}</a>${accountBadges(a)}</td>
<td data-label="Addresses and numbers">${a.identifiers.map((i, n) => html`${n > 0 ? html`<br>` : ""}${i.display}${i.verifiedAt ? "" : " (unconfirmed)"}`)}</td>
<td data-label="Created">${adminTime(a.account.createdAt)}</td>
</tr>\n`;
}

export function adminAccountsPage(o: AdminAccountsPageOptions): SafeHtml {
  return html`${adminNav("accounts")}
<h1>Accounts</h1>
${o.notice ? notice("success", o.notice) : ""}
<form class="search-form" method="get" action="/admin/accounts" role="search">
<label for="q">E-mail address, mobile number or account id</label>
<input class="input" id="q" name="q" type="search" value="${o.query}" maxlength="320" spellcheck="false" autocapitalize="off" autocomplete="off" aria-describedby="q-hint">
<button class="button" type="submit">Search</button>
<p class="field-hint" id="q-hint">Type it as the person would at sign-in; a number needs its country code.</p>
</form>
${
  o.found === undefined
    ? ""
    : o.found === null
      ? html`<div class="notice notice--info" role="status"><p>No account uses <strong>${o.query}</strong>.</p></div>`
      : html`<section aria-labelledby="found-title"><h2 id="found-title">Found</h2>
<table class="table table--cards"><caption class="visually-hidden">The account found</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Addresses and numbers</th><th scope="col">Created</th></tr></thead>
<tbody>${accountRow(o.found)}</tbody></table></section>`
}
${
  o.found !== undefined
    ? html`<p><a href="/admin/accounts">All accounts</a></p>`
    : html`<section aria-labelledby="all-title">
<h2 id="all-title">All accounts, newest first</h2>
${
  o.accounts.length === 0
    ? html`<p>No accounts${o.paged ? " on this page" : " yet"}.</p>`
    : html`<table class="table table--cards"><caption class="visually-hidden">Accounts, newest first</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Addresses and numbers</th><th scope="col">Created</th></tr></thead>
<tbody>
${o.accounts.map(accountRow)}</tbody></table>`
}
<nav class="pager" aria-label="Account pages">${o.paged ? html`<a href="/admin/accounts">Newest accounts</a>` : ""}${o.nextHref ? html`<a href="${o.nextHref}" rel="next">Older accounts</a>` : ""}</nav>
</section>`
}`;
}
