// Builds the Fastify application: cross-cutting plugins first, then each feature's routes, top to bottom.
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { registerAccountRoutes } from "./account/routes.ts";
import { registerAdminRoutes } from "./admin/routes.ts";
import { registerCAPTCHARoutes } from "./captcha/routes.ts";
import type { Deps } from "./deps.ts";
import { type HelpLibrary, loadHelpLibrary } from "./help/articles.ts";
import { registerHelpRoutes } from "./help/routes.ts";
import { baseCookieOptions, csrfCookieName } from "./http/cookies.ts";
import { registerBrowserId } from "./http/browser-id.ts";
import { registerErrorHandling } from "./http/errors.ts";
import { registerHealthRoutes, registerMetricsRoute } from "./http/health.ts";
import { trackRouteMethods } from "./http/method-check.ts";
import { registerOriginCheck } from "./http/origin-check.ts";
import { registerSessionHook } from "./http/session-hook.ts";
import { redirectSeeOther } from "./http/forms.ts";
import { registerRecoveryRoutes } from "./recovery/routes.ts";
import { registerRegistrationRoutes } from "./registration/routes.ts";
import { registerSettingsRoutes } from "./settings/routes.ts";
import { registerSigninRoutes } from "./signin/routes.ts";
import { registerAppsWithAccessRoutes } from "./oidc/account-apps.ts";
import { registerOIDCRoutes } from "./oidc/routes.ts";
import { registerForwardAuthRoutes } from "./authz/routes.ts";

export const BODY_LIMIT_BYTES = 64 * 1024;
const PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));

export interface AppOptions {
  logger?: FastifyServerOptions["logger"];
  /** The help articles; by default content/help/, loaded once here. */
  helpLibrary?: HelpLibrary;
}

export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return {
    level,
    // Secrets never reach the log: cookies, authorization and anything that looks like a password or code.
    redact: {
      paths: ["req.headers.cookie", "req.headers.authorization", 'res.headers["set-cookie"]', "*.password", "*.code", "*.token"],
      censor: "[redacted]",
    },
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
  // Read, validated and indexed once: invalid help content stops the start, naming every problem.
  const helpLibrary = options.helpLibrary ?? loadHelpLibrary();
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    genReqId: () => deps.random.bytes(8).toString("hex"),
    // Strict schemas: no type coercion, no silently dropped fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(fastifyHelmet, {
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
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
    // Pages and answers about accounts must never sit in a shared or browser cache.
    if (!request.url.startsWith("/assets/")) reply.header("cache-control", "no-store");
    return payload;
  });
  await app.register(fastifyCsrf, {
    cookieKey: csrfCookieName(config),
    cookieOpts: baseCookieOptions(config),
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === "string" ? body._csrf : undefined;
    },
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: "/assets/", cacheControl: true, maxAge: "1h", index: false });

  const methods = trackRouteMethods(app);
  registerErrorHandling(app, deps, methods);
  registerOriginCheck(app, config.baseOrigin);
  registerBrowserId(app, deps);
  registerSessionHook(app, deps);
  registerHealthRoutes(app, deps);
  if (!config.metrics) registerMetricsRoute(app, deps);
  app.addHook("onResponse", async (request, reply) => {
    deps.metrics.httpRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get("/", async (request, reply) => redirectSeeOther(reply, request.auth ? "/account" : "/signin"));
  registerCAPTCHARoutes(app, deps);
  registerSigninRoutes(app, deps);
  registerRegistrationRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerRecoveryRoutes(app, deps);
  registerSettingsRoutes(app, deps);
  registerHelpRoutes(app, deps, helpLibrary);
  registerAdminRoutes(app, deps, helpLibrary);
  registerOIDCRoutes(app, deps);
  registerAppsWithAccessRoutes(app, deps);
  registerForwardAuthRoutes(app, deps);
  return app;
}
