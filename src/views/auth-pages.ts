// Sign-in, registration and confirmation pages.

import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { EXAMPLE_MOBILE_NUMBER } from "../messages/identifiers.ts";
import { csrfField, emphasised, errorSummary, firstInvalid, VALUE_MARK as MARK, notice, passwordField, textField, withMarkup } from "./layout.ts";
import { PASSKEY_SCRIPTS } from "./security-pages.ts";

/** "For a mobile number, include the country code, for example +44 7400 123456." */
export function identifierHint(t: Translate): string {
  return t("signin.identifierHint", { example: EXAMPLE_MOBILE_NUMBER });
}

/** The hint in English, for views not yet given the request's language. */

/** Error codes of a failed security check: the password was not checked and has to be typed again. */
const CAPTCHA_ERRORS: ReadonlySet<string> = new Set(["CAPTCHA_REQUIRED", "CAPTCHA_INCORRECT", "CAPTCHA_EXPIRED"]);

/** The "Did you mean …?" notice that sits under the address it is about, with a button to take it. */
export function emailSuggestion(o: { id: string; suggestion: string; typed: string; choiceName: string; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<div class="field-suggestion" id="${o.id}-suggestion" role="status">
<p>${emphasised(t("signin.suggestionQuestion", { suggestion: MARK }), o.suggestion)}</p>
<div class="form-actions form-actions--tight"><button class="button button--small" type="submit" name="${o.choiceName}" value="suggested">${t("signin.suggestionUse", { suggestion: o.suggestion })}</button><button class="button button--secondary button--small" type="submit" name="${o.choiceName}" value="typed">${t("signin.suggestionKeep", { typed: o.typed })}</button></div>
</div>`;
}

export { emphasised, VALUE_MARK, withMarkup } from "./layout.ts";

export interface SigninPageOptions {
  t: Translate;
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  returnTo: string;
  notice?: string;
  remember?: boolean;
  /** After "Try another": focus goes to the new security check, not to the first field. */
  focusCaptcha?: boolean;
  /** After a number was picked from the choices: focus goes to the password. */
  focusPassword?: boolean;
  /** Extra form content, e.g. the security check. */
  extra?: SafeHtml | string;
  /** After a refused attempt or "Try another": the password is never sent back, so say it must be retyped. */
  retypePassword?: boolean;
}

export function signinPage(o: SigninPageOptions): SafeHtml {
  const t = o.t;
  const focus = o.focusCaptcha ? "captcha" : o.focusPassword ? "password" : firstInvalid(o.errors, ["identifier", "password"]);
  const locked = o.errors.some((e) => e.code === "SIGNIN_LOCKED");
  // The reset buttons post the typed identifier to /signin/forgot, which carries it over in flow state (never in the address).
  const helpLink = html`${locked ? html`<p class="error-summary-help"><button class="link-button" type="submit" form="signin-form" formaction="/signin/forgot" formnovalidate>${t("signin.resetNow")}</button></p>` : ""}<p class="error-summary-help"><a href="/help/problems-signing-in">${t("signin.problems")}</a></p>`;
  const captchaFailed = o.errors.some((e) => CAPTCHA_ERRORS.has(e.code)) && !o.errors.some((e) => e.field === "password");
  return html`<h1>${t("signin.heading")}</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors, helpLink, t)}
<form class="form" id="signin-form" method="post" action="/signin" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
${textField({ t, id: "identifier", label: t("signin.identifierLabel"), value: o.identifier, autocomplete: "username webauthn", hint: identifierHint(t), errors: o.errors, autofocus: focus === "identifier" || (!focus && !o.identifier), maxlength: 320, suggestEmail: true, className: "input input--ltr" })}
${passwordField({ t, id: "password", label: t("signin.passwordLabel"), autocomplete: "current-password", errors: o.errors, autofocus: focus === "password" || (!focus && Boolean(o.identifier)), ...(captchaFailed ? { notice: t("signin.retypeAfterCheck") } : o.retypePassword ? { hint: t("signin.retypeAfterRefusal") } : {}) })}
${o.extra ?? ""}
<div class="checkbox"><input type="checkbox" id="remember" name="remember" value="1"${o.remember ? html` checked` : ""}><label for="remember">${t("signin.remember")}</label></div>
<div class="form-actions"><button class="button" type="submit">${t("signin.submit")}</button><button class="link-button" type="submit" formaction="/signin/forgot" formnovalidate>${t("signin.forgot")}</button></div>
</form>
${passkeySignin(t)}
<p class="aside">${t("signin.noAccount")} <a href="/register">${t("signin.createAccount")}</a></p>
<p class="aside"><a href="/help/problems-signing-in">${t("signin.problems")}</a></p>`;
}

/** "Sign in with a passkey": shown by the page script where the browser supports passkeys. */
function passkeySignin(t: Translate): SafeHtml {
  return html`<div class="passkey-signin" data-passkey-signin>
