// Sign-in, registration and confirmation pages.
import { html, type SafeHtml } from "../lib/html.ts";
import type { FieldError } from "../http/flows.ts";
import { csrfField, errorSummary, firstInvalid, notice, passwordField, textField } from "./layout.ts";

const IDENTIFIER_HINT = "For a mobile number, include the country code, for example +44 7700 900123.";

export interface SigninPageOptions {
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  returnTo: string;
  notice?: string;
  remember?: boolean;
  /** After "Try another": focus goes to the new security check, not to the first field. */
  focusCaptcha?: boolean;
  /** Extra form content, e.g. the security check. */
  extra?: SafeHtml | string;
  /** After a refused attempt or "Try another": the password is never sent back, so say it must be retyped. */
  retypePassword?: boolean;
}

export function signinPage(o: SigninPageOptions): SafeHtml {
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["identifier", "password"]);
  const locked = o.errors.some((e) => e.code === "SIGNIN_LOCKED");
  const helpLink = html`${locked ? html`<p class="error-summary-help"><a href="/password/reset">Reset your password now</a></p>` : ""}<p class="error-summary-help"><a href="/help/problems-signing-in">Problems signing in?</a></p>`;
  return html`<h1>Sign in</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors, helpLink)}
<form class="form" method="post" action="/signin" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", hint: IDENTIFIER_HINT, errors: o.errors, autofocus: focus === "identifier" || (!focus && !o.identifier), maxlength: 320 })}
${passwordField({ id: "password", label: "Password", autocomplete: "current-password", errors: o.errors, autofocus: focus === "password" || (!focus && Boolean(o.identifier)), ...(o.retypePassword ? { hint: "Type your password again. Everything else you entered is kept, but for your safety we never send a password back to the page." } : {}) })}
${o.extra ?? ""}
<div class="checkbox"><input type="checkbox" id="remember" name="remember" value="1"${o.remember ? html` checked` : ""}><label for="remember">Keep me signed in</label></div>
<div class="form-actions"><button class="button" type="submit">Sign in</button><a href="/password/reset">Forgot your password?</a></div>
</form>
<p class="aside">No account yet? <a href="/register">Create an account</a></p>
<p class="aside"><a href="/help/problems-signing-in">Problems signing in?</a></p>`;
}

export interface RegisterPageOptions {
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  name: string;
  suggestion?: string;
  focusCaptcha?: boolean;
  extra?: SafeHtml | string;
}

export function registerPage(o: RegisterPageOptions): SafeHtml {
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["identifier", "name", "password", "password_confirm"]);
  const suggestion = o.suggestion
    ? html`<p class="field-suggestion">Did you mean <strong>${o.suggestion}</strong>? Check the address before you continue.</p>`
    : "";
  return html`<h1>Create an account</h1>
<p class="lead">Use your e-mail address or your mobile number. We will send a code to confirm it's yours.</p>
${errorSummary(o.errors)}
<form class="form" method="post" action="/register" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", hint: IDENTIFIER_HINT, errors: o.errors, autofocus: focus === "identifier" || !focus, maxlength: 320, extra: suggestion })}
${textField({ id: "name", label: "Your name (optional)", value: o.name, autocomplete: "name", errors: o.errors, autofocus: focus === "name", maxlength: 100 })}
${passwordField({ id: "password", label: "Choose a password", autocomplete: "new-password", errors: o.errors, hint: "At least 8 characters. Passwords are case-sensitive. A few unrelated words make a strong password that is easy to remember.", autofocus: focus === "password", strengthInputs: ["identifier", "name"] })}
${passwordField({ id: "password_confirm", label: "Type the password again", autocomplete: "new-password", errors: o.errors, autofocus: focus === "password_confirm" })}
${o.extra ?? ""}
<div class="form-actions"><button class="button" type="submit">Create account</button></div>
</form>
<p class="aside">Already have an account? <a href="/signin">Sign in</a></p>
<p class="aside"><a href="/help/create-an-account">Help with creating an account</a></p>`;
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
}

export function verifyPage(o: VerifyPageOptions): SafeHtml {
  const focus = firstInvalid(o.errors, ["identifier", "code"]) ?? (o.identifier ? "code" : "identifier");
  const where = o.channel === "phone" ? "by text message" : "by e-mail";
  const action = o.action ?? "/verify";
  return html`<h1>${o.heading ?? "Confirm your account"}</h1>
${o.sentTo ? notice("info", html`We sent a 6-digit code ${where} to <strong>${o.sentTo}</strong>. It works for 10 minutes.`) : ""}
${o.resent ? notice("success", "If a code was waiting for this address or number, we have sent a new one. Use the code from the newest message.") : ""}
${errorSummary(o.errors)}
<form class="form" method="post" action="${action}" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", errors: o.errors, autofocus: focus === "identifier", maxlength: 320 })}
${textField({ id: "code", label: "Confirmation code", value: o.code, autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, hint: "The 6 digits from the message we sent.", errors: o.errors, autofocus: focus === "code", className: "input input--code" })}
<div class="form-actions"><button class="button" type="submit">Confirm</button></div>
</form>
<form class="form" method="post" action="${action}/resend">
${csrfField(o.csrfToken)}
<input type="hidden" name="identifier" value="${o.identifier}">
<p class="aside">No code? Check your spam folder, or <button class="link-button" type="submit">send a new code</button>.</p>
</form>`;
}
