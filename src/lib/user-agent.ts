// Describes a browser from its User-Agent header for people: "Firefox on Linux".
import Bowser from "bowser";
import { type Translate, translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";

export function describeUserAgent(userAgent: string | null, t: Translate = translator("en")): string {
  if (!userAgent) return t("account.unknownDevice");
  try {
    const parsed = Bowser.parse(userAgent);
    const browser = parsed.browser.name;
    const os = parsed.os.name;
    if (browser && os) return t("account.browserOnSystem", { browser, system: os });
    if (browser) return browser;
    return userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent;
  } catch {
    return t("account.unknownDevice");
  }
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

const formatters = new Map<Locale, Intl.RelativeTimeFormat>();

/** "2 hours ago", "just now", in `locale`. */
export function describeTimeAgo(then: Date, now: Date, locale: Locale = "en"): string {
  let formatter = formatters.get(locale);
  if (!formatter) {
    formatter = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    formatters.set(locale, formatter);
  }
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return formatter.format(-Math.floor(seconds / size), unit);
  }
  return translate(locale, "account.justNow");
}

/** The browser and the operating system separately ("Firefox", "Linux"), "Unknown" for what cannot be told. */
export function describeBrowserAndSystem(userAgent: string | null, t: Translate = translator("en")): { browser: string; system: string } {
  const unknown = t("admin.unknown");
  if (!userAgent) return { browser: unknown, system: unknown };
  try {
    const parsed = Bowser.parse(userAgent);
    const version = parsed.browser.version?.split(".")[0];
    const browser = parsed.browser.name ? `${parsed.browser.name}${version ? ` ${version}` : ""}` : unknown;
    const system = parsed.os.name ? `${parsed.os.name}${parsed.os.versionName ? ` ${parsed.os.versionName}` : ""}` : unknown;
    return { browser, system };
  } catch {
    return { browser: unknown, system: unknown };
  }
}
