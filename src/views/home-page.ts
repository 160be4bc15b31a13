// The start page at /: what this site is for and the ways in, instead of a bare redirect.
import { html, type SafeHtml } from "../lib/html.ts";

export function homePage(o: { signedIn: boolean; name: string | null }): SafeHtml {
  if (o.signedIn) {
    return html`<h1>${o.name ? `Welcome back, ${o.name}` : "Welcome back"}</h1>
<p class="lead">You are signed in.</p>
<div class="form-actions"><a class="button" href="/account">Go to your account</a><a href="/help">Help</a></div>`;
  }
  return html`<h1>Sign in to your account</h1>
<p class="lead">One account, with your e-mail address or your mobile number and a password.</p>
<div class="form-actions"><a class="button" href="/signin">Sign in</a><a class="button button--secondary" href="/register">Create an account</a></div>
<ul class="aside">
<li><a href="/password/reset">Forgot your password?</a></li>
<li><a href="/help/problems-signing-in">Problems signing in?</a></li>
<li><a href="/help">All help articles</a></li>
</ul>`;
}
