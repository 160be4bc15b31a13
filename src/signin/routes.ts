// Sign-in and sign-out: the /signin page and the /api/v1/session calls. Each route reads its input, calls
// the flow service (signin-flow.ts, signout.ts) and hands the result to the flow adapter.

import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { PublicAccountSchema, toPublicAccount } from "../accounts/public-account.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import type { Deps } from "../deps.ts";
import { startPasskeyAuthentication } from "../factors/passkeys.ts";
import { flowErrorOf } from "../flows/refusal.ts";
import { requireApiAuth } from "../http/auth.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { limitClient } from "../http/client-limits.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { answerJson, answerJsonStep, answerPage, claimPostedStep, readFlow } from "../http/flow-adapter.ts";
import { signinPageFlow, startRegistrationCodeFlow, startResetFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formCheckbox, formField, ownValue, redirectSeeOther, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf, sessionContextOf } from "../http/request-context.ts";
import { safeReturnTarget } from "../http/return-target.ts";
import { clearSessionCookie, setSessionCookie } from "../http/session-hook.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { html } from "../lib/html.ts";
import { pageTitlesIn, signinNotice } from "../messages/pages.ts";
import { allowSigninRedirects } from "../oidc/form-action.ts";
import { PowProofField, powFields, powFromFormIsValid, requirePow } from "../pow/routes.ts";
import type { SessionRecord } from "../stores/types.ts";
import { secondFactorPage, signinPage } from "../views/auth-pages.ts";
import { captchaFieldset } from "../views/captcha.ts";
import {
  runPasskeySignin,
  runSecondFactorStep,
  runSigninStep,
  type SecondFactorAction,
  type SigninAction,
  type SigninRequest,
  type SigninResult,
} from "./signin-flow.ts";
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

const CAPTCHAField = Type.Optional(
  Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
);
/** A WebAuthn answer from the browser: checked in depth by the library, bounded here. */
const WebAuthnResponse = Type.Object({}, { additionalProperties: true, maxProperties: 16 });
const FlowField = Type.String({ maxLength: 64 });