<button class="button button--secondary" type="button" data-passkey-button hidden>${t("signin.passkeyButton")}</button>
<p class="field-error" data-passkey-error role="alert" hidden></p>
</div>
${PASSKEY_SCRIPTS}`;
}

export interface RegisterPageOptions {
  t: Translate;
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  name: string;
  focusCaptcha?: boolean;
  extra?: SafeHtml | string;
}

export function registerPage(o: RegisterPageOptions): SafeHtml {
  const t = o.t;
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["identifier", "name", "password", "password_confirm"]);
  return html`<h1>${t("register.heading")}</h1>
<p class="lead">${t("register.lead")}</p>
${errorSummary(o.errors, undefined, t)}
<form class="form" method="post" action="/register" novalidate>
${csrfField(o.csrfToken)}
${textField({ t, id: "identifier", label: t("signin.identifierLabel"), value: o.identifier, autocomplete: "username", hint: identifierHint(t), errors: o.errors, autofocus: focus === "identifier" || !focus, maxlength: 320, suggestEmail: true, className: "input input--ltr" })}
${textField({ t, id: "name", label: t("register.nameLabel"), value: o.name, autocomplete: "name", errors: o.errors, autofocus: focus === "name", maxlength: 100 })}
${passwordField({ t, id: "password", label: t("register.passwordLabel"), autocomplete: "new-password", errors: o.errors, hint: t("register.passwordHint"), autofocus: focus === "password", strengthInputs: ["identifier", "name"] })}
${passwordField({ t, id: "password_confirm", label: t("register.passwordConfirmLabel"), autocomplete: "new-password", errors: o.errors, autofocus: focus === "password_confirm" })}
${o.extra ?? ""}
<div class="form-actions"><button class="button" type="submit">${t("register.submit")}</button></div>
</form>
<p class="aside">${t("register.haveAccount")} <a href="/signin">${t("register.signIn")}</a></p>
<p class="aside"><a href="/help/create-an-account">${t("register.help")}</a></p>`;
}

/**
 * The step between "Create account" and sending the code when the address looks like a typo: the
 * suggestion sits under the address, and everything else typed on the form is kept by the server.
 */
export function registerCheckAddressPage(o: { t: Translate; csrfToken: string; flowId: string; identifier: string; suggestion: string }): SafeHtml {
  const t = o.t;
  return html`<h1>${t("register.checkHeading")}</h1>
<p class="lead">${t("register.checkLead")}</p>
<form class="form" method="post" action="/register" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="flow" value="${o.flowId}">
${textField({ t, id: "identifier", label: t("signin.identifierLabel"), value: o.identifier, autocomplete: "username", errors: [], autofocus: false, maxlength: 320, className: "input input--ltr", extra: emailSuggestion({ t, id: "identifier", suggestion: o.suggestion, typed: o.identifier, choiceName: "address_choice" }) })}
<p class="field-hint">${withMarkup(t("register.checkOrCorrect", { button: MARK }), html`<button class="link-button" type="submit" name="address_choice" value="edited">${t("register.checkContinue")}</button>`)}</p>
</form>
<p class="aside"><a href="/register">${t("register.startAgain")}</a></p>`;
}

export interface VerifyPageOptions {
  /** The page's language (English when not given). */
  t?: Translate;
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  code: string;
  /** Where the code went, masked, e.g. "a•••@example.com". */
  sentTo?: string;
  channel?: "email" | "phone";
  resent?: boolean;
  action?: string;
  heading?: string;
  /** The flow this confirmation belongs to (sent back so the browser that registered can be signed in). */
  flowId?: string;
  /** Ask for the password too: the page is not the code step of the browser that chose it. */
  askPassword?: boolean;
}

export function verifyPage(o: VerifyPageOptions): SafeHtml {
  const t = o.t ?? translator("en");
  const focus = firstInvalid(o.errors, ["identifier", "code", "password"]) ?? (o.identifier ? (o.code && o.askPassword ? "password" : "code") : "identifier");
  const sent = o.channel === "phone" ? t("register.verifySentPhone", { to: MARK }) : t("register.verifySentEmail", { to: MARK });
  // Text messages have no spam folder: point at the number instead.
  const noCode = t(o.channel === "phone" ? "register.noCodePhone" : o.channel === "email" ? "register.noCodeEmail" : "register.noCodeEither", { button: MARK });
  const action = o.action ?? "/verify";
  return html`<h1>${o.heading ?? t("register.verifyHeading")}</h1>
