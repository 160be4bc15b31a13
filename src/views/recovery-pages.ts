// Pages for resetting a forgotten password and changing a known one.

import type { FieldError } from "../http/flows.ts";
import type { Translate } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { emphasised, identifierHint, VALUE_MARK, withMarkup } from "./auth-pages.ts";
import { csrfField, errorSummary, firstInvalid, notice, passwordField, textField } from "./layout.ts";

/**
 * The account's identifier for password managers, which look for a username field next to a new
 * password to know which saved entry to update. Not shown: the person already knows whose password it is.
 */
export function hiddenUsernameField(username: string): SafeHtml | string {
  return username ? html`<input type="text" name="username" value="${username}" autocomplete="username" hidden readonly tabindex="-1">` : "";
}

function help(t: Translate): SafeHtml {
  return html`<p class="aside"><a href="/help/reset-your-password">${t("recovery.help")}</a></p>`;
}

export function resetRequestPage(o: {
  t: Translate;
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  captcha: SafeHtml | string;
  focusCaptcha?: boolean;
}): SafeHtml {
  const t = o.t;
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["identifier", "captcha"]);
  return html`<h1>${t("recovery.requestHeading")}</h1>
<p class="lead">${t("recovery.requestLead")}</p>
${errorSummary(o.errors, undefined, t)}
<form class="form" method="post" action="/password/reset" novalidate>
${csrfField(o.csrfToken)}
${textField({ t, id: "identifier", label: t("signin.identifierLabel"), value: o.identifier, autocomplete: "username", hint: identifierHint(t), errors: o.errors, autofocus: focus === "identifier" || !focus, maxlength: 320, suggestEmail: true, className: "input input--ltr" })}
${o.captcha}
<div class="form-actions"><button class="button" type="submit">${t("recovery.requestSubmit")}</button><a href="/signin">${t("recovery.backToSignin")}</a></div>
</form>
${help(t)}`;
}

export function resetSentPage(o: { t: Translate; sentTo: string }): SafeHtml {
  const t = o.t;
  return html`<h1>${t("recovery.sentHeading")}</h1>
${notice("info", emphasised(t("recovery.sentNotice", { sentTo: VALUE_MARK }), o.sentTo))}
<ul>
<li>${t("recovery.sentTakesTime")}</li>
<li>${t("recovery.sentNewestOnly")}</li>
<li>${withMarkup(t("recovery.sentNothing", { link: VALUE_MARK }), html`<a href="/password/reset">${t("recovery.sentTryAnother")}</a>`)}</li>
</ul>
${help(t)}`;
}

export interface ResetConfirmOptions {
  t: Translate;
  csrfToken: string;
  errors: FieldError[];
  /** Link mode: the flow id that holds the (sealed) token. */
  flowId?: string;
  /** Link mode: the identifier the link was sent to, for the hidden username field. */
  username?: string;
  /** Code mode: the identifier the code was sent to. */
  identifier?: string;
  sentTo?: string;
}

