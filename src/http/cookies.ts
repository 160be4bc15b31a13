// Cookie names and options. With an https base URL, cookies get the __Host- prefix and Secure, which
// pins them to our exact origin.
import type { CookieSerializeOptions } from "@fastify/cookie";
import type { Config } from "../config/load.ts";

export function sessionCookieName(config: Pick<Config, "secureCookies">): string {
  return config.secureCookies ? "__Host-latchkey_session" : "latchkey_session";
}

export function csrfCookieName(config: Pick<Config, "secureCookies">): string {
  return config.secureCookies ? "__Host-latchkey_csrf" : "latchkey_csrf";
}

export function baseCookieOptions(config: Pick<Config, "secureCookies">): CookieSerializeOptions {
  return { path: "/", httpOnly: true, sameSite: "lax", secure: config.secureCookies };
}

/** Options for the session cookie: a persistent cookie only with "Keep me signed in". */
export function sessionCookieOptions(config: Pick<Config, "secureCookies">, expires: Date | null): CookieSerializeOptions {
  return expires ? { ...baseCookieOptions(config), expires } : baseCookieOptions(config);
}
