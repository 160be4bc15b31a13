// "Sign-in and security" pages: passkeys, the authenticator app, recovery codes, "confirm it's you", the
// display name and account deletion. Passkey buttons need JavaScript (WebAuthn is a browser API); every
// other form works without it.

import type { CAPTCHAChallenge } from "../captcha/challenges.ts";
import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { describeTimeAgo } from "../lib/user-agent.ts";
import type { PasskeyRecord } from "../stores/types.ts";
import { captchaFieldset } from "./captcha.ts";
import { csrfField, errorSummary, notice, passwordField, textField } from "./layout.ts";
import { around } from "./message-markup.ts";

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
export function passkeyView(p: PasskeyRecord, now: Date, locale: Locale = "en"): PasskeyView {
  return {
    id: p.id,
    name: p.name,
    createdAgo: describeTimeAgo(p.createdAt, now, locale),
    createdAt: p.createdAt.toISOString(),
    lastUsedAgo: p.lastUsedAt ? describeTimeAgo(p.lastUsedAt, now, locale) : null,
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
  t?: Translate;
}

export function securityPage(o: SecurityPageOptions): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<h1>${t("security.title")}</h1>
${o.notice ? notice("success", o.notice) : ""}
${errorSummary(o.errors)}
${o.newRecoveryCodes ? recoveryCodesSection(o.newRecoveryCodes, t) : ""}
<div data-recovery-codes-slot></div>
<section class="card" aria-labelledby="passkeys-title">
<h2 id="passkeys-title">${t("security.passkeysTitle")}</h2>
<p>${t("security.passkeysIntro")}</p>
${
  o.passkeys.length === 0
    ? html`<p>${t("security.noPasskeys")}</p>`
    : html`<ul class="session-list">${o.passkeys.map(
        (
          p,
        ) => html`<li class="session"><div class="session-main"><strong>${p.name}</strong>${p.synced ? html` <span class="badge">${t("security.synced")}</span>` : ""}
<p class="session-meta">${around(t, "security.addedAgo", {}, "ago", html`<time datetime="${p.createdAt}">${p.createdAgo}</time>`)} \u00B7 ${p.lastUsedAgo ? t("security.lastUsed", { ago: p.lastUsedAgo }) : t("security.notUsedYet")}</p>
<form class="inline-form" method="post" action="/account/security/passkeys/${p.id}/rename">${csrfField(o.csrfToken)}<label class="visually-hidden" for="rename-${p.id}">${t("security.newNameFor", { name: p.name })}</label><input class="input input--small" id="rename-${p.id}" name="name" value="${p.name}" maxlength="64"><button class="button button--secondary button--small" type="submit">${t("security.rename")}</button></form></div>
<form class="inline-form" method="post" action="/account/security/passkeys/${p.id}/remove">${csrfField(o.csrfToken)}<button class="button button--secondary button--small" type="submit" aria-label="${t("security.removeLabel", { name: p.name })}">${t("security.remove")}</button></form>
</li>`,
      )}</ul>`
}
<form class="form" method="post" action="/account/security/passkeys" data-passkey-register novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "passkey_name", label: t("security.newPasskeyName"), hint: t("security.newPasskeyHint"), errors: o.errors, maxlength: 64 })}
<p class="field-error" data-passkey-error role="alert" hidden></p>
<div class="form-actions"><button class="button button--secondary" type="submit">${t("security.addPasskey")}</button></div>
<p class="field-hint" data-passkey-unsupported>${t("security.passkeyNeedsScript")}</p>
</form>
</section>
<section class="card" aria-labelledby="totp-title">
<h2 id="totp-title">${t("security.totpTitle")}</h2>
${
  o.totp === "on"
    ? html`<p><span class="badge">${t("security.on")}</span> ${t("security.totpOnText")}</p>
<form class="form" method="post" action="/account/security/totp/remove">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">${t("security.totpTurnOff")}</button></form>`
    : html`<p>${t("security.totpOffText")}</p>
${o.totp === "setting_up" ? html`<p><a href="/account/security/totp">${t("security.totpFinish")}</a></p>` : ""}
<form class="form" method="post" action="/account/security/totp">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">${t("security.totpSetUp")}</button></form>`
}
</section>
<section class="card" aria-labelledby="recovery-title">
<h2 id="recovery-title">${t("security.codesTitle")}</h2>
<p>${around(t, "security.codesIntro", {}, "count", html`<strong>${o.recoveryCodesLeft}</strong>`)}</p>
<form class="form" method="post" action="/account/security/recovery-codes">${csrfField(o.csrfToken)}<button class="button button--secondary" type="submit">${o.recoveryCodesLeft > 0 ? t("security.codesRenew") : t("security.codesMake")}</button></form>
</section>
<section class="card" aria-labelledby="name-title">
<h2 id="name-title">${t("security.nameTitle")}</h2>
<form class="form" method="post" action="/account/name" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "name", label: t("security.nameLabel"), value: o.name, autocomplete: "name", hint: t("security.nameHint"), errors: o.errors, maxlength: 100 })}
<div class="form-actions"><button class="button button--secondary" type="submit">${t("security.saveName")}</button></div>
</form>
</section>
<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">${t("security.deleteTitle")}</h2>
<p><a href="/account/delete">${t("security.deleteLink")}</a></p>
</section>
<p class="aside"><a href="/help/passkeys-and-second-factors">${t("security.aboutFactors")}</a> \u00B7 <a href="/account">${t("security.backToAccount")}</a></p>
${PASSKEY_SCRIPTS}`;
}

function recoveryCodesSection(codes: string[], t: Translate): SafeHtml {
  return html`<section class="card" aria-labelledby="new-codes-title">
