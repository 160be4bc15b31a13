// Describes a browser from its User-Agent header for people: "Firefox on Linux".
import Bowser from "bowser";

export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  try {
    const parsed = Bowser.parse(userAgent);
    const browser = parsed.browser.name;
    const os = parsed.os.name;
    if (browser && os) return `${browser} on ${os}`;
    if (browser) return browser;
    return userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent;
  } catch {
    return "Unknown device";
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

const formatter = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "2 hours ago", "just now". */
export function describeTimeAgo(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (seconds < 60) return "just now";
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return formatter.format(-Math.floor(seconds / size), unit);
  }
  return "just now";
}

/** The browser and the operating system separately ("Firefox", "Linux"), "Unknown" for what cannot be told. */
export function describeBrowserAndSystem(userAgent: string | null): { browser: string; system: string } {
  if (!userAgent) return { browser: "Unknown", system: "Unknown" };
  try {
    const parsed = Bowser.parse(userAgent);
    const version = parsed.browser.version?.split(".")[0];
    const browser = parsed.browser.name ? `${parsed.browser.name}${version ? ` ${version}` : ""}` : "Unknown";
    const system = parsed.os.name ? `${parsed.os.name}${parsed.os.versionName ? ` ${parsed.os.versionName}` : ""}` : "Unknown";
    return { browser, system };
  } catch {
    return { browser: "Unknown", system: "Unknown" };
  }
}
