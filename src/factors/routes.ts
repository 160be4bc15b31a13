// Pages and API for passkeys, the authenticator app, recovery codes, "confirm it's you" and account
// self-service (name, deletion). Each route reads its input, calls the security flow
// (security-flow.ts) and hands the result to the flow adapter; texts live in src/messages/ and the views.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { toPublicAccount } from "../accounts/public-account.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import type { Deps } from "../deps.ts";
import { requireApiAuth, requirePageAuth } from "../http/auth.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { limitClient } from "../http/client-limits.ts";
import { answerJson, answerPage, readFlow } from "../http/flow-adapter.ts";
import { securityPageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formCheckbox, formField, ownValue, redirectSeeOther, safeReturnPath, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf, sessionContextOf } from "../http/request-context.ts";
import { clearSessionCookie } from "../http/session-hook.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { pageTitles, securityNotice } from "../messages/pages.ts";
import type { ValidatedSession } from "../sessions/sessions.ts";
import type { PasskeyRecord } from "../stores/types.ts";
import { confirmPage, deleteAccountPage, goodbyePage, passkeyView, securityPage, totpSetupPage } from "../views/security-pages.ts";
import { getSecurityOverview, pendingTOTPSetup } from "./account-security.ts";
import { startPasskeyAuthentication, startPasskeyRegistration } from "./passkeys.ts";
import { holdRecoveryCodesForShowing, takeRecoveryCodesToShow } from "./recovery-codes.ts";
import { secondFactorMethods } from "./second-factor.ts";
import { runSecurityAction, type SecurityAction, type SecurityResult } from "./security-flow.ts";
import { CONFIRM_PAGE_PATH, requireRecentConfirmation } from "./step-up-guard.ts";

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
/** A WebAuthn answer from the browser: checked in depth by the library, bounded here. */
const WebAuthnResponse = Type.Object({}, { additionalProperties: true, maxProperties: 16 });
const PasskeyBody = Type.Object(
  { challengeId: Type.String({ maxLength: 64 }), response: WebAuthnResponse, name: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
const PasskeyConfirmBody = Type.Object(
  { challengeId: Type.String({ maxLength: 64 }), response: WebAuthnResponse, returnTo: Type.Optional(Type.String({ maxLength: 512 })) },
  { additionalProperties: false },
);
const RenameBody = Type.Object({ name: Type.String({ maxLength: 256 }) }, { additionalProperties: false });
const CodeBody = Type.Object({ code: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const CAPTCHAField = Type.Optional(
  Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
);
const ConfirmBody = Type.Union([
  Type.Object({ password: Type.String({ maxLength: 1024 }), captcha: CAPTCHAField }, { additionalProperties: false }),
  Type.Object({ code: Type.String({ maxLength: 64 }), captcha: CAPTCHAField }, { additionalProperties: false }),
]);
const AccountBody = Type.Object({ name: Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]) }, { additionalProperties: false });

/** Where the WebAuthn browser library's bundle lives (served as-is: no CDN, no inline script). */
function loadWebAuthnBrowserBundle(): Buffer {
  const require = createRequire(import.meta.url);
  const name = join("@simplewebauthn", "browser");
  const entry = require.resolve("@simplewebauthn/browser");
  const root = entry.slice(0, entry.lastIndexOf(name) + name.length);
  return readFileSync(join(root, "dist", "bundle", "index.umd.min.js"));
}

function passkeyJson(p: PasskeyRecord): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    createdAt: p.createdAt.toISOString(),
    lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
    deviceType: p.deviceType,
    backedUp: p.backedUp,
    transports: p.transports,
  };
}

/** How an authenticator app names the account: its first confirmed address or number, as the person knows it. */
function totpLabelOf(auth: ValidatedSession): string {
  return auth.identifiers.find((i) => i.verifiedAt !== null)?.display ?? "account";
}