${o.sentTo ? notice("info", emphasised(sent, o.sentTo)) : ""}
${o.resent ? notice("success", t("register.verifyResent")) : ""}
${errorSummary(o.errors, undefined, t)}
<form class="form" method="post" action="${action}" novalidate>
${csrfField(o.csrfToken)}
${o.flowId ? html`<input type="hidden" name="flow" value="${o.flowId}">` : ""}
${textField({ t, id: "identifier", label: t("signin.identifierLabel"), value: o.identifier, autocomplete: "username", errors: o.errors, autofocus: focus === "identifier", maxlength: 320, className: "input input--ltr" })}
${textField({ t, id: "code", label: t("register.codeLabel"), value: o.code, autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, hint: t("register.codeHint"), errors: o.errors, autofocus: focus === "code", className: "input input--code" })}
${o.askPassword ? passwordField({ t, id: "password", label: t("register.verifyPasswordLabel"), autocomplete: "current-password", hint: t("register.verifyPasswordHint"), errors: o.errors, autofocus: focus === "password" }) : ""}
<div class="form-actions"><button class="button" type="submit">${t("register.verifySubmit")}</button></div>
</form>
<form class="form" method="post" action="${action}/resend">
${csrfField(o.csrfToken)}
<input type="hidden" name="identifier" value="${o.identifier}">
${o.flowId ? html`<input type="hidden" name="flow" value="${o.flowId}">` : ""}
<p class="aside">${withMarkup(noCode, html`<button class="link-button" type="submit">${t("register.sendNewCode")}</button>`)}</p>
</form>`;
}

export interface SecondFactorPageOptions {
  t: Translate;
  csrfToken: string;
  /** The sign-in flow the forms post back (its second-factor step). */
  flowId: string;
  errors: FieldError[];
  methods: ReadonlyArray<"passkey" | "totp" | "recovery_code">;
  /** The security check, when it is due before the next code. */
  captcha?: SafeHtml;
}

/** The step after a right password: the person picks one of their second factors. */
export function secondFactorPage(o: SecondFactorPageOptions): SafeHtml {
  const t = o.t;
  const helpLink = html`<p class="error-summary-help"><a href="/help/passkeys-and-second-factors">${t("signin.problems")}</a></p>`;
  const hasTOTP = o.methods.includes("totp");
  const hasRecovery = o.methods.includes("recovery_code");
  const codeChoice = (method: "totp" | "recovery_code", label: string, checked: boolean): SafeHtml =>
    html`<div class="radio"><input type="radio" id="method-${method}" name="method" value="${method}"${checked ? html` checked` : ""}><label for="method-${method}">${label}</label></div>`;
  const codeForm =
    hasTOTP || hasRecovery
      ? html`<form class="form" method="post" action="/signin/second-factor" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="flow" value="${o.flowId}">
${
  hasTOTP && hasRecovery
    ? html`<fieldset><legend>${t("signin.secondFactorWhichCode")}</legend>
${codeChoice("totp", t("signin.secondFactorTotpChoice"), true)}
${codeChoice("recovery_code", t("signin.secondFactorRecoveryChoice"), false)}
</fieldset>`
    : html`<input type="hidden" name="method" value="${hasTOTP ? "totp" : "recovery_code"}">`
}
${textField({
  t,
  id: "code",
  label: hasTOTP ? (hasRecovery ? t("signin.secondFactorCodeLabel") : t("signin.secondFactorTotpLabel")) : t("signin.secondFactorRecoveryLabel"),
  hint: hasTOTP ? t("signin.secondFactorTotpHint") : t("signin.secondFactorRecoveryHint"),
  autocomplete: "one-time-code",
  maxlength: 32,
  errors: o.errors,
  autofocus: !o.methods.includes("passkey") || o.errors.some((e) => e.field === "code"),
  className: "input input--code",
})}
${o.captcha ?? ""}
<div class="form-actions"><button class="button" type="submit">${t("signin.secondFactorContinue")}</button></div>
</form>`
      : "";
  return html`<h1>${t("signin.secondFactorHeading")}</h1>
<p>${t("signin.secondFactorLead")}</p>
${errorSummary(o.errors, helpLink, t)}
${
  o.methods.includes("passkey")
    ? html`<div class="form" data-passkey-second-factor data-flow="${o.flowId}"><button class="button${hasTOTP ? " button--secondary" : ""}" type="button" data-passkey-button hidden>${t("signin.secondFactorPasskey")}</button><p class="field-error" data-passkey-error role="alert" hidden></p></div>`
    : ""
}
${codeForm}
<p class="aside"><a href="/help/passkeys-and-second-factors">${t("signin.secondFactorLostPhone")}</a></p>
<p class="aside"><a href="/signin">${t("signin.startAgain")}</a></p>
${o.methods.includes("passkey") ? PASSKEY_SCRIPTS : ""}`;
}
