// Pages and API for passkeys, the authenticator app, recovery codes, "confirm it's you", passkey sign-in
// and account self-service (name, deletion). HTTP in and out only: the rules live in the services.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { toPublicAccount } from "../accounts/public-account.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import type { ErrorCode } from "../errors/catalogue.ts";
import { requireApiAuth, requirePageAuth } from "../http/auth.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { type FieldError, fieldErrorFrom, loadFlow, saveFlow } from "../http/flows.ts";
import { formCheckbox, formField, redirectSeeOther, safeReturnPath, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { clearSessionCookie, setSessionCookie } from "../http/session-hook.ts";
import { describeTimeAgo } from "../lib/user-agent.ts";
import { messageForError } from "../messages/errors.ts";
import { createSession, type ValidatedSession } from "../sessions/sessions.ts";
import type { PasskeyRecord, SessionRecord } from "../stores/types.ts";
import { confirmPage, deleteAccountPage, goodbyePage, type PasskeyView, securityPage, totpSetupPage } from "../views/security-pages.ts";
import {
  addPasskey,
  changeDisplayName,
  confirmTOTPSetup,
  deleteOwnAccount,
  getSecurityOverview,
  pendingTOTPSetup,
  removePasskey,
  removeTOTP,
  renamePasskey,
  replaceRecoveryCodes,
  startTOTPSetup,
} from "./account-security.ts";
import { factorLockedError } from "./factor-throttle.ts";
import { finishPasskeyAuthentication, passkeyAMR, startPasskeyAuthentication, startPasskeyRegistration } from "./passkeys.ts";
import { holdRecoveryCodesForShowing, takeRecoveryCodesToShow } from "./recovery-codes.ts";
import { secondFactorMethods } from "./second-factor.ts";
import { type ConfirmationResult, confirmIdentity } from "./step-up.ts";
import { CONFIRM_PAGE_PATH, requireRecentConfirmation } from "./step-up-guard.ts";

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
/** A WebAuthn answer from the browser: checked in depth by the library, bounded here. */
const WebAuthnResponse = Type.Object({}, { additionalProperties: true, maxProperties: 16 });
const PasskeyBody = Type.Object(
  { challengeId: Type.String({ maxLength: 64 }), response: WebAuthnResponse, name: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
const PasskeyAssertionBody = Type.Object({ challengeId: Type.String({ maxLength: 64 }), response: WebAuthnResponse, remember: Type.Optional(Type.Boolean()), returnTo: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: false });
const RenameBody = Type.Object({ name: Type.String({ maxLength: 256 }) }, { additionalProperties: false });
const CodeBody = Type.Object({ code: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const ConfirmBody = Type.Union([
  Type.Object({ password: Type.String({ maxLength: 1024 }), captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })) }, { additionalProperties: false }),
  Type.Object({ code: Type.String({ maxLength: 64 }), captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })) }, { additionalProperties: false }),
]);
const AccountBody = Type.Object({ name: Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]) }, { additionalProperties: false });

const NOTICES: Record<string, string> = {
  "passkey-added": "Passkey added. You can now sign in with it.",
  "passkey-renamed": "Passkey renamed.",
  "passkey-removed": "Passkey removed. It can no longer be used to sign in.",
  "totp-on": "The authenticator app is on. From now on we ask for its code after your password.",
  "totp-off": "The authenticator app is off.",
  "name-saved": "Your name has been saved.",
};

/** Where the WebAuthn browser library's bundle lives (served as-is: no CDN, no inline script). */
function loadWebAuthnBrowserBundle(): Buffer {
  const require = createRequire(import.meta.url);
  const name = join("@simplewebauthn", "browser");
  const entry = require.resolve("@simplewebauthn/browser");
  const root = entry.slice(0, entry.lastIndexOf(name) + name.length);
  return readFileSync(join(root, "dist", "bundle", "index.umd.min.js"));
}

function passkeyView(p: PasskeyRecord, now: Date): PasskeyView {
  return { id: p.id, name: p.name, createdAgo: describeTimeAgo(p.createdAt, now), createdAt: p.createdAt.toISOString(), lastUsedAgo: p.lastUsedAt ? describeTimeAgo(p.lastUsedAt, now) : null, synced: p.backedUp };
}

