// Turns every error into the public shape: {"error":{code,message,field?}} for the API, a page for
// browsers. Anything not in the catalogue becomes INTERNAL with a request id; details go to the log only.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import type { ErrorCode } from "../errors/catalogue.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { isLocale, type Locale } from "../i18n/locales.ts";
import { html } from "../lib/html.ts";
import { messageForError } from "../messages/errors.ts";
import { classifyStorageOutage, OUTAGE_RETRY_AFTER_SECONDS } from "../stores/outage.ts";
import { renderLayout, supportContactText, VALUE_MARK, withMarkup } from "../views/layout.ts";
import { SHUTTING_DOWN } from "./connections.ts";
import { safeReturnPath } from "./forms.ts";
import { redactURL } from "./log-redaction.ts";
import type { MethodCheck } from "./method-check.ts";
import { csrfTokenFor, languageMenuFor } from "./render.ts";
import { isApiRequest } from "./request-context.ts";

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "VALIDATION_FAILED",
  FST_ERR_CTP_EMPTY_JSON_BODY: "VALIDATION_FAILED",
  FST_ERR_CTP_INVALID_JSON_BODY: "VALIDATION_FAILED",
  FST_CSRF_INVALID_TOKEN: "CSRF_INVALID",
  FST_CSRF_MISSING_SECRET: "CSRF_INVALID",
  FST_ERR_VALIDATION: "VALIDATION_FAILED",
  // Raised by the router before any route runs (see frameworkErrors in app.ts).
  FST_ERR_BAD_URL: "VALIDATION_FAILED",
  FST_ERR_MAX_PARAM_LENGTH: "NOT_FOUND",
  FST_ERR_HANDLER_TIMEOUT: "SERVICE_UNAVAILABLE",
};

/**
 * The code for an error of the request's own stream, never of storage: Node.js ends a body whose client
 * closed the connection, or whose chunked framing it could not parse, with ECONNRESET "aborted" (made by the
 * HTTP server, with no syscall, unlike a driver's socket error), and one that came too slowly with
 * ERR_HTTP_REQUEST_TIMEOUT. Undefined for any other error. The client may be gone; where it is not, it is
 * told its request was refused.
 */
function clientStreamErrorCode(error: unknown): ErrorCode | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall } = error as Error & { code?: unknown; syscall?: unknown };
  if (typeof code !== "string" || syscall !== undefined) return undefined;
  if (code === "ECONNRESET" && error.message === "aborted") return "VALIDATION_FAILED";
  if (code.startsWith("HPE_")) return "VALIDATION_FAILED";
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return "REQUEST_TIMEOUT";
  return undefined;
}

/**
 * Maps any thrown value to an AppError: a storage outage to SERVICE_UNAVAILABLE (503, Retry-After), unknown
 * ones to INTERNAL. `sqliteFile` lets the logged detail name the database file.
 */
