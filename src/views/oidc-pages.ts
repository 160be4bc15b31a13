// Pages of the OpenID Connect provider: consent for third-party applications, the sign-out question an
// application can ask, what follows it, the provider's error page, and the forward-auth refusal.
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import { type Locale, textDirection } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { csrfField, notice } from "./layout.ts";
import { around } from "./message-markup.ts";

const SCOPE_TEXT: Record<string, MessageId> = {
  openid: "oidc.scopeOpenid",
  profile: "oidc.scopeProfile",
  email: "oidc.scopeEmail",
  phone: "oidc.scopePhone",
  offline_access: "oidc.scopeOfflineAccess",
};

export function describeScope(scope: string, t: Translate = translator("en")): string {
  const id = Object.hasOwn(SCOPE_TEXT, scope) ? SCOPE_TEXT[scope] : undefined;
  return id ? t(id) : scope;
}

export interface ConsentPageOptions {
  csrfToken: string;
  uid: string;
  clientName: string;
  scopes: string[];
  accountLabel: string;
  siteName: string;
  t?: Translate;
}

export function consentPage(o: ConsentPageOptions): SafeHtml {
  const t = o.t ?? translator("en");
  const signedInAs = around(t, "oidc.consentSignedInAs", { client: o.clientName }, "account", html`<strong>${o.accountLabel}</strong>`);
  return html`<h1>${t("oidc.consentTitle", { client: o.clientName, siteName: o.siteName })}</h1>
<p class="lead">${signedInAs}</p>
<ul class="consent-list">${o.scopes.map((s) => html`<li>${describeScope(s, t)}</li>`)}</ul>
<p class="field-hint">${t("oidc.consentHint")}</p>
<form class="form" method="post" action="/oidc/interaction/${o.uid}/consent">
${csrfField(o.csrfToken)}
<div class="form-actions"><button class="button" type="submit" name="decision" value="allow">${t("oidc.allow")}</button><button class="button button--secondary" type="submit" name="decision" value="deny">${t("oidc.dontAllow")}</button></div>
</form>
<p class="aside"><a href="/help/problems-signing-in">${t("oidc.problemsSigningIn")}</a></p>`;
}

/** `form` is the provider's own hidden form (its anti-forgery token), submitted by these buttons. */
export function logoutQuestionPage(o: { form: SafeHtml; clientName: string | null; siteName: string; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<h1>${t("oidc.signOutTitle")}</h1>
<p class="lead">${o.clientName ? html`${t("oidc.signOutAsks", { client: o.clientName })} ` : ""}${t("oidc.signOutExplained", { siteName: o.siteName })}</p>
${o.form}
<div class="form-actions"><button class="button" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${t("oidc.signOut")}</button><button class="button button--secondary" type="submit" form="op.logoutForm">${t("oidc.staySignedIn")}</button></div>`;
}

export function signedOutPage(o: { clientName: string | null; siteName: string; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<h1>${t("oidc.signedOutTitle")}</h1>
${notice("success", o.clientName ? t("oidc.signedOutOfBoth", { client: o.clientName, siteName: o.siteName }) : t("oidc.signedOut"))}
<p><a href="/signin">${t("oidc.signInAgain")}</a></p>`;
}

export function providerErrorPage(o: { error: string; description: string | null; siteName: string; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  return html`<h1>${t("oidc.errorTitle")}</h1>
${notice("error", o.description ?? t("oidc.errorDefault", { siteName: o.siteName }))}
<p>${around(t, "oidc.errorAdvice", {}, "error", html`<code>${o.error}</code>`)}</p>
<p class="aside"><a href="/help/problems-signing-in">${t("oidc.problemsSigningIn")}</a></p>`;
}

/**
 * The forward-auth refusal, a whole document. Traefik and Caddy show it to the browser at the protected
 * app's address, so it names Latchkey by its absolute base URL, loads nothing and posts nothing: a relative
 * link, stylesheet or form would reach the app (which refuses again), and the layout's CSRF cookie would be
 * set on the app's host.
 */
export function forwardAuthDeniedDocument(o: { host: string; accountLabel: string; baseUrl: string; siteName: string; locale: Locale }): string {
  const t = translator(o.locale);
  return html`<!doctype html>
<html lang="${o.locale}" dir="${textDirection(o.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t("oidc.deniedPageTitle")} \u00B7 ${o.siteName}</title>
</head>
<body>
<main>
<h1>${t("oidc.deniedTitle", { host: o.host })}</h1>
<p>${around(t, "oidc.deniedSignedInAs", { host: o.host }, "account", html`<strong>${o.accountLabel}</strong>`)}</p>
<p>${around(t, "oidc.deniedAdvice", { host: o.host }, "link", html`<a href="${o.baseUrl}/account">${t("oidc.deniedAdviceLink")}</a>`)}</p>
</main>
</body>
</html>`.value;
}

/**
 * The page for someone a forward-auth host asks for two factors while their account has no second factor:
 * who is signed in, and where to add a passkey or an authenticator app (then the app works again).
 */
export function secondFactorMissingPage(o: { t: Translate; host: string; accountLabel: string }): SafeHtml {
  const t = o.t;
  return html`<h1>${t("oidc.secondFactorMissingTitle", { host: o.host })}</h1>
<p>${around(t, "oidc.secondFactorMissingSignedInAs", { host: o.host }, "account", html`<strong>${o.accountLabel}</strong>`)}</p>
<p>${around(t, "oidc.secondFactorMissingAdvice", { host: o.host }, "link", html`<a href="/account/security">${t("oidc.secondFactorMissingAdviceLink")}</a>`)}</p>`;
}