function passkeyJson(p: PasskeyRecord): Record<string, unknown> {
  return { id: p.id, name: p.name, createdAt: p.createdAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null, deviceType: p.deviceType, backedUp: p.backedUp, transports: p.transports };
}

function sessionJson(session: SessionRecord): Record<string, unknown> {
  const expires = session.idleExpiresAt < session.absoluteExpiresAt ? session.idleExpiresAt : session.absoluteExpiresAt;
  return { id: session.id, expiresAt: expires.toISOString(), absoluteExpiresAt: session.absoluteExpiresAt.toISOString(), remember: session.remember };
}

/** The result of a confirmation as an error (for the API and the page's error list), or null when it passed. */
function confirmationError(result: ConfirmationResult): AppError | null {
  if (result.ok) return null;
  switch (result.reason) {
    case "locked":
      return factorLockedError(result.retryAfter);
    case "captcha_required":
      return new AppError("CAPTCHA_REQUIRED", { field: "captcha" });
    default:
      return new AppError("SECOND_FACTOR_INVALID", { field: "password" });
  }
}

function fieldError(code: ErrorCode, field: string | null): FieldError {
  return { field, code, message: messageForError(code) };
}

export function registerFactorRoutes(app: FastifyInstance, deps: Deps): void {
  const stepUp = requireRecentConfirmation(deps);
  const webauthnBundle = loadWebAuthnBrowserBundle();
  const context = sessionContextOf;

  app.get("/assets/vendor/simplewebauthn-browser.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(webauthnBundle),
  );

  /** Saves recovery codes, sealed, for one showing on the security page. */
  async function showCodesOnce(request: FastifyRequest, codes: string[] | null): Promise<string | undefined> {
    const auth = request.auth;
    if (!codes || !auth) return undefined;
    return holdRecoveryCodesForShowing(deps, auth.account.id, codes);
  }

  async function redirectWithErrors(request: FastifyRequest, reply: FastifyReply, path: string, error: unknown, values: Record<string, string> = {}): Promise<FastifyReply> {
    if (!isAppError(error) || error.status >= 500) throw error;
    const flow = await saveFlow(deps, request, { values, errors: [fieldErrorFrom(error)] });
    return redirectSeeOther(reply, withQuery(path, { flow }));
  }

  // ---------- Sign-in and security page ----------
  app.get("/account/security", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const query = request.query as Record<string, unknown>;
    // A flow that carries new recovery codes is taken (deleted) as it is shown: they appear once.
    const flow = await loadFlow(deps, request, query.flow);
    const codes = await takeRecoveryCodesToShow(deps, auth.account.id, query.codes);
    const overview = await getSecurityOverview(deps, auth.account.id);
    const now = deps.clock.now();
    const noticeText = typeof query.done === "string" ? NOTICES[query.done] : undefined;
    const body = securityPage({
      csrfToken: csrfTokenFor(reply),
      errors: flow?.errors ?? [],
      name: auth.account.name ?? "",
      passkeys: overview.passkeys.map((p) => passkeyView(p, now)),
      totp: overview.totp,
      recoveryCodesLeft: overview.recoveryCodesLeft,
      ...(noticeText ? { notice: noticeText } : {}),
      ...(codes ? { newRecoveryCodes: codes } : {}),
    });
    reply.header("cache-control", "no-store");
    return sendPage(request, reply, deps, { title: "Sign-in and security", body, narrow: false });
  });

  app.post("/account/security/passkeys", { preHandler: app.csrfProtection }, async (request, reply) => {
    // Without JavaScript there is no WebAuthn: say so on the page instead of failing silently.
    if (!requirePageAuth(request, reply)) return reply;
    const flow = await saveFlow(deps, request, { values: {}, errors: [fieldError("PASSKEY_FAILED", null)] });
    return redirectSeeOther(reply, withQuery("/account/security", { flow }));
  });

  app.post("/account/security/passkeys/:id/rename", { preHandler: app.csrfProtection, schema: { params: IdParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    try {
      await renamePasskey(deps, { accountId: auth.account.id, passkeyId: (request.params as Static<typeof IdParams>).id, name: formField(request, "name", 256), context: context(request) });
      return redirectSeeOther(reply, "/account/security?done=passkey-renamed");
    } catch (error) {
      return redirectWithErrors(request, reply, "/account/security", error);
    }
  });

  app.post("/account/security/passkeys/:id/remove", { preHandler: [app.csrfProtection, stepUp], schema: { params: IdParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    try {
      await removePasskey(deps, { accountId: auth.account.id, passkeyId: (request.params as Static<typeof IdParams>).id, context: context(request) });
      return redirectSeeOther(reply, "/account/security?done=passkey-removed");
    } catch (error) {
      return redirectWithErrors(request, reply, "/account/security", error);
    }
  });

  app.post("/account/security/totp", { preHandler: [app.csrfProtection, stepUp] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    try {
      await startTOTPSetup(deps, { accountId: auth.account.id, label: auth.account.id });
      return redirectSeeOther(reply, "/account/security/totp");
    } catch (error) {
      return redirectWithErrors(request, reply, "/account/security", error);
    }
  });

  app.get("/account/security/totp", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    const setup = await pendingTOTPSetup(deps, { accountId: auth.account.id, label: identifiers.find((i) => i.verifiedAt !== null)?.display ?? "account" });
    if (!setup) return redirectSeeOther(reply, "/account/security");
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
    reply.header("cache-control", "no-store");
    return sendPage(request, reply, deps, { title: "Set up an authenticator app", body: totpSetupPage({ csrfToken: csrfTokenFor(reply), errors: flow?.errors ?? [], secret: setup.secret, qrCodeSVG: setup.qrCodeSVG }) });
  });

  app.post("/account/security/totp/confirm", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    try {
      const { recoveryCodes } = await confirmTOTPSetup(deps, { accountId: auth.account.id, code: formField(request, "code", 64), context: context(request) });
      const codes = await showCodesOnce(request, recoveryCodes);
      return redirectSeeOther(reply, withQuery("/account/security", { done: "totp-on", codes }));
    } catch (error) {
      return redirectWithErrors(request, reply, isAppError(error) && error.code === "TOTP_NOT_SET_UP" ? "/account/security" : "/account/security/totp", error);
    }
  });

  app.post("/account/security/totp/remove", { preHandler: [app.csrfProtection, stepUp] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    try {
      await removeTOTP(deps, { accountId: auth.account.id, context: context(request) });
      return redirectSeeOther(reply, "/account/security?done=totp-off");
    } catch (error) {
      return redirectWithErrors(request, reply, "/account/security", error);
    }
  });

  app.post("/account/security/recovery-codes", { preHandler: [app.csrfProtection, stepUp] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const codes = await replaceRecoveryCodes(deps, { accountId: auth.account.id, context: context(request) });
    return redirectSeeOther(reply, withQuery("/account/security", { codes: await showCodesOnce(request, codes) }));
  });

  app.post("/account/name", { preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const name = formField(request, "name", 1024);
    try {
      await changeDisplayName(deps, { accountId: auth.account.id, name, context: context(request) });
      return redirectSeeOther(reply, "/account/security?done=name-saved");
    } catch (error) {
      return redirectWithErrors(request, reply, "/account/security", error, { name });
    }
  });

  // ---------- Confirm it's you ----------
  app.get(CONFIRM_PAGE_PATH, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const query = request.query as Record<string, unknown>;
    const returnTo = safeReturnPath(query.return_to, "/account/security");
    const flow = await loadFlow(deps, request, query.flow);
    const methods = await secondFactorMethods(deps, auth.account.id);
    const captcha = flow?.data?.captcha === "1" ? await challengeForPage(deps, { purpose: "signin", binding: requesterBinding(request), ip: request.ip }) : undefined;
    const body = confirmPage({
      csrfToken: csrfTokenFor(reply),
      errors: flow?.errors ?? [],
      returnTo,
      hasCodes: methods.includes("totp") || methods.includes("recovery_code"),
      hasPasskeys: methods.includes("passkey"),
      ...(captcha ? { captcha } : {}),
    });
    return sendPage(request, reply, deps, { title: "Confirm it's you", body });
  });

  app.post(CONFIRM_PAGE_PATH, { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const returnTo = safeReturnPath(formField(request, "return_to", 512), "/account/security");
    const byCode = formField(request, "method", 16) === "code";
    const common = { binding: requesterBinding(request), captcha: captchaFromForm(request), context: context(request) };
    const result = byCode
      ? await confirmIdentity(deps, auth, { method: "code", code: formField(request, "code", 64), ...common })
      : await confirmIdentity(deps, auth, { method: "password", password: formField(request, "password", 1024), ...common });
    const error = confirmationError(result);
    if (!error) return redirectSeeOther(reply, returnTo);
    const field = error.code === "SECOND_FACTOR_INVALID" ? (byCode ? "code" : "password") : error.field ?? null;
    const flow = await saveFlow(deps, request, { values: {}, errors: [{ ...fieldErrorFrom(error), field }], data: error.code === "CAPTCHA_REQUIRED" ? { captcha: "1" } : {} });
    return redirectSeeOther(reply, withQuery(CONFIRM_PAGE_PATH, { return_to: returnTo, flow }));
  });

  // ---------- Account deletion ----------
  app.get("/account/delete", { preHandler: stepUp }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
    return sendPage(request, reply, deps, { title: "Delete your account", body: deleteAccountPage({ csrfToken: csrfTokenFor(reply), errors: flow?.errors ?? [] }) });
  });

  app.post("/account/delete", { preHandler: [app.csrfProtection, requireRecentConfirmation(deps, { returnTo: "/account/delete" })] }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    if (!formCheckbox(request, "confirm")) {
      const flow = await saveFlow(deps, request, { values: {}, errors: [fieldError("VALIDATION_FAILED", "confirm")] });
      return redirectSeeOther(reply, withQuery("/account/delete", { flow }));
    }
    try {
      await deleteOwnAccount(deps, { accountId: auth.account.id, context: context(request) });
    } catch (error) {
      return redirectWithErrors(request, reply, "/account/delete", error);
    }
    clearSessionCookie(reply, deps);
    return redirectSeeOther(reply, "/goodbye");
  });

  app.get("/goodbye", async (request, reply) => sendPage(request, reply, deps, { title: "Account deleted", body: goodbyePage() }));

  // ---------- JSON API ----------
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
    const auth = requireApiAuth(request);
    const body = request.body as Static<typeof ConfirmBody>;
    const common = { binding: requesterBinding(request), captcha: body.captcha, context: context(request) };
    const result =
      "password" in body
        ? await confirmIdentity(deps, auth, { method: "password", password: body.password, ...common })
        : await confirmIdentity(deps, auth, { method: "code", code: body.code, ...common });
    const error = confirmationError(result);
    if (error) throw error;
    return reply.code(204).send();
  });

  app.post("/api/v1/account/confirm/passkey/options", async (request, reply) => {
    const auth = requireApiAuth(request);
    const { challengeId, options } = await startPasskeyAuthentication(deps, { binding: requesterBinding(request), accountId: auth.account.id });
    return reply.send({ challengeId, options });
  });

  app.post("/api/v1/account/confirm/passkey", { schema: { body: PasskeyAssertionBody } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const body = request.body as Static<typeof PasskeyAssertionBody>;
    const result = await confirmIdentity(deps, auth, { method: "passkey", challengeId: body.challengeId, response: body.response, binding: requesterBinding(request), context: context(request) });
    if (!result.ok) throw new AppError("PASSKEY_FAILED", { detail: `confirmation: ${result.reason}` });
    return reply.send({ redirectTo: safeReturnPath(body.returnTo, "/account/security") });
  });

  app.post("/api/v1/account/passkeys/options", { preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    const primary = identifiers.find((i) => i.verifiedAt !== null)?.display ?? auth.account.id;
    const challenge = await startPasskeyRegistration(deps, { accountId: auth.account.id, userName: primary, displayName: auth.account.name ?? primary, binding: requesterBinding(request) });
    return reply.send(challenge);
  });

  app.post("/api/v1/account/passkeys", { schema: { body: PasskeyBody }, preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const body = request.body as Static<typeof PasskeyBody>;
    const added = await addPasskey(deps, { accountId: auth.account.id, binding: requesterBinding(request), challengeId: body.challengeId, response: body.response, name: body.name, context: context(request) });
    return reply.code(201).send({ passkey: passkeyJson(added.passkey), ...(added.recoveryCodes ? { recoveryCodes: added.recoveryCodes } : {}) });
  });

  app.patch("/api/v1/account/passkeys/:id", { schema: { params: IdParams, body: RenameBody } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await renamePasskey(deps, { accountId: auth.account.id, passkeyId: (request.params as Static<typeof IdParams>).id, name: (request.body as Static<typeof RenameBody>).name, context: context(request) });
    return reply.code(204).send();
  });

  app.delete("/api/v1/account/passkeys/:id", { schema: { params: IdParams }, preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await removePasskey(deps, { accountId: auth.account.id, passkeyId: (request.params as Static<typeof IdParams>).id, context: context(request) });
    return reply.code(204).send();
  });

  app.post("/api/v1/account/totp", { preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const setup = await startTOTPSetup(deps, { accountId: auth.account.id, label: auth.account.id });
    return reply.code(201).send({ secret: setup.secret, uri: setup.uri, qrCodeSvg: setup.qrCodeSVG });
  });

  app.post("/api/v1/account/totp/confirm", { schema: { body: CodeBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const { recoveryCodes } = await confirmTOTPSetup(deps, { accountId: auth.account.id, code: (request.body as Static<typeof CodeBody>).code, context: context(request) });
    return reply.send({ totp: { status: "on" }, ...(recoveryCodes ? { recoveryCodes } : {}) });
  });

  app.delete("/api/v1/account/totp", { preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await removeTOTP(deps, { accountId: auth.account.id, context: context(request) });
    return reply.code(204).send();
  });

  app.post("/api/v1/account/recovery-codes", { preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const codes = await replaceRecoveryCodes(deps, { accountId: auth.account.id, context: context(request) });
    return reply.code(201).send({ recoveryCodes: codes });
  });

  app.patch("/api/v1/account", { schema: { body: AccountBody } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const name = await changeDisplayName(deps, { accountId: auth.account.id, name: (request.body as Static<typeof AccountBody>).name ?? "", context: context(request) });
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    return reply.send({ account: toPublicAccount({ ...auth.account, name }, identifiers) });
  });

  app.delete("/api/v1/account", { preHandler: stepUp }, async (request, reply) => {
    const auth = requireApiAuth(request);
    await deleteOwnAccount(deps, { accountId: auth.account.id, context: context(request) });
    clearSessionCookie(reply, deps);
    return reply.code(204).send();
  });

  // ---------- Sign in with a passkey (no password) ----------
  app.post("/api/v1/session/passkey/options", { preHandler: limitClient(deps, "signin") }, async (request, reply) => {
    const challenge = await startPasskeyAuthentication(deps, { binding: requesterBinding(request) });
    return reply.send(challenge);
  });

  app.post("/api/v1/session/passkey", { schema: { body: PasskeyAssertionBody }, preHandler: limitClient(deps, "signin") }, async (request, reply) => {
    const body = request.body as Static<typeof PasskeyAssertionBody>;
    const result = await finishPasskeyAuthentication(deps, { binding: requesterBinding(request), challengeId: body.challengeId, response: body.response, context: context(request) });
    if (!result.ok) throw new AppError("PASSKEY_FAILED", { detail: `sign-in: ${result.reason}` });
    const account = await deps.stores.accounts.getAccountById(result.accountId);
    // A disabled account answers like a passkey that did not work.
    if (!account || account.disabledAt !== null) throw new AppError("PASSKEY_FAILED", { detail: "sign-in: account disabled or gone" });
    const signedIn = await signInWithPasskey(deps, request, reply, account.id, passkeyAMR(result.passkey), body.remember ?? false);
    const identifiers = await deps.stores.accounts.listIdentifiers(account.id);
    return reply.send({ account: toPublicAccount(account, identifiers), session: sessionJson(signedIn.session), redirectTo: safeReturnPath(body.returnTo, "/account") });
  });
}

async function signInWithPasskey(deps: Deps, request: FastifyRequest, reply: FastifyReply, accountId: string, amr: string[], remember: boolean): Promise<Pick<ValidatedSession, "session">> {
  const { token, session } = await createSession(deps, { accountId, remember, context: sessionContextOf(request), amr });
  // A new token every sign-in: a session the browser had before is ended, never reused.
  if (request.auth) await deps.stores.sessions.deleteSession(request.auth.session.id);
  setSessionCookie(reply, deps, token, session);
  await recordAuditEvent(deps, { type: "signin.passkey", accountId, context: sessionContextOf(request), detail: { remember } });
  return { session };
}
