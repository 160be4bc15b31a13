// Sign-in and sign-out: the /signin page and the /api/v1/session calls.
import { PowProofField, powFields, powFromFormIsValid, requirePow } from "../pow/routes.ts";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { PublicAccountSchema, toPublicAccount } from "../accounts/public-account.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { parseIdentifier } from "../lib/identifier-parsing.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import type { Deps } from "../deps.ts";
import { isAppError } from "../errors/app-error.ts";
import { requireApiAuth } from "../http/auth.ts";
import { fieldErrorFrom, loadFlow, saveFlow } from "../http/flows.ts";
import { formCheckbox, formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { safeReturnTarget } from "../http/return-target.ts";
import { allowSigninRedirects } from "../oidc/form-action.ts";
import { html } from "../lib/html.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { clearSessionCookie, setSessionCookie } from "../http/session-hook.ts";
import { invalidateSession } from "../sessions/sessions.ts";
import type { SessionRecord } from "../stores/types.ts";
import { signinPage } from "../views/auth-pages.ts";
import { signIn } from "./signin.ts";

export const SigninBody = Type.Object(
  {
    identifier: Type.String({ maxLength: 1024 }),
    password: Type.String({ maxLength: 16384 }),
    remember: Type.Optional(Type.Boolean()),
    captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })),
    pow: PowProofField,
  },
  { additionalProperties: false },
);

const NOTICES: Record<string, string> = {
  "signed-out": "You have signed out.",
  verified: "Your account is confirmed. Sign in with your password to continue.",
  "session-ended": "Your session has ended. Please sign in again.",
  "password-reset": "Your password has been changed and you have been signed out everywhere. Sign in with your new password.",
};

const SessionAnswer = Type.Object({
  account: PublicAccountSchema,
  session: Type.Object({ id: Type.String(), expiresAt: Type.String(), absoluteExpiresAt: Type.String(), remember: Type.Boolean() }),
});

export function sessionJson(session: SessionRecord): { id: string; expiresAt: string; absoluteExpiresAt: string; remember: boolean } {
  const expires = session.idleExpiresAt < session.absoluteExpiresAt ? session.idleExpiresAt : session.absoluteExpiresAt;
  return { id: session.id, expiresAt: expires.toISOString(), absoluteExpiresAt: session.absoluteExpiresAt.toISOString(), remember: session.remember };
}

