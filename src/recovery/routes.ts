// "Forgot your password?": the reset pages and /api/v1/password-resets.
import { PowProofField, requirePow } from "../pow/routes.ts";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { fieldErrorFrom, loadFlow, saveFlow } from "../http/flows.ts";
import { formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { sealJSON, unsealJSON } from "../lib/crypto.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { resetConfirmPage, resetLinkProblemPage, resetRequestPage, resetSentPage } from "../views/recovery-pages.ts";
import { checkResetLink, findResetLinkIdentifier, completePasswordResetWithCode, completePasswordResetWithToken, requestPasswordReset } from "./reset.ts";

const CAPTCHA = Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const ResetRequestBody = Type.Object({ identifier: Type.String({ maxLength: 1024 }), captcha: Type.Optional(CAPTCHA), pow: PowProofField }, { additionalProperties: false });
export const ResetCompleteBody = Type.Union([
  Type.Object({ token: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 16384 }) }, { additionalProperties: false }),
  Type.Object({ identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 16384 }) }, { additionalProperties: false }),
]);

/** Reset pages never leak the token through the Referer header. */
function noReferrer(reply: FastifyReply): void {
  reply.header("referrer-policy", "no-referrer");
}

export function registerRecoveryRoutes(app: FastifyInstance, deps: Deps): void {
  app.get("/password/reset", async (request, reply) => {
    noReferrer(reply);
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
    const errors = flow?.errors ?? [];
    const challenge = await challengeForPage(deps, { purpose: "password_reset", binding: requesterBinding(request), ip: request.ip, another: flow?.data?.focus === "captcha" });
    const body = resetRequestPage({
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: flow?.values.identifier ?? "",
      focusCaptcha: flow?.data?.focus === "captcha",
      captcha: captchaFieldset(challenge, errors, { autofocus: errors.some((e) => e.field === "captcha") || flow?.data?.focus === "captcha" }),
    });
    return sendPage(request, reply, deps, { title: "Reset your password", body });
  });

  app.post("/password/reset", { preHandler: [app.csrfProtection, limitClient(deps, "reset")] }, async (request, reply) => {
    const choice = chosenIdentifier(request);
    const identifier = choice ?? formField(request, "identifier", 1024);
    if (formField(request, "captchaAction", 16) === "refresh") {
      return redirectSeeOther(reply, withQuery("/password/reset", { flow: await saveFlow(deps, request, { values: { identifier }, errors: [], data: { focus: "captcha" } }) }));
    }
    if (choice !== undefined && formField(request, "captchaAnswer", 64) === "") {
      // A number picked from the choices: fill it in; the security check is still to be answered.
      return redirectSeeOther(reply, withQuery("/password/reset", { flow: await saveFlow(deps, request, { values: { identifier }, errors: [], data: { focus: "captcha" } }) }));
    }
    try {
      const result = await requestPasswordReset(deps, { identifier, captcha: captchaFromForm(request), binding: requesterBinding(request), context: sessionContextOf(request) });
      const data = { sentTo: result.identifier.display, channel: result.identifier.kind };
      const flow = await saveFlow(deps, request, { values: { identifier: result.identifier.display }, errors: [], data });
      return redirectSeeOther(reply, withQuery(result.identifier.kind === "email" ? "/password/reset/sent" : "/password/reset/confirm", { flow }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
      const flow = await saveFlow(deps, request, { values: { identifier }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/password/reset", { flow }));
    }
  });

  app.get("/password/reset/sent", async (request, reply) => {
    noReferrer(reply);
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
    if (!flow?.data?.sentTo) return redirectSeeOther(reply, "/password/reset");
    return sendPage(request, reply, deps, { title: "Check your e-mail", body: resetSentPage({ sentTo: flow.data.sentTo }) });
  });

  app.get("/password/reset/confirm", async (request, reply) => {
    noReferrer(reply);
    const query = request.query as Record<string, unknown>;
    if (typeof query.token === "string") {
      const token = query.token.slice(0, 256);
      const status = await checkResetLink(deps, token);
      if (status !== "valid") {
        return sendPage(request, reply, deps, { title: "Reset link problem", body: resetLinkProblemPage({ csrfToken: csrfTokenFor(reply), problem: status }) });
      }
      // Take the token out of the address bar (and so out of history) before showing the form.
      const sealed = sealJSON(deps.config.secret, "reset-token", token, deps.random);
      // The account's identifier goes into a hidden username field, so password managers update the right entry.
      const username = (await findResetLinkIdentifier(deps, token)) ?? "";
      const flow = await saveFlow(deps, request, { values: {}, errors: [], data: { token: sealed, ...(username ? { username } : {}) } });
      return redirectSeeOther(reply, withQuery("/password/reset/confirm", { flow }));
    }
    const flowId = typeof query.flow === "string" ? query.flow : undefined;
    const flow = await loadFlow(deps, request, flowId);
    const body = resetConfirmPage({
      csrfToken: csrfTokenFor(reply),
      errors: flow?.errors ?? [],
      ...(flow?.data?.token && flowId ? { flowId, username: flow.data.username ?? "" } : {}),
      identifier: flow?.values.identifier ?? "",
      ...(flow?.data?.sentTo ? { sentTo: flow.data.sentTo } : {}),
    });
    return sendPage(request, reply, deps, { title: "Choose a new password", body });
  });

  app.post("/password/reset/confirm", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    noReferrer(reply);
    const password = formField(request, "password", 16384);
    const flowId = formField(request, "flow", 64);
    const linkFlow = flowId ? await loadFlow(deps, request, flowId) : null;
    const token = linkFlow?.data?.token ? unsealJSON<string>(deps.config.secret, "reset-token", linkFlow.data.token) : null;
    const identifier = formField(request, "identifier", 1024);
    try {
      if (flowId && !token) throw new AppError("RESET_TOKEN_EXPIRED", { field: "token", detail: "flow gone" });
      if (password !== formField(request, "password_confirm", 16384)) throw new AppError("PASSWORD_MISMATCH", { field: "password_confirm" });
      if (token) await completePasswordResetWithToken(deps, { token, password, context: sessionContextOf(request) });
      else await completePasswordResetWithCode(deps, { identifier, code: formField(request, "code", 64), password, context: sessionContextOf(request) });
      return redirectSeeOther(reply, "/signin?done=password-reset");
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      if (error.code === "RESET_TOKEN_EXPIRED" || error.code === "RESET_TOKEN_USED" || error.code === "RESET_TOKEN_INVALID") {
        const problem = error.code === "RESET_TOKEN_EXPIRED" ? "expired" : error.code === "RESET_TOKEN_USED" ? "used" : "invalid";
        return sendPage(request, reply, deps, { title: "Reset link problem", status: 400, body: resetLinkProblemPage({ csrfToken: csrfTokenFor(reply), problem }) });
      }
      const data: Record<string, string> = token && linkFlow?.data?.token ? { token: linkFlow.data.token, ...(linkFlow.data.username ? { username: linkFlow.data.username } : {}) } : {};
      const flow = await saveFlow(deps, request, { values: token ? {} : { identifier }, errors: [fieldErrorFrom(error)], data });
      return redirectSeeOther(reply, withQuery("/password/reset/confirm", { flow }));
    }
  });

  app.post("/api/v1/password-resets", { schema: { body: ResetRequestBody }, preHandler: [limitClient(deps, "reset"), requirePow(deps, "password_reset")] }, async (request, reply) => {
    const body = request.body as Static<typeof ResetRequestBody>;
    await requestPasswordReset(deps, { identifier: body.identifier, captcha: body.captcha, binding: requesterBinding(request), context: sessionContextOf(request) });
    return reply.code(202).send({ reset: "sent" });
  });

  app.post("/api/v1/password-resets/complete", { schema: { body: ResetCompleteBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const body = request.body as Static<typeof ResetCompleteBody>;
    if ("token" in body) await completePasswordResetWithToken(deps, { ...body, context: sessionContextOf(request) });
    else await completePasswordResetWithCode(deps, { ...body, context: sessionContextOf(request) });
    return reply.code(204).send();
  });
}
