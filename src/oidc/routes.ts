// Mounts the OpenID Connect provider in Fastify and serves its interaction steps with Latchkey's own
// pages: the login step lands on /signin (with everything it does) and comes back here; the consent step
// is our page, shown only to third-party applications.
import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type Provider from "oidc-provider";
import type { Deps } from "../deps.ts";
import { startSecondFactorStepUpFlow } from "../http/flow-pages.ts";
import { ownValue, redirectSeeOther, withQuery } from "../http/forms.ts";
import { isCORSPreflight, type MethodCheckConfig } from "../http/method-check.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf, sessionContextOf } from "../http/request-context.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { secondFactorStepUpState } from "../signin/signin-flow.ts";
import { consentPage, providerErrorPage } from "../views/oidc-pages.ts";
import { loginMethodsOf, meetsAssurance, requestedAssurance } from "./assurance.ts";
import { recordConsentGiven } from "./consent.ts";
import { allowFormRedirects, clientRedirectOrigins } from "./form-action.ts";
import { FORM_POST_BODY_LIMIT_BYTES, queryOfFormPost } from "./form-post.ts";
import { attachLatchkeySession, CLAIMS_BY_SCOPE, createOIDCProvider, INTERACTION_PATH, OIDC_ROUTES, TTL_SECONDS } from "./provider.ts";
import { describeOversizedParam, END_SESSION_PARAM_LIMITS, findOversizedParam } from "./request-limits.ts";
import { currentSigningKeySelection, SIGNING_KEY_CHECK_SECONDS } from "./signing-keys.ts";

const KEY_CHECK_INTERVAL_MS = SIGNING_KEY_CHECK_SECONDS * 1000;

export interface OIDCProviderHolder {
  /** The provider, created (with the first signing key, if none exists) on first use. */
  get(): Promise<Provider>;
}

declare module "fastify" {
  interface FastifyInstance {
    oidcProvider: OIDCProviderHolder;
  }
}

function createProviderHolder(deps: Deps): OIDCProviderHolder {
  let current: Promise<{ provider: Provider; selection: string }> | null = null;
  let checkedAt = 0;
  return {
    async get() {
      const now = deps.clock.now().getTime();
      if (!current) {
        current = createOIDCProvider(deps);
        checkedAt = now;
        // A failed start (storage down) is retried by the next request rather than remembered.
        current.catch(() => {
          current = null;
        });
      }
      const built = await current;
      if (now - checkedAt > KEY_CHECK_INTERVAL_MS) {
        checkedAt = now;
        // A rotation on another instance or from the CLI, or a new key old enough to sign: rebuild with the new key list.
        if ((await currentSigningKeySelection(deps)) !== built.selection) {
          const next = createOIDCProvider(deps);
          await next;
          current = next;
          return (await next).provider;
        }
      }
      return built.provider;
    },
  };
}

/** Makes the provider see LATCHKEY_BASE_URL as the request's origin, whatever Host or proxy headers came in. */
function canonicalizeRequest(request: FastifyRequest, baseUrl: URL): void {
  const headers = request.raw.headers;
  headers["x-forwarded-proto"] = baseUrl.protocol.slice(0, -1);
  headers["x-forwarded-host"] = baseUrl.host;
  headers["x-forwarded-for"] = clientAddressOf(request);
}

async function runProvider(holder: OIDCProviderHolder, baseUrl: URL, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const provider = await holder.get();
  attachLatchkeySession(request.raw, request.auth);
  canonicalizeRequest(request, baseUrl);
  // Keep Latchkey's security headers (CSP, frame and referrer policy) and any cookie change of the session hook.
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string | string[]);
  reply.hijack();
  await provider.callback()(request.raw, reply.raw);
}

function interactionError(request: FastifyRequest, reply: FastifyReply, deps: Deps, description: string): FastifyReply {
  return sendPage(request, reply, deps, {
    title: "Sign-in problem",
    status: 400,
    body: providerErrorPage({ error: "interaction_expired", description, siteName: deps.config.branding.siteName }),
  });
}