export function registerFactorRoutes(app: TypedApp, deps: Deps): void {
  const stepUp = requireRecentConfirmation(deps);
  const webauthnBundle = loadWebAuthnBrowserBundle();

  app.get("/assets/vendor/simplewebauthn-browser.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(webauthnBundle),
  );

  const run = (request: FastifyRequest, auth: ValidatedSession, action: SecurityAction): Promise<SecurityResult> =>
    runSecurityAction(deps, { auth, context: sessionContextOf(request), binding: requesterBinding(request) }, action);

  /** Where a security page goes once an action is done: the page with its notice, new recovery codes shown once. */
  const leaveSecurityPage = async (auth: ValidatedSession, reply: FastifyReply, result: SecurityResult): Promise<string | FastifyReply> => {
    switch (result.kind) {
      case "changed": {
        const codes = result.recoveryCodes ? await holdRecoveryCodesForShowing(deps, auth.account.id, result.recoveryCodes) : undefined;
        return withQuery("/account/security", { done: result.notice, codes });
      }
      case "name-changed":
        return "/account/security?done=name-saved";
      case "totp-started":
        return "/account/security/totp";
      case "confirmed":
        return result.returnTo;
      case "deleted":
        clearSessionCookie(reply, deps);
        return "/goodbye";
      default:
        return "/account/security";
    }
  };

  /** Runs a page form's action and answers POST → 303 → GET. */
  const answerSecurityForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: (auth: ValidatedSession) => SecurityAction,
  ): Promise<FastifyReply> => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const result = await run(request, auth, action(auth));
    return answerPage(deps, request, reply, securityPageFlow, result, (left) => leaveSecurityPage(auth, reply, left));
  };

  // ---------- Sign-in and security page ----------
  app.get("/account/security", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const query = request.query;
    const state = (await readFlow(deps, request, securityPageFlow, ownValue(query, "flow")))?.state;
    // New recovery codes are taken (deleted) as they are shown: they appear once.
    const codes = await takeRecoveryCodesToShow(deps, auth.account.id, ownValue(query, "codes"));
    const overview = await getSecurityOverview(deps, auth.account.id);
    const now = deps.clock.now();
    const noticeText = securityNotice(ownValue(query, "done"));
    const errors = state?.step === "overview" && state.error ? [fieldErrorOf(state.error)] : [];
    const body = securityPage({
      t: translator(request.locale),
      csrfToken: csrfTokenFor(reply),
      errors,
      name: state?.error?.field === "name" ? state.name : (auth.account.name ?? ""),
      passkeys: overview.passkeys.map((p) => passkeyView(p, now, request.locale)),
      totp: overview.totp,
      recoveryCodesLeft: overview.recoveryCodesLeft,
      ...(noticeText && !(codes && ownValue(query, "done") === "recovery-codes") ? { notice: noticeText } : {}),
      ...(codes ? { newRecoveryCodes: codes } : {}),
    });
    reply.header("cache-control", "no-store");
    return sendPage(request, reply, deps, { title: pageTitles.security, body, narrow: false });
  });

  app.post("/account/security/passkeys", { preHandler: app.csrfProtection }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({ action: "passkey-unavailable" })),
  );

  app.post("/account/security/passkeys/:id/rename", { preHandler: app.csrfProtection, schema: { params: IdParams } }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({
      action: "rename-passkey",
      passkeyId: request.params.id,
      name: formField(request, "name", 256),
    })),
  );

  app.post("/account/security/passkeys/:id/remove", { preHandler: [app.csrfProtection, stepUp], schema: { params: IdParams } }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({ action: "remove-passkey", passkeyId: request.params.id })),
  );

  app.post("/account/security/totp", { preHandler: [app.csrfProtection, stepUp] }, async (request, reply) =>
    answerSecurityForm(request, reply, (auth) => ({ action: "start-totp", label: totpLabelOf(auth) })),
  );

  // The pending secret is shown again, and turned on by its first code, only within the confirmation window:
  // whoever holds a session cookie alone must not read a set-up the owner left open (that secret would be
  // the account's second factor) nor finish it (that would turn on a factor they hold, hand them the new
  // recovery codes and count as a confirmation of this session).
  app.get("/account/security/totp", { preHandler: stepUp }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const setup = await pendingTOTPSetup(deps, { accountId: auth.account.id, label: totpLabelOf(auth) });
    if (!setup) return redirectSeeOther(reply, "/account/security");
    const state = (await readFlow(deps, request, securityPageFlow, ownValue(request.query, "flow")))?.state;
    const errors = state?.step === "totp-setup" && state.error ? [fieldErrorOf(state.error)] : [];
    reply.header("cache-control", "no-store");
    return sendPage(request, reply, deps, {
      title: pageTitles.totpSetup,
      body: totpSetupPage({ csrfToken: csrfTokenFor(reply), errors, secret: setup.secret, qrCodeSVG: setup.qrCodeSVG, t: translator(request.locale) }),
    });
  });

  app.post(
    "/account/security/totp/confirm",
    { preHandler: [app.csrfProtection, requireRecentConfirmation(deps, { returnTo: "/account/security/totp" }), limitClient(deps, "codeEntry")] },
    async (request, reply) => answerSecurityForm(request, reply, () => ({ action: "confirm-totp", code: formField(request, "code", 64) })),
  );

  app.post("/account/security/totp/remove", { preHandler: [app.csrfProtection, stepUp] }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({ action: "remove-totp" })),
  );

  app.post("/account/security/recovery-codes", { preHandler: [app.csrfProtection, stepUp] }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({ action: "replace-recovery-codes" })),
  );

  app.post("/account/name", { preHandler: app.csrfProtection }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({ action: "change-name", name: formField(request, "name", 1024) })),
  );

  // ---------- Confirm it's you ----------
  app.get(CONFIRM_PAGE_PATH, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const query = request.query;
    const state = (await readFlow(deps, request, securityPageFlow, ownValue(query, "flow")))?.state;
    const returnTo = safeReturnPath(ownValue(query, "return_to"), "/account/security");
    const methods = await secondFactorMethods(deps, auth.account.id);
    const captcha =
      state?.step === "confirm" && state.captcha
        ? await challengeForPage(deps, { purpose: "signin", binding: requesterBinding(request), ip: clientAddressOf(request), locale: request.locale })
        : undefined;
    const body = confirmPage({
      t: translator(request.locale),
      csrfToken: csrfTokenFor(reply),
      errors: state?.step === "confirm" && state.error ? [fieldErrorOf(state.error)] : [],
      returnTo,
      hasCodes: methods.includes("totp") || methods.includes("recovery_code"),
      hasPasskeys: methods.includes("passkey"),
      ...(captcha ? { captcha } : {}),
    });
    return sendPage(request, reply, deps, { title: pageTitles.confirm, body });
  });

  app.post(CONFIRM_PAGE_PATH, { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({
      action: "confirm",
      input:
        formField(request, "method", 16) === "code"
          ? { method: "code", code: formField(request, "code", 64) }
          : { method: "password", password: formField(request, "password", 1024) },
      returnTo: safeReturnPath(formField(request, "return_to", 512), "/account/security"),
      captcha: captchaFromForm(request),
    })),
  );

  // ---------- Account deletion ----------
  app.get("/account/delete", { preHandler: stepUp }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const state = (await readFlow(deps, request, securityPageFlow, ownValue(request.query, "flow")))?.state;
    const errors = state?.step === "delete" && state.error ? [fieldErrorOf(state.error)] : [];
    return sendPage(request, reply, deps, {
      title: pageTitles.deleteAccount,
      body: deleteAccountPage({ csrfToken: csrfTokenFor(reply), errors, t: translator(request.locale) }),
    });
  });

  app.post("/account/delete", { preHandler: [app.csrfProtection, requireRecentConfirmation(deps, { returnTo: "/account/delete" })] }, async (request, reply) =>
    answerSecurityForm(request, reply, () => ({ action: "delete-account", confirmed: formCheckbox(request, "confirm") })),
  );

  app.get("/goodbye", async (request, reply) => sendPage(request, reply, deps, { title: pageTitles.goodbye, body: goodbyePage(translator(request.locale)) }));

  // ---------- JSON API ----------
  const runApi = (request: FastifyRequest, action: SecurityAction): Promise<SecurityResult> => run(request, requireApiAuth(request), action);

  app.get("/api/v1/account/security", async (request, reply) => {
    const auth = requireApiAuth(request);
    const overview = await getSecurityOverview(deps, auth.account.id);
    const confirmedAt = auth.session.confirmedAt ?? null;
    return reply.send({
      passkeys: overview.passkeys.map(passkeyJson),
      totp: { status: overview.totp },
      recoveryCodes: { remaining: overview.recoveryCodesLeft },
      confirmedUntil: confirmedAt ? new Date(confirmedAt.getTime() + deps.config.stepUpWindowSeconds * 1000).toISOString() : null,
    });
  });

  app.post("/api/v1/account/confirm", { schema: { body: ConfirmBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const body = request.body;
    const input = "password" in body ? { method: "password" as const, password: body.password } : { method: "code" as const, code: body.code };
    const result = await runApi(request, { action: "confirm", input, returnTo: "/account/security", captcha: body.captcha });
    return answerJson(result, () => reply.code(204).send());
  });

  // Every passkey challenge is stored for a while: each kind of request for one counts against the same allowance.
  app.post("/api/v1/account/confirm/passkey/options", { preHandler: limitClient(deps, "passkeyOptions") }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const { challengeId, options } = await startPasskeyAuthentication(deps, { binding: requesterBinding(request), accountId: auth.account.id });
    return reply.send({ challengeId, options });
  });

  app.post("/api/v1/account/confirm/passkey", { schema: { body: PasskeyConfirmBody } }, async (request, reply) => {
    const body = request.body;
    const returnTo = safeReturnPath(body.returnTo, "/account/security");
    const result = await runApi(request, {
      action: "confirm",
      input: { method: "passkey", challengeId: body.challengeId, response: body.response },
      returnTo,
      captcha: undefined,
    });
    return answerJson(result, () => reply.send({ redirectTo: returnTo }));
  });

  app.post("/api/v1/account/passkeys/options", { preHandler: [stepUp, limitClient(deps, "passkeyOptions")] }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    const primary = identifiers.find((i) => i.verifiedAt !== null)?.display ?? auth.account.id;
    const challenge = await startPasskeyRegistration(deps, {
      accountId: auth.account.id,
      userName: primary,
      displayName: auth.account.name ?? primary,
      binding: requesterBinding(request),
    });
    return reply.send(challenge);
  });

  app.post("/api/v1/account/passkeys", { schema: { body: PasskeyBody }, preHandler: stepUp }, async (request, reply) => {
    const body = request.body;
    const result = await runApi(request, { action: "add-passkey", challengeId: body.challengeId, response: body.response, name: body.name });
    return answerJson(result, (added) =>
      added.kind === "passkey-added"
        ? reply.code(201).send({ passkey: passkeyJson(added.passkey), ...(added.recoveryCodes ? { recoveryCodes: added.recoveryCodes } : {}) })
        : reply.code(204).send(),
    );
  });

  app.patch("/api/v1/account/passkeys/:id", { schema: { params: IdParams, body: RenameBody } }, async (request, reply) => {
    const result = await runApi(request, {
      action: "rename-passkey",
      passkeyId: request.params.id,
      name: request.body.name,
    });
    return answerJson(result, () => reply.code(204).send());
  });

  app.delete("/api/v1/account/passkeys/:id", { schema: { params: IdParams }, preHandler: stepUp }, async (request, reply) => {
    const result = await runApi(request, { action: "remove-passkey", passkeyId: request.params.id });
    return answerJson(result, () => reply.code(204).send());
  });

  app.post("/api/v1/account/totp", { preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    // The app shows this label beside the codes: the address the person knows, not the account's internal id.
    const result = await run(request, auth, { action: "start-totp", label: totpLabelOf(auth) });
    return answerJson(result, (started) =>
      started.kind === "totp-started"
        ? reply.code(201).send({ secret: started.setup.secret, uri: started.setup.uri, qrCodeSvg: started.setup.qrCodeSVG })
        : reply.code(204).send(),
    );
  });

  app.post("/api/v1/account/totp/confirm", { schema: { body: CodeBody }, preHandler: [stepUp, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const result = await runApi(request, { action: "confirm-totp", code: request.body.code });
    return answerJson(result, (done) =>
      reply.send({ totp: { status: "on" }, ...(done.kind === "changed" && done.recoveryCodes ? { recoveryCodes: done.recoveryCodes } : {}) }),
    );
  });

  app.delete("/api/v1/account/totp", { preHandler: stepUp }, async (request, reply) => {
    const result = await runApi(request, { action: "remove-totp" });
    return answerJson(result, () => reply.code(204).send());
  });

  app.post("/api/v1/account/recovery-codes", { preHandler: stepUp }, async (request, reply) => {
    const result = await runApi(request, { action: "replace-recovery-codes" });
    return answerJson(result, (done) => reply.code(201).send({ recoveryCodes: done.kind === "changed" ? done.recoveryCodes : [] }));
  });

  app.patch("/api/v1/account", { schema: { body: AccountBody } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const result = await run(request, auth, { action: "change-name", name: request.body.name ?? "" });
    return answerJson(result, async (done) => {
      const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
      return reply.send({ account: toPublicAccount({ ...auth.account, name: done.kind === "name-changed" ? done.name : auth.account.name }, identifiers) });
    });
  });

  app.delete("/api/v1/account", { preHandler: stepUp }, async (request, reply) => {
    const result = await runApi(request, { action: "delete-account", confirmed: true });
    return answerJson(result, () => {
      clearSessionCookie(reply, deps);
      return reply.code(204).send();
    });
  });
}
