// Creating and confirming accounts: /register and /verify pages and the /api/v1/accounts calls.
import { PowProofField, requirePow } from "../pow/routes.ts";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { estimatePasswordStrength, PASSWORD_MAX_LENGTH } from "../accounts/password-policy.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import type { Deps } from "../deps.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { type FlowState, fieldErrorFrom, loadFlow, saveFlow, takeFlow } from "../http/flows.ts";
import { formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { setSessionCookie } from "../http/session-hook.ts";
import { sealJSON, unsealJSON } from "../lib/crypto.ts";
import { parseIdentifier, suggestEmailCorrection } from "../lib/identifier-parsing.ts";
import { registerCheckAddressPage, registerPage, verifyPage } from "../views/auth-pages.ts";
import { confirmRegistration, registerAccount, resendRegistrationCode, signInAfterConfirmation } from "./registration.ts";

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
export const VerifyBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const ResendBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
export const SuggestionBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
export const StrengthBody = Type.Object(
  { password: Type.String({ maxLength: 1024 }), userInputs: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 5 })) },
  { additionalProperties: false },
);

/** What the registration form held when it stopped to ask about the address: sealed, never stored readable. */
interface PendingRegistration {
  password: string;
  passwordConfirm: string;
  captcha: CAPTCHASubmission | null;
}
const PENDING_SEAL_PURPOSE = "registration-pending";
/** Flow data keys shared by /verify and its resend: where the code went, and whom to sign in after it. */
const VERIFY_DATA_KEYS = ["sentTo", "channel", "signInAs"] as const;

function keptVerifyData(flow: FlowState | null): Record<string, string> {
  const data: Record<string, string> = {};
  for (const key of VERIFY_DATA_KEYS) {
    const value = flow?.data?.[key];
    if (value) data[key] = value;
  }
  return data;
}