/** What the application is told when it demands an assurance the account cannot give (public: sent to the client). */
const UNMET = {
  mfa: "The account has no second factor, so a sign-in with two factors is not possible.",
  unsupported: "None of the requested authentication context classes is offered.",
} as const;

const EXPIRED = "This sign-in took too long or was already finished. Go back to the application and start again.";

type InteractionDetails = Awaited<ReturnType<Provider["interactionDetails"]>>;

/** Adds what the interaction asks for to the account's grant for the client; returns where the provider continues. */
async function grantRequestedAccess(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  details: InteractionDetails,
  accountId: string,
  clientId: string,
): Promise<string> {
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
  const grantId = await grant.save();
  return provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/** The interaction id in the address; the provider checks it against the browser's interaction. */
const InteractionParams = Type.Object({ uid: Type.String() });

export function registerOIDCRoutes(app: TypedApp, deps: Deps): OIDCProviderHolder {
  const holder = createProviderHolder(deps);
  const baseUrl = new URL(deps.config.baseUrl);
  app.decorate("oidcProvider", holder);

  void app.register(async (scope) => {
    // The provider reads request bodies itself (with its own size limit), so nothing here may consume them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => runProvider(holder, baseUrl, request, reply);
    const config = { crossOrigin: true };
    // OPTIONS here is for browsers' CORS preflights, which the provider answers. Any other OPTIONS is answered
    // like an unsupported method on any page (405 with Allow), not by the provider (which said 404).
    const preflightConfig = { crossOrigin: true, corsPreflightOnly: true } satisfies MethodCheckConfig & { crossOrigin: boolean };
    const preflightHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (isCORSPreflight(request)) return runProvider(holder, baseUrl, request, reply);
      reply.callNotFound();
    };
    const withPreflight = (methods: Array<"GET" | "POST">, url: string): void => {
      scope.route({ method: methods, url, config, handler });
      scope.route({ method: "OPTIONS", url, config: preflightConfig, handler: preflightHandler });
    };
    withPreflight(["GET"], "/.well-known/openid-configuration");
    withPreflight(["GET"], OIDC_ROUTES.jwks);
    // POST to these two is served below, by passing the request on as a GET.
    scope.route({ method: ["GET"], url: OIDC_ROUTES.authorization, config, handler });
    scope.route({ method: ["GET"], url: `${OIDC_ROUTES.authorization}/:uid`, config, handler });
    for (const url of [OIDC_ROUTES.token, OIDC_ROUTES.revocation, OIDC_ROUTES.introspection]) withPreflight(["POST"], url);
    withPreflight(["GET", "POST"], OIDC_ROUTES.userinfo);
    // The provider stores the sign-out request's state with the session and sends it back to the application,
    // with no limit of its own: an oversized parameter is refused here, on the error page, as the provider
    // answers any other bad sign-out request.
    scope.route({
      method: ["GET"],
      url: OIDC_ROUTES.end_session,
      config,
      handler: async (request, reply) => {
        const oversized = findOversizedParam(request.query as Record<string, unknown>, END_SESSION_PARAM_LIMITS);
        if (!oversized) return handler(request, reply);
        return sendPage(request, reply, deps, {
          title: translator(request.locale)("oidc.errorPageTitle"),
          status: 400,
          body: providerErrorPage({
            error: "invalid_request",
            description: describeOversizedParam(oversized),
            siteName: deps.config.branding.siteName,
            t: translator(request.locale),
          }),
        });
      },
    });
    scope.route({ method: ["POST"], url: `${OIDC_ROUTES.end_session}/confirm`, config, handler });
    scope.route({ method: ["GET"], url: `${OIDC_ROUTES.end_session}/success`, config, handler });
  });

  // OpenID Connect Core 1.0 3.1.2.1 has the authorization endpoint take POST as well as GET, and
  // RP-Initiated Logout 1.0 section 2 the sign-out endpoint. The provider serves POST only with its
  // enableHttpPostMethods, which it allows only with SameSite=None session cookies, because a form posted
  // from the application's site carries no Lax cookie: without it the provider had no POST route and
  // answered a bare 404. Rather than send session cookies to every site, the form is passed on by 303 to the
  // same endpoint by GET with the same parameters: that top-level GET carries Latchkey's Lax cookies, so a
  // person already signed in goes straight through, and the provider sees an ordinary GET request.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: FORM_POST_BODY_LIMIT_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    const endpoints = [
      ["authorization", OIDC_ROUTES.authorization],
      ["end_session", OIDC_ROUTES.end_session],
    ] as const;
    for (const [endpoint, url] of endpoints) {
      scope.post(url, { config: { crossOrigin: true } }, async (request, reply) => {
        const forwarded = queryOfFormPost(typeof request.body === "string" ? request.body : "", endpoint);
        if (!forwarded.ok) {
          const t = translator(request.locale);
          return sendPage(request, reply, deps, {
            title: t("oidc.errorPageTitle"),
            status: 400,
            body: providerErrorPage({ error: "invalid_request", description: forwarded.description, siteName: deps.config.branding.siteName, t }),
          });
        }
        reply.header("cache-control", "no-store");
        return redirectSeeOther(reply, forwarded.query ? `${url}?${forwarded.query}` : url);
      });
    }
  });

  app.get(`${INTERACTION_PATH}/:uid`, { schema: { params: InteractionParams } }, async (request, reply) => {
    const { uid } = request.params;
    const provider = await holder.get();
    const details = await provider.interactionDetails(request.raw, reply.raw).catch((error: unknown) => {
      if (error instanceof Error && error.name === "SessionNotFound") return null;
      throw error;
    });
    if (!details || details.uid !== uid) return interactionError(request, reply, deps, EXPIRED);
    const auth = request.auth;
    const params = details.params as { prompt?: unknown; max_age?: unknown; client_id?: unknown; acr_values?: unknown; claims?: unknown };
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);

    if (details.prompt.name === "login") {
      const signedInAt = auth ? Math.floor(auth.session.createdAt.getTime() / 1000) : 0;
      const wantsFresh = typeof params.prompt === "string" && params.prompt.split(" ").includes("login");
      const maxAge = typeof params.max_age === "string" || typeof params.max_age === "number" ? Number(params.max_age) : Number.NaN;
      // A sign-in made for this request: a session other than the one the browser had when we sent it to /signin.
      // prompt=login: only such a sign-in counts. max_age: a sign-in that recent (auth_time, in whole seconds,
      // at most max_age before now), or such a sign-in however long the way back took (a second factor, a slow
      // network): the person has just signed in again as asked, and sending them back would go round in a loop.
      const remembersSignin = wantsFresh || !Number.isNaN(maxAge);
      const markerKey = `oidc-reauth:${uid}`;
      const sentWith = remembersSignin ? await deps.stores.shortLived.get(markerKey) : null;
      const signedInForThis = auth !== null && sentWith !== null && auth.session.id !== sentWith;
      const fresh = !wantsFresh || signedInForThis;
      const recent = Number.isNaN(maxAge) || signedInForThis || nowSeconds - signedInAt <= maxAge;
      if (!auth || !fresh || !recent) {
        if (remembersSignin) await deps.stores.shortLived.set(markerKey, auth?.session.id ?? "none", TTL_SECONDS.Interaction);
        const signin = withQuery("/signin", { return_to: `${INTERACTION_PATH}/${uid}`, ...(auth ? { prompt: "login" } : {}) });
        return redirectSeeOther(reply, signin);
      }
      const methods = loginMethodsOf(auth.session);
      const wanted = requestedAssurance(params);
      if (!meetsAssurance(wanted, methods.acr)) {
        // The application demands two factors and this session signed in with a password alone: the person
        // adds their second factor (a step-up, not a new sign-in), or, without one, the application is told
        // the demand cannot be met (OpenID Connect Core 5.5.1.1 / 3.1.2.6).
        const stepUp =
          wanted === "mfa"
            ? await secondFactorStepUpState(deps, {
                accountId: auth.account.id,
                identifier: auth.identifiers.find((i) => i.verifiedAt)?.display ?? "",
                remember: auth.session.remember,
                returnTo: `${INTERACTION_PATH}/${uid}`,
              })
            : null;
        if (stepUp) return redirectSeeOther(reply, withQuery("/signin", { flow: await startSecondFactorStepUpFlow(deps, request, stepUp) }));
        const to = await provider.interactionResult(
          request.raw,
          reply.raw,
          { error: "unmet_authentication_requirements", error_description: UNMET[wanted === "mfa" ? "mfa" : "unsupported"] },
          { mergeWithLastSubmission: false },
        );
        return redirectSeeOther(reply, to);
      }
      if (remembersSignin) await deps.stores.shortLived.delete(markerKey);
      const to = await provider.interactionResult(
        request.raw,
        reply.raw,
        { login: { accountId: auth.account.id, ts: signedInAt, ...methods, remember: auth.session.remember } },
        { mergeWithLastSubmission: false },
      );
      return redirectSeeOther(reply, to);
    }

    if (details.prompt.name === "consent") {
      if (!auth || auth.account.id !== details.session?.accountId)
        return redirectSeeOther(reply, withQuery("/signin", { return_to: `${INTERACTION_PATH}/${uid}` }));
      const clientId = String(params.client_id ?? "");
      const client = await deps.stores.oidcClients.getClient(clientId);
      if (!client) return interactionError(request, reply, deps, EXPIRED);
      // A first-party application is part of the same service: what it asks for is granted without a question.
      if (client.firstParty) return redirectSeeOther(reply, await grantRequestedAccess(provider, request, reply, details, auth.account.id, clientId));
      const promptDetails = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      // Claims asked for one by one (the claims parameter) are shown as the scope that holds them, so the
      // page never grants more than it says.
      const claimScopes = Object.entries(CLAIMS_BY_SCOPE)
        .filter(([, claims]) => (promptDetails.missingOIDCClaims ?? []).some((c) => (claims as readonly string[]).includes(c)))
        .map(([scope]) => scope);
      const scopes = [...new Set([...(promptDetails.missingOIDCScope ?? []), ...claimScopes])].filter((s) => s !== "openid");
      const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
      const t = translator(request.locale);
      const label = identifiers.find((i) => i.verifiedAt)?.display ?? auth.account.name ?? t("oidc.yourAccount");
      allowFormRedirects(reply, await clientRedirectOrigins(deps, clientId));
      return sendPage(request, reply, deps, {
        title: t("oidc.consentPageTitle", { client: client.name }),
        body: consentPage({
          t,
          csrfToken: csrfTokenFor(reply),
          uid,
          clientName: client.name,
          scopes: ["openid", ...scopes],
          accountLabel: label,
          siteName: deps.config.branding.siteName,
        }),
      });
    }
    return interactionError(request, reply, deps, EXPIRED);
  });

  app.post(`${INTERACTION_PATH}/:uid/consent`, { preHandler: app.csrfProtection, schema: { params: InteractionParams } }, async (request, reply) => {
    const { uid } = request.params;
    const provider = await holder.get();
    const details = await provider.interactionDetails(request.raw, reply.raw).catch((error: unknown) => {
      if (error instanceof Error && error.name === "SessionNotFound") return null;
      throw error;
    });
    if (!details || details.uid !== uid || details.prompt.name !== "consent") return interactionError(request, reply, deps, EXPIRED);
    const auth = request.auth;
    const accountId = details.session?.accountId;
    // Only the person the application is signing in may answer for them.
    if (!auth || auth.account.id !== accountId) return interactionError(request, reply, deps, EXPIRED);
    const clientId = String((details.params as { client_id?: unknown }).client_id ?? "");
    if (ownValue(request.body, "decision") !== "allow") {
      const to = await provider.interactionResult(
        request.raw,
        reply.raw,
        { error: "access_denied", error_description: "The person did not allow access." },
        { mergeWithLastSubmission: false },
      );
      return redirectSeeOther(reply, to);
    }
    await recordConsentGiven(deps, { accountId: auth.account.id, clientId, context: sessionContextOf(request) });
    return redirectSeeOther(reply, await grantRequestedAccess(provider, request, reply, details, auth.account.id, clientId));
  });

  return holder;
}
