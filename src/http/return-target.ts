// Where sign-in may send someone afterwards: a path on Latchkey itself, or an absolute URL on a host that
// LATCHKEY_ALLOWED_RETURN_HOSTS names (an app behind forward-auth). Anything else is the fallback, so
// return_to is never an open redirect.

import { hostMatches } from "../config/forward-auth-rules.ts";
import type { Config } from "../config/load.ts";
import { safeReturnPath } from "./forms.ts";

const MAX_ABSOLUTE_LENGTH = 2048;

type ReturnConfig = Pick<Config, "allowedReturnHosts" | "baseOrigin">;

/** The absolute URL when it is on an allowed host (or Latchkey's own origin, as a path); otherwise null. */
export function allowedAbsoluteReturn(candidate: string, config: ReturnConfig): string | null {
  if (candidate.length > MAX_ABSOLUTE_LENGTH || !/^https?:\/\//i.test(candidate)) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  // Credentials in a URL ("https://app.example.com@evil.example") are a classic disguise: never follow one.
  if (url.username || url.password) return null;
  if (url.origin === config.baseOrigin) return safeReturnPath(`${url.pathname}${url.search}`, "/account");
  // Never from https down to http: the session cookie and the person's trust stay on TLS.
  if (config.baseOrigin.startsWith("https:") && url.protocol !== "https:") return null;
  return config.allowedReturnHosts.some((pattern) => hostMatches(pattern, url.host)) ? url.href : null;
}

/** A safe place to go after sign-in: the candidate when allowed, else `fallback`. */
export function safeReturnTarget(candidate: unknown, config: ReturnConfig, fallback = "/account"): string {
  if (typeof candidate === "string" && /^https?:/i.test(candidate)) return allowedAbsoluteReturn(candidate, config) ?? fallback;
  return safeReturnPath(candidate, fallback);
}
