// The start page at /: what this site is for and the ways in, instead of a bare redirect.
import type { Translate } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";

export function homePage(o: { t: Translate; signedIn: boolean; name: string | null }): SafeHtml {
  const t = o.t;
  if (o.signedIn) {
    return html`<h1>${o.name ? t("home.welcomeBackNamed", { name: o.name }) : t("home.welcomeBack")}</h1>
<p class="lead">${t("home.signedIn")}</p>
<div class="form-actions"><a class="button" href="/account">${t("home.goToAccount")}</a><a href="/help">${t("home.help")}</a></div>`;
  }
  return html`<h1>${t("home.heading")}</h1>
<p class="lead">${t("home.lead")}</p>
<div class="form-actions"><a class="button" href="/signin">${t("home.signIn")}</a><a class="button button--secondary" href="/register">${t("home.createAccount")}</a></div>
<ul class="aside">
<li><a href="/password/reset">${t("home.forgot")}</a></li>
<li><a href="/help/problems-signing-in">${t("home.problems")}</a></li>
<li><a href="/help">${t("home.allArticles")}</a></li>
</ul>`;
}
