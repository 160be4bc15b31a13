// Refuses state-changing requests that a browser sent from another site. Browsers say where a request
// comes from (Sec-Fetch-Site, Origin); clients that send neither are not browsers and cannot carry a
// victim's cookies, so they pass.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors/app-error.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSameOriginRequest(request: FastifyRequest, baseOrigin: string): boolean {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin" || site === "none";
  const origin = request.headers.origin;
  if (typeof origin === "string") return origin === baseOrigin;
  return true;
}

export function registerOriginCheck(app: FastifyInstance, baseOrigin: string): void {
  // A callback hook, not an async one: it runs on every request (reads return at once).
  app.addHook("onRequest", (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    if (SAFE_METHODS.has(request.method)) return done();
    // Routes that other sites call on purpose (the OpenID Connect token endpoint from a single-page app)
    // say so in their config and protect themselves (client authentication, PKCE, their own tokens).
    if ((request.routeOptions.config as { crossOrigin?: boolean } | undefined)?.crossOrigin === true) return done();
    if (!isSameOriginRequest(request, baseOrigin)) return done(new AppError("ORIGIN_REJECTED", { detail: `origin ${String(request.headers.origin)}` }));
    done();
  });
}
