// Which language a request is answered in: an explicit choice (the language cookie), then the browser's
// Accept-Language, then LATCHKEY_DEFAULT_LOCALE, always among LATCHKEY_LOCALES. A signed-in person's saved
// choice is applied where the session is read (it outranks Accept-Language, not the cookie).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../deps.ts";
import { isLocale, type Locale } from "./locales.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The language this request is answered in. */
    locale: Locale;
    /** True when the language came from the language cookie, an explicit choice that nothing outranks. */
    localeChosen: boolean;
  }
}

export interface LocaleSettings {
  /** The languages offered, in the order the menu lists them. */
  readonly offered: readonly Locale[];
  /** The language used when nothing else decides. Always one of `offered`. */
  readonly fallback: Locale;
}

/** The cookie that remembers a choice made in the language menu. Not secret, so not __Host- bound. */
export const LOCALE_COOKIE = "latchkey_lang";

const MAX_HEADER_LENGTH = 512;
const MAX_RANGES = 20;

/**
 * The offered language the browser prefers most, from an Accept-Language header (RFC 9110 §12.5.4):
 * ranges in order of their q-value (ties keep the header's order); "de-AT" matches "de"; "*" matches the
 * first offered language; q=0 excludes. Undefined when nothing matches.
 */
export function matchAcceptLanguage(header: string | undefined, offered: readonly Locale[]): Locale | undefined {
  if (!header || header.length > MAX_HEADER_LENGTH) return undefined;
  const ranges: { tag: string; q: number; order: number }[] = [];
  const excluded = new Set<string>();
  for (const [order, part] of header.split(",").slice(0, MAX_RANGES).entries()) {
    const [rawTag, ...params] = part.trim().split(";");
    const tag = rawTag?.trim().toLowerCase();
    if (!tag || !/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(tag)) continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/i.exec(param);
      if (match) q = Number(match[1]);
    }
    if (q > 0) ranges.push({ tag, q, order });
    else excluded.add(tag);
  }
  ranges.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { tag } of ranges) {
    if (tag === "*") return offered.find((locale) => !excluded.has(locale));
    const primary = tag.split("-")[0];
    const found = offered.find((locale) => locale === primary);
    if (found) return found;
  }
  return undefined;
}

/** The language a saved or chosen value names, when it is offered. */
export function offeredLocale(value: unknown, settings: LocaleSettings): Locale | undefined {
  return isLocale(value) && settings.offered.includes(value) ? value : undefined;
}

/** The language for a request's language cookie and Accept-Language header (without the account's choice). */
export function negotiateLocale(cookie: string | undefined, acceptLanguage: string | undefined, settings: LocaleSettings): { locale: Locale; chosen: boolean } {
  const chosen = offeredLocale(cookie, settings);
  if (chosen) return { locale: chosen, chosen: true };
  if (settings.offered.length < 2) return { locale: settings.fallback, chosen: false };
  return { locale: matchAcceptLanguage(acceptLanguage, settings.offered) ?? settings.fallback, chosen: false };
}

/** Reads one cookie from a raw Cookie header (for code outside Fastify, such as the OpenID Connect provider). */
export function cookieFromHeader(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function registerLocale(app: FastifyInstance, deps: Pick<Deps, "config">): void {
  const settings = deps.config.locales;
  app.decorateRequest("locale", settings.fallback);
  app.decorateRequest("localeChosen", false);
  // A callback hook: it runs on every request and does no I/O.
  app.addHook("onRequest", (request, _reply, done) => {
    const { locale, chosen } = negotiateLocale(request.cookies[LOCALE_COOKIE], request.headers["accept-language"], settings);
    request.locale = locale;
    request.localeChosen = chosen;
    done();
  });
}
