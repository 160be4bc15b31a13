// Creating and confirming accounts: /register and /verify pages and the /api/v1/accounts calls. Each route
// reads its input, calls the flow service (registration-flow.ts) and hands the result to the flow adapter.

import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { estimatePasswordStrength, PASSWORD_MAX_LENGTH } from "../accounts/password-policy.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import type { Deps } from "../deps.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { limitClient } from "../http/client-limits.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { answerJson, answerPage, claimPostedStep, readFlow } from "../http/flow-adapter.ts";
import { REGISTRATION_PAGES, registrationPageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formField, ownValue, redirectSeeOther } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf, sessionContextOf } from "../http/request-context.ts";
import { setSessionCookie } from "../http/session-hook.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { suggestEmailCorrection } from "../lib/identifier-parsing.ts";
import { pageTitlesIn } from "../messages/pages.ts";
import { PowProofField, requirePow } from "../pow/routes.ts";
import { registerCheckAddressPage, registerPage, verifyPage } from "../views/auth-pages.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { confirmRegistration, resendRegistrationCode } from "./registration.ts";
import {
  type RegistrationAction,
  type RegistrationResult,
  runRegistrationConfirmation,
  runRegistrationRequest,
  runRegistrationResend,
  runRegistrationStep,
} from "./registration-flow.ts";

export const RegistrationBody = Type.Object(
  {
    identifier: Type.String({ maxLength: 1024 }),
    password: Type.String({ maxLength: 16384 }),
    name: Type.Optional(Type.String({ maxLength: 1024 })),
    captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })),
    pow: PowProofField,
  },
  { additionalProperties: false },
);
export const VerifyBody = Type.Object(
  { identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }), password: Type.Optional(Type.String({ maxLength: 16384 })) },
  { additionalProperties: false },
);
export const ResendBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
export const SuggestionBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
export const StrengthBody = Type.Object(
  { password: Type.String({ maxLength: 1024 }), userInputs: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 5 })) },
  { additionalProperties: false },
);

/**
 * Who confirms a registration, in the terms registerAccount remembered the requester that chose the password
 * in; none for a request without a browser id (it never chose one).
 */
function confirmerBinding(request: FastifyRequest): string | undefined {
  return request.auth || request.browserId ? requesterBinding(request) : undefined;
}

/** What the registration form asks for: the form again, a registration, or the answer to the address check. */
function registrationActionOf(request: FastifyRequest): RegistrationAction {
  if (formField(request, "flow", 64))
    return {
      action: "answer-address",
      identifier: formField(request, "identifier", 1024),
      useSuggestion: formField(request, "address_choice", 16) === "suggested",
    };
  const choice = chosenIdentifier(request);
  const identifier = choice ?? formField(request, "identifier", 1024);
  const name = formField(request, "name", 1024);
  const password = formField(request, "password", 16384);
  if (formField(request, "captchaAction", 16) === "refresh" || (choice !== undefined && password === "")) {
    return { action: "show-again", identifier, name, focus: choice === undefined ? "captcha" : null };
  }
  return {
    action: "submit",
    identifier,
    name,
    password,
    passwordConfirm: formField(request, "password_confirm", 16384),
    captcha: captchaFromForm(request),
    confirmedIdentifier: formField(request, "identifier_confirmed", 1024),
  };
}

