// Creating and confirming accounts: /register and /verify pages and the /api/v1/accounts calls.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { estimatePasswordStrength, PASSWORD_MAX_LENGTH } from "../accounts/password-policy.ts";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../captcha/routes.ts";
import type { Deps } from "../deps.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { fieldErrorFrom, loadFlow, saveFlow } from "../http/flows.ts";
import { formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { html } from "../lib/html.ts";
import { maskIdentifier, parseIdentifier } from "../lib/identifiers.ts";
import { registerPage, verifyPage } from "../views/auth-pages.ts";
import { notice } from "../views/layout.ts";
import { confirmRegistration, registerAccount, resendRegistrationCode } from "./registration.ts";

export const RegistrationBody = Type.Object(
  {
    identifier: Type.String({ maxLength: 1024 }),
    password: Type.String({ maxLength: 16384 }),
    name: Type.Optional(Type.String({ maxLength: 1024 })),
    captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export const VerifyBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const ResendBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
export const StrengthBody = Type.Object(
  { password: Type.String({ maxLength: 1024 }), userInputs: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 5 })) },
  { additionalProperties: false },
);

function sentData(identifier: string, suggestion?: string): Record<string, string> {
  const parsed = parseIdentifier(identifier);
  if (!parsed.ok) return {};
  return { sentTo: maskIdentifier(parsed.identifier), channel: parsed.identifier.kind, ...(suggestion ? { suggestion } : {}) };
}

export function registerRegistrationRoutes(app: FastifyInstance, deps: Deps): void {
  app.get("/register", async (request, reply) => {
    if (request.auth) return redirectSeeOther(reply, "/account");
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
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

  app.post("/register", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024);
    const name = formField(request, "name", 1024);
    const password = formField(request, "password", 16384);
    if (formField(request, "captchaAction", 16) === "refresh") {
      const flow = await saveFlow(deps, request, { values: { identifier, name }, errors: [], data: { focus: "captcha" } });
      return redirectSeeOther(reply, withQuery("/register", { flow }));
    }
    try {
      if (password !== formField(request, "password_confirm", 16384)) throw new AppError("PASSWORD_MISMATCH", { field: "password_confirm" });
      await registerAccount(deps, { identifier, password, name, captcha: captchaFromForm(request), binding: requesterBinding(request) });
      const parsed = parseIdentifier(identifier);
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [], data: sentData(identifier, parsed.ok ? parsed.suggestion : undefined) });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500 && error.code !== "DELIVERY_FAILED") throw error;
      const flow = await saveFlow(deps, request, { values: { identifier, name }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/register", { flow }));
    }
  });

  const showVerify = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown>;
    const flow = await loadFlow(deps, request, query.flow);
    const fromLink = (name: string) => (typeof query[name] === "string" ? (query[name] as string).slice(0, 320) : "");
    const suggestion = flow?.data?.suggestion;
    const body = verifyPage({
      csrfToken: csrfTokenFor(reply),
      errors: flow?.errors ?? [],
      identifier: flow?.values.identifier ?? fromLink("identifier"),
      code: fromLink("code").replace(/\D/g, "").slice(0, 6),
      resent: flow?.data?.resent === "1",
      ...(flow?.data?.sentTo ? { sentTo: flow.data.sentTo, channel: flow.data.channel === "phone" ? ("phone" as const) : ("email" as const) } : {}),
    });
    const hint = suggestion
      ? notice("warning", html`Did you mean <strong>${suggestion}</strong>? If the address above has a typo, <a href="/register">start again</a> with the right one.`)
      : "";
    return sendPage(request, reply, deps, { title: "Confirm your account", body: html`${hint}${body}` });
  };
  app.get("/verify", showVerify);

  app.post("/verify", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024);
    try {
      await confirmRegistration(deps, { identifier, code: formField(request, "code", 64), context: sessionContextOf(request) });
      return redirectSeeOther(reply, "/signin?done=verified");
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    }
  });

  app.post("/verify/resend", { preHandler: [app.csrfProtection, limitClient(deps, "verification")] }, async (request, reply) => {
    const identifier = formField(request, "identifier", 1024);
    try {
      await resendRegistrationCode(deps, { identifier });
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [], data: { resent: "1" } });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    } catch (error) {
      if (!isAppError(error) || (error.status >= 500 && error.code !== "DELIVERY_FAILED")) throw error;
      if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/verify", { flow }));
    }
  });

  app.post("/api/v1/accounts", { schema: { body: RegistrationBody }, preHandler: limitClient(deps, "verification") }, async (request, reply) => {
    const body = request.body as Static<typeof RegistrationBody>;
    await registerAccount(deps, { identifier: body.identifier, password: body.password, name: body.name ?? null, captcha: body.captcha, binding: requesterBinding(request) });
    const parsed = parseIdentifier(body.identifier);
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
