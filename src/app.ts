// Builds the Fastify application: cross-cutting plugins first, then each feature's routes, top to bottom.
import { fileURLToPath } from "node:url";
import type fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from "fastify";
import { registerAccountRoutes } from "./account-page/routes.ts";
import { registerAdminRoutes } from "./admin/routes.ts";
import { registerForwardAuthRoutes } from "./authz/routes.ts";
import { registerCAPTCHARoutes } from "./captcha/routes.ts";
import type { Deps } from "./deps.ts";
import { registerFactorRoutes } from "./factors/routes.ts";
import { guardRoutesWithRecentConfirmation } from "./factors/step-up-guard.ts";
import { type HelpLibrary, openHelpLibrary } from "./help/articles.ts";
import { registerHelpRoutes } from "./help/routes.ts";
import { registerBrandingAssets } from "./http/branding-assets.ts";
import { registerBrowserId } from "./http/browser-id.ts";
import { answerClientError, registerShutdownAnswers } from "./http/connections.ts";
import { baseCookieOptions, csrfCookieName } from "./http/cookies.ts";
import { registerEarlyNotFound, registerErrorHandling, sendFrameworkError } from "./http/errors.ts";
import { ownValue } from "./http/forms.ts";
import { registerHealthRoutes, registerMetricsRoute } from "./http/health.ts";
import { registerInputChecks } from "./http/input-checks.ts";
import { lazySchemaCompilers, rememberSchemaCompilers } from "./http/lazy-schemas.ts";
import { serializeRequestForLog } from "./http/log-redaction.ts";
import { trackRouteMethods } from "./http/method-check.ts";
import { registerOriginCheck } from "./http/origin-check.ts";
import { registerPublicAssets } from "./http/public-assets.ts";
import { sendPage } from "./http/render.ts";
import { registerRequestDeadline } from "./http/request-deadline.ts";
import { OneLinePerRequest } from "./http/request-log.ts";
import { lazyRequestLogger } from "./http/request-logger.ts";
import { registerRequestTargetCheck } from "./http/request-target.ts";
import { registerSecurityHeaders } from "./http/security-headers.ts";
import { registerSessionHook } from "./http/session-hook.ts";
import { translator } from "./i18n/catalogue.ts";
import { registerLocale } from "./i18n/negotiate.ts";
import { registerLanguageRoutes } from "./i18n/routes.ts";
import { lazyRequire } from "./lib/lazy-require.ts";
import { logStream } from "./lib/log-output.ts";
import { pageTitlesIn } from "./messages/pages.ts";
import { registerAppsWithAccessRoutes } from "./oidc/account-apps.ts";
import { registerOIDCRoutes } from "./oidc/routes.ts";
import { registerSettingsRoutes } from "./password-change/routes.ts";
import { registerPowRoutes } from "./pow/routes.ts";
import { registerRecoveryRoutes } from "./recovery/routes.ts";
import { registerRegistrationRoutes } from "./registration/routes.ts";
import { registerSigninRoutes } from "./signin/routes.ts";
import { homePage } from "./views/home-page.ts";

export const BODY_LIMIT_BYTES = 64 * 1024;
const PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));
// Required rather than imported: an ES import of a CommonJS package makes Node.js scan its source for exports.
const loadCookiePlugin = lazyRequire<typeof fastifyCookie>("@fastify/cookie");

export interface AppOptions {
  logger?: FastifyServerOptions["logger"];
  /** The help articles; by default content/help/, loaded once here. */
  helpLibrary?: HelpLibrary;
  /** Told of every route as it is registered (tests enumerate the routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

/** Fastify's logger: JSON lines, or readable lines on standard output when `readable` (development). */
export function loggerOptions(level: string, readable = false): FastifyServerOptions["logger"] {
  return {
    level,
    stream: logStream(readable),
    // Secrets never reach the log: cookies, authorization and anything that looks like a password or code.
    redact: {
      paths: ["req.headers.cookie", "req.headers.authorization", 'res.headers["set-cookie"]', "*.password", "*.code", "*.token"],
      censor: "[redacted]",
    },
    // Query strings hold reset tokens, confirmation codes and identifiers: the request line shows only
    // the parameter names.
    serializers: { req: serializeRequestForLog },
  };
}

/**
 * Random request ids (shown as the reference of an internal error), cut from a block of random bytes so that
 * a request costs no call into the system's random source of its own.
 */
function createRequestIds(random: Deps["random"]): () => string {
  let block: Buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 8 > block.length) {
      block = random.bytes(4096);
      offset = 0;
    }
    offset += 8;
    return block.toString("hex", offset - 8, offset);
  };
}

