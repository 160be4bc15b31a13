// Sign-in and sign-out: the /signin page and the /api/v1/session calls. Each route reads its input, calls
// the flow service (signin-flow.ts, signout.ts) and hands the result to the flow adapter.
import { PowProofField, powFields, powFromFormIsValid, requirePow } from "../pow/routes.ts";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PublicAccountSchema, toPublicAccount } from "../accounts/public-account.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import type { Deps } from "../deps.ts";
import { requireApiAuth } from "../http/auth.ts";
import { answerJson, answerPage, readFlow } from "../http/flow-adapter.ts";
import { signinPageFlow, startRegistrationCodeFlow, startResetFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { flowErrorOf } from "../flows/refusal.ts";
import { formCheckbox, formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { safeReturnTarget } from "../http/return-target.ts";
import { allowSigninRedirects } from "../oidc/form-action.ts";
import { html } from "../lib/html.ts";
import { pageTitles, signinNotice } from "../messages/pages.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { clearSessionCookie, setSessionCookie } from "../http/session-hook.ts";
import type { SessionRecord } from "../stores/types.ts";
import { signinPage } from "../views/auth-pages.ts";
import { runSigninStep, type SigninAction, type SigninResult } from "./signin-flow.ts";
import { signOut } from "./signout.ts";

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

const SessionAnswer = Type.Object({
  account: PublicAccountSchema,
  session: Type.Object({ id: Type.String(), expiresAt: Type.String(), absoluteExpiresAt: Type.String(), remember: Type.Boolean() }),
});

export function sessionJson(session: SessionRecord): { id: string; expiresAt: string; absoluteExpiresAt: string; remember: boolean } {
  const expires = session.idleExpiresAt < session.absoluteExpiresAt ? session.idleExpiresAt : session.absoluteExpiresAt;
  return { id: session.id, expiresAt: expires.toISOString(), absoluteExpiresAt: session.absoluteExpiresAt.toISOString(), remember: session.remember };
}

/** What the sign-in form asks for: a new security check, the password again for a picked identifier, or a sign-in. */
function signinActionOf(deps: Deps, request: FastifyRequest): SigninAction {
  const choice = chosenIdentifier(request);
  const identifier = choice ?? formField(request, "identifier", 1024);
  const password = formField(request, "password", 16384);
  if (choice !== undefined && password === "") return { action: "choose-identifier", identifier: choice };
  if (formField(request, "captchaAction", 16) === "refresh") return { action: "new-captcha", identifier };
  return { action: "submit", identifier, password, captcha: captchaFromForm(request), proofOfWork: () => powFromFormIsValid(deps, request, "signin") };
}

export function registerSigninRoutes(app: FastifyInstance, deps: Deps): void {
  app.get("/signin", async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const flow = await readFlow(deps, request, signinPageFlow, query.flow);
    const state = flow?.state;
    // prompt=login (an application asked for a fresh sign-in) shows the form even to a signed-in person.
    const reauth = query.prompt === "login" || state?.reauth === true;
    if (request.auth && !reauth) return redirectSeeOther(reply, safeReturnTarget(query.return_to, deps.config));
    const returnTo = safeReturnTarget(state?.returnTo ?? query.return_to, deps.config);
    const errors = state?.error ? [fieldErrorOf(state.error)] : [];
    const challenge = state?.step === "captcha" ? await challengeForPage(deps, { purpose: "signin", binding: requesterBinding(request), ip: request.ip, another: state.focus === "captcha" }) : null;
    const notice = signinNotice(query.done);
    const body = signinPage({
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: state?.identifier ?? "",
      returnTo,
      ...(challenge || reauth || deps.config.pow.enabled
        ? {
            extra: html`${reauth ? html`<input type="hidden" name="prompt" value="login">` : ""}${challenge ? captchaFieldset(challenge, errors, { autofocus: errors.some((e) => e.field === "captcha") || state?.focus === "captcha" }) : ""}${deps.config.pow.enabled ? powFields("signin") : ""}`,
          }
        : {}),
      remember: state?.remember === true,
      focusCaptcha: state?.focus === "captcha",
      focusPassword: state?.focus === "password",
      retypePassword: flow !== null,
      ...(notice ? { notice } : {}),
    });
    await allowSigninRedirects(deps, reply, returnTo);
    return sendPage(request, reply, deps, { title: pageTitles.signin, body });
  });

  // "Forgot your password?" posts the form here, so what was typed reaches the reset page through flow
  // state: an address in the query string would end up in logs and browser history.
  app.post("/signin/forgot", { preHandler: app.csrfProtection }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024).slice(0, 320);
    const flow = identifier.trim() === "" ? undefined : await startResetFlow(deps, request, identifier);
    return redirectSeeOther(reply, withQuery("/password/reset", { flow }));
  });

  app.post("/signin", { preHandler: [app.csrfProtection, limitClient(deps, "signin")] }, async (request, reply) => {
    const result = await runSigninStep(
      deps,
      {
        remember: formCheckbox(request, "remember"),
        returnTo: safeReturnTarget(formField(request, "return_to", 2048), deps.config),
        reauth: formField(request, "prompt", 8) === "login",
        context: sessionContextOf(request),
        binding: requesterBinding(request),
        replacesSessionId: request.auth?.session.id,
      },
      signinActionOf(deps, request),
    );
    return answerPage(deps, request, reply, signinPageFlow, result, (left) => leaveSigninPage(request, reply, left));
  });

  /** Where a page sign-in goes when it leaves the flow: signed in, or on to confirm the identifier. */
  const leaveSigninPage = async (request: FastifyRequest, reply: FastifyReply, result: SigninResult): Promise<string> => {
    if (result.kind === "signed-in") {
      setSessionCookie(reply, deps, result.token, result.session);
      return result.returnTo;
    }
    if (result.kind === "not-verified") {
      const flow = await startRegistrationCodeFlow(deps, request, result.verify, flowErrorOf(result.refusal));
      return withQuery("/verify", { flow });
    }
    return "/signin";
  };

  const endSession = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await signOut(deps, { auth: request.auth, context: sessionContextOf(request) });
    clearSessionCookie(reply, deps);
  };

  app.post("/signout", { preHandler: app.csrfProtection }, async (request, reply) => {
    await endSession(request, reply);
    return redirectSeeOther(reply, "/signin?done=signed-out");
  });

  app.delete("/api/v1/session", async (request, reply) => {
    await endSession(request, reply);
    return reply.code(204).send();
  });

  app.post("/api/v1/session", { schema: { body: SigninBody }, preHandler: [limitClient(deps, "signin"), requirePow(deps, "signin")] }, async (request, reply) => {
    const body = request.body as Static<typeof SigninBody>;
    const result = await runSigninStep(
      deps,
      { remember: body.remember ?? false, returnTo: "/account", reauth: false, context: sessionContextOf(request), binding: requesterBinding(request) },
      { action: "submit", identifier: body.identifier, password: body.password, captcha: body.captcha },
    );
    return answerJson(result, (done) => {
      if (done.kind !== "signed-in") throw new Error(`sign-in API cannot answer ${done.kind}`);
      setSessionCookie(reply, deps, done.token, done.session);
      return reply.code(200).send({ account: done.account, session: sessionJson(done.session) });
    });
  });

  // The session check is the hottest read: its answer goes through a serializer compiled from this schema.
  app.get("/api/v1/session", { schema: { response: { 200: SessionAnswer } } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    return reply.send({ account: toPublicAccount(auth.account, identifiers), session: sessionJson(auth.session) });
  });
}
