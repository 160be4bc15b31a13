// A random, anonymous id per browser (an HttpOnly cookie). Page flows and CAPTCHA challenges are bound
// to it, so a flow id or challenge id seen by someone else is useless to them.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { baseCookieOptions } from "./cookies.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** This browser's anonymous id (from its cookie, or new and being set in this response). */
    browserId: string;
  }
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

export function browserCookieName(config: Pick<Deps["config"], "secureCookies">): string {
  return config.secureCookies ? "__Host-latchkey_browser" : "latchkey_browser";
}

export function registerBrowserId(app: FastifyInstance, deps: Pick<Deps, "config" | "random">): void {
  const name = browserCookieName(deps.config);
  app.decorateRequest("browserId", "");
  // A callback hook, not an async one: it runs on every request and does no I/O.
  app.addHook("onRequest", (request, reply, done) => {
    const existing = request.cookies[name];
    if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) {
      request.browserId = existing;
      return done();
    }
    // Reads that never bind anything (assets, health, API GETs such as the session check) get no new cookie.
    if (request.url.startsWith("/assets/") || request.url.startsWith("/captcha/") || /^\/(healthz|readyz|metrics)\b/.test(request.url)) return done();
    if ((request.method === "GET" || request.method === "HEAD") && request.url.startsWith("/api/")) return done();
    request.browserId = deps.random.bytes(16).toString("base64url");
    reply.setCookie(name, request.browserId, { ...baseCookieOptions(deps.config), maxAge: ONE_YEAR_SECONDS });
    done();
  });
}

/** Who a challenge or flow belongs to: the session when signed in, otherwise the browser. */
export function requesterBinding(request: FastifyRequest): string {
  if (request.auth) return `s:${request.auth.session.id}`;
  return `b:${sha256Hex(request.browserId || "none").slice(0, 32)}`;
}
