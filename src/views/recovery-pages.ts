// Pages for resetting a forgotten password and changing a known one.

import type { FieldError } from "../http/flows.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { EXAMPLE_MOBILE_NUMBER } from "../messages/identifiers.ts";
import { csrfField, errorSummary, firstInvalid, notice, passwordField, textField } from "./layout.ts";

/**
 * The account's identifier for password managers, which look for a username field next to a new
 * password to know which saved entry to update. Not shown: the person already knows whose password it is.
 */
export function hiddenUsernameField(username: string): SafeHtml | string {
  return username ? html`<input type="text" name="username" value="${username}" autocomplete="username" hidden readonly tabindex="-1">` : "";
}

const HELP = html`<p class="aside"><a href="/help/reset-your-password">Help with resetting your password</a></p>`;

export function resetRequestPage(o: {
  csrfToken: string;
  errors: FieldError[];
  identifier: string;
  captcha: SafeHtml | string;
  focusCaptcha?: boolean;
}): SafeHtml {
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["identifier", "captcha"]);
  return html`<h1>Reset your password</h1>
<p class="lead">Enter the e-mail address or mobile number you use to sign in. We'll send you a link by e-mail, or a code by text message.</p>
${errorSummary(o.errors)}
<form class="form" method="post" action="/password/reset" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "identifier", label: "E-mail or mobile number", value: o.identifier, autocomplete: "username", hint: `For a mobile number, include the country code, for example ${EXAMPLE_MOBILE_NUMBER}.`, errors: o.errors, autofocus: focus === "identifier" || !focus, maxlength: 320, suggestEmail: true })}
${o.captcha}
<div class="form-actions"><button class="button" type="submit">Send reset instructions</button><a href="/signin">Back to sign in</a></div>
</form>
${HELP}`;
}

export function resetSentPage(o: { sentTo: string }): SafeHtml {
  return html`<h1>Check your e-mail</h1>
${notice("info", html`If an account uses <strong>${o.sentTo}</strong>, we have sent it a link to choose a new password. The link works for 30 minutes.`)}
<ul>
<li>It can take a few minutes to arrive. Look in your spam or junk folder too.</li>
<li>Only the newest link works: if you ask again, the earlier one stops working.</li>
<li>Nothing arrived? You may have used another address for this account. <a href="/password/reset">Try another address or your mobile number</a>.</li>
</ul>
${HELP}`;
}

export interface ResetConfirmOptions {
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
  const byCode = !o.flowId;
  const focus = firstInvalid(o.errors, ["identifier", "code", "password", "password_confirm"]);
  return html`<h1>Choose a new password</h1>
${byCode && o.sentTo ? notice("info", html`If an account uses <strong>${o.sentTo}</strong>, we have sent it a 6-digit code by text message. Type it below. The code works for 10 minutes.`) : ""}
${errorSummary(o.errors)}
<form class="form" method="post" action="/password/reset/confirm" novalidate>
${csrfField(o.csrfToken)}
${o.flowId ? html`<input type="hidden" name="flow" value="${o.flowId}">${hiddenUsernameField(o.username ?? "")}` : ""}
${byCode ? textField({ id: "identifier", label: "Mobile number", value: o.identifier ?? "", autocomplete: "username", type: "tel", errors: o.errors, autofocus: focus === "identifier" || (!focus && !o.identifier), maxlength: 320 }) : ""}
${byCode ? textField({ id: "code", label: "Code from the text message", value: "", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, errors: o.errors, autofocus: focus === "code" || (!focus && Boolean(o.identifier)), className: "input input--code" }) : ""}
${passwordField({ id: "password", label: "New password", autocomplete: "new-password", errors: o.errors, hint: "At least 8 characters. Passwords are case-sensitive. A few unrelated words make a strong password.", autofocus: focus === "password" || (!focus && !byCode), strengthInputs: byCode ? ["identifier"] : [] })}
${passwordField({ id: "password_confirm", label: "Type the new password again", autocomplete: "new-password", errors: o.errors, autofocus: focus === "password_confirm" })}
<p class="field-hint">After the change you'll be signed out on every device, and we'll let you know by e-mail or text message.</p>
<div class="form-actions"><button class="button" type="submit">Save new password</button></div>
</form>
${byCode ? html`<p class="aside">No code? <a href="/password/reset">Ask for a new one</a>.</p>` : ""}
${HELP}`;
}

const LINK_PROBLEMS = {
  expired: { title: "This link has expired", text: "Reset links work for 30 minutes, and this one is older. Start again to get a new link." },
  used: {
    title: "This link has already been used",
    text: "Each reset link works once, and only the newest one works. If you just chose a new password, sign in with it. Otherwise, start again.",
  },
  invalid: {
    title: "This link is not valid",
    text: "The link is incomplete or has been changed, perhaps cut off when it was copied. Open it straight from the e-mail, or start again.",
  },
} as const;

export function resetLinkProblemPage(o: { csrfToken: string; problem: keyof typeof LINK_PROBLEMS }): SafeHtml {
  const p = LINK_PROBLEMS[o.problem];
  return html`<h1>${p.title}</h1>
<p class="lead">${p.text}</p>
<p><a class="button" href="/password/reset">Start a new reset</a></p>
<p class="aside"><a href="/signin">Back to sign in</a></p>
${HELP}`;
}

export function passwordChangePage(o: {
  csrfToken: string;
  errors: FieldError[];
  captcha: SafeHtml | string;
  signOutOthers: boolean;
  focusCaptcha?: boolean;
  username?: string;
}): SafeHtml {
  const focus = o.focusCaptcha ? "captcha" : firstInvalid(o.errors, ["currentPassword", "newPassword", "newPassword_confirm", "captcha"]);
  return html`<h1>Change your password</h1>
${errorSummary(o.errors)}
<form class="form" method="post" action="/account/password" novalidate>
${csrfField(o.csrfToken)}
${hiddenUsernameField(o.username ?? "")}
${passwordField({ id: "currentPassword", label: "Current password", autocomplete: "current-password", errors: o.errors, autofocus: focus === "currentPassword" || !focus })}
${passwordField({ id: "newPassword", label: "New password", autocomplete: "new-password", errors: o.errors, hint: "At least 8 characters. A few unrelated words make a strong password.", autofocus: focus === "newPassword", strengthInputs: [] })}
${passwordField({ id: "newPassword_confirm", label: "Type the new password again", autocomplete: "new-password", errors: o.errors, autofocus: focus === "newPassword_confirm" })}
<div class="checkbox"><input type="checkbox" id="signOutOthers" name="signOutOthers" value="1"${o.signOutOthers ? html` checked` : ""}><label for="signOutOthers">Sign out other devices</label></div>
${o.captcha}
<div class="form-actions"><button class="button" type="submit">Change password</button><a href="/account">Cancel</a></div>
</form>
<p class="aside">Forgotten your current password? <a href="/password/reset">Reset it instead</a>.</p>`;
}