export function registerRegistrationRoutes(app: TypedApp, deps: Deps): void {
  /** Where a page of registration goes when it leaves the flow. */
  const leaveRegistrationPage = (reply: FastifyReply, result: RegistrationResult): string => {
    if (result.kind === "signed-in") {
      setSessionCookie(reply, deps, result.token, result.session);
      return REGISTRATION_PAGES.done;
    }
    return REGISTRATION_PAGES.details;
  };

  app.get("/register", async (request, reply) => {
    if (request.auth) return redirectSeeOther(reply, "/account");
    const flow = await readFlow(deps, request, registrationPageFlow, ownValue(request.query, "flow"));
    const state = flow?.state;
    const t = translator(request.locale);
    if (flow && state?.step === "check-address" && state.suggestion) {
      const body = registerCheckAddressPage({ t, csrfToken: csrfTokenFor(reply), flowId: flow.id, identifier: state.identifier, suggestion: state.suggestion });
      return sendPage(request, reply, deps, { title: pageTitlesIn(t).registerCheckAddress, body });
    }
    const errors = state?.step === "details" && state.error ? [fieldErrorOf(state.error, request.locale)] : [];
    const focusCaptcha = state?.step === "details" && state.focus === "captcha";
    const challenge = deps.config.registrationCAPTCHA
      ? await challengeForPage(deps, {
          purpose: "registration",
          binding: requesterBinding(request),
          ip: clientAddressOf(request),
          locale: request.locale,
          another: focusCaptcha,
        })
      : null;
    const body = registerPage({
      t,
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: state?.step === "details" ? state.identifier : "",
      name: state?.step === "details" ? state.name : "",
      focusCaptcha,
      ...(challenge ? { extra: captchaFieldset(challenge, errors, { t, autofocus: errors.some((e) => e.field === "captcha") || focusCaptcha }) } : {}),
    });
    return sendPage(request, reply, deps, { title: pageTitlesIn(t).register, body });
  });

  app.post("/register", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const action = registrationActionOf(request);
    // The answer to the address check claims that step: the sealed password is used at most once.
    const posted = action.action === "answer-address" ? await claimPostedStep(deps, request, registrationPageFlow, formField(request, "flow", 64)) : undefined;
    const result = await runRegistrationStep(deps, { binding: requesterBinding(request), locale: request.locale }, action, posted?.claimed?.state);
    return answerPage(deps, request, reply, registrationPageFlow, result, (left) => leaveRegistrationPage(reply, left), posted?.claimed);
  });

  app.post("/api/v1/identifiers/suggestion", { schema: { body: SuggestionBody } }, async (request, reply) => {
    const { identifier } = request.body;
    return reply.send({ suggestion: suggestEmailCorrection(identifier) ?? null });
  });

  app.get("/verify", async (request, reply) => {
    const query = request.query;
    const flow = await readFlow(deps, request, registrationPageFlow, ownValue(query, "flow"));
    const state = flow?.state.step === "code" ? flow.state : undefined;
    const fromLink = (name: string) => {
      const value = ownValue(query, name);
      return typeof value === "string" ? value.slice(0, 320) : "";
    };
    const t = translator(request.locale);
    const body = verifyPage({
      t,
      csrfToken: csrfTokenFor(reply),
      errors: state?.error ? [fieldErrorOf(state.error, request.locale)] : [],
      identifier: state?.identifier ?? fromLink("identifier"),
      code: fromLink("code").replace(/\D/g, "").slice(0, 6),
      // Only the browser that chose the password confirms with the code alone; anywhere else (a link opened
      // in another browser or app) the password is typed too. The browser that registered may leave it empty.
      // A code step whose account was replaced since is told so on the password field, so it shows it.
      askPassword: !state?.signInAccountId || state.error?.field === "password",
      resent: state?.resent === true,
      ...(state?.sentTo ? { sentTo: state.sentTo, channel: state.channel === "phone" ? ("phone" as const) : ("email" as const) } : {}),
      ...(state?.signInAs && flow ? { flowId: flow.id } : {}),
    });
    return sendPage(request, reply, deps, { title: pageTitlesIn(t).verify, body });
  });

  app.post("/verify", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    // A flow this browser saved when it chose the password (readFlow checks the owner) confirms with the code
    // alone, and only for the account it names; so does this browser within a day of registering. Anything
    // else needs the password typed with the code (confirmRegistration).
    const started = await readFlow(deps, request, registrationPageFlow, formField(request, "flow", 64));
    const input = {
      identifier: formField(request, "identifier", 1024),
      code: formField(request, "code", 64),
      password: formField(request, "password", 16384),
      binding: confirmerBinding(request),
      context: sessionContextOf(request),
    };
    const result = await runRegistrationConfirmation(deps, input, started?.state.step === "code" ? started.state : null);
    return answerPage(deps, request, reply, registrationPageFlow, result, (left) => leaveRegistrationPage(reply, left));
  });

  app.post("/verify/resend", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const started = await readFlow(deps, request, registrationPageFlow, formField(request, "flow", 64));
    const result = await runRegistrationResend(deps, { identifier: formField(request, "identifier", 1024), locale: request.locale }, started?.state);
    return answerPage(deps, request, reply, registrationPageFlow, result, (left) => leaveRegistrationPage(reply, left));
  });

  app.post(
    "/api/v1/accounts",
    { schema: { body: RegistrationBody }, preHandler: [limitClient(deps, "verification"), requirePow(deps, "registration")] },
    async (request, reply) => {
      const body = request.body;
      const result = await runRegistrationRequest(deps, {
        identifier: body.identifier,
        password: body.password,
        name: body.name ?? null,
        captcha: body.captcha,
        binding: requesterBinding(request),
        locale: request.locale,
      });
      return answerJson(result, (sent) =>
        reply.code(202).send({ verification: "sent", ...(sent.kind === "code-sent" && sent.suggestion ? { suggestion: sent.suggestion } : {}) }),
      );
    },
  );

  app.post("/api/v1/accounts/verify", { schema: { body: VerifyBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const body = request.body;
    const account = await confirmRegistration(deps, { ...body, binding: confirmerBinding(request), context: sessionContextOf(request) });
    return reply.code(200).send({ account });
  });

  app.post("/api/v1/accounts/verify/resend", { schema: { body: ResendBody }, preHandler: limitClient(deps, "verification") }, async (request, reply) => {
    await resendRegistrationCode(deps, { ...request.body, locale: request.locale });
    return reply.code(202).send({ verification: "sent" });
  });

  // Needs no sign-in, so each address gets a budget of estimates (they run in a worker thread, bounded).
  app.post("/api/v1/password-strength", { schema: { body: StrengthBody }, preHandler: limitClient(deps, "passwordStrength") }, async (request, reply) => {
    const body = request.body;
    // The page's language: its words count as easy to guess, and the advice comes in it.
    const strength = await estimatePasswordStrength(body.password.slice(0, PASSWORD_MAX_LENGTH), body.userInputs ?? [], request.locale);
    return reply.send({
      score: strength.score,
      acceptable: strength.score >= deps.config.passwordMinScore && body.password.length >= 8,
      warning: strength.warning,
      suggestions: strength.suggestions,
    });
  });
}
