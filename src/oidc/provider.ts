// The OpenID Connect provider: panva's certified oidc-provider, configured for Latchkey. Its storage is
// our adapter, its accounts are Latchkey accounts, its login step is Latchkey's own sign-in page, and it
// trusts a provider session only while the same person's Latchkey session is alive in that browser.

import type { IncomingMessage } from "node:http";
import type Provider from "oidc-provider";
import type { Configuration, interactionPolicy as InteractionPolicy, KoaContextWithOIDC } from "oidc-provider";
import type { Deps } from "../deps.ts";
import { translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { cookieFromHeader, LOCALE_COOKIE, negotiateLocale } from "../i18n/negotiate.ts";
import { hmacHex } from "../lib/crypto.ts";
import { trustedHtml } from "../lib/html.ts";
import { messageForError } from "../messages/errors.ts";
import type { ValidatedSession } from "../sessions/sessions.ts";
import { invalidateSession } from "../sessions/sessions.ts";
import { classifyStorageOutage } from "../stores/outage.ts";
import { renderLayout } from "../views/layout.ts";
import { logoutQuestionPage, providerErrorPage, signedOutPage } from "../views/oidc-pages.ts";
import { createProviderAdapter } from "./adapter.ts";
import { ACR_MFA, ACR_PASSWORD, loginMethodsOf, meetsAssurance, requestedAssurance } from "./assurance.ts";
import { loadAccountClaims } from "./claims.ts";
import { claimsParameterAssertion } from "./claims-parameter.ts";
import { clientRedirectSources, clientSecretMatches } from "./clients.ts";
import { authorizationParamValidators } from "./request-limits.ts";
import { loadSigningKeys, SIGNING_ALG } from "./signing-keys.ts";

/** Paths of the provider's endpoints; discovery lists them. */
export const OIDC_ROUTES = {
  authorization: "/oidc/auth",
  token: "/oidc/token",
  userinfo: "/oidc/me",
  jwks: "/oidc/jwks",
  revocation: "/oidc/token/revocation",
  introspection: "/oidc/token/introspection",
  end_session: "/oidc/session/end",
  pushed_authorization_request: "/oidc/request",
  registration: "/oidc/reg",
  code_verification: "/oidc/device",
  device_authorization: "/oidc/device/auth",
  backchannel_authentication: "/oidc/backchannel",
  challenge: "/oidc/challenge",
} as const;

export const INTERACTION_PATH = "/oidc/interaction";
export const SCOPES = ["openid", "offline_access", "profile", "email", "phone"];
export { ACR_MFA, ACR_PASSWORD, AMR_PASSWORD } from "./assurance.ts";

/** Which claims each scope releases. acr, amr and auth_time travel with every ID token, so applications can tell how and when people signed in. */
export const CLAIMS_BY_SCOPE = {
  openid: ["sub", "acr", "amr", "auth_time"],
  profile: ["name"],
  email: ["email", "email_verified"],
  phone: ["phone_number", "phone_number_verified"],
} as const satisfies Record<string, readonly string[]>;

export const TTL_SECONDS = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  IdToken: 3600,
  RefreshToken: 30 * 86_400,
  Interaction: 3600,
  Session: 14 * 86_400,
  Grant: 365 * 86_400,
} as const;

/** Seconds a client should wait after the provider could not reach storage. */
export const RETRY_AFTER_SECONDS = 5;

const latchkeySessions = new WeakMap<IncomingMessage, ValidatedSession | null>();

/** Hands the request's Latchkey session (from our session hook) to the provider's checks. */
export function attachLatchkeySession(req: IncomingMessage, auth: ValidatedSession | null): void {
  latchkeySessions.set(req, auth);
}

export function latchkeySessionOf(req: IncomingMessage): ValidatedSession | null {
  return latchkeySessions.get(req) ?? null;
}

function isFirstParty(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.client?.metadata().latchkey_first_party === true;
}

function sendPage(ctx: KoaContextWithOIDC, deps: Pick<Deps, "config">, title: string, body: ReturnType<typeof signedOutPage>): void {
  ctx.type = "html";
  ctx.body = renderLayout({
    title,
    locale: localeOf(ctx, deps),
    branding: deps.config.branding,
    body,
    narrow: true,
    user: null,
    testMode: deps.config.captchaTestMode,
  });
}

