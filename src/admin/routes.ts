// /admin: the admin console (accounts, security events, the help feedback report) and its exports. To
// everyone but admins these addresses do not exist: every route and method answers like an unknown page.
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { getSecurityOverview } from "../factors/account-security.ts";
import type { HelpLibrary } from "../help/articles.ts";
import { utcDayOf } from "../help/feedback.ts";
import { answerJson, answerPage, readFlow } from "../http/flow-adapter.ts";
import { adminActionPageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formField, isRecord, ownValue, redirectSeeOther, withQuery } from "../http/forms.ts";
import type { MethodCheckConfig } from "../http/method-check.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { clearSessionCookie } from "../http/session-hook.ts";
import { type MessageId, translator } from "../i18n/catalogue.ts";
import { isLocale } from "../i18n/locales.ts";
import { html } from "../lib/html.ts";
import { describeBrowserAndSystem, describeUserAgent } from "../lib/user-agent.ts";
import { listAccountSessions } from "../sessions/sessions.ts";
import { adminAccountPage } from "../views/admin-account-page.ts";
import { adminAccountsPage } from "../views/admin-accounts-page.ts";
import { adminAppsPage } from "../views/admin-apps-page.ts";
import { adminConfirmPage } from "../views/admin-confirm-page.ts";
import { adminEventsPage } from "../views/admin-events-page.ts";
import { adminNav } from "../views/admin-nav.ts";
import { ADMIN_PERIODS, adminPage } from "../views/admin-page.ts";
import { ACTION_RULES, type AdminAction, isAdminAction } from "./account-actions.ts";
import { type AccountWithIdentifiers, findAccount, formatAccountCursor, listAccountsPage, parseAccountCursor } from "./account-search.ts";
import { runAdminAction } from "./admin-action-flow.ts";
import { helpFeedbackCSV } from "./csv.ts";
import { buildHelpFeedbackReport } from "./report.ts";
import {
  ACTIVITY_PERIODS,
  buildHourlyActivity,
  formatEventCursor,
  parseEventCursor,
  parseEventFilter,
  searchSecurityEvents,
  securityEventsCSV,
} from "./security-events.ts";

/**
 * Throws NOT_FOUND unless an admin is signed in. Not 401 or 403: answering like any unknown address
 * does not tell anyone that an admin area exists, or that the signed-in account is not allowed in.
 * It runs before anything else about the request is looked at (CSRF token, parameters, body), so none
 * of those can answer differently either.
 */
function requireAdmin(request: FastifyRequest): NonNullable<FastifyRequest["auth"]> {
  if (!request.auth?.account.isAdmin) throw new AppError("NOT_FOUND", { detail: `${request.method} ${request.url}` });
  return request.auth;
}

function isAdminRequest(request: FastifyRequest): boolean {
  return request.auth?.account.isAdmin === true;
}

const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/**
 * Methods an address does not accept answer like an unknown address too (the router would otherwise say
 * 405 and so reveal that the address exists); only admins learn which methods are accepted.
 */
function refuseOtherMethods(app: FastifyInstance, url: string, accepted: ReadonlyArray<"GET" | "POST">): void {
  // HEAD comes with every GET route.
  const allow: string[] = accepted.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
  const refuse = async (request: FastifyRequest, reply: FastifyReply): Promise<never> => {
    requireAdmin(request);
    reply.header("allow", allow.join(", "));
    throw new AppError("METHOD_NOT_ALLOWED", { detail: `${request.method} ${request.url}` });
  };
  app.route({
    method: ALL_METHODS.filter((m) => !allow.includes(m)),
    url,
    // Methods no route here has (TRACE, PROPFIND, …) reach the not-found handler: it too says 405 to admins only.
    config: { revealMethodsTo: isAdminRequest } satisfies MethodCheckConfig,
    // Before the body is read, as for an unknown address: a malformed or oversized body must not change the answer.
    onRequest: refuse,
    handler: refuse,
  });
}

/** ?days= as one of the offered periods, or null for all time. */
function periodDays(request: FastifyRequest): number | null {
  const raw = ownValue(request.query, "days");
  const days = typeof raw === "string" ? Number(raw) : Number.NaN;
  return ADMIN_PERIODS.some((p) => p.days === days) ? days : null;
}

// The admin routes have no schemas: requireAdmin must answer before anything about the request is
// checked, so parameters are read here, field by field.
function queryOf(request: FastifyRequest): Record<string, unknown> {
  return isRecord(request.query) ? request.query : {};
}

function paramOf(request: FastifyRequest, name: string): string {
  const value = ownValue(request.params, name);
  return typeof value === "string" ? value : "";
}

/** The notice an account page or the list shows after an action (`?done=<key>`). */
const ACCOUNT_NOTICES: Record<string, MessageId> = {
  disable: "admin.noticeDisable",
  enable: "admin.noticeEnable",
  "sign-out": "admin.noticeSignOut",
  "reset-password": "admin.noticeResetPassword",
  "grant-admin": "admin.noticeGrantAdmin",
  "revoke-admin": "admin.noticeRevokeAdmin",
  deleted: "admin.noticeDeleted",
  "remove-second-factors": "admin.noticeSecondFactorsRemoved",
  unchanged: "admin.noticeUnchanged",
};

