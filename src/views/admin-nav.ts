// The admin console's own navigation, shown at the top of every admin page.
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";

export type AdminSection = "accounts" | "events" | "apps" | "feedback";

const SECTIONS: ReadonlyArray<{ id: AdminSection; href: string; label: MessageId }> = [
  { id: "accounts", href: "/admin/accounts", label: "admin.navAccounts" },
  { id: "events", href: "/admin/events", label: "admin.navEvents" },
  { id: "apps", href: "/admin/apps", label: "admin.navApps" },
  { id: "feedback", href: "/admin/help-feedback", label: "admin.navFeedback" },
];

export function adminNav(current: AdminSection, t: Translate = translator("en")): SafeHtml {
  return html`<nav class="admin-nav" aria-label="${t("admin.navLabel")}"><ul>
${SECTIONS.map((s) => html`<li><a href="${s.href}"${s.id === current ? html` aria-current="page"` : ""}>${t(s.label)}</a></li>`)}
</ul></nav>`;
}

const DATE_TIMES = new Map<Locale, Intl.DateTimeFormat>();

/** Formats a moment for admin tables: "4 Mar 2030, 05:06 UTC" (in English), in the page's language. */
export function adminDateTime(at: Date, locale: Locale = "en"): string {
  let format = DATE_TIMES.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : locale, {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "UTC",
      timeZoneName: "short",
    });
    DATE_TIMES.set(locale, format);
  }
  return format.format(at);
}

export function adminTime(at: Date, locale: Locale = "en"): SafeHtml {
  return html`<time datetime="${at.toISOString()}">${adminDateTime(at, locale)}</time>`;
}

const DAYS = new Map<Locale, Intl.DateTimeFormat>();

/** A UTC day ("2030-03-04") as a <time> element, written the page's way: "4 Mar 2030" in English. */
export function utcDay(day: string, locale: Locale = "en"): SafeHtml {
  let format = DAYS.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
    DAYS.set(locale, format);
  }
  return html`<time datetime="${day}">${format.format(new Date(`${day}T00:00:00Z`))}</time>`;
}
