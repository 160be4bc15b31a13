// The HTTP side of "confirm it's you": a preHandler that lets a request through only when its session
// confirmed recently. Pages are sent to the confirmation page and come back; API calls get 403
// STEP_UP_REQUIRED (confirm with POST /api/v1/account/confirm, then repeat the call).
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { redirectSeeOther, safeReturnPath, withQuery } from "../http/forms.ts";
import { isApiRequest } from "../http/request-context.ts";
import { isRecentlyConfirmed } from "./step-up.ts";

export const CONFIRM_PAGE_PATH = "/account/confirm";

/**
 * A preHandler for changes that need a recent confirmation. `returnTo` is the page a form came from, where
 * the person lands after confirming (default: the page itself for GET, /account/security for a POST).
 * `unless` lets a request through without it (ending one's own session is a sign-out, not a change).
 * Requests without a session pass through untouched: the route's own sign-in check answers them.
 */
export function requireRecentConfirmation(
  deps: Pick<Deps, "clock" | "config">,
  options: { returnTo?: string; unless?: (request: FastifyRequest) => boolean } = {},
): preHandlerAsyncHookHandler {
  return async function recentConfirmation(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const auth = request.auth;
    if (!auth || isRecentlyConfirmed(deps, auth.session) || options.unless?.(request) === true) return undefined;
    if (isApiRequest(request)) throw new AppError("STEP_UP_REQUIRED");
    const back = request.method === "GET" ? safeReturnPath(request.url) : (options.returnTo ?? "/account/security");
    // Returning the reply tells Fastify the answer was sent here and the handler must not run.
    return redirectSeeOther(reply, withQuery(CONFIRM_PAGE_PATH, { return_to: back }));
  };
}

/** A route that needs a recent confirmation: method, path, page to come back to, and who passes without it. */
export interface ConfirmedRoute {
  method: string;
  url: string;
  returnTo?: string;
  unless?: (request: FastifyRequest) => boolean;
}

/** Ending the session that makes the request: a sign-out, which needs no confirmation. */
function isOwnSession(request: FastifyRequest): boolean {
  return (request.params as { id?: unknown }).id === request.auth?.session.id;
}

/** Routes owned by other features that need a recent confirmation too. */
export const CONFIRMED_ROUTES: ReadonlyArray<ConfirmedRoute> = [
  { method: "POST", url: "/account/sessions/revoke-others", returnTo: "/account" },
  { method: "DELETE", url: "/api/v1/sessions" },
  // Ending another session is signing someone out, like "sign out other sessions": a session cookie alone
  // (a borrowed browser, a stolen cookie) must not end the owner's sessions one by one. Ending one's own
  // session is a sign-out and needs nothing. The check comes before the lookup, so every other id, this
  // account's or not, gets the same answer.
  { method: "POST", url: "/account/sessions/:id/revoke", returnTo: "/account", unless: isOwnSession },
  { method: "DELETE", url: "/api/v1/sessions/:id", unless: isOwnSession },
  // A new address or number can reset the password, so adding one (the code is sent only after a recent
  // confirmation) and removing one need it: a borrowed, unlocked browser is not enough to take the account.
  { method: "POST", url: "/account/identifiers", returnTo: "/account" },
  // "Send a new code" starts adding whatever identifier the form names, so it needs the same confirmation,
  // or a stale session could send a code to its own address with it and add that address after all.
  { method: "POST", url: "/account/identifiers/verify/resend", returnTo: "/account" },
  { method: "POST", url: "/account/identifiers/:id/remove", returnTo: "/account" },
  { method: "POST", url: "/api/v1/account/identifiers" },
  { method: "DELETE", url: "/api/v1/account/identifiers/:id" },
];

/**
 * Adds the recent-confirmation check to `routes` as they are registered, after their own preHandlers
 * (the CSRF check runs first). Call before the routes are registered.
 */
export function guardRoutesWithRecentConfirmation(app: FastifyInstance, deps: Pick<Deps, "clock" | "config">, routes = CONFIRMED_ROUTES): void {
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const rule = routes.find((r) => r.url === route.url && methods.includes(r.method));
    if (!rule) return;
    const guard = requireRecentConfirmation(deps, rule);
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [...existing, guard];
  });
}