/** The notice for `?done=<key>` in the request's language, or undefined for an unknown key. */
function accountNotice(request: FastifyRequest, key: unknown): string | undefined {
  const id = typeof key === "string" && Object.hasOwn(ACCOUNT_NOTICES, key) ? ACCOUNT_NOTICES[key] : undefined;
  return id ? translator(request.locale)(id) : undefined;
}

/** The account with its identifiers, or NOT_FOUND. */
async function loadAccount(deps: Deps, accountId: string): Promise<AccountWithIdentifiers> {
  const account = /^[A-Za-z0-9_-]{1,64}$/.test(accountId) ? await deps.stores.accounts.getAccountById(accountId) : null;
  if (!account) throw new AppError("NOT_FOUND", { detail: `admin: no account ${accountId}` });
  return { account, identifiers: await deps.stores.accounts.listIdentifiers(account.id) };
}

function actionOf(request: FastifyRequest): AdminAction {
  const action = paramOf(request, "action");
  if (!isAdminAction(action)) throw new AppError("NOT_FOUND", { detail: `admin: no action ${action}` });
  return action;
}

/** Where to go after an action: the console, or away from it when the admin changed their own access. */
export function registerAdminRoutes(app: FastifyInstance, deps: Deps, library: HelpLibrary): void {
  const adminOnly = async (request: FastifyRequest): Promise<void> => {
    requireAdmin(request);
  };
  for (const url of [
    "/admin",
    "/admin/accounts",
    "/admin/accounts/:id",
    "/admin/events",
    "/admin/events.csv",
    "/admin/apps",
    "/admin/help-feedback",
    "/admin/feedback.csv",
  ]) {
    refuseOtherMethods(app, url, ["GET"]);
  }
  refuseOtherMethods(app, "/admin/accounts/:id/:action", ["GET", "POST"]);

  // The console opens on the accounts; old links to the report (/admin?days=…) still reach it.
  app.get("/admin", async (request, reply) => {
    requireAdmin(request);
    const days = periodDays(request);
    return redirectSeeOther(reply, days ? `/admin/help-feedback?days=${days}` : "/admin/accounts");
  });

  app.get("/admin/accounts", async (request, reply) => {
    requireAdmin(request);
    const query = queryOf(request);
    const q = typeof query.q === "string" ? query.q.trim().slice(0, 320) : "";
    const after = parseAccountCursor(query.after);
    // A search shows only what it found; the list is for browsing.
    const [found, page] = q ? [await findAccount(deps, q), { accounts: [] }] : [undefined, await listAccountsPage(deps, after)];
    const done = accountNotice(request, query.done);
    const t = translator(request.locale);
    const body = adminAccountsPage({
      locale: request.locale,
      query: q,
      ...(found !== undefined ? { found } : {}),
      accounts: page.accounts,
      paged: after !== undefined,
      ...(page.next ? { nextHref: withQuery("/admin/accounts", { after: formatAccountCursor(page.next) }) } : {}),
      ...(done ? { notice: done } : {}),
    });
    return sendPage(request, reply, deps, { title: q ? `${t("admin.accountsTitle")}: ${q}` : t("admin.accountsTitle"), body, narrow: false });
  });

  app.get("/admin/accounts/:id", async (request, reply) => {
    const auth = requireAdmin(request);
    const account = await loadAccount(deps, paramOf(request, "id"));
    const [sessions, events, security] = await Promise.all([
      listAccountSessions(deps, account.account.id),
      deps.stores.audit.searchEvents({ accountId: account.account.id, limit: 20 }),
      getSecurityOverview(deps, account.account.id),
    ]);
    const noticeText = accountNotice(request, queryOf(request).done);
    const t = translator(request.locale);
    const body = adminAccountPage({
      locale: request.locale,
      account,
      self: account.account.id === auth.account.id,
      secondFactors: { totp: security.totp === "on", passkeys: security.passkeys.length, recoveryCodesLeft: security.recoveryCodesLeft },
      sessions: sessions.map((s) => ({ ...describeBrowserAndSystem(s.userAgent, t), ip: s.ip, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt })),
      events: events.map((e) => ({ at: e.at, text: describeAuditEvent(e.type, t), ip: e.ip, device: e.userAgent ? describeUserAgent(e.userAgent, t) : null })),
      ...(noticeText ? { notice: noticeText } : {}),
    });
    return sendPage(request, reply, deps, { title: t("admin.colAccount"), body, narrow: false });
  });

  app.get("/admin/accounts/:id/:action", async (request, reply) => {
    const auth = requireAdmin(request);
    const action = actionOf(request);
    const account = await loadAccount(deps, paramOf(request, "id"));
    if (!ACTION_RULES[action].applies(account.account)) return redirectSeeOther(reply, `/admin/accounts/${account.account.id}?done=unchanged`);
    const flow = await readFlow(deps, request, adminActionPageFlow, queryOf(request).flow);
    const state = flow?.state.accountId === account.account.id && flow.state.action === action ? flow.state : null;
    const body = adminConfirmPage({
      t: translator(request.locale),
      account,
      action,
      csrfToken: csrfTokenFor(reply),
      errors: state?.error ? [fieldErrorOf(state.error)] : [],
      self: account.account.id === auth.account.id,
      ...(state?.identifierId ? { identifierId: state.identifierId } : {}),
    });
    return sendPage(request, reply, deps, { title: translator(request.locale)("admin.confirmPageTitle"), body });
  });

  app.post("/admin/accounts/:id/:action", { onRequest: adminOnly, preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requireAdmin(request);
    const action = actionOf(request);
    const accountId = paramOf(request, "id");
    const identifierId = formField(request, "identifier", 64);
    const result = await runAdminAction(deps, {
      admin: auth.account,
      accountId,
      action,
      password: formField(request, "password", 1024),
      ...(identifierId ? { identifierId } : {}),
      context: sessionContextOf(request),
    });
    return answerPage(deps, request, reply, adminActionPageFlow, result, (done) => {
      if (done.kind === "done" && done.signedOut) clearSessionCookie(reply, deps);
      return done.kind === "done" ? done.location : `/admin/accounts/${accountId}`;
    });
  });

  // The same actions for support tools and scripts, as JSON: `{"password": "…"}` (the admin's own, for the
  // actions with step-up) and, for reset-password, `{"identifier": "<identifier id>"}`. The admin check runs
  // when the request arrives, before its body is read, so to anyone else the address does not exist.
  refuseOtherMethods(app, "/api/v1/admin/accounts/:id/:action", ["POST"]);
  app.post("/api/v1/admin/accounts/:id/:action", { onRequest: adminOnly }, async (request, reply) => {
    const auth = requireAdmin(request);
    const action = actionOf(request);
    const body = isRecord(request.body) ? request.body : {};
    const text = (name: string, max: number): string => {
      const value = ownValue(body, name);
      return typeof value === "string" ? value.slice(0, max) : "";
    };
    const identifierId = text("identifier", 64);
    const result = await runAdminAction(deps, {
      admin: auth.account,
      accountId: (await loadAccount(deps, paramOf(request, "id"))).account.id,
      action,
      password: text("password", 1024),
      ...(identifierId ? { identifierId } : {}),
      context: sessionContextOf(request),
    });
    return answerJson(result, (done) => {
      if (done.kind !== "done") throw new Error(`admin API cannot answer ${done.kind}`);
      if (done.signedOut) clearSessionCookie(reply, deps);
      return reply.code(200).send({ changed: done.changed });
    });
  });

  app.get("/admin/events", async (request, reply) => {
    requireAdmin(request);
    const query = queryOf(request);
    const { input, filter, problems } = await parseEventFilter(deps, query);
    const before = parseEventCursor(query.before);
    const rawDays = Number(query.days);
    const days = (ACTIVITY_PERIODS as readonly number[]).includes(rawDays) ? rawDays : 7;
    const [page, activity] = await Promise.all([searchSecurityEvents(deps, filter, before), buildHourlyActivity(deps, days)]);
    const body = adminEventsPage({
      input,
      problems,
      events: page.events,
      paged: before !== undefined,
      ...(page.next ? { nextHref: withQuery("/admin/events", { ...input, days: String(days), before: formatEventCursor(page.next) }) } : {}),
      csvHref: withQuery("/admin/events.csv", { ...input }),
      activity,
      days,
      locale: request.locale,
    });
    return sendPage(request, reply, deps, { title: translator(request.locale)("admin.eventsPageTitle"), body, narrow: false });
  });

  app.get("/admin/events.csv", async (request, reply) => {
    requireAdmin(request);
    const { filter } = await parseEventFilter(deps, queryOf(request));
    const csv = Readable.from(await securityEventsCSV(deps, filter));
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="security-events-${utcDayOf(deps.clock.now())}.csv"`)
      .send(csv);
  });

  app.get("/admin/apps", async (request, reply) => {
    requireAdmin(request);
    const clients = await deps.stores.oidcClients.listClients();
    const t = translator(request.locale);
    return sendPage(request, reply, deps, { title: t("admin.navApps"), body: adminAppsPage(clients, request.locale), narrow: false });
  });

  app.get("/admin/help-feedback", async (request, reply) => {
    requireAdmin(request);
    const days = periodDays(request);
    const lang = ownValue(request.query, "lang");
    const locale = isLocale(lang) ? lang : undefined;
    const report = await buildHelpFeedbackReport(deps, library, { ...(days ? { sinceDays: days } : {}), ...(locale ? { locale } : {}) });
    const t = translator(request.locale);
    return sendPage(request, reply, deps, {
      title: t("admin.feedbackTitle"),
      body: html`${adminNav("feedback", t)}${adminPage(report, days, request.locale)}`,
      narrow: false,
    });
  });

  app.get("/admin/feedback.csv", async (request, reply) => {
    requireAdmin(request);
    const csv = Readable.from(await helpFeedbackCSV(deps, library));
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="help-feedback-${utcDayOf(deps.clock.now())}.csv"`)
      .send(csv);
  });
}