export function registerRegistrationRoutes(app: FastifyInstance, deps: Deps): void {
  app.get("/register", async (request, reply) => {
    if (request.auth) return redirectSeeOther(reply, "/account");
    const flowId = (request.query as Record<string, unknown>).flow;
    const flow = await loadFlow(deps, request, flowId);
    if (flow?.data?.check === "1" && flow.data.suggestion && typeof flowId === "string") {
      const body = registerCheckAddressPage({ csrfToken: csrfTokenFor(reply), flowId, identifier: flow.values.identifier ?? "", suggestion: flow.data.suggestion });
      return sendPage(request, reply, deps, { title: "Check your e-mail address", body });
    }
    const errors = flow?.errors ?? [];
    const challenge = deps.config.registrationCAPTCHA ? await challengeForPage(deps, { purpose: "registration", binding: requesterBinding(request), ip: request.ip, another: flow?.data?.focus === "captcha" }) : null;
    const body = registerPage({
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: flow?.values.identifier ?? "",
      name: flow?.values.name ?? "",
      focusCaptcha: flow?.data?.focus === "captcha",
      ...(challenge ? { extra: captchaFieldset(challenge, errors, { autofocus: errors.some((e) => e.field === "captcha") || flow?.data?.focus === "captcha" }) } : {}),
    });
    return sendPage(request, reply, deps, { title: "Create an account", body });
  });

  /** Creates the account and moves on to /verify, or back to the form with the error. */
  const completeRegistration = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: { identifier: string; name: string; pending: PendingRegistration },
  ): Promise<FastifyReply> => {
    const { identifier, name, pending } = input;
    try {
      if (pending.password !== pending.passwordConfirm) throw new AppError("PASSWORD_MISMATCH", { field: "password_confirm" });
      const result = await registerAccount(deps, { identifier, password: pending.password, name, captcha: pending.captcha ?? undefined, binding: requesterBinding(request) });
      // signInAs binds the confirmation to this browser: only here does a correct code also sign in.
      const data = { sentTo: result.identifier.display, channel: result.identifier.kind, signInAs: result.identifier.value };
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [], data });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    } catch (error) {
      if (!isAppError(error) || (error.status >= 500 && error.code !== "DELIVERY_FAILED")) throw error;
      const flow = await saveFlow(deps, request, { values: { identifier, name }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/register", { flow }));
    }
  };

  /**
   * Stops before anything is sent when the address looks like a typo, keeping the rest of the form. The
   * passwords and the security check answer wait sealed (AES-GCM under the server secret) in this
   * browser's flow, which the answer takes exactly once.
   */
  const askAboutAddress = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: { identifier: string; name: string; suggestion: string; sealed: string },
  ): Promise<FastifyReply> => {
    const flow = await saveFlow(deps, request, { values: { identifier: input.identifier, name: input.name }, errors: [], data: { check: "1", suggestion: input.suggestion, pending: input.sealed } });
    return redirectSeeOther(reply, withQuery("/register", { flow }));
  };

  app.post("/register", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const checkFlowId = formField(request, "flow", 64);
    if (checkFlowId) {
      const flow = await takeFlow(deps, request, checkFlowId);
      const pending = flow?.data?.pending ? unsealJSON<PendingRegistration>(deps.config.secret, PENDING_SEAL_PURPOSE, flow.data.pending) : null;
      if (!flow || !pending || !flow.data?.pending) return redirectSeeOther(reply, "/register");
      const typed = flow.values.identifier ?? "";
      const suggestion = flow.data.suggestion ?? "";
      const field = formField(request, "identifier", 1024);
      const name = flow.values.name ?? "";
      if (field.trim() !== typed.trim()) {
        // Corrected by hand: that address gets the same check.
        const corrected = suggestEmailCorrection(field);
        if (corrected) return askAboutAddress(request, reply, { identifier: field, name, suggestion: corrected, sealed: flow.data.pending });
        return completeRegistration(request, reply, { identifier: field, name, pending });
      }
      const identifier = formField(request, "address_choice", 16) === "suggested" ? suggestion : typed;
      return completeRegistration(request, reply, { identifier, name, pending });
    }

    const choice = chosenIdentifier(request);
    const identifier = choice ?? formField(request, "identifier", 1024);
    const name = formField(request, "name", 1024);
    const password = formField(request, "password", 16384);
    if (formField(request, "captchaAction", 16) === "refresh" || (choice !== undefined && password === "")) {
      // "Try another", or a number picked from the choices: show the form again with what was typed.
      const flow = await saveFlow(deps, request, { values: { identifier, name }, errors: [], data: choice === undefined ? { focus: "captcha" } : {} });
      return redirectSeeOther(reply, withQuery("/register", { flow }));
    }
    const pending: PendingRegistration = { password, passwordConfirm: formField(request, "password_confirm", 16384), captcha: captchaFromForm(request) ?? null };
    // With the page script, a suggestion already shown next to the field and kept counts as the answer.
    const suggestion = formField(request, "identifier_confirmed", 1024) === identifier ? undefined : suggestEmailCorrection(identifier);
    if (suggestion) {
      return askAboutAddress(request, reply, { identifier, name, suggestion, sealed: sealJSON(deps.config.secret, PENDING_SEAL_PURPOSE, pending, deps.random) });
    }
    return completeRegistration(request, reply, { identifier, name, pending });
  });

  app.post("/api/v1/identifiers/suggestion", { schema: { body: SuggestionBody } }, async (request, reply) => {
    const { identifier } = request.body as Static<typeof SuggestionBody>;
    return reply.send({ suggestion: suggestEmailCorrection(identifier) ?? null });
  });

  const showVerify = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown>;
    const flow = await loadFlow(deps, request, query.flow);
    const fromLink = (name: string) => (typeof query[name] === "string" ? (query[name] as string).slice(0, 320) : "");
    const body = verifyPage({
      csrfToken: csrfTokenFor(reply),
      errors: flow?.errors ?? [],
      identifier: flow?.values.identifier ?? fromLink("identifier"),
      code: fromLink("code").replace(/\D/g, "").slice(0, 6),
      resent: flow?.data?.resent === "1",
      ...(flow?.data?.sentTo ? { sentTo: flow.data.sentTo, channel: flow.data.channel === "phone" ? ("phone" as const) : ("email" as const) } : {}),
      ...(flow?.data?.signInAs && typeof query.flow === "string" ? { flowId: query.flow } : {}),
    });
    return sendPage(request, reply, deps, { title: "Confirm your account", body });
  };
  app.get("/verify", showVerify);

  app.post("/verify", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024);
    // Only a flow this browser saved when it chose the password (loadFlow checks the owner) can sign in.
    const started = await loadFlow(deps, request, formField(request, "flow", 64));
    try {
      const account = await confirmRegistration(deps, { identifier, code: formField(request, "code", 64), context: sessionContextOf(request) });
      const confirmed = account.identifiers.find((i) => i.value === started?.data?.signInAs && i.verified);
      if (confirmed) {
        const { token, session } = await signInAfterConfirmation(deps, { accountId: account.id, context: sessionContextOf(request) });
        setSessionCookie(reply, deps, token, session);
        return redirectSeeOther(reply, "/account?done=welcome");
      }
      // Another browser (or the link opened elsewhere): the address is filled in, the password is still needed.
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [] });
      return redirectSeeOther(reply, withQuery("/signin", { flow, done: "verified" }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)], data: keptVerifyData(started) });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    }
  });

  app.post("/verify/resend", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024);
    const started = await loadFlow(deps, request, formField(request, "flow", 64));
    try {
      await resendRegistrationCode(deps, { identifier });
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [], data: { ...keptVerifyData(started), resent: "1" } });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    } catch (error) {
      if (!isAppError(error) || (error.status >= 500 && error.code !== "DELIVERY_FAILED")) throw error;
      if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)], data: keptVerifyData(started) });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    }
  });

  app.post("/api/v1/accounts", { schema: { body: RegistrationBody }, preHandler: [limitClient(deps, "verification"), requirePow(deps, "registration")] }, async (request, reply) => {
    const body = request.body as Static<typeof RegistrationBody>;
    await registerAccount(deps, { identifier: body.identifier, password: body.password, name: body.name ?? null, captcha: body.captcha, binding: requesterBinding(request) });
    const parsed = parseIdentifier(body.identifier, { defaultRegion: deps.config.defaultRegion });
    return reply.code(202).send({ verification: "sent", ...(parsed.ok && parsed.suggestion ? { suggestion: parsed.suggestion } : {}) });
  });

  app.post("/api/v1/accounts/verify", { schema: { body: VerifyBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const body = request.body as Static<typeof VerifyBody>;
    const account = await confirmRegistration(deps, { ...body, context: sessionContextOf(request) });
    return reply.code(200).send({ account });
  });

  app.post("/api/v1/accounts/verify/resend", { schema: { body: ResendBody }, preHandler: limitClient(deps, "verification") }, async (request, reply) => {
    await resendRegistrationCode(deps, request.body as Static<typeof ResendBody>);
    return reply.code(202).send({ verification: "sent" });
  });

  // Needs no sign-in, so each address gets a budget of estimates (they run in a worker thread, bounded).
  app.post("/api/v1/password-strength", { schema: { body: StrengthBody }, preHandler: limitClient(deps, "passwordStrength") }, async (request, reply) => {
    const body = request.body as Static<typeof StrengthBody>;
    const strength = await estimatePasswordStrength(body.password.slice(0, PASSWORD_MAX_LENGTH), body.userInputs ?? []);
    return reply.send({ score: strength.score, acceptable: strength.score >= deps.config.passwordMinScore && body.password.length >= 8, warning: strength.warning, suggestions: strength.suggestions });
  });
}
