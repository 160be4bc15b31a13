// /admin/apps: the applications registered to sign people in through the OpenID Connect provider.
import { type Translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import type { OIDCClientRecord } from "../stores/types.ts";
import { adminNav, adminTime } from "./admin-nav.ts";

function uriList(uris: string[], t: Translate): SafeHtml {
  if (uris.length === 0) return html`<span class="aside">${t("admin.uriNone")}</span>`;
  return html`<ul class="plain-list">${uris.map((u) => html`<li><code>${u}</code></li>`)}</ul>`;
}

/** "They are added with <code>…</code> and removed with <code>…</code>": the sentence split around its two commands. */
function howToAddAndRemove(t: Translate): SafeHtml {
  const [add, remove] = ["\u0000add\u0000", "\u0000remove\u0000"];
  const sentence = t("admin.appsHowTo", { add, remove });
  const [before = "", rest = ""] = sentence.split(add);
  const [middle = "", after = ""] = rest.split(remove);
  return html`${before}<code>latchkey clients add</code>${middle}<code>latchkey clients remove</code>${after}`;
}

export function adminAppsPage(clients: OIDCClientRecord[], locale: Locale = "en"): SafeHtml {
  const t = translator(locale);
  const columns = {
    name: t("admin.name"),
    id: t("admin.colClientId"),
    kind: t("admin.colKind"),
    redirect: t("admin.colRedirectUris"),
    afterSignOut: t("admin.colAfterSignOut"),
    registered: t("admin.colRegistered"),
  };
  return html`${adminNav("apps", t)}
<h1>${t("admin.navApps")}</h1>
<p class="lead">${t("admin.appsLead")} ${howToAddAndRemove(t)}</p>
${
  clients.length === 0
    ? html`<p>${t("admin.noApps")}</p>`
    : html`<div class="table-scroll" role="region" aria-label="${t("admin.navApps")}" tabindex="0"><table class="table table--cards">
<caption>${t("admin.appsCaption", { count: clients.length })}</caption>
<thead><tr><th scope="col">${columns.name}</th><th scope="col">${columns.id}</th><th scope="col">${columns.kind}</th><th scope="col">${columns.redirect}</th><th scope="col">${columns.afterSignOut}</th><th scope="col">${columns.registered}</th></tr></thead>
<tbody>
${clients.map(
  (c) => html`<tr>
<td data-label="${columns.name}"><bdi>${c.name}</bdi></td>
<td data-label="${columns.id}"><code>${c.id}</code></td>
<td data-label="${columns.kind}">${c.secretHash === null ? t("admin.appPublic") : t("admin.appConfidential", { method: c.authMethod })}, ${t(c.firstParty ? "admin.appFirstParty" : "admin.appAsksConsent")}</td>
<td data-label="${columns.redirect}">${uriList(c.redirectUris, t)}</td>
<td data-label="${columns.afterSignOut}">${uriList(c.postLogoutRedirectUris, t)}</td>
<td data-label="${columns.registered}">${adminTime(c.createdAt, locale)}</td>
</tr>\n`,
)}</tbody></table></div>`
}`;
}
