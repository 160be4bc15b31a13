// /admin/apps: the applications registered to sign people in through the OpenID Connect provider.
import { html, type SafeHtml } from "../lib/html.ts";
import type { OIDCClientRecord } from "../stores/types.ts";
import { adminNav, adminTime } from "./admin-nav.ts";

function uriList(uris: string[]): SafeHtml {
  if (uris.length === 0) return html`<span class="aside">none</span>`;
  return html`<ul class="plain-list">${uris.map((u) => html`<li><code>${u}</code></li>`)}</ul>`;
}

export function adminAppsPage(clients: OIDCClientRecord[]): SafeHtml {
  return html`${adminNav("apps")}
<h1>Applications</h1>
<p class="lead">Applications that sign people in through this service with OpenID Connect. They are added and removed with <code>latchkey clients add</code> and <code>latchkey clients remove</code>; see the integrations guide.</p>
${
  clients.length === 0
    ? html`<p>No application is registered yet.</p>`
    : html`<div class="table-scroll" role="region" aria-label="Applications" tabindex="0"><table class="table table--cards">
<caption>${String(clients.length)} ${clients.length === 1 ? "application" : "applications"}, oldest first</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client id</th><th scope="col">Kind</th><th scope="col">Redirect URIs</th><th scope="col">After sign-out</th><th scope="col">Registered</th></tr></thead>
<tbody>
${clients.map(
  (c) => html`<tr>
<td data-label="Name">${c.name}</td>
<td data-label="Client id"><code>${c.id}</code></td>
<td data-label="Kind">${c.secretHash === null ? "Public (PKCE)" : `Confidential (${c.authMethod})`}${c.firstParty ? ", first-party: no consent page" : ", asks for consent"}</td>
<td data-label="Redirect URIs">${uriList(c.redirectUris)}</td>
<td data-label="After sign-out">${uriList(c.postLogoutRedirectUris)}</td>
<td data-label="Registered">${adminTime(c.createdAt)}</td>
</tr>\n`,
)}</tbody></table></div>`
}`;
}
