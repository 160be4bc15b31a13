// What the HTTP layer attaches to each request, and small readers of request data.
import type { FastifyRequest } from "fastify";
import type { SessionContext, ValidatedSession } from "../sessions/sessions.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in session and account, or null. Set by the session hook. */
    auth: ValidatedSession | null;
  }
}

export function sessionContextOf(request: FastifyRequest): SessionContext {
  const ua = request.headers["user-agent"];
  return { userAgent: typeof ua === "string" ? ua.slice(0, 512) : null, ip: request.ip ?? null, locale: request.locale };
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith("/api/");
}
