// The account page (identifiers, sessions) and its API calls. Each route reads its input, calls a service
// (identifier-flow.ts, session-revocation.ts) and hands the result to the flow adapter.
import { Type } from "@sinclair/typebox";
import { toPublicAccount } from "../accounts/public-account.ts";
import { describeAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { requireApiAuth, requirePageAuth } from "../http/auth.ts";
import { limitClient } from "../http/client-limits.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { answerJson, answerPage, answerPageOrError, readFlow } from "../http/flow-adapter.ts";
import { IDENTIFIER_PAGES, identifierPageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formField, ownValue, redirectSeeOther } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { countryName, type IPCountryTable, loadIPCountryTable } from "../lib/ip-country.ts";
import { describeTimeAgo, describeUserAgent } from "../lib/user-agent.ts";
import { accountNotice, pageTitles } from "../messages/pages.ts";
import { listAppsWithAccess } from "../oidc/account-apps.ts";
import { listAccountSessions } from "../sessions/sessions.ts";
import { accountPage, describeActivity } from "../views/account-page.ts";
import { verifyPage } from "../views/auth-pages.ts";
import { describeScope } from "../views/oidc-pages.ts";
import { type IdentifierResult, runAddIdentifier, runConfirmIdentifier, runRemoveIdentifier, runResendIdentifierCode } from "./identifier-flow.ts";
import { revokeAccountSession, revokeOtherSessions } from "./session-revocation.ts";

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const AddIdentifierBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
const ConfirmIdentifierBody = Type.Object(
  { identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

export function registerAccountRoutes(app: TypedApp, deps: Deps): void {
  // Read once at start-up; the owner's file is the only source, nothing is looked up over the network.
  const ipCountries: IPCountryTable | null = deps.config.ipCountryCsv ? loadIPCountryTable(deps.config.ipCountryCsv) : null;
  const countryOf = (ip: string | null): string | null => (ip && ipCountries ? (ipCountries.countryOf(ip) ?? null) : null);

  app.get("/account", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const query = request.query;
    const state = (await readFlow(deps, request, identifierPageFlow, ownValue(query, "flow")))?.state;
    const now = deps.clock.now();
    const [identifiers, sessions, events, apps] = await Promise.all([
      deps.stores.accounts.listIdentifiers(auth.account.id),
      listAccountSessions(deps, auth.account.id),
      deps.stores.audit.listEvents({ accountId: auth.account.id, limit: 10 }),
      listAppsWithAccess(deps, auth.account.id),
    ]);
    const noticeText = accountNotice(ownValue(query, "done"));
    const locale = request.locale;
    const t = translator(locale);
    const body = accountPage({
      t,
      csrfToken: csrfTokenFor(reply),
      account: toPublicAccount(auth.account, identifiers),
      sessions: sessions.map((s) => ({
        id: s.id,
        device: describeUserAgent(s.userAgent, t),
        createdAgo: describeTimeAgo(s.createdAt, now, locale),
        createdAt: s.createdAt.toISOString(),
        lastSeenAgo: describeTimeAgo(s.lastSeenAt, now, locale),
        current: s.id === auth.session.id,
        ip: s.ip,
        country: ((code) => (code ? countryName(code, locale) : null))(countryOf(s.ip)),
      })),
      errors: state?.step === "identifier" && state.error ? [fieldErrorOf(state.error)] : [],
      identifierInput: state?.step === "identifier" ? state.identifier : "",
      activity: events.map((e) => ({
        text: describeActivity(describeAuditEvent(e.type, t), e.userAgent ? describeUserAgent(e.userAgent, t) : null, t),
        at: e.at.toISOString(),
        ago: describeTimeAgo(e.at, now, locale),
      })),
      ...(noticeText ? { notice: noticeText } : {}),
      apps: apps.map((a) => ({
        clientId: a.clientId,
        name: a.name,
        access: a.scopes.filter((s) => s !== "openid").map((s) => describeScope(s, t)),
        sinceAgo: describeTimeAgo(a.since, now, locale),
      })),
    });
    return sendPage(request, reply, deps, { title: pageTitles.account, body, narrow: false });
  });

  // Ending another session needs a recent confirmation, ending one's own does not (CONFIRMED_ROUTES).
  app.post("/account/sessions/:id/revoke", { preHandler: app.csrfProtection, schema: { params: IdParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    const result = await revokeAccountSession(deps, {
      accountId: auth.account.id,
      sessionId: id,
      currentSessionId: auth.session.id,
      context: sessionContextOf(request),
    });
    return answerPageOrError(reply, result, (ended) => (ended.kind === "signed-out" ? "/signin?done=signed-out" : "/account?done=session-ended"));
  });

  app.post("/account/sessions/revoke-others", { preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    await revokeOtherSessions(deps, { accountId: auth.account.id, currentSessionId: auth.session.id, context: sessionContextOf(request) });
    return redirectSeeOther(reply, "/account?done=others-ended");
  });

  /** Where a page of adding or removing an identifier goes when it leaves the flow. */
  const leaveIdentifierPage = (result: IdentifierResult): string =>
    result.kind === "identifier-removed" ? "/account?done=identifier-removed" : IDENTIFIER_PAGES.done;

  app.post("/account/identifiers", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const result = await runAddIdentifier(deps, {
      accountId: auth.account.id,
      identifier: chosenIdentifier(request) ?? formField(request, "identifier", 1024),
      locale: request.locale,
    });
    return answerPage(deps, request, reply, identifierPageFlow, result, leaveIdentifierPage);
  });

  app.get("/account/identifiers/verify", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const flow = await readFlow(deps, request, identifierPageFlow, ownValue(request.query, "flow"));
    const state = flow?.state.step === "code" ? flow.state : undefined;
    const body = verifyPage({
      csrfToken: csrfTokenFor(reply),
      errors: state?.error ? [fieldErrorOf(state.error)] : [],
      identifier: state?.identifier ?? "",
      code: "",
      action: "/account/identifiers/verify",
      heading: pageTitles.confirmIdentifier,
      resent: state?.resent === true,
      ...(state?.sentTo ? { sentTo: state.sentTo, channel: state.channel === "phone" ? ("phone" as const) : ("email" as const) } : {}),
    });
    return sendPage(request, reply, deps, { title: pageTitles.confirmIdentifier, body });
  });

  app.post("/account/identifiers/verify", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const input = {
      accountId: auth.account.id,
      identifier: formField(request, "identifier", 1024),
      code: formField(request, "code", 64),
      context: sessionContextOf(request),
    };
    return answerPage(deps, request, reply, identifierPageFlow, await runConfirmIdentifier(deps, input), leaveIdentifierPage);
  });

  app.post("/account/identifiers/verify/resend", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const result = await runResendIdentifierCode(deps, {
      accountId: auth.account.id,
      identifier: formField(request, "identifier", 1024),
      locale: request.locale,
    });
    return answerPage(deps, request, reply, identifierPageFlow, result, leaveIdentifierPage);
  });

  app.post("/account/identifiers/:id/remove", { preHandler: app.csrfProtection, schema: { params: IdParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const result = await runRemoveIdentifier(deps, {
      accountId: auth.account.id,
      identifierId: request.params.id,
      context: sessionContextOf(request),
    });
    return answerPage(deps, request, reply, identifierPageFlow, result, leaveIdentifierPage);
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
    // Another account's session id answers exactly like one that does not exist.
    const result = await revokeAccountSession(deps, {
      accountId: auth.account.id,
      sessionId: request.params.id,
      context: sessionContextOf(request),
    });
    return answerJson(result, () => reply.code(204).send());
  });

  app.delete("/api/v1/sessions", async (request, reply) => {
    const auth = requireApiAuth(request);
    const ended = await revokeOtherSessions(deps, { accountId: auth.account.id, currentSessionId: auth.session.id, context: sessionContextOf(request) });
    return reply.send({ ended });
  });

  app.post("/api/v1/account/identifiers", { schema: { body: AddIdentifierBody }, preHandler: limitClient(deps, "verification") }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const result = await runAddIdentifier(deps, { accountId: auth.account.id, identifier: request.body.identifier, locale: request.locale });
    return answerJson(result, () => reply.code(202).send({ verification: "sent" }));
  });

  app.post(
    "/api/v1/account/identifiers/verify",
    { schema: { body: ConfirmIdentifierBody }, preHandler: limitClient(deps, "codeEntry") },
    async (request, reply) => {
      const auth = requireApiAuth(request);
      const result = await runConfirmIdentifier(deps, {
        accountId: auth.account.id,
        ...request.body,
        context: sessionContextOf(request),
      });
      return answerJson(result, async () => {
        const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
        return reply.code(201).send({ account: toPublicAccount(auth.account, identifiers) });
      });
    },
  );

  app.delete("/api/v1/account/identifiers/:id", { schema: { params: IdParams } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const result = await runRemoveIdentifier(deps, {
      accountId: auth.account.id,
      identifierId: request.params.id,
      context: sessionContextOf(request),
    });
    return answerJson(result, () => reply.code(204).send());
  });
}