<h2 id="new-codes-title">${t("security.newCodesTitle")}</h2>
${notice("warning", t("security.newCodesWarning"))}
<ul class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p>${t("security.newCodesKeep")}</p>
</section>`;
}

export interface TOTPSetupPageOptions {
  csrfToken: string;
  errors: FieldError[];
  secret: string;
  qrCodeSVG: string;
  t?: Translate;
}

export function totpSetupPage(o: TOTPSetupPageOptions): SafeHtml {
  const t = o.t ?? translator("en");
  const grouped = o.secret.replace(/(.{4})/g, "$1 ").trim();
  return html`<h1>${t("security.totpSetupTitle")}</h1>
${errorSummary(o.errors)}
<ol class="steps">
<li><p>${t("security.totpScan")}</p>
<img class="qr-code" src="data:image/svg+xml;base64,${Buffer.from(o.qrCodeSVG).toString("base64")}" width="200" height="200" alt="${t("security.totpQrAlt")}"></li>
<li><p>${t("security.totpCantScan")}</p>
<p><code class="totp-secret" data-totp-secret>${grouped}</code></p></li>
<li><form class="form" method="post" action="/account/security/totp/confirm" novalidate>
${csrfField(o.csrfToken)}
${textField({ id: "code", label: t("security.totpCodeLabel"), autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, errors: o.errors, autofocus: true, className: "input input--code" })}
<div class="form-actions"><button class="button" type="submit">${t("security.turnOn")}</button><a class="button button--secondary" href="/account/security">${t("security.cancel")}</a></div>
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
  t?: Translate;
}

export function confirmPage(o: ConfirmPageOptions): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<h1>${t("security.confirmTitle")}</h1>
<p>${t("security.confirmIntro")}</p>
${errorSummary(o.errors, html`<p class="error-summary-help"><a href="/help/passkeys-and-second-factors">${t("security.lostPhone")}</a></p>`)}
${
  o.hasPasskeys
    ? html`<div class="form" data-passkey-confirm data-return-to="${o.returnTo}"><button class="button" type="button" data-passkey-button hidden>${t("security.confirmPasskey")}</button><p class="field-error" data-passkey-error role="alert" hidden></p></div>`
    : ""
}
<form class="form" method="post" action="/account/confirm" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
<input type="hidden" name="method" value="password">
${passwordField({ id: "password", label: t("security.yourPassword"), autocomplete: "current-password", errors: o.errors, autofocus: !o.hasPasskeys })}
${o.captcha ? captchaFieldset(o.captcha, o.errors) : ""}
<div class="form-actions"><button class="button" type="submit">${t("security.confirmPassword")}</button></div>
</form>
${
  o.hasCodes
    ? html`<form class="form" method="post" action="/account/confirm" novalidate>
${csrfField(o.csrfToken)}
<input type="hidden" name="return_to" value="${o.returnTo}">
<input type="hidden" name="method" value="code">
${textField({ id: "code", label: t("security.orCode"), autocomplete: "one-time-code", maxlength: 32, errors: o.errors })}
<div class="form-actions"><button class="button button--secondary" type="submit">${t("security.confirmCode")}</button></div>
</form>`
    : ""
}
<p class="aside"><a href="${o.returnTo}">${t("security.cancel")}</a></p>
${o.hasPasskeys ? PASSKEY_SCRIPTS : ""}`;
}

export function deleteAccountPage(o: { csrfToken: string; errors: FieldError[]; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<h1>${t("security.deleteTitle")}</h1>
${errorSummary(o.errors)}
<p>${t("security.deleteIntro")}</p>
<p>${t("security.deleteFree")}</p>
<form class="form" method="post" action="/account/delete">
${csrfField(o.csrfToken)}
<div class="checkbox"><input type="checkbox" id="confirm" name="confirm" value="1" required><label for="confirm">${t("security.deleteUnderstand")}</label></div>
<div class="form-actions"><button class="button button--danger" type="submit">${t("security.deleteButton")}</button><a class="button button--secondary" href="/account/security">${t("security.keepAccount")}</a></div>
</form>`;
}

export function goodbyePage(t: Translate = translator("en")): SafeHtml {
  return html`<h1>${t("security.goodbyeTitle")}</h1>
${notice("success", t("security.goodbyeText"))}
<p><a href="/register">${t("security.createNew")}</a> \u00B7 <a href="/">${t("security.home")}</a></p>`;
}
