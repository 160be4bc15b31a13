// The confirmation step before an admin action: what will happen, and for the actions that lock someone
// out, end sessions or hand out power, the admin's own password again.
import { ACTION_RULES, type AdminAction } from "../admin/account-actions.ts";
import type { AccountWithIdentifiers } from "../admin/account-search.ts";
import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { actionLabel } from "./admin-account-page.ts";
import { accountLabel } from "./admin-accounts-page.ts";
import { adminNav } from "./admin-nav.ts";
import { csrfField, errorSummary, passwordField } from "./layout.ts";

function consequences(t: Translate, action: AdminAction, self: boolean): string[] {
  const told = t("admin.weTellThem");
  switch (action) {
    case "disable":
      return [t("admin.disableSignedOut"), t("admin.disableResetsStop"), told, ...(self ? [t("admin.disableSelf")] : [])];
    case "enable":
      return [t("admin.enableSignIn"), told];
    case "sign-out":
      return [t("admin.signOutEvery"), told, ...(self ? [t("admin.signOutSelf")] : [])];
    case "reset-password":
      return [t("admin.resetSends"), t("admin.resetEarlierStops")];
    case "grant-admin":
      return [t("admin.grantConsole"), told];
    case "revoke-admin":
      return [t("admin.revokeConsole"), told, ...(self ? [t("admin.revokeSelf")] : [])];
    case "remove-second-factors":
      return [t("admin.removeFactorsWhat"), t("admin.removeFactorsWhen"), t("admin.removeFactorsSessions"), told];
    case "delete":
      return [t("admin.deleteGone"), t("admin.deleteAuditStays"), told, ...(self ? [t("admin.deleteSelf")] : [])];
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
  t?: Translate;
}

export function adminConfirmPage(o: AdminConfirmPageOptions): SafeHtml {
  const t = o.t ?? translator("en");
  const label = accountLabel(o.account);
  const rule = ACTION_RULES[o.action];
  const verified = o.account.identifiers.filter((i) => i.verifiedAt);
  const chosen = o.identifierId ?? verified[0]?.id;
  const danger = o.action === "delete" || o.action === "disable";
  return html`${adminNav("accounts", t)}
<p><a href="/admin/accounts/${o.account.account.id}">${t("admin.confirmBack")}</a></p>
<h1>${t("admin.confirmTitle", { action: actionLabel(o.action, t), account: label })}</h1>
${errorSummary(o.errors)}
<ul>${consequences(t, o.action, o.self).map((c) => html`<li>${c}</li>`)}</ul>
<form class="form" method="post" action="/admin/accounts/${o.account.account.id}/${o.action}" novalidate>
${csrfField(o.csrfToken)}
${
  o.action === "reset-password"
    ? html`<fieldset><legend>${t("admin.sendItTo")}</legend>
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
        label: t("admin.yourPassword"),
        hint: t("admin.yourPasswordHint"),
        autocomplete: "current-password",
        errors: o.errors,
        autofocus: o.errors.some((e) => e.field === "password"),
      })
    : ""
}
<div class="form-actions">
<button class="button${danger ? " button--danger" : ""}" type="submit">${actionLabel(o.action, t)}</button>
<a href="/admin/accounts/${o.account.account.id}">${t("admin.cancel")}</a>
</div>
</form>`;
}
