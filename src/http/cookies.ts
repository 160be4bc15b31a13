// Cookie names and options. With an https base URL, cookies get the __Host- prefix and Secure, which
// pins them to our exact origin.
import type { CookieSerializeOptions } from "@fastify/cookie";
import type { Config } from "../config/load.ts";

type SessionCookieConfig = Pick<Config, "secureCookies"> & Partial<Pick<Config, "cookieDomain">>;

/**
 * With LATCHKEY_COOKIE_DOMAIN the session cookie is shared with subdomains (single sign-on for apps behind
 * forward-auth), which __Host- forbids; __Secure- still keeps it off plain http.
 */
export function sessionCookieName(config: SessionCookieConfig): string {
  if (config.cookieDomain) return config.secureCookies ? "__Secure-latchkey_session" : "latchkey_session";
  return config.secureCookies ? "__Host-latchkey_session" : "latchkey_session";
}

export function csrfCookieName(config: Pick<Config, "secureCookies">): string {
  return config.secureCookies ? "__Host-latchkey_csrf" : "latchkey_csrf";
}

export function baseCookieOptions(config: Pick<Config, "secureCookies">): CookieSerializeOptions {
  return { path: "/", httpOnly: true, sameSite: "lax", secure: config.secureCookies };
}

/** Options for the session cookie: a persistent cookie only with "Keep me signed in". */
export function sessionCookieOptions(config: SessionCookieConfig, expires: Date | null): CookieSerializeOptions {
  const options = config.cookieDomain ? { ...baseCookieOptions(config), domain: config.cookieDomain } : baseCookieOptions(config);
  return expires ? { ...options, expires } : options;
}