export function toAppError(error: unknown, sqliteFile?: string): AppError {
  if (isAppError(error)) return error;
  // Checked before the outage rules: an ECONNRESET from the client is not an unreachable database.
  const clientCode = clientStreamErrorCode(error);
  if (clientCode) return new AppError(clientCode, { detail: `request body: ${(error as FastifyError).code} ${(error as FastifyError).message}` });
  const outage = classifyStorageOutage(error, sqliteFile);
  if (outage) return new AppError("SERVICE_UNAVAILABLE", { cause: error, detail: outage.detail, retryAfter: OUTAGE_RETRY_AFTER_SECONDS });
  const fastifyError = error as FastifyError & { validation?: Array<{ keyword?: string; instancePath?: string; params?: Record<string, unknown> }> };
  if (fastifyError?.validation) {
    const first = fastifyError.validation[0];
    // Route schemas cap an identifier far above what any can be (1024 characters against 320): past that cap
    // it gets the same specific code as one just over the real limit, on every route that takes one.
    if (first?.keyword === "maxLength" && first.instancePath === "/identifier")
      return new AppError("IDENTIFIER_TOO_LONG", { field: "identifier", detail: fastifyError.message });
    const missing = first?.params?.missingProperty;
    const extra = first?.params?.additionalProperty;
    const path = (first?.instancePath ?? "").replace(/^\//, "").split("/")[0];
    const field = typeof missing === "string" ? missing : typeof extra === "string" ? extra : path || undefined;
    return new AppError("VALIDATION_FAILED", { ...(field ? { field } : {}), detail: fastifyError.message });
  }
  const mapped = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped === "SERVICE_UNAVAILABLE") return new AppError(mapped, { detail: fastifyError.message, retryAfter: OUTAGE_RETRY_AFTER_SECONDS });
  if (mapped) return new AppError(mapped, { detail: fastifyError.message });
  // Any other trouble reading the body (Fastify's content-type parser codes) is the client's request.
  if (typeof fastifyError?.code === "string" && fastifyError.code.startsWith("FST_ERR_CTP_"))
    return new AppError("VALIDATION_FAILED", { detail: fastifyError.message });
  // The static-file plugin refuses paths that climb out of its folder ("/assets/../package.json") with 403
  // and missing files with 404: to the visitor both are simply not there.
  if (fastifyError?.statusCode === 403 || fastifyError?.statusCode === 404) return new AppError("NOT_FOUND", { detail: fastifyError.message });
  if (fastifyError?.statusCode === 400 || fastifyError?.statusCode === 413 || fastifyError?.statusCode === 415) {
    const code: ErrorCode =
      fastifyError.statusCode === 413 ? "PAYLOAD_TOO_LARGE" : fastifyError.statusCode === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "VALIDATION_FAILED";
    return new AppError(code, { detail: fastifyError.message });
  }
  return new AppError("INTERNAL", { cause: error, detail: error instanceof Error ? error.message : String(error) });
}

export function sendApiError(reply: FastifyReply, error: AppError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
  markUncached(reply);
  // The code is the stable contract; the message is in the request's language.
  const message = messageForError(error.code, error.params, localeOf(reply.request), error.retryAfter);
  const body: { code: string; message: string; field?: string; requestId?: string } = { code: error.code, message };
  if (error.field) body.field = error.field;
  if (error.code === "INTERNAL") body.requestId = String(reply.request.id);
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send({ error: body, ...(error.extra ?? {}) });
}

/**
 * The request's language. Errors the router raises before the request's hooks ran (a malformed address)
 * have none yet: they are answered in the default language.
 */
function localeOf(request: FastifyRequest, fallback: Locale = "en"): Locale {
  return isLocale(request.locale) ? request.locale : fallback;
}

function errorPageTitle(error: AppError, t: Translate): string {
  if (error.status === 404) return t("errors.pageNotFoundTitle");
  if (error.code === "CSRF_INVALID") return t("errors.pageFormExpiredTitle");
  if (error.status === 429) return t("errors.pageWaitTitle");
  if (error.code === "SERVICE_UNAVAILABLE") return t("errors.pageUnavailableTitle");
  return t("errors.pageErrorTitle");
}

/**
 * Error answers are never cached, wherever they are: a page that is not found under /assets/ (where files
 * may be cached) still carries the visitor's CSRF cookie and signed-in header.
 */
function markUncached(reply: FastifyReply): void {
  reply.header("cache-control", "no-store");
}

function sendErrorPage(reply: FastifyReply, deps: Pick<Deps, "config">, error: AppError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
  markUncached(reply);
  const request = reply.request;
  const locale = localeOf(request, deps.config.locales.fallback);
  const t = translator(locale);
  const title = errorPageTitle(error, t);
  // Back to the page the form came from, by the same rule as every return path: never another host.
  // A form that failed goes back to its page; a page that does not exist has none (its button says "start page").
  const back = request.method !== "GET" && error.status !== 404 ? safeReturnPath(request.url.split("?")[0], "/") : "/";
  const body = html`<h1>${title}</h1>
<p class="lead">${messageForError(error.code, error.params, locale, error.retryAfter)}</p>
${error.code === "INTERNAL" ? html`<p>${withMarkup(t("errors.pageReference", { id: VALUE_MARK }), html`<code>${String(request.id)}</code>`)}</p>` : ""}
<p><a class="button" href="${back}">${error.status === 404 ? t("errors.pageStartPage") : t("errors.pageGoBack")}</a></p>
<p class="aside"><a href="/help">${t("layout.navHelp")}</a> \u00B7 <a href="/help/problems-signing-in">${t("layout.footerProblemsSigningIn")}</a></p>
${deps.config.branding.supportContact ? html`<p class="aside">${supportContactText(deps.config.branding, t)}</p>` : ""}`;
  // A page that is not there has nothing to come back to: its menu returns to the start page, so every
  // "not found" page is the same page whatever address was asked for.
  const menu = languageMenuFor(request, deps, error.status === 404 ? "/" : undefined);
  const csrfToken = menu || request.auth ? pageCsrfToken(reply) : undefined;
  return reply
    .code(error.status)
    .type("text/html; charset=utf-8")
    .send(
      renderLayout({
        title,
        locale,
        branding: deps.config.branding,
        body,
        narrow: true,
        user: request.auth ? { name: request.auth.account.name, isAdmin: request.auth.account.isAdmin } : null,
        testMode: deps.config.captchaTestMode,
        ...(csrfToken ? { csrfToken } : {}),
        ...(menu && csrfToken ? { languageMenu: menu } : {}),
      }),
    );
}

