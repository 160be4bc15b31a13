// The account page (identifiers, sessions) and its API calls.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { toPublicAccount } from "../accounts/public-account.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { describeAuditEvent, recordAuditEvent } from "../audit/audit.ts";
import { requireApiAuth, requirePageAuth } from "../http/auth.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { limitClient } from "../http/client-limits.ts";
import { fieldErrorFrom, loadFlow, saveFlow } from "../http/flows.ts";
import { formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { describeTimeAgo, describeUserAgent } from "../lib/user-agent.ts";
import { countryName, type IPCountryTable, loadIPCountryTable } from "../lib/ip-country.ts";
import { invalidateAccountSession, invalidateOtherSessions, listAccountSessions } from "../sessions/sessions.ts";
import { accountPage } from "../views/account-page.ts";
import { listAppsWithAccess } from "../oidc/account-apps.ts";
import { describeScope } from "../views/oidc-pages.ts";
import { verifyPage } from "../views/auth-pages.ts";
import { confirmAddingIdentifier, removeIdentifier, startAddingIdentifier } from "./identifiers.ts";

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const AddIdentifierBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
const ConfirmIdentifierBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

const NOTICES: Record<string, string> = {
  "session-ended": "That session has been signed out.",
  welcome: "Your account is confirmed and you are signed in.",
  "others-ended": "You have been signed out everywhere else.",
  "identifier-added": "Added. You can now sign in with it.",
  "identifier-removed": "Removed. It can no longer be used to sign in.",
  "password-changed": "Your password has been changed. We've sent you a notice about it.",
  "app-removed": "Access removed. The application has been signed out and must ask again.",
};

export function registerAccountRoutes(app: FastifyInstance, deps: Deps): void {
  // Read once at start-up; the owner's file is the only source, nothing is looked up over the network.
  const ipCountries: IPCountryTable | null = deps.config.ipCountryCsv ? loadIPCountryTable(deps.config.ipCountryCsv) : null;
  const countryOf = (ip: string | null): string | null => (ip && ipCountries ? (ipCountries.countryOf(ip) ?? null) : null);

  app.get("/account", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const query = request.query as Record<string, unknown>;
    const flow = await loadFlow(deps, request, query.flow);
    const now = deps.clock.now();
    const [identifiers, sessions, events, apps] = await Promise.all([
      deps.stores.accounts.listIdentifiers(auth.account.id),
      listAccountSessions(deps, auth.account.id),
      deps.stores.audit.listEvents({ accountId: auth.account.id, limit: 10 }),
      listAppsWithAccess(deps, auth.account.id),
    ]);
    const noticeText = typeof query.done === "string" ? NOTICES[query.done] : undefined;
    const body = accountPage({
      csrfToken: csrfTokenFor(reply),
      account: toPublicAccount(auth.account, identifiers),
      sessions: sessions.map((s) => ({
        id: s.id,
        device: describeUserAgent(s.userAgent),
        createdAgo: describeTimeAgo(s.createdAt, now),
        createdAt: s.createdAt.toISOString(),
        lastSeenAgo: describeTimeAgo(s.lastSeenAt, now),
        current: s.id === auth.session.id,
        ip: s.ip,
        country: ((code) => (code ? countryName(code) : null))(countryOf(s.ip)),
      })),
      errors: flow?.errors ?? [],
      identifierInput: flow?.values.identifier ?? "",
      activity: events.map((e) => ({
        text: `${describeAuditEvent(e.type)}${e.userAgent ? ` from ${describeUserAgent(e.userAgent)}` : ""}`,
        at: e.at.toISOString(),
        ago: describeTimeAgo(e.at, now),
      })),
      ...(noticeText ? { notice: noticeText } : {}),
      apps: apps.map((a) => ({ clientId: a.clientId, name: a.name, access: a.scopes.filter((s) => s !== "openid").map(describeScope), sinceAgo: describeTimeAgo(a.since, now) })),
    });
    return sendPage(request, reply, deps, { title: "Your account", body, narrow: false });
  });

  app.post("/account/sessions/:id/revoke", { preHandler: app.csrfProtection, schema: { params: IdParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const { id } = request.params as Static<typeof IdParams>;
    // Another account's session (or one already gone) is refused, not reported as signed out.
    if (!(await invalidateAccountSession(deps, auth.account.id, id))) throw new AppError("SESSION_NOT_FOUND");
    // Ending this browser's own session from the list is a sign-out; any other is one session ended.
    const type = id === auth.session.id ? "signout" : "session.revoked";
    await recordAuditEvent(deps, { type, accountId: auth.account.id, context: sessionContextOf(request), ...(type === "session.revoked" ? { detail: { count: 1 } } : {}) });
    return redirectSeeOther(reply, id === auth.session.id ? "/signin?done=signed-out" : "/account?done=session-ended");
  });

  app.post("/account/sessions/revoke-others", { preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const count = await invalidateOtherSessions(deps, auth.account.id, auth.session.id);
    await recordAuditEvent(deps, { type: "sessions.revoked", accountId: auth.account.id, context: sessionContextOf(request), detail: { count } });
    return redirectSeeOther(reply, "/account?done=others-ended");
  });

  app.post("/account/identifiers", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const input = chosenIdentifier(request) ?? formField(request, "identifier", 1024);
    try {
      const identifier = await startAddingIdentifier(deps, auth.account.id, input);
      const flow = await saveFlow(deps, request, { values: { identifier: input }, errors: [], data: { sentTo: identifier.display, channel: identifier.kind } });
      return redirectSeeOther(reply, withQuery("/account/identifiers/verify", { flow }));
    } catch (error) {
      if (!isAppError(error) || (error.status >= 500 && error.code !== "DELIVERY_FAILED")) throw error;
      const flow = await saveFlow(deps, request, { values: { identifier: input }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/account", { flow }));
    }
  });

  app.get("/account/identifiers/verify", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
    const body = verifyPage({
      csrfToken: csrfTokenFor(reply),
      errors: flow?.errors ?? [],
      identifier: flow?.values.identifier ?? "",
      code: "",
      action: "/account/identifiers/verify",
      heading: "Confirm the new address or number",
      resent: flow?.data?.resent === "1",
      ...(flow?.data?.sentTo ? { sentTo: flow.data.sentTo, channel: flow.data.channel === "phone" ? ("phone" as const) : ("email" as const) } : {}),
    });
    return sendPage(request, reply, deps, { title: "Confirm the new address or number", body });
  });

  app.post("/account/identifiers/verify", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const identifier = formField(request, "identifier", 1024);
    try {
      await confirmAddingIdentifier(deps, auth.account.id, { identifier, code: formField(request, "code", 64), context: sessionContextOf(request) });
      return redirectSeeOther(reply, "/account?done=identifier-added");
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/account/identifiers/verify", { flow }));
    }
  });

  app.post("/account/identifiers/verify/resend", { preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const identifier = formField(request, "identifier", 1024);
    try {
      await startAddingIdentifier(deps, auth.account.id, identifier);
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [], data: { resent: "1" } });
      return redirectSeeOther(reply, withQuery("/account/identifiers/verify", { flow }));
    } catch (error) {
      if (!isAppError(error) || (error.status >= 500 && error.code !== "DELIVERY_FAILED")) throw error;
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/account/identifiers/verify", { flow }));
    }
  });

  app.post("/account/identifiers/:id/remove", { preHandler: app.csrfProtection, schema: { params: IdParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    try {
      await removeIdentifier(deps, auth.account.id, (request.params as Static<typeof IdParams>).id, sessionContextOf(request));
      return redirectSeeOther(reply, "/account?done=identifier-removed");
    } catch (error) {
      if (!isAppError(error)) throw error;
      const flow = await saveFlow(deps, request, { values: {}, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/account", { flow }));
    }
  });

  // JSON API
  app.get("/api/v1/sessions", async (request, reply) => {
    const auth = requireApiAuth(request);
    const sessions = await listAccountSessions(deps, auth.account.id);
    return reply.send({
      sessions: sessions.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        userAgent: s.userAgent,
        device: describeUserAgent(s.userAgent),
        ip: s.ip,
        country: countryOf(s.ip),
        current: s.id === auth.session.id,
      })),
    });
  });

  app.delete("/api/v1/sessions/:id", { schema: { params: IdParams } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const ended = await invalidateAccountSession(deps, auth.account.id, (request.params as Static<typeof IdParams>).id);
    // Another account's session id answers exactly like one that does not exist.
    if (!ended) throw new AppError("SESSION_NOT_FOUND");
    await recordAuditEvent(deps, { type: "session.revoked", accountId: auth.account.id, context: sessionContextOf(request), detail: { count: 1 } });
    return reply.code(204).send();
  });

  app.delete("/api/v1/sessions", async (request, reply) => {
    const auth = requireApiAuth(request);
    const ended = await invalidateOtherSessions(deps, auth.account.id, auth.session.id);
    await recordAuditEvent(deps, { type: "sessions.revoked", accountId: auth.account.id, context: sessionContextOf(request), detail: { count: ended } });
    return reply.send({ ended });
  });

  app.post("/api/v1/account/identifiers", { schema: { body: AddIdentifierBody }, preHandler: limitClient(deps, "verification") }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await startAddingIdentifier(deps, auth.account.id, (request.body as Static<typeof AddIdentifierBody>).identifier);
    return reply.code(202).send({ verification: "sent" });
  });

  app.post("/api/v1/account/identifiers/verify", { schema: { body: ConfirmIdentifierBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await confirmAddingIdentifier(deps, auth.account.id, { ...(request.body as Static<typeof ConfirmIdentifierBody>), context: sessionContextOf(request) });
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    return reply.code(201).send({ account: toPublicAccount(auth.account, identifiers) });
  });

  app.delete("/api/v1/account/identifiers/:id", { schema: { params: IdParams } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await removeIdentifier(deps, auth.account.id, (request.params as Static<typeof IdParams>).id, sessionContextOf(request));
    return reply.code(204).send();
  });
}