export function resetConfirmPage(o: ResetConfirmOptions): SafeHtml {
  const t = o.t;
  const byCode = !o.flowId;
  const focus = firstInvalid(o.errors, ["identifier", "code", "password", "password_confirm"]);
  return html`<h1>${t("recovery.confirmHeading")}</h1>
${byCode && o.sentTo ? notice("info", emphasised(t("recovery.confirmCodeSent", { sentTo: VALUE_MARK }), o.sentTo)) : ""}
${errorSummary(o.errors, undefined, t)}
<form class="form" method="post" action="/password/reset/confirm" novalidate>
${csrfField(o.csrfToken)}
${o.flowId ? html`<input type="hidden" name="flow" value="${o.flowId}">${hiddenUsernameField(o.username ?? "")}` : ""}
${byCode ? textField({ t, id: "identifier", label: t("recovery.mobileLabel"), value: o.identifier ?? "", autocomplete: "username", type: "tel", errors: o.errors, autofocus: focus === "identifier" || (!focus && !o.identifier), maxlength: 320 }) : ""}
${byCode ? textField({ t, id: "code", label: t("recovery.codeLabel"), value: "", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, errors: o.errors, autofocus: focus === "code" || (!focus && Boolean(o.identifier)), className: "input input--code" }) : ""}
${passwordField({ t, id: "password", label: t("recovery.newPasswordLabel"), autocomplete: "new-password", errors: o.errors, hint: t("recovery.newPasswordHint"), autofocus: focus === "password" || (!focus && !byCode), strengthInputs: byCode ? ["identifier"] : [] })}
${passwordField({ t, id: "password_confirm", label: t("recovery.newPasswordConfirmLabel"), autocomplete: "new-password", errors: o.errors, autofocus: focus === "password_confirm" })}
<p class="field-hint">${t("recovery.signedOutEverywhere")}</p>
<div class="form-actions"><button class="button" type="submit">${t("recovery.save")}</button></div>
</form>
${byCode ? html`<p class="aside">${withMarkup(t("recovery.noCode", { link: VALUE_MARK }), html`<a href="/password/reset">${t("recovery.askNewCode")}</a>`)}</p>` : ""}
${help(t)}`;
}

const LINK_PROBLEMS = {
  expired: { title: "recovery.expiredTitle", text: "recovery.expiredText" },
  used: { title: "recovery.usedTitle", text: "recovery.usedText" },
  invalid: { title: "recovery.invalidTitle", text: "recovery.invalidText" },
} as const;

export function resetLinkProblemPage(o: { t: Translate; csrfToken: string; problem: keyof typeof LINK_PROBLEMS }): SafeHtml {
  const t = o.t;
  const p = LINK_PROBLEMS[o.problem];
  return html`<h1>${t(p.title)}</h1>
<p class="lead">${t(p.text)}</p>
<p><a class="button" href="/password/reset">${t("recovery.startNewReset")}</a></p>
<p class="aside"><a href="/signin">${t("recovery.backToSignin")}</a></p>
${help(t)}`;
}

export function passwordChangePage(o: {
  t: Translate;
  csrfToken: string;
  errors: FieldError[];
  captcha: SafeHtml | string;
  signOutOthers: boolean;
  focusCaptcha?: boolean;
  username?: string;
}): SafeHtml {
  const t = o.t;
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["currentPassword", "newPassword", "newPassword_confirm", "captcha"]);
  return html`<h1>${t("password.heading")}</h1>
${errorSummary(o.errors, undefined, t)}
<form class="form" method="post" action="/account/password" novalidate>
${csrfField(o.csrfToken)}
${hiddenUsernameField(o.username ?? "")}
${passwordField({ t, id: "currentPassword", label: t("password.currentLabel"), autocomplete: "current-password", errors: o.errors, autofocus: focus === "currentPassword" || !focus })}
${passwordField({ t, id: "newPassword", label: t("password.newLabel"), autocomplete: "new-password", errors: o.errors, hint: t("password.newHint"), autofocus: focus === "newPassword", strengthInputs: [] })}
${passwordField({ t, id: "newPassword_confirm", label: t("password.confirmLabel"), autocomplete: "new-password", errors: o.errors, autofocus: focus === "newPassword_confirm" })}
<div class="checkbox"><input type="checkbox" id="signOutOthers" name="signOutOthers" value="1"${o.signOutOthers ? html` checked` : ""}><label for="signOutOthers">${t("password.signOutOthers")}</label></div>
${o.captcha}
<div class="form-actions"><button class="button" type="submit">${t("password.submit")}</button><a href="/account">${t("password.cancel")}</a></div>
</form>
<p class="aside">${withMarkup(t("password.forgotten", { link: VALUE_MARK }), html`<a href="/password/reset">${t("password.resetInstead")}</a>`)}</p>`;
}