/** A CSRF token for the error page's forms, unless the error came before the request was read far enough to make one. */
function pageCsrfToken(reply: FastifyReply): string | undefined {
  try {
    return csrfTokenFor(reply);
  } catch {
    return undefined;
  }
}

/** Details may quote the request ("GET /admin?q=…"): their query values are redacted too. */
function redactURLsIn(detail: string): string {
  return detail.replace(/\/[^\s?]*\?\S*/g, (url) => redactURL(url));
}

/**
 * Answers the errors Fastify's router raises before a route or our error handler is involved (a URL that
 * cannot be decoded, a path parameter over the length limit) in our own shape instead of Fastify's.
 */
export function sendFrameworkError(deps: Pick<Deps, "config">, error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  request.log.info({ code: appError.code }, "request refused");
  return isApiRequest(request) ? sendApiError(reply, appError) : sendErrorPage(reply, deps, appError);
}

export function registerErrorHandling(app: FastifyInstance, deps: Pick<Deps, "config">, methods?: MethodCheck): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error, deps.config.database.kind === "sqlite" ? deps.config.database.file : undefined);
    if (appError.code === "INTERNAL") request.log.error({ err: error }, "unexpected error");
    // An outage is the operator's to fix: logged as an error with what failed, answered 503. A request that
    // came while the instance stops is part of every deploy, not an outage.
    else if (appError.code === "SERVICE_UNAVAILABLE" && appError.detail !== SHUTTING_DOWN)
      request.log.error({ code: appError.code, detail: appError.detail }, "storage unavailable");
    else request.log.info({ code: appError.code, detail: appError.detail === undefined ? undefined : redactURLsIn(appError.detail) }, "request refused");
    return isApiRequest(request) ? sendApiError(reply, appError) : sendErrorPage(reply, deps, appError);
  });
  app.setNotFoundHandler((request, reply) => answerUnknownRoute(deps, methods, request, reply));
}

/** 404 for an address no route has, or 405 with Allow for a known one asked with another method. */
function answerUnknownRoute(deps: Pick<Deps, "config">, methods: MethodCheck | undefined, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const allowed = methods?.allowedMethods(request);
  if (allowed) reply.header("allow", allowed.join(", "));
  const error = new AppError(allowed ? "METHOD_NOT_ALLOWED" : "NOT_FOUND", { detail: `${request.method} ${request.url}` });
  return isApiRequest(request) ? sendApiError(reply, error) : sendErrorPage(reply, deps, error);
}

/**
 * Answers a request for an unknown address (or method) as soon as the request's own hooks have run, before
 * its body is read. Register it after the session and language hooks (the answer depends on both). The
 * admin console answers visitors who are not admins before reading the body; an unknown address that
 * read it would answer a malformed or oversized body with 400 or 413, and the difference would show
 * which addresses the console has.
 */
export function registerEarlyNotFound(app: FastifyInstance, deps: Pick<Deps, "config">, methods?: MethodCheck): void {
  // A callback hook, not an async one: it runs on every request (the session check's too) and almost always
  // has nothing to do. Answering ends the request here, so done() is called only when it goes on.
  app.addHook("onRequest", (request, reply, done) => {
    if (!request.is404) return done();
    answerUnknownRoute(deps, methods, request, reply);
  });
}