export const SecondFactorBody = Type.Union([
  Type.Object(
    { flow: FlowField, method: Type.Union([Type.Literal("totp"), Type.Literal("recovery_code")]), code: Type.String({ maxLength: 64 }), captcha: CAPTCHAField },
    { additionalProperties: false },
  ),
  Type.Object(
    { flow: FlowField, method: Type.Literal("passkey"), challengeId: Type.String({ maxLength: 64 }), response: WebAuthnResponse },
    { additionalProperties: false },
  ),
]);
const FlowBody = Type.Object({ flow: FlowField }, { additionalProperties: false });
const PasskeySigninBody = Type.Object(
  {
    challengeId: Type.String({ maxLength: 64 }),
    response: WebAuthnResponse,
    remember: Type.Optional(Type.Boolean()),
    returnTo: Type.Optional(Type.String({ maxLength: 512 })),
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

export function registerSigninRoutes(app: TypedApp, deps: Deps): void {
  app.get("/signin", async (request, reply) => {
    const query = request.query;
    const flow = await readFlow(deps, request, signinPageFlow, ownValue(query, "flow"));
    const state = flow?.state;
    // prompt=login (an application asked for a fresh sign-in) shows the form even to a signed-in person.
    const reauth = ownValue(query, "prompt") === "login" || state?.reauth === true;
    // A signed-in person is sent on, unless asked to sign in again or to add a second factor (a step-up).
    const stepUp = request.auth !== null && state?.step === "second-factor" && state.secondFactor?.accountId === request.auth.account.id;
    if (request.auth && !reauth && !stepUp) return redirectSeeOther(reply, safeReturnTarget(ownValue(query, "return_to"), deps.config));
    const returnTo = safeReturnTarget(state?.returnTo ?? ownValue(query, "return_to"), deps.config);
    const t = translator(request.locale);
    const titles = pageTitlesIn(t);
    const errors = state?.error ? [fieldErrorOf(state.error, request.locale)] : [];
    if (flow && state?.step === "second-factor" && state.secondFactor) {
      const captcha = state.secondFactor.captcha
        ? await challengeForPage(deps, { purpose: "signin", binding: requesterBinding(request), ip: clientAddressOf(request), locale: request.locale })
        : null;
      reply.header("cache-control", "no-store");
      const body = secondFactorPage({
        t,
        csrfToken: csrfTokenFor(reply),
        flowId: flow.id,
        errors,
        methods: state.secondFactor.methods,
        ...(captcha ? { captcha: captchaFieldset(captcha, errors, { t, autofocus: errors.some((e) => e.field === "captcha") }) } : {}),
      });
      // This form's post ends at the return target too (an app behind forward-auth, say): allow its origin.
      await allowSigninRedirects(deps, reply, returnTo);
      return sendPage(request, reply, deps, { title: titles.secondFactor, body });
    }
    const challenge =
      state?.step === "captcha"
        ? await challengeForPage(deps, {
            purpose: "signin",
            binding: requesterBinding(request),
            ip: clientAddressOf(request),
            locale: request.locale,
            another: state.focus === "captcha",
          })
        : null;
    const notice = signinNotice(ownValue(query, "done"), t);
    const body = signinPage({
      t,
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: state?.identifier ?? "",
      returnTo,
      ...(challenge || reauth || deps.config.pow.enabled
        ? {
            extra: html`${reauth ? html`<input type="hidden" name="prompt" value="login">` : ""}${challenge ? captchaFieldset(challenge, errors, { t, autofocus: errors.some((e) => e.field === "captcha") || state?.focus === "captcha" }) : ""}${deps.config.pow.enabled ? powFields("signin") : ""}`,
          }
        : {}),
      remember: state?.remember === true,
      focusCaptcha: state?.focus === "captcha",
      focusPassword: state?.focus === "password",
      retypePassword: flow !== null,
      ...(notice ? { notice } : {}),
    });
    await allowSigninRedirects(deps, reply, returnTo);
    return sendPage(request, reply, deps, { title: titles.signin, body });
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
        locale: request.locale,
        replacesSessionId: request.auth?.session.id,
      },
      signinActionOf(deps, request),
    );
    return answerPage(deps, request, reply, signinPageFlow, result, (left) => leaveSigninPage(request, reply, left));
  });

  // The second step after a right password: the step is claimed before the code is checked, so a completed
  // step cannot be replayed and of concurrent submissions only one runs.
  app.post("/signin/second-factor", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const posted = await claimPostedStep(deps, request, signinPageFlow, formField(request, "flow", 64));
    const method = formField(request, "method", 16) === "recovery_code" ? "recovery_code" : "totp";
    const code = formField(request, "code", 64);
    const result = await runSecondFactorStep(deps, pageSigninRequest(request), posted, { method, code, captcha: captchaFromForm(request) });
    return answerPage(deps, request, reply, signinPageFlow, result, (left) => leaveSigninPage(request, reply, left), posted?.claimed);
  });

  /** The sign-in request of a page's second step: what was chosen at the password lives in the flow. */
  const pageSigninRequest = (request: FastifyRequest): SigninRequest => ({
    remember: false,
    returnTo: "/account",
    reauth: false,
    context: sessionContextOf(request),
    binding: requesterBinding(request),
    locale: request.locale,
    replacesSessionId: request.auth?.session.id,
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

  app.post(
    "/api/v1/session",
    { schema: { body: SigninBody }, preHandler: [limitClient(deps, "signin"), requirePow(deps, "signin")] },
    async (request, reply) => {
      const body = request.body;
      const result = await runSigninStep(
        deps,
        {
          remember: body.remember ?? false,
          returnTo: "/account",
          reauth: false,
          context: sessionContextOf(request),
          binding: requesterBinding(request),
          locale: request.locale,
        },
        { action: "submit", identifier: body.identifier, password: body.password, captcha: body.captcha },
      );
      return answerJsonStep(deps, request, signinPageFlow, result, (done) => answerSignedIn(reply, done));
    },
  );

  /** An API sign-in that is complete: the session cookie and the account. */
  const answerSignedIn = (reply: FastifyReply, done: SigninResult, more: Record<string, unknown> = {}): FastifyReply => {
    if (done.kind !== "signed-in") throw new Error(`sign-in API cannot answer ${done.kind}`);
    setSessionCookie(reply, deps, done.token, done.session);
    return reply.code(200).send({ account: done.account, session: sessionJson(done.session), ...more });
  };

  // The second factor of an API sign-in (or of the page's passkey button): `flow` is the id the 401
  // SECOND_FACTOR_REQUIRED answer named. Claimed before it runs, like the page's step.
  app.post("/api/v1/session/second-factor", { schema: { body: SecondFactorBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const body = request.body;
    const posted = await claimPostedStep(deps, request, signinPageFlow, body.flow);
    const action: SecondFactorAction =
      body.method === "passkey"
        ? { method: "passkey", challengeId: body.challengeId, response: body.response }
        : { method: body.method, code: body.code, captcha: body.captcha };
    const result = await runSecondFactorStep(deps, { ...pageSigninRequest(request) }, posted ?? { state: null, claimed: null }, action);
    return answerJsonStep(
      deps,
      request,
      signinPageFlow,
      result,
      (done) => answerSignedIn(reply, done, { redirectTo: done.kind === "signed-in" ? done.returnTo : "/account" }),
      posted?.claimed,
    );
  });

  // Options for a passkey as the second step: only the passkeys of the account whose password was right.
  app.post(
    "/api/v1/session/second-factor/passkey/options",
    { schema: { body: FlowBody }, preHandler: limitClient(deps, "passkeyOptions") },
    async (request, reply) => {
      const flow = await readFlow(deps, request, signinPageFlow, request.body.flow);
      const accountId = flow?.state.step === "second-factor" ? flow.state.secondFactor?.accountId : undefined;
      // The same answer as a flow that is gone: a challenge without passkeys to offer cannot be used.
      const challenge = await startPasskeyAuthentication(deps, { binding: requesterBinding(request), accountId: accountId ?? "none" });
      return reply.send(challenge);
    },
  );

  // Signing in with a passkey alone (no password): one step. The sign-in page asks for these options on
  // every load (for the browser's passkey autofill), so they have their own allowance: counted against the
  // sign-in attempts, a few reloads would lock the address out of signing in with a password.
  app.post("/api/v1/session/passkey/options", { preHandler: limitClient(deps, "passkeyOptions") }, async (request, reply) => {
    const challenge = await startPasskeyAuthentication(deps, { binding: requesterBinding(request) });
    return reply.send(challenge);
  });

  app.post("/api/v1/session/passkey", { schema: { body: PasskeySigninBody }, preHandler: limitClient(deps, "signin") }, async (request, reply) => {
    const body = request.body;
    const returnTo = safeReturnTarget(body.returnTo, deps.config);
    const result = await runPasskeySignin(
      deps,
      { ...pageSigninRequest(request), remember: body.remember ?? false, returnTo },
      { challengeId: body.challengeId, response: body.response },
    );
    return answerJson(result, (done) => answerSignedIn(reply, done, { redirectTo: returnTo }));
  });

  // The session check is the hottest read: its answer goes through a serializer compiled from this schema.
  app.get("/api/v1/session", { schema: { response: { 200: SessionAnswer } } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    return reply.send({ account: toPublicAccount(auth.account, auth.identifiers), session: sessionJson(auth.session) });
  });
}
