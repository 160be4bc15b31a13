// "Sign-in and security" pages: passkeys, the authenticator app, recovery codes, "confirm it's you", the
// display name and account deletion. Passkey buttons need JavaScript (WebAuthn is a browser API); every
// other form works without it.

import type { CAPTCHAChallenge } from "../captcha/challenges.ts";
import type { FieldError } from "../http/flows.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { describeTimeAgo } from "../lib/user-agent.ts";
import type { PasskeyRecord } from "../stores/types.ts";
import { captchaFieldset } from "./captcha.ts";
import { csrfField, errorSummary, notice, passwordField, textField } from "./layout.ts";

/** The WebAuthn browser library and the page script that uses it (static files: the CSP allows no inline script). */
export const PASSKEY_SCRIPTS = html`<script src="/assets/vendor/simplewebauthn-browser.js" defer></script><script src="/assets/passkeys.js" defer></script>`;

export interface PasskeyView {
  id: string;
  name: string;
  createdAgo: string;
  createdAt: string;
  lastUsedAgo: string | null;
  synced: boolean;
}

/** A stored passkey as the security page lists it. */
export function passkeyView(p: PasskeyRecord, now: Date): PasskeyView {
  return {
    id: p.id,
    name: p.name,
    createdAgo: describeTimeAgo(p.createdAt, now),
    createdAt: p.createdAt.toISOString(),
    lastUsedAgo: p.lastUsedAt ? describeTimeAgo(p.lastUsedAt, now) : null,
    synced: p.backedUp,
  };
}

export interface SecurityPageOptions {
  csrfToken: string;
  errors: FieldError[];
  notice?: string;
  name: string;
  passkeys: PasskeyView[];
  totp: "off" | "setting_up" | "on";
  recoveryCodesLeft: number;
  /** Recovery codes made just now, shown this once. */
  newRecoveryCodes?: string[];
}

export function securityPage(o: SecurityPageOptions): SafeHtml {
  return html`<h1>Sign-in and security</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors)}
${o.newRecoveryCodes ? recoveryCodesSection(o.newRecoveryCodes) : ""}
<div data-recovery-codes-slot></div>
<section class="card" aria-labelledby="passkeys-title">
<h2 id="passkeys-title">Passkeys</h2>
<p>A passkey lets you sign in with your fingerprint, face or device PIN instead of typing a password, and it can't be tricked into working on a fake site.</p>
${
  o.passkeys.length === 0
    ? html`<p>You have no passkeys yet.</p>`
    : html`<ul class="session-list">${o.passkeys.map(
        (p) => html`<li class="session"><div class="session-main"><strong>${p.name}</strong>${p.synced ? html` <span class="badge">Synced</span>` : ""}
<p class="session-meta">Added <time datetime="${p.createdAt}">${p.createdAgo}</time> · ${p.lastUsedAgo ? `last used ${p.lastUsedAgo}` : "not used yet"}</p>
<form class="inline-form" method="post" action="/account/security/passkeys/${p.id}/rename">${csrfField(o.csrfToken)}<label class="visually-hidden" for="rename-${p.id}">New name for ${p.name}</label><input class="input input--small" id="rename-${p.id}" name="name" value="${p.name}" maxlength="64"><button class="button button--secondary button--small" type="submit">Rename</button></form></div>
<form class="inline-form" method="post" action="/account/security/passkeys/${p.id}/remove">${csrfField(o.csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="Remove ${p.name}">Remove</button></form>
</li>`,
      )}</ul>`
}
<form class="form" method="post" action="/account/security/passkeys" data-passkey-register novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "passkey_name", label: "Name for a new passkey", hint: 'So you can tell your passkeys apart, for example "Work laptop" or "Phone".', errors: o.errors, maxlength: 64 })}
<p class="field-error" data-passkey-error role="alert" hidden></p>
<div class="form-actions"><button class="button button--secondary" type="submit">Add a passkey</button></div>
<p class="field-hint" data-passkey-unsupported>Adding a passkey needs JavaScript and a browser that supports passkeys.</p>
</form>
</section>
<section class="card" aria-labelledby="totp-title">
<h2 id="totp-title">Authenticator app</h2>
${
  o.totp === "on"
    ? html`<p><span class="badge">On</span> After your password, we ask for the 6-digit code your app shows.</p>
<form class="form" method="post" action="/account/security/totp/remove">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">Turn off the authenticator app</button></form>`
    : html`<p>Use an app such as a password manager or an authenticator app on your phone to make a 6-digit code that we ask for after your password.</p>
${o.totp === "setting_up" ? html`<p><a href="/account/security/totp">Finish setting up the authenticator app</a></p>` : ""}
<form class="form" method="post" action="/account/security/totp">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">Set up an authenticator app</button></form>`
}
</section>
<section class="card" aria-labelledby="recovery-title">
<h2 id="recovery-title">Recovery codes</h2>
<p>Single-use codes for when your phone or security key is lost. You have <strong>${o.recoveryCodesLeft}</strong> unused.</p>
<form class="form" method="post" action="/account/security/recovery-codes">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">${o.recoveryCodesLeft > 0 ? "Make new codes (the old ones stop working)" : "Make recovery codes"}</button></form>
</section>
<section class="card" aria-labelledby="name-title">
<h2 id="name-title">Your name</h2>
<form class="form" method="post" action="/account/name" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "name", label: "Name", value: o.name, autocomplete: "name", hint: "Shown on your account page and to applications you sign in to. Leave it empty to remove it.", errors: o.errors, maxlength: 100 })}
<div class="form-actions"><button class="button button--secondary" type="submit">Save name</button></div>
</form>
</section>
<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">Delete your account</h2>
<p><a href="/account/delete">Delete your account and everything in it</a></p>
</section>
<p class="aside"><a href="/help/passkeys-and-second-factors">About passkeys, authenticator apps and recovery codes</a> · <a href="/account">Back to your account</a></p>
${PASSKEY_SCRIPTS}`;
}

function recoveryCodesSection(codes: string[]): SafeHtml {
  return html`<section class="card" aria-labelledby="new-codes-title">