export function registerSigninRoutes(app: FastifyInstance, deps: Deps): void {
  app.get("/signin", async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const flow = await loadFlow(deps, request, query.flow);
    // prompt=login (an application asked for a fresh sign-in) shows the form even to a signed-in person.
    const reauth = query.prompt === "login" || flow?.data?.prompt === "login";
    if (request.auth && !reauth) return redirectSeeOther(reply, safeReturnTarget(query.return_to, deps.config));
    const returnTo = safeReturnTarget(flow?.data?.returnTo ?? query.return_to, deps.config);
    const noticeKey = typeof query.done === "string" ? query.done : "";
    const errors = flow?.errors ?? [];
    const challenge = flow?.data?.captcha === "1" ? await challengeForPage(deps, { purpose: "signin", binding: requesterBinding(request), ip: request.ip, another: flow?.data?.focus === "captcha" }) : null;
    const body = signinPage({
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: flow?.values.identifier ?? "",
      returnTo,
      ...(challenge || reauth || deps.config.pow.enabled
        ? {
            extra: html`${reauth ? html`<input type="hidden" name="prompt" value="login">` : ""}${challenge ? captchaFieldset(challenge, errors, { autofocus: errors.some((e) => e.field === "captcha") || flow?.data?.focus === "captcha" }) : ""}${deps.config.pow.enabled ? powFields("signin") : ""}`,
          }
        : {}),
      remember: flow?.values.remember === "1",
      focusCaptcha: flow?.data?.focus === "captcha",
      focusPassword: flow?.data?.focus === "password",
      retypePassword: flow !== null && flow !== undefined,
      ...(NOTICES[noticeKey] ? { notice: NOTICES[noticeKey] } : {}),
    });
    await allowSigninRedirects(deps, reply, returnTo);
    return sendPage(request, reply, deps, { title: "Sign in", body });
  });

  // "Forgot your password?" posts the form here, so what was typed reaches the reset page through flow
  // state: an address in the query string would end up in logs and browser history.
  app.post("/signin/forgot", { preHandler: app.csrfProtection }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024).slice(0, 320);
    const flow = identifier.trim() === "" ? undefined : await saveFlow(deps, request, { values: { identifier }, errors: [] });
    return redirectSeeOther(reply, withQuery("/password/reset", { flow }));
  });

  app.post("/signin", { preHandler: [app.csrfProtection, limitClient(deps, "signin")] }, async (request, reply) => {
    const choice = chosenIdentifier(request);
    const identifier = choice ?? formField(request, "identifier", 1024);
    const remember = formCheckbox(request, "remember");
    const returnTo = safeReturnTarget(formField(request, "return_to", 2048), deps.config);
    const prompt: Record<string, string> = formField(request, "prompt", 8) === "login" ? { prompt: "login" } : {};
    if (choice !== undefined && formField(request, "password", 16384) === "") {
      // A number picked from the choices, before the password was typed again: fill it in and ask for the password.
      const flow = await saveFlow(deps, request, { values: { identifier: choice, remember: remember ? "1" : "" }, errors: [], data: { returnTo, focus: "password", ...prompt } });
      return redirectSeeOther(reply, withQuery("/signin", { flow }));
    }
    if (formField(request, "captchaAction", 16) === "refresh") {
      const flow = await saveFlow(deps, request, { values: { identifier, remember: remember ? "1" : "" }, errors: [], data: { returnTo, captcha: "1", focus: "captcha", ...prompt } });
      return redirectSeeOther(reply, withQuery("/signin", { flow }));
    }
    try {
      const result = await signIn(deps, {
        identifier,
        password: formField(request, "password", 16384),
        remember,
        context: sessionContextOf(request),
        captcha: captchaFromForm(request),
        binding: requesterBinding(request),
        // Without a valid proof of work (no JavaScript, or not finished) the page asks for the security check instead.
        captchaRequired: deps.config.pow.enabled && !(await powFromFormIsValid(deps, request, "signin")),
      });
      setSessionCookie(reply, deps, result.token, result.session);
      // Signing in again (prompt=login) replaces the session the browser had: one session per browser.
      if (request.auth) await invalidateSession(deps, request.auth.session.id);
      return redirectSeeOther(reply, returnTo);
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === "ACCOUNT_NOT_VERIFIED") {
        const parsed = parseIdentifier(identifier, { defaultRegion: deps.config.defaultRegion });
        // The correct password was just typed in this browser: once the code is in, it is signed in (see /verify).
        const data: Record<string, string> = parsed.ok ? { sentTo: parsed.identifier.display, channel: parsed.identifier.kind, signInAs: parsed.identifier.value } : {};
        const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)], data });
        return redirectSeeOther(reply, withQuery("/verify", { flow }));
      }
      if (error.status >= 500) throw error;
      const data: Record<string, string> = { returnTo, ...prompt, ...(error.extra?.captcha ? { captcha: "1" } : {}) };
      const flow = await saveFlow(deps, request, { values: { identifier, remember: remember ? "1" : "" }, errors: [fieldErrorFrom(error)], data });
      if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
      return redirectSeeOther(reply, withQuery("/signin", { flow }));
    }
  });

  app.post("/signout", { preHandler: app.csrfProtection }, async (request, reply) => {
    if (request.auth) {
      await invalidateSession(deps, request.auth.session.id);
      await recordAuditEvent(deps, { type: "signout", accountId: request.auth.account.id, context: sessionContextOf(request) });
    }
    clearSessionCookie(reply, deps);
    return redirectSeeOther(reply, "/signin?done=signed-out");
  });

  app.post("/api/v1/session", { schema: { body: SigninBody }, preHandler: [limitClient(deps, "signin"), requirePow(deps, "signin")] }, async (request, reply) => {
    const body = request.body as Static<typeof SigninBody>;
    const result = await signIn(deps, {
      identifier: body.identifier,
      password: body.password,
      remember: body.remember ?? false,
      context: sessionContextOf(request),
      captcha: body.captcha,
      binding: requesterBinding(request),
    });
    setSessionCookie(reply, deps, result.token, result.session);
    return reply.code(200).send({ account: result.account, session: sessionJson(result.session) });
  });

  // The session check is the hottest read: its answer goes through a serializer compiled from this schema.
  app.get("/api/v1/session", { schema: { response: { 200: SessionAnswer } } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    return reply.send({ account: toPublicAccount(auth.account, auth.identifiers), session: sessionJson(auth.session) });
  });

  app.delete("/api/v1/session", async (request, reply) => {
    if (request.auth) {
      await invalidateSession(deps, request.auth.session.id);
      await recordAuditEvent(deps, { type: "signout", accountId: request.auth.account.id, context: sessionContextOf(request) });
    }
    clearSessionCookie(reply, deps);
    return reply.code(204).send();
  });
}
