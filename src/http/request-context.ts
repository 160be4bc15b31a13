// What the HTTP layer attaches to each request, and small readers of request data.
import type { FastifyRequest } from "fastify";
import { unmapIPv4Address } from "../lib/ip-address.ts";
import type { SessionContext, ValidatedSession } from "../sessions/sessions.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in session and account, or null. Set by the session hook. */
    auth: ValidatedSession | null;
  }
}

/**
 * The client's address: the TCP peer, or with LATCHKEY_TRUST_PROXY the address the trusted proxies forwarded
 * (Fastify's request.ip). Read it here, never from request.ip: on a dual-stack socket (LATCHKEY_HOST=::) an
 * IPv4 client's address is IPv4-mapped (`::ffff:203.0.113.5`), and so may be a proxy's X-Forwarded-For entry.
 * Stored and shown in that form, the audit trail, "last seen from" and the admin console's filter by address
 * would not know the client as `203.0.113.5`.
 */
export function clientAddressOf(request: FastifyRequest): string {
  // Fastify's getter gives undefined once the socket is gone, whatever its type says.
  const ip = request.ip as string | undefined;
  return ip === undefined ? "" : unmapIPv4Address(ip);
}

export function sessionContextOf(request: FastifyRequest): SessionContext {
  const ua = request.headers["user-agent"];
  return { userAgent: typeof ua === "string" ? ua.slice(0, 512) : null, ip: clientAddressOf(request) || null, locale: request.locale };
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith("/api/");
}
