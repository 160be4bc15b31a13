// Forward-auth for reverse proxies. nginx's auth_request asks /api/v1/authz/auth-request (200 or 401);
// Traefik's ForwardAuth and Caddy's forward_auth ask /api/v1/authz/forward-auth (200, or a redirect to
// sign-in that comes back to the original URL). Each check is the session lookup that every request
// already gets (the account's identifiers come with it): nothing else runs on this hot path. A host whose
// rule ends in +mfa sends a session signed in with one factor to /authz/step-up, a page on Latchkey that
// asks for the second factor and returns to the app, or says how to add one when the account has none.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { startSecondFactorStepUpFlow } from "../http/flow-pages.ts";
import { ownValue, redirectSeeOther, withQuery } from "../http/forms.ts";
import { sendPage } from "../http/render.ts";
import { safeReturnTarget } from "../http/return-target.ts";
import { compileTrustedProxies } from "../http/trusted-proxy.ts";
import { translator } from "../i18n/catalogue.ts";
import { messageForError } from "../messages/errors.ts";
import { isMultiFactorSession } from "../oidc/assurance.ts";
import { secondFactorStepUpState } from "../signin/signin-flow.ts";
import { forwardAuthDeniedDocument, secondFactorMissingPage } from "../views/oidc-pages.ts";
import { accessRuleFor, identityHeaders, isAllowed, type OriginalRequest, originalRequestFrom } from "./access.ts";

export function registerForwardAuthRoutes(app: FastifyInstance, deps: Deps): void {
  const fromTrustedProxy = compileTrustedProxies(deps.config.trustProxy);

  /** What the person asked for, believed only from a trusted proxy. */
  const originalRequest = (request: FastifyRequest): OriginalRequest =>
    fromTrustedProxy(request.socket.remoteAddress) ? originalRequestFrom(request.headers) : { host: null, url: null };

  const signinURL = (original: OriginalRequest): string => withQuery(`${deps.config.baseUrl}/signin`, original.url ? { return_to: original.url.href } : {});
  const stepUpURL = (original: OriginalRequest): string =>
    withQuery(`${deps.config.baseUrl}${STEP_UP_PATH}`, original.url ? { return_to: original.url.href } : {});

  /**
   * 200 with identity headers, or 403 when a rule keeps this account out: "answered". "anonymous" (nothing
   * sent) when nobody is signed in, "step-up" (nothing sent) when the host's rule wants two factors and the
   * session signed in with one. Not the reply: a reply is thenable, so awaiting one waits for the answer.
   */
  const answerSignedIn = (request: FastifyRequest, reply: FastifyReply, original: OriginalRequest): "answered" | "anonymous" | "step-up" => {
    const auth = request.auth;
    if (!auth) return "anonymous";
    const rule = accessRuleFor(deps.config, original.host);
    if (!isAllowed(rule, auth.account)) {
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
      return "answered";
    }
    // Judged by the session's amr, as an OpenID Connect application's demand for two factors is, so a
    // session that one of them accepts passes here too. Checked after the access rule: someone the rule
    // keeps out is told so, not asked for a second factor first.
    if (rule?.twoFactors && !isMultiFactorSession(auth.session)) return "step-up";
    reply.code(200).headers(identityHeaders(auth.account, auth.identifiers)).send();
    return "answered";
  };

  app.get("/api/v1/authz/auth-request", async (request, reply) => {
    const original = originalRequest(request);
    const answer = answerSignedIn(request, reply, original);
    if (answer === "answered") return reply;
    if (answer === "step-up")
      // 401 like "not signed in", so the documented nginx block sends the browser to this Location as it is.
      return reply
        .code(401)
        .header("location", stepUpURL(original))
        .send({ error: { code: "SECOND_FACTOR_REQUIRED", message: messageForError("SECOND_FACTOR_REQUIRED", undefined, request.locale) } });
    // nginx can copy this Location into its 401 handler (auth_request_set) to send the browser to sign-in.
    return reply
      .code(401)
      .header("location", signinURL(original))
      .send({ error: { code: "UNAUTHENTICATED", message: messageForError("UNAUTHENTICATED", undefined, request.locale) } });
  });

  app.get("/api/v1/authz/forward-auth", async (request, reply) => {
    const original = originalRequest(request);
    const answer = answerSignedIn(request, reply, original);
    if (answer === "answered") return reply;
    return reply
      .code(302)
      .header("location", answer === "step-up" ? stepUpURL(original) : signinURL(original))
      .send();
  });

  // The browser's stop on its way to a host that wants two factors. return_to is checked like sign-in's
  // (a path here or an allowed return host), so this page is no open redirect.
  app.get(STEP_UP_PATH, async (request, reply) => {
    const returnTo = safeReturnTarget(ownValue(request.query, "return_to"), deps.config);
    const auth = request.auth;
    if (!auth) return redirectSeeOther(reply, withQuery("/signin", { return_to: returnTo }));
    if (isMultiFactorSession(auth.session)) return redirectSeeOther(reply, returnTo);
    const label = auth.identifiers.find((i) => i.verifiedAt)?.display ?? auth.account.id;
    // The second-factor step of sign-in, for this account only and without the password again (the same
    // step-up an OpenID Connect application's demand for two factors gets); it ends at returnTo.
    const state = await secondFactorStepUpState(deps, { accountId: auth.account.id, identifier: label, remember: auth.session.remember, returnTo });
    if (state) return redirectSeeOther(reply, withQuery("/signin", { flow: await startSecondFactorStepUpFlow(deps, request, state) }));
    const t = translator(request.locale);
    const host = /^https?:\/\//i.test(returnTo) ? new URL(returnTo).host : t("oidc.thisApplication");
    reply.header("cache-control", "no-store");
    return sendPage(request, reply, deps, {
      status: 403,
      title: t("oidc.secondFactorMissingPageTitle"),
      body: secondFactorMissingPage({ t, host, accountLabel: label }),
    });
  });
}

/** Where forward-auth sends a browser whose session has one factor when the host's rule wants two. */
export const STEP_UP_PATH = "/authz/step-up";