/** What middleware added with provider.use sees: Koa's context, before the provider adds `oidc` to it. */
type ProviderContext = Parameters<Parameters<Provider["use"]>[0]>[0];

/** The provider's error page, in Latchkey's frame; a server_error (storage failed: see below) says to try again shortly. */
function renderProviderError(ctx: ProviderContext, deps: Pick<Deps, "config">, out: { error?: unknown; error_description?: unknown }): void {
  ctx.type = "html";
  const locale = localeOf(ctx, deps);
  const t = translator(locale);
  const error = String(out.error ?? "invalid_request");
  const description =
    error === "server_error"
      ? messageForError("SERVICE_UNAVAILABLE", undefined, locale, RETRY_AFTER_SECONDS)
      : typeof out.error_description === "string"
        ? out.error_description
        : null;
  ctx.body = renderLayout({
    title: t("oidc.errorPageTitle"),
    locale,
    branding: deps.config.branding,
    body: providerErrorPage({ error, description, siteName: deps.config.branding.siteName, t }),
    narrow: true,
    user: null,
    testMode: deps.config.captchaTestMode,
  });
}

/**
 * Answers an error that escaped the provider's own handler: 503 with Retry-After for a storage outage, 500
 * otherwise, as server_error in the OAuth shape for applications or as a page for browsers, and logged.
 */
function answerProviderFailure(ctx: ProviderContext, deps: Pick<Deps, "config" | "logger">, error: unknown): void {
  const outage = classifyStorageOutage(error);
  deps.logger.error({ err: error, ...(outage ? { outage: outage.detail } : {}) }, "OpenID Connect provider error");
  ctx.status = outage ? 503 : 500;
  if (outage) ctx.set("retry-after", String(RETRY_AFTER_SECONDS));
  ctx.set("cache-control", "no-store");
  // Cookies the failed request meant to set (a session that was not saved) would point at nothing.
  ctx.remove("set-cookie");
  const out = { error: "server_error", error_description: "The server could not complete the request; try again shortly." };
  if (ctx.accepts("json", "html") === "html") renderProviderError(ctx, deps, out);
  else ctx.body = out;
}

/** The language of a provider page: the language cookie, then Accept-Language, as for every other page. */
function localeOf(ctx: ProviderContext, deps: Pick<Deps, "config">): Locale {
  return negotiateLocale(cookieFromHeader(ctx.get("cookie"), LOCALE_COOKIE), ctx.get("accept-language"), deps.config.locales).locale;
}

/**
 * The provider's session remembers the sign-in that created it, and outlives signing out of Latchkey in its
 * own cookie. When the same account has signed in again since (signed out and back, a second factor added
 * by step-up, a password change), the ID token must say when and how *that* sign-in happened, so the
 * session takes over the current Latchkey session's time and methods; the acr check below then judges
 * those, not an earlier two-factor sign-in.
 */
function describeSignIn(session: NonNullable<KoaContextWithOIDC["oidc"]["session"]>, auth: ValidatedSession): void {
  const loginTs = Math.floor(auth.session.createdAt.getTime() / 1000);
  if (session.loginTs === loginTs) return;
  const { amr, acr } = loginMethodsOf(auth.session);
  Object.assign(session, { loginTs, amr, acr });
}

