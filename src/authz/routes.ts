// Forward-auth for reverse proxies. nginx's auth_request asks /api/v1/authz/auth-request (200 or 401);
// Traefik's ForwardAuth and Caddy's forward_auth ask /api/v1/authz/forward-auth (200, or a redirect to
// sign-in that comes back to the original URL). Each check is the session lookup that every request
// already gets (the account's identifiers come with it): nothing else runs on this hot path.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { withQuery } from "../http/forms.ts";
import { compileTrustedProxies } from "../http/trusted-proxy.ts";
import { translator } from "../i18n/catalogue.ts";
import { messageForError } from "../messages/errors.ts";
import { forwardAuthDeniedDocument } from "../views/oidc-pages.ts";
import { accessRuleFor, identityHeaders, isAllowed, type OriginalRequest, originalRequestFrom } from "./access.ts";

export function registerForwardAuthRoutes(app: FastifyInstance, deps: Deps): void {
  const fromTrustedProxy = compileTrustedProxies(deps.config.trustProxy);

  /** What the person asked for, believed only from a trusted proxy. */
  const originalRequest = (request: FastifyRequest): OriginalRequest =>
    fromTrustedProxy(request.socket.remoteAddress) ? originalRequestFrom(request.headers) : { host: null, url: null };

  const signinURL = (original: OriginalRequest): string => withQuery(`${deps.config.baseUrl}/signin`, original.url ? { return_to: original.url.href } : {});

  /**
   * 200 with identity headers, or 403 when a rule keeps this account out; false (nothing sent) when nobody is
   * signed in. A boolean, not the reply: a reply is thenable, so awaiting one waits for the answer to finish.
   */
  const answerSignedIn = (request: FastifyRequest, reply: FastifyReply, original: OriginalRequest): boolean => {
    const auth = request.auth;
    if (!auth) return false;
    if (!isAllowed(accessRuleFor(deps.config, original.host), auth.account)) {
      const label = auth.identifiers.find((i) => i.verifiedAt)?.display ?? auth.account.id;
      const host = original.host ?? translator(request.locale)("oidc.thisApplication");
      const page = forwardAuthDeniedDocument({
        host,
        accountLabel: label,
        baseUrl: deps.config.baseUrl,
        siteName: deps.config.branding.siteName,
        locale: request.locale,
      });
      reply.code(403).type("text/html; charset=utf-8").send(page);
      return true;
    }
    reply.code(200).headers(identityHeaders(auth.account, auth.identifiers)).send();
    return true;
  };

  app.get("/api/v1/authz/auth-request", async (request, reply) => {
    const original = originalRequest(request);
    if (answerSignedIn(request, reply, original)) return reply;
    // nginx can copy this Location into its 401 handler (auth_request_set) to send the browser to sign-in.
    return reply
      .code(401)
      .header("location", signinURL(original))
      .send({ error: { code: "UNAUTHENTICATED", message: messageForError("UNAUTHENTICATED", undefined, request.locale) } });
  });

  app.get("/api/v1/authz/forward-auth", async (request, reply) => {
    const original = originalRequest(request);
    if (answerSignedIn(request, reply, original)) return reply;
    return reply.code(302).header("location", signinURL(original)).send();
  });
}
