// The confirmation step before an admin action: what will happen, and for the actions that lock someone
// out, end sessions or hand out power, the admin's own password again.
import { ACTION_RULES, type AdminAction } from "../admin/account-actions.ts";
import type { AccountWithIdentifiers } from "../admin/account-search.ts";
import type { FieldError } from "../http/flows.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { adminSecondFactorTexts } from "../messages/pages.ts";
import { ACTION_LABELS } from "./admin-account-page.ts";
import { accountLabel } from "./admin-accounts-page.ts";
import { adminNav } from "./admin-nav.ts";
import { csrfField, errorSummary, passwordField } from "./layout.ts";

function consequences(action: AdminAction, self: boolean): string[] {
  switch (action) {
    case "disable":
      return [
        "They are signed out everywhere and cannot sign in until the account is enabled again.",
        "Pending password reset links and codes stop working.",
        "We tell them by e-mail or text message.",
        ...(self ? ["This is your own account: you will be signed out at once."] : []),
      ];
    case "enable":
      return ["They can sign in again with their password.", "We tell them by e-mail or text message."];
    case "sign-out":
      return [
        "Every session of the account ends, on every device.",
        "We tell them by e-mail or text message.",
        ...(self ? ["This includes this session: you will be signed out."] : []),
      ];
    case "reset-password":
      return [
        "We send a link (e-mail) or a code (text message) that lets them choose a new password. Their password stays as it is until they use it.",
        "Any earlier reset for the same address or number stops working.",
      ];
    case "grant-admin":
      return ["The account can open this console and change any account, including yours.", "We tell them by e-mail or text message."];
    case "revoke-admin":
      return [
        "The account can no longer open this console.",
        "We tell them by e-mail or text message.",
        ...(self ? ["This is your own account: you lose access to this console."] : []),
      ];
    case "remove-second-factors":
      return [...adminSecondFactorTexts.consequences];
    case "delete":
      return [
        "The account, its addresses and numbers, sessions and pending codes are deleted for good. The addresses and numbers become free for a new account.",
        "The security events stay in the audit trail.",
        "We tell them by e-mail or text message.",
        ...(self ? ["This is your own account: you will be signed out and cannot sign in again."] : []),
      ];
  }
}

export interface AdminConfirmPageOptions {
  account: AccountWithIdentifiers;
  action: AdminAction;
  csrfToken: string;
  errors: FieldError[];
  self: boolean;
  /** For reset-password: the identifier chosen before an error. */
  identifierId?: string;
}

export function adminConfirmPage(o: AdminConfirmPageOptions): SafeHtml {
  const label = accountLabel(o.account);
  const rule = ACTION_RULES[o.action];
  const verified = o.account.identifiers.filter((i) => i.verifiedAt);
  const chosen = o.identifierId ?? verified[0]?.id;
  const danger = o.action === "delete" || o.action === "disable";
  return html`${adminNav("accounts")}
<p><a href="/admin/accounts/${o.account.account.id}">← Back to the account</a></p>
<h1>${ACTION_LABELS[o.action]}: ${label}?</h1>
${errorSummary(o.errors)}
<ul>${consequences(o.action, o.self).map((c) => html`<li>${c}</li>`)}</ul>
<form class="form" method="post" action="/admin/accounts/${o.account.account.id}/${o.action}" novalidate>
${csrfField(o.csrfToken)}
${
  o.action === "reset-password"
    ? html`<fieldset><legend>Send it to</legend>
${verified.map(
  (i) =>
    html`<div class="radio"><input type="radio" id="identifier-${i.id}" name="identifier" value="${i.id}"${i.id === chosen ? " checked" : ""}><label for="identifier-${i.id}">${i.display}</label></div>`,
)}
</fieldset>`
    : ""
}
${
  rule.stepUp
    ? passwordField({
        id: "password",
        label: "Your password",
        hint: "Enter your own password to confirm that it is you.",
        autocomplete: "current-password",
        errors: o.errors,
        autofocus: o.errors.some((e) => e.field === "password"),
      })
    : ""
}
<div class="form-actions">
<button class="button${danger ? " button--danger" : ""}" type="submit">${ACTION_LABELS[o.action]}</button>
<a href="/admin/accounts/${o.account.account.id}">Cancel</a>
</div>
</form>`;
}