/** A small listener of its own for /metrics, /healthz and /readyz (LATCHKEY_METRICS_PORT). */
export async function buildMetricsApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerHealthRoutes(app, deps);
  registerMetricsRoute(app, deps);
  return app;
}

export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = deps;
  // Each language's articles are read, validated and indexed on the first help request in that language:
  // loading them costs start-up time every instance would pay, and memory for languages nobody reads.
  const helpLibrary = options.helpLibrary ?? openHelpLibrary(undefined, { siteName: config.branding.siteName });
  const readableLogs = config.env === "development" && options.logger === undefined;
  // The TypeBox type provider gives each route's request.body, query and params the types of its schema
  // (TypedApp in src/http/typed-app.ts); it changes types only, validation stays with Fastify's Ajv.
  const schemaCompilers = lazySchemaCompilers();
  const logger = options.logger ?? loggerOptions(config.logLevel, readableLogs);
  const app = Fastify({
    logger,
    // request.log becomes a pino child only when the request logs something (src/http/request-logger.ts).
    ...(logger ? { childLoggerFactory: lazyRequestLogger } : {}),
    // In development one readable line per request replaces Fastify's "incoming" and "completed" pair.
    ...(readableLogs ? { logController: new OneLinePerRequest() } : {}),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    genReqId: createRequestIds(deps.random),
    // Strict schemas: no type coercion, no silently dropped fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Each route's validator and serializer are compiled on its first request (src/http/lazy-schemas.ts).
    schemaController: { compilersFactory: schemaCompilers.compilersFactory },
    routerOptions: { maxParamLength: 200 },
    // A slow or stalled client must not hold a connection (or a shutdown) for ever: the headers, then the
    // whole request must arrive in time (the answer's own deadline is registerRequestDeadline below).
    http: { headersTimeout: config.timeouts.headersMs, requestTimeout: config.timeouts.bodyMs, connectionsCheckingInterval: 1000 },
    requestTimeout: config.timeouts.bodyMs,
    clientErrorHandler: answerClientError,
    // Answers during shutdown come from registerShutdownAnswers, in the public error shape.
    return503OnClosing: false,
    frameworkErrors: (error, request, reply) => sendFrameworkError(deps, error, request, reply),
  }).withTypeProvider<TypeBoxTypeProvider>();
  rememberSchemaCompilers(app, schemaCompilers);

  if (options.onRoute) app.addHook("onRoute", options.onRoute);
  // The answer that storage holds up becomes a 503 (first, so it covers every other hook).
  registerRequestDeadline(app, config.timeouts.requestMs);
  await app.register(loadCookiePlugin());
  await app.register(fastifyFormbody, { bodyLimit: BODY_LIMIT_BYTES });
  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        mediaSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "same-origin" },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCsrf, {
    cookieKey: csrfCookieName(config),
    cookieOpts: baseCookieOptions(config),
    getToken: (request) => {
      const token = ownValue(request.body, "_csrf");
      return typeof token === "string" ? token : undefined;
    },
  });
  const methods = trackRouteMethods(app);
  registerPublicAssets(app, PUBLIC_DIR);
  registerBrandingAssets(app, config.branding);

  registerErrorHandling(app, deps, methods);
  registerRequestTargetCheck(app, methods);
  registerShutdownAnswers(app);
  registerInputChecks(app);
  registerOriginCheck(app, config.baseOrigin);
  registerBrowserId(app, deps);
  registerLocale(app, deps);
  registerSessionHook(app, deps);
  registerEarlyNotFound(app, deps, methods);
  registerHealthRoutes(app, deps);
  if (!config.metrics) registerMetricsRoute(app, deps);
  app.addHook("onResponse", (request, reply, done) => {
    deps.metrics.httpRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.get("/", async (request, reply) => {
    const t = translator(request.locale);
    return sendPage(request, reply, deps, {
      title: pageTitlesIn(t).welcome,
      body: homePage({ t, signedIn: Boolean(request.auth), name: request.auth?.account.name ?? null }),
    });
  });
  // Changes to what protects an account need a recent "confirm it's you", also on other features' routes.
  guardRoutesWithRecentConfirmation(app, deps);
  registerCAPTCHARoutes(app, deps);
  registerPowRoutes(app, deps);
  registerSigninRoutes(app, deps);
  registerRegistrationRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerRecoveryRoutes(app, deps);
  registerSettingsRoutes(app, deps);
  registerFactorRoutes(app, deps);
  registerHelpRoutes(app, deps, helpLibrary);
  registerAdminRoutes(app, deps, helpLibrary);
  registerOIDCRoutes(app, deps);
  registerAppsWithAccessRoutes(app, deps);
  registerForwardAuthRoutes(app, deps);
  registerLanguageRoutes(app, deps);
  return app;
}
