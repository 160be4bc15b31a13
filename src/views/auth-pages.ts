// Sign-in, registration and confirmation pages.

import type { FieldError } from "../http/flows.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { EXAMPLE_MOBILE_NUMBER } from "../messages/identifiers.ts";
import { csrfField, errorSummary, firstInvalid, notice, passwordField, textField } from "./layout.ts";
import { PASSKEY_SCRIPTS } from "./security-pages.ts";

export const IDENTIFIER_HINT = `For a mobile number, include the country code, for example ${EXAMPLE_MOBILE_NUMBER}.`;

/** Error codes of a failed security check: the password was not checked and has to be typed again. */
const CAPTCHA_ERRORS: ReadonlySet<string> = new Set(["CAPTCHA_REQUIRED", "CAPTCHA_INCORRECT", "CAPTCHA_EXPIRED"]);
const RETYPE_PASSWORD = "Type your password again: it is never kept when the security check has to be answered. Everything else is as you left it.";

/** The "Did you mean …?" notice that sits under the address it is about, with a button to take it. */
export function emailSuggestion(o: { id: string; suggestion: string; typed: string; choiceName: string }): SafeHtml {
  return html`<div class="field-suggestion" id="${o.id}-suggestion" role="status">
<p>Did you mean <strong>${o.suggestion}</strong>?</p>
<div class="form-actions form-actions--tight"><button class="button button--small" type="submit" name="${o.choiceName}" value="suggested">Use ${o.suggestion}</button><button class="button button--secondary button--small" type="submit" name="${o.choiceName}" value="typed">Keep ${o.typed}</button></div>
</div>`;
}

export interface SigninPageOptions {
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
  const focus = o.focusCaptcha ? "captcha" : o.focusPassword ? "password" : firstInvalid(o.errors, ["identifier", "password"]);
  const locked = o.errors.some((e) => e.code === "SIGNIN_LOCKED");
  // The reset buttons post the typed identifier to /signin/forgot, which carries it over in flow state (never in the address).
  const helpLink = html`${locked ? html`<p class="error-summary-help"><button class="link-button" type="submit" form="signin-form" formaction="/signin/forgot" formnovalidate>Reset your password now</button></p>` : ""}<p class="error-summary-help"><a href="/help/problems-signing-in">Problems signing in?</a></p>`;
  const captchaFailed = o.errors.some((e) => CAPTCHA_ERRORS.has(e.code)) && !o.errors.some((e) => e.field === "password");
  return html`<h1>Sign in</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors, helpLink)}
<form class="form" id="signin-form" method="post" action="/signin" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username webauthn", hint: IDENTIFIER_HINT, errors: o.errors, autofocus: focus === "identifier" || (!focus && !o.identifier), maxlength: 320, suggestEmail: true })}
${passwordField({ id: "password", label: "Password", autocomplete: "current-password", errors: o.errors, autofocus: focus === "password" || (!focus && Boolean(o.identifier)), ...(captchaFailed ? { notice: RETYPE_PASSWORD } : o.retypePassword ? { hint: "Type your password again. Everything else you entered is kept, but for your safety we never send a password back to the page." } : {}) })}
${o.extra ?? ""}
<div class="checkbox"><input type="checkbox" id="remember" name="remember" value="1"${o.remember ? html` checked` : ""}><label for="remember">Keep me signed in</label></div>
<div class="form-actions"><button class="button" type="submit">Sign in</button><button class="link-button" type="submit" formaction="/signin/forgot" formnovalidate>Forgot your password?</button></div>
</form>
${passkeySignin()}
<p class="aside">No account yet? <a href="/register">Create an account</a></p>
<p class="aside"><a href="/help/problems-signing-in">Problems signing in?</a></p>`;
}

/** "Sign in with a passkey": shown by the page script where the browser supports passkeys. */
function passkeySignin(): SafeHtml {
  return html`<div class="passkey-signin" data-passkey-signin>
<button class="button button--secondary" type="button" data-passkey-button hidden>Sign in with a passkey</button>
<p class="field-error" data-passkey-error role="alert" hidden></p>
</div>
${PASSKEY_SCRIPTS}`;
}

export interface RegisterPageOptions {
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  name: string;
  focusCaptcha?: boolean;
  extra?: SafeHtml | string;
}

export function registerPage(o: RegisterPageOptions): SafeHtml {
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["identifier", "name", "password", "password_confirm"]);
  return html`<h1>Create an account</h1>
<p class="lead">Use your e-mail address or your mobile number. We will send a code to confirm it's yours.</p>
${errorSummary(o.errors)}
<form class="form" method="post" action="/register" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", hint: IDENTIFIER_HINT, errors: o.errors, autofocus: focus === "identifier" || !focus, maxlength: 320, suggestEmail: true })}
${textField({ id: "name", label: "Your name (optional)", value: o.name, autocomplete: "name", errors: o.errors, autofocus: focus === "name", maxlength: 100 })}
${passwordField({ id: "password", label: "Choose a password", autocomplete: "new-password", errors: o.errors, hint: "At least 8 characters. Passwords are case-sensitive. A few unrelated words make a strong password that is easy to remember.", autofocus: focus === "password", strengthInputs: ["identifier", "name"] })}
${passwordField({ id: "password_confirm", label: "Type the password again", autocomplete: "new-password", errors: o.errors, autofocus: focus === "password_confirm" })}
${o.extra ?? ""}
<div class="form-actions"><button class="button" type="submit">Create account</button></div>
</form>
<p class="aside">Already have an account? <a href="/signin">Sign in</a></p>
<p class="aside"><a href="/help/create-an-account">Help with creating an account</a></p>`;
}

