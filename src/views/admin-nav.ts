// The admin console's own navigation, shown at the top of every admin page.
import { html, type SafeHtml } from "../lib/html.ts";

export type AdminSection = "accounts" | "events" | "apps" | "feedback";

const SECTIONS: ReadonlyArray<{ id: AdminSection; href: string; label: string }> = [
  { id: "accounts", href: "/admin/accounts", label: "Accounts" },
  { id: "events", href: "/admin/events", label: "Security events" },
  { id: "apps", href: "/admin/apps", label: "Applications" },
  { id: "feedback", href: "/admin/help-feedback", label: "Help feedback" },
];

export function adminNav(current: AdminSection): SafeHtml {
  return html`<nav class="admin-nav" aria-label="Admin"><ul>
${SECTIONS.map((s) => html`<li><a href="${s.href}"${s.id === current ? html` aria-current="page"` : ""}>${s.label}</a></li>`)}
</ul></nav>`;
}

/** Formats a moment for admin tables: "4 Mar 2030, 05:06 UTC". */
export const ADMIN_DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});

export function adminTime(at: Date): SafeHtml {
  return html`<time datetime="${at.toISOString()}">${ADMIN_DATE_TIME.format(at)}</time>`;
}