function buildPolicy(interactionPolicy: typeof InteractionPolicy): InteractionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  const login = policy.get("login");
  // The provider keeps its own session cookie; believe it only while this browser still has a live
  // Latchkey session of the same account, so signing out of Latchkey signs out of every application.
  login?.checks.add(
    new interactionPolicy.Check("latchkey_session", "a Latchkey session is required", "login_required", (ctx) => {
      const auth = latchkeySessionOf(ctx.req);
      const session = ctx.oidc.session;
      if (!auth || !session || auth.account.id !== session.accountId) return interactionPolicy.Check.REQUEST_PROMPT;
      describeSignIn(session, auth);
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
    0,
  );
  // The provider's own acr checks compare the level asked for with the session's for equality and see only
  // the claims parameter; one check of ours replaces them: it also holds clients to acr_values naming the
  // two-factor level, and lets a two-factor session meet a request for the password level. The interaction
  // page then asks for the second factor, or answers unmet_authentication_requirements.
  login?.checks.remove("essential_acrs");
  login?.checks.remove("essential_acr");
  login?.checks.add(
    new interactionPolicy.Check(
      "latchkey_acr",
      "the requested authentication level could not be obtained",
      "login_required",
      (ctx) =>
        meetsAssurance(requestedAssurance(ctx.oidc.params ?? {}), ctx.oidc.acr)
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT,
      (ctx) => ({ acr: requestedAssurance(ctx.oidc.params ?? {}) }),
    ),
  );
  return policy;
}

/** The provider with the current signing keys; `selection` tells when a rotation needs a new one. */
export async function createOIDCProvider(deps: Deps): Promise<{ provider: Provider; selection: string }> {
  // Loaded on first use, so CLI commands that never serve OpenID Connect do not load it.
  const { default: Provider, interactionPolicy, errors } = await import("oidc-provider");
  const { config } = deps;
  const { keys, selection } = await loadSigningKeys(deps);
  const configuration: Configuration = {
    adapter: createProviderAdapter(deps) as unknown as Configuration["adapter"],
    findAccount: async (_ctx, sub) => {
      const claims = await loadAccountClaims(deps, sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => claims };
    },
    jwks: { keys: keys as NonNullable<Configuration["jwks"]>["keys"] },
    // The library lists sid among the claims it supports by default; Latchkey puts none in ID tokens and has no
    // front- or back-channel logout for one to serve (and the provider's session, which a sid would name,
    // outlives signing out of Latchkey), so discovery must not advertise it. Only null marks a supported
    // claim, and an undefined value would not override the default, hence false.
    claims: { ...CLAIMS_BY_SCOPE, sid: false as unknown as null },
    scopes: SCOPES,
    // Every authorization parameter has a size limit (see request-limits.ts); past it, invalid_request.
    extraParams: authorizationParamValidators(errors.InvalidRequest),
    acrValues: [ACR_PASSWORD, ACR_MFA],
    responseTypes: ["code"],
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post"],
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG], userinfoSigningAlgValues: [SIGNING_ALG], introspectionSigningAlgValues: [SIGNING_ALG] },
    clientDefaults: {
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      id_token_signed_response_alg: SIGNING_ALG,
      token_endpoint_auth_method: "client_secret_basic",
    },
    extraClientMetadata: { properties: ["latchkey_first_party", "latchkey_resource_server"] },
    // S256 only; required of public clients (no secret), accepted from confidential ones.
    pkce: { required: (_ctx, client) => client.tokenEndpointAuthMethod === "none" },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    ttl: { ...TTL_SECONDS },
    cookies: {
      keys: [hmacHex(config.secret, "oidc-cookie-key")],
      names: { session: "latchkey_oidc_session", interaction: "latchkey_oidc_interaction", resume: "latchkey_oidc_resume" },
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    routes: OIDC_ROUTES,
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`, policy: buildPolicy(interactionPolicy) },
    // First-party applications never see the consent page: their grant covers what they ask for.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? "");
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!isFirstParty(ctx) || !ctx.oidc.session?.accountId || !ctx.oidc.client) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      const scope = [...ctx.oidc.requestParamOIDCScopes].join(" ");
      if (scope) grant.addOIDCScope(scope);
      await grant.save();
      return grant;
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin) ?? false,
    features: {
      devInteractions: { enabled: false },
      // For `{"id_token":{"acr":{"essential":true,"values":[…]}}}`. Claims asked for this way beyond the
      // scopes are listed on the consent page under the scope that holds them (see routes.ts). sid is taken out
      // of it: the library would put one in the ID token of any request naming it (see claims-parameter.ts).
      claimsParameter: { enabled: true, assertClaimsParameter: claimsParameterAssertion(errors.InvalidRequest) },
      pushedAuthorizationRequests: { enabled: false },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // A client may introspect only the tokens issued to it: applications are clients too, and a third-party
        // one must not learn who holds another application's token or what it may do. Only a confidential
        // client registered as a resource server (`clients add --resource-server`), an API that accepts other
        // clients' tokens, may introspect theirs. Then the account: a token of a disabled or deleted account is
        // inactive, as userinfo and refresh already refuse it, so a resource server that introspects stops
        // accepting it the moment an admin disables the account.
        allowedPolicy: async (_ctx, client, token) => {
          const resourceServer = client.metadata().latchkey_resource_server === true && client.clientAuthMethod !== "none";
          if (token.clientId !== client.clientId && !resourceServer) return false;
          const accountId = "accountId" in token ? token.accountId : undefined;
          return typeof accountId !== "string" || (await loadAccountClaims(deps, accountId)) !== null;
        },
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const name = ctx.oidc.client?.clientName ?? null;
          const t = translator(localeOf(ctx, deps));
          sendPage(
            ctx,
            deps,
            t("oidc.signOutPageTitle"),
            logoutQuestionPage({ form: trustedHtml(form), clientName: name, siteName: deps.config.branding.siteName, t }),
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          const t = translator(localeOf(ctx, deps));
          sendPage(
            ctx,
            deps,
            t("oidc.signedOutPageTitle"),
            signedOutPage({ clientName: ctx.oidc.client?.clientName ?? null, siteName: deps.config.branding.siteName, t }),
          );
        },
      },
    },
    renderError: async (ctx, out) => renderProviderError(ctx, deps, out),
  };
  const provider = new Provider(config.baseUrl, configuration);
  // The issuer and every endpoint URL come from LATCHKEY_BASE_URL: the handler rewrites the forwarded
  // headers from it before the provider sees a request, so it may believe them.
  provider.proxy = true;
  // Only a hash of the secret is stored; compare the presented secret's hash (see clients.ts). This
  // rules out HS256 ID tokens and client_secret_jwt, which need the secret itself; neither is enabled.
  provider.Client.prototype.compareClientSecret = function compareHashedClientSecret(this: { clientSecret?: string }, actual: string): boolean {
    return typeof this.clientSecret === "string" && clientSecretMatches(this.clientSecret, actual);
  } as never;
  provider.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      // The provider saves its session after its own error handler has run (whatever the route answered), so
      // a write that fails there (a SQLite file locked by another process, a database that turned read-only)
      // comes out here; left to Koa, it became a bare 500 "Internal Server Error" printed to stderr.
      answerProviderFailure(ctx, deps, error);
      return;
    }
    // The provider answers 500 server_error when storage fails: an outage, so tell clients when to retry.
    if (ctx.status === 500) {
      ctx.status = 503;
      ctx.set("retry-after", String(RETRY_AFTER_SECONDS));
    }
  });
  // Pages the provider renders (the sign-out question, form_post) submit forms whose redirects end at the
  // client: browsers check those redirects against form-action, so name the client's own origins there.
  provider.use(async (ctx, next) => {
    await next();
    const csp = ctx.response.get("content-security-policy");
    const client = ctx.oidc?.client;
    if (!csp || !client || !ctx.response.is("html")) return;
    const origins = clientRedirectSources({
      redirectUris: client.redirectUris ?? [],
      postLogoutRedirectUris: client.postLogoutRedirectUris ?? [],
      authMethod: client.clientAuthMethod === "none" ? "none" : "client_secret_basic",
    });
    if (origins.length > 0) ctx.set("content-security-policy", csp.replace(/form-action 'self'/, `form-action 'self' ${origins.join(" ")}`));
  });
  // RP-initiated logout: when the person confirms, their Latchkey session ends too.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === "end_session_confirm" && ctx.status >= 300 && ctx.status < 400 && ctx.oidc.params?.logout) {
      const auth = latchkeySessionOf(ctx.req);
      if (auth) await invalidateSession(deps, auth.session.id);
    }
  });
  provider.on("server_error", (_ctx, error) => deps.logger.error({ err: error }, "OpenID Connect provider error"));
  return { provider, selection };
}