/**
 * The step between "Create account" and sending the code when the address looks like a typo: the
 * suggestion sits under the address, and everything else typed on the form is kept by the server.
 */
export function registerCheckAddressPage(o: { csrfToken: string; flowId: string; identifier: string; suggestion: string }): SafeHtml {
  return html`<h1>Check your e-mail address</h1>
<p class="lead">Before we send your code, please check the address. Your name, password and security check are kept.</p>
<form class="form" method="post" action="/register" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="flow" value="${o.flowId}">
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", errors: [], autofocus: false, maxlength: 320, extra: emailSuggestion({ id: "identifier", suggestion: o.suggestion, typed: o.identifier, choiceName: "address_choice" }) })}
<p class="field-hint">Or correct the address above and <button class="link-button" type="submit" name="address_choice" value="edited">continue with it</button>.</p>
</form>
<p class="aside"><a href="/register">Start again</a></p>`;
}

export interface VerifyPageOptions {
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
}

export function verifyPage(o: VerifyPageOptions): SafeHtml {
  const focus = firstInvalid(o.errors, ["identifier", "code"]) ?? (o.identifier ? "code" : "identifier");
  const where = o.channel === "phone" ? "by text message" : "by e-mail";
  // Text messages have no spam folder: point at the number instead.
  const noCode =
    o.channel === "phone"
      ? "No text message? Check the number above"
      : o.channel === "email"
        ? "No code? Check your spam or junk folder and the address above"
        : "No code? Check the address or number above, and your spam folder for e-mail";
  const action = o.action ?? "/verify";
  return html`<h1>${o.heading ?? "Confirm your account"}</h1>
${o.sentTo ? notice("info", html`We sent a 6-digit code ${where} to <strong>${o.sentTo}</strong>. It works for 10 minutes.`) : ""}
${o.resent ? notice("success", "If a code was waiting for this address or number, we have sent a new one. Use the code from the newest message.") : ""}
${errorSummary(o.errors)}
<form class="form" method="post" action="${action}" novalidate>
${csrfField(o.csrfToken)}
${o.flowId ? html`<input type="hidden" name="flow" value="${o.flowId}">` : ""}
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", errors: o.errors, autofocus: focus === "identifier", maxlength: 320 })}
${textField({ id: "code", label: "Confirmation code", value: o.code, autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, hint: "The 6 digits from the message we sent.", errors: o.errors, autofocus: focus === "code", className: "input input--code" })}
<div class="form-actions"><button class="button" type="submit">Confirm</button></div>
</form>
<form class="form" method="post" action="${action}/resend">
${csrfField(o.csrfToken)}
<input type="hidden" name="identifier" value="${o.identifier}">
${o.flowId ? html`<input type="hidden" name="flow" value="${o.flowId}">` : ""}
<p class="aside">${noCode}, or <button class="link-button" type="submit">send a new code</button>.</p>
</form>`;
}

export interface SecondFactorPageOptions {
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
  const helpLink = html`<p class="error-summary-help"><a href="/help/passkeys-and-second-factors">Problems signing in?</a></p>`;
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
    ? html`<fieldset><legend>Which code will you type?</legend>
${codeChoice("totp", "Code from your authenticator app", true)}
${codeChoice("recovery_code", "A recovery code (if you lost your phone)", false)}
</fieldset>`
    : html`<input type="hidden" name="method" value="${hasTOTP ? "totp" : "recovery_code"}">`
}
${textField({
  id: "code",
  label: hasTOTP ? (hasRecovery ? "Code" : "Code from your authenticator app") : "Recovery code",
  hint: hasTOTP
    ? "The 6 digits your app shows now, or a recovery code like abcde-fghjk (each works once)."
    : "One of the codes you saved, like abcde-fghjk. Each works once.",
  autocomplete: "one-time-code",
  maxlength: 32,
  errors: o.errors,
  autofocus: !o.methods.includes("passkey") || o.errors.some((e) => e.field === "code"),
  className: "input input--code",
})}
${o.captcha ?? ""}
<div class="form-actions"><button class="button" type="submit">Continue</button></div>
</form>`
      : "";
  return html`<h1>One more step</h1>
<p>Your password was right. To finish signing in, show it's you with one of these.</p>
${errorSummary(o.errors, helpLink)}
${
  o.methods.includes("passkey")
    ? html`<div class="form" data-passkey-second-factor data-flow="${o.flowId}"><button class="button${hasTOTP ? " button--secondary" : ""}" type="button" data-passkey-button hidden>Use a passkey</button><p class="field-error" data-passkey-error role="alert" hidden></p></div>`
    : ""
}
${codeForm}
<p class="aside"><a href="/help/passkeys-and-second-factors">Problems signing in? Lost your phone?</a></p>
<p class="aside"><a href="/signin">Start again</a></p>
${o.methods.includes("passkey") ? PASSKEY_SCRIPTS : ""}`;
}