<h2 id="new-codes-title">Your recovery codes</h2>
${notice("warning", "Save these now: this is the only time they are shown. Each code works once.")}
<ul class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p>Print them or keep them in your password manager, away from your phone. If you lose your phone, sign in with your password and one of these codes.</p>
</section>`;
}

export interface TOTPSetupPageOptions {
  csrfToken: string;
  errors: FieldError[];
  secret: string;
  qrCodeSVG: string;
}

export function totpSetupPage(o: TOTPSetupPageOptions): SafeHtml {
  const grouped = o.secret.replace(/(.{4})/g, "$1 ").trim();
  return html`<h1>Set up an authenticator app</h1>
${errorSummary(o.errors)}
<ol class="steps">
<li><p>Open your authenticator app and add an account by scanning this code:</p>
<img class="qr-code" src="data:image/svg+xml;base64,${Buffer.from(o.qrCodeSVG).toString("base64")}" width="200" height="200" alt="QR code for your authenticator app. If you can't scan it, type the key shown below instead."></li>
<li><p>Can't scan it? Type this key into the app instead (spaces don't matter):</p>
<p><code class="totp-secret" data-totp-secret>${grouped}</code></p></li>
<li><form class="form" method="post" action="/account/security/totp/confirm" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "code", label: "Type the 6-digit code the app shows", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, errors: o.errors, autofocus: true, className: "input input--code" })}
<div class="form-actions"><button class="button" type="submit">Turn on</button><a class="button button--secondary" href="/account/security">Cancel</a></div>
</form></li>
</ol>`;
}

export interface ConfirmPageOptions {
  csrfToken: string;
  errors: FieldError[];
  returnTo: string;
  hasCodes: boolean;
  hasPasskeys: boolean;
  captcha?: CAPTCHAChallenge;
}

export function confirmPage(o: ConfirmPageOptions): SafeHtml {
  return html`<h1>Confirm it's you</h1>
<p>Before you change what protects your account, confirm it's you. You won't be asked again for a few minutes.</p>
${errorSummary(o.errors, html`<p class="error-summary-help"><a href="/help/passkeys-and-second-factors">Lost your phone?</a></p>`)}
${
  o.hasPasskeys
    ? html`<div class="form" data-passkey-confirm data-return-to="${o.returnTo}"><button class="button" type="button" data-passkey-button hidden>Confirm with a passkey</button><p class="field-error" data-passkey-error role="alert" hidden></p></div>`
    : ""
}
<form class="form" method="post" action="/account/confirm" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
<input type="hidden" name="method" value="password">
${passwordField({ id: "password", label: "Your password", autocomplete: "current-password", errors: o.errors, autofocus: !o.hasPasskeys })}
${o.captcha ? captchaFieldset(o.captcha, o.errors) : ""}
<div class="form-actions"><button class="button" type="submit">Confirm with password</button></div>
</form>
${
  o.hasCodes
    ? html`<form class="form" method="post" action="/account/confirm" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
<input type="hidden" name="method" value="code">
${textField({ id: "code", label: "Or a code from your authenticator app, or a recovery code", autocomplete: "one-time-code", maxlength: 32, errors: o.errors })}
<div class="form-actions"><button class="button button--secondary" type="submit">Confirm with code</button></div>
</form>`
    : ""
}
<p class="aside"><a href="${o.returnTo}">Cancel</a></p>
${o.hasPasskeys ? PASSKEY_SCRIPTS : ""}`;
}

export function deleteAccountPage(o: { csrfToken: string; errors: FieldError[] }): SafeHtml {
  return html`<h1>Delete your account</h1>
${errorSummary(o.errors)}
<p>Deleting your account removes it for good: your e-mail addresses and mobile numbers, passkeys, authenticator app, recovery codes and every session. Applications you signed in to with it can no longer sign you in. This can't be undone.</p>
<p>Your addresses and numbers become free, so you (or anyone who holds them) can create a new account with them later.</p>
<form class="form" method="post" action="/account/delete">
${csrfField(o.csrfToken)}
<div class="checkbox"><input type="checkbox" id="confirm" name="confirm" value="1" required><label for="confirm">I understand that my account and everything in it will be deleted</label></div>
<div class="form-actions"><button class="button button--danger" type="submit">Delete my account</button><a class="button button--secondary" href="/account/security">Keep my account</a></div>
</form>`;
}

export function goodbyePage(): SafeHtml {
  return html`<h1>Your account has been deleted</h1>
${notice("success", "Everything in your account is gone, and you have been signed out. We've sent a last notice to your addresses and numbers.")}
<p><a href="/register">Create a new account</a> · <a href="/">Home</a></p>`;
}
