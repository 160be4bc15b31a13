// Pages of the OpenID Connect provider: consent for third-party applications, the sign-out question an
// application can ask, what follows it, the provider's error page, and the forward-auth refusal.
import { html, type SafeHtml } from "../lib/html.ts";
import { csrfField, notice } from "./layout.ts";

const SCOPE_TEXT: Record<string, string> = {
  openid: "Know who you are (a stable account number, not your e-mail address)",
  profile: "See your name",
  email: "See your e-mail address",
  phone: "See your mobile number",
  offline_access: "Stay connected when you are not using it (until you remove its access)",
};

export function describeScope(scope: string): string {
  return SCOPE_TEXT[scope] ?? scope;
}

export interface ConsentPageOptions {
  csrfToken: string;
  uid: string;
  clientName: string;
  scopes: string[];
  accountLabel: string;
  siteName: string;
}

export function consentPage(o: ConsentPageOptions): SafeHtml {
  return html`<h1>Allow ${o.clientName} to use your ${o.siteName} account?</h1>
<p class="lead">You are signed in as <strong>${o.accountLabel}</strong>. ${o.clientName} asks to:</p>
<ul class="consent-list">${o.scopes.map((s) => html`<li>${describeScope(s)}</li>`)}</ul>
<p class="field-hint">You can remove its access at any time under "Apps with access" on your account page.</p>
<form class="form" method="post" action="/oidc/interaction/${o.uid}/consent">
${csrfField(o.csrfToken)}
<div class="form-actions"><button class="button" type="submit" name="decision" value="allow">Allow</button><button class="button button--secondary" type="submit" name="decision" value="deny">Don't allow</button></div>
</form>
<p class="aside"><a href="/help/problems-signing-in">Problems signing in?</a></p>`;
}

/** `form` is the provider's own hidden form (its anti-forgery token), submitted by these buttons. */
export function logoutQuestionPage(o: { form: SafeHtml; clientName: string | null; siteName: string }): SafeHtml {
  return html`<h1>Sign out?</h1>
<p class="lead">${o.clientName ? html`${o.clientName} asks to sign you out. ` : ""}Signing out ends your ${o.siteName} session in this browser, for every application that uses it.</p>
${o.form}
<div class="form-actions"><button class="button" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button><button class="button button--secondary" type="submit" form="op.logoutForm">Stay signed in</button></div>`;
}

export function signedOutPage(o: { clientName: string | null; siteName: string }): SafeHtml {
  return html`<h1>You have signed out</h1>
${notice("success", o.clientName ? html`You have signed out of ${o.clientName} and ${o.siteName}.` : "You have signed out.")}
<p><a href="/signin">Sign in again</a></p>`;
}

export function providerErrorPage(o: { error: string; description: string | null; siteName: string }): SafeHtml {
  return html`<h1>This sign-in link does not work</h1>
${notice("error", o.description ?? `The application sent a request that ${o.siteName} cannot accept.`)}
<p>Go back to the application and start again. If it keeps happening, tell whoever runs the application; the error was <code>${o.error}</code>.</p>
<p class="aside"><a href="/help/problems-signing-in">Problems signing in?</a></p>`;
}

export function forwardAuthDeniedPage(o: { host: string; accountLabel: string }): SafeHtml {
  return html`<h1>You don't have access to ${o.host}</h1>
${notice("warning", html`You are signed in as <strong>${o.accountLabel}</strong>, and this account is not allowed to use ${o.host}.`)}
<p>Ask whoever runs ${o.host} to give your account access, or <a href="/account">sign in with another account</a>.</p>`;
}
