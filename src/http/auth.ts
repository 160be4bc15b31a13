// Guards for routes that need a signed-in account.
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors/app-error.ts";
import type { ValidatedSession } from "../sessions/sessions.ts";
import { redirectSeeOther, withQuery } from "./forms.ts";

/** The session, or UNAUTHENTICATED (401) for API calls. */
export function requireApiAuth(request: FastifyRequest): ValidatedSession {
  if (!request.auth) throw new AppError("UNAUTHENTICATED");
  return request.auth;
}

/** For pages: the session, or a redirect to sign-in that comes back here afterwards (returns null). */
export function requirePageAuth(request: FastifyRequest, reply: FastifyReply): ValidatedSession | null {
  if (request.auth) return request.auth;
  const path = request.method === "GET" ? request.url : "/account";
  void redirectSeeOther(reply, withQuery("/signin", { return_to: path }));
  return null;
}
