// "Forgot your password?": the reset pages and /api/v1/password-resets. Each route reads its input, calls
// the flow service (reset-flow.ts) and hands the result to the flow adapter.

import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { challengeForPage } from "../captcha/page-challenge.ts";
import type { Deps } from "../deps.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { limitClient } from "../http/client-limits.ts";
import { chosenIdentifier } from "../http/field-choice.ts";
import { answerJson, answerPage, claimPostedStep, readFlow } from "../http/flow-adapter.ts";
import { RESET_PAGES, resetPageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formField, ownValue, redirectSeeOther } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf, sessionContextOf } from "../http/request-context.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { pageTitlesIn } from "../messages/pages.ts";
import { PowProofField, requirePow } from "../pow/routes.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { resetConfirmPage, resetLinkProblemPage, resetRequestPage, resetSentPage } from "../views/recovery-pages.ts";
import { openResetLink, type ResetRequestAction, type ResetResult, runResetCompletion, runResetRequest } from "./reset-flow.ts";

const CAPTCHA = Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const ResetRequestBody = Type.Object(
  { identifier: Type.String({ maxLength: 1024 }), captcha: Type.Optional(CAPTCHA), pow: PowProofField },
  { additionalProperties: false },
);
export const ResetCompleteBody = Type.Union([
  Type.Object({ token: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 16384 }) }, { additionalProperties: false }),
  Type.Object(
    { identifier: Type.String({ maxLength: 1024 }), code: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 16384 }) },
    { additionalProperties: false },
  ),
]);

/** Reset pages never leak the token through the Referer header. */
function noReferrer(reply: FastifyReply): void {
  reply.header("referrer-policy", "no-referrer");
}

/** What the request form asks for: a new security check (also after a number was picked) or a reset. */
function resetRequestActionOf(request: FastifyRequest): ResetRequestAction {
  const choice = chosenIdentifier(request);
  const identifier = choice ?? formField(request, "identifier", 1024);
  if (formField(request, "captchaAction", 16) === "refresh" || (choice !== undefined && formField(request, "captchaAnswer", 64) === ""))
    return { action: "new-captcha", identifier };
  return { action: "submit", identifier, captcha: captchaFromForm(request) };
}

export function registerRecoveryRoutes(app: TypedApp, deps: Deps): void {
  const linkProblemPage = (request: FastifyRequest, reply: FastifyReply, result: ResetResult, status: number): FastifyReply | string => {
    if (result.kind !== "link-problem") return RESET_PAGES.done;
    const t = translator(request.locale);
    return sendPage(request, reply, deps, {
      title: pageTitlesIn(t).resetLinkProblem,
      status,
      body: resetLinkProblemPage({ t, csrfToken: csrfTokenFor(reply), problem: result.problem }),
    });
  };

  app.get("/password/reset", async (request, reply) => {
    noReferrer(reply);
    const state = (await readFlow(deps, request, resetPageFlow, ownValue(request.query, "flow")))?.state;
    const t = translator(request.locale);
    const errors = state?.error ? [fieldErrorOf(state.error, request.locale)] : [];
    const challenge = await challengeForPage(deps, {
      purpose: "password_reset",
      binding: requesterBinding(request),
      ip: clientAddressOf(request),
      locale: request.locale,
      another: state?.focus === "captcha",
    });
    const body = resetRequestPage({
      t,
      csrfToken: csrfTokenFor(reply),
      errors,
      identifier: state?.identifier ?? "",
      focusCaptcha: state?.focus === "captcha",
      captcha: captchaFieldset(challenge, errors, { t, autofocus: errors.some((e) => e.field === "captcha") || state?.focus === "captcha" }),
    });
    return sendPage(request, reply, deps, { title: pageTitlesIn(t).resetRequest, body });
  });

  app.post("/password/reset", { preHandler: [app.csrfProtection, limitClient(deps, "reset")] }, async (request, reply) => {
    const result = await runResetRequest(
      deps,
      { binding: requesterBinding(request), context: sessionContextOf(request), locale: request.locale },
      resetRequestActionOf(request),
    );
    return answerPage(deps, request, reply, resetPageFlow, result, () => RESET_PAGES.request);
  });

  app.get("/password/reset/sent", async (request, reply) => {
    noReferrer(reply);
    const state = (await readFlow(deps, request, resetPageFlow, ownValue(request.query, "flow")))?.state;
    if (state?.step !== "link-sent" || !state.sentTo) return redirectSeeOther(reply, RESET_PAGES.request);
    const t = translator(request.locale);
    return sendPage(request, reply, deps, { title: pageTitlesIn(t).resetSent, body: resetSentPage({ t, sentTo: state.sentTo }) });
  });

  app.get("/password/reset/confirm", async (request, reply) => {
    noReferrer(reply);
    const query = request.query;
    const token = ownValue(query, "token");
    if (typeof token === "string") {
      // Take the token out of the address bar (and so out of history) before showing the form.
      const opened = await openResetLink(deps, token.slice(0, 256));
      return answerPage(deps, request, reply, resetPageFlow, opened, (left) => linkProblemPage(request, reply, left, 200));
    }
    const flow = await readFlow(deps, request, resetPageFlow, ownValue(query, "flow"));
    const state = flow?.state;
    const t = translator(request.locale);
    const body = resetConfirmPage({
      t,
      csrfToken: csrfTokenFor(reply),
      errors: state?.error ? [fieldErrorOf(state.error, request.locale)] : [],
      ...(state?.sealedToken && flow ? { flowId: flow.id, username: state.username ?? "" } : {}),
      identifier: state?.identifier ?? "",
      ...(state?.sentTo ? { sentTo: state.sentTo } : {}),
    });
    return sendPage(request, reply, deps, { title: pageTitlesIn(t).resetConfirm, body });
  });

  app.post("/password/reset/confirm", { preHandler: [app.csrfProtection, limitClient(deps, "codeEntry")] }, async (request, reply) => {
    noReferrer(reply);
    const posted = await claimPostedStep(deps, request, resetPageFlow, formField(request, "flow", 64));
    const result = await runResetCompletion(
      deps,
      {
        password: formField(request, "password", 16384),
        passwordConfirm: formField(request, "password_confirm", 16384),
        identifier: formField(request, "identifier", 1024),
        code: formField(request, "code", 64),
        context: sessionContextOf(request),
        locale: request.locale,
      },
      posted && { state: posted.state, claimed: posted.claimed !== null },
    );
    return answerPage(deps, request, reply, resetPageFlow, result, (left) => linkProblemPage(request, reply, left, 400), posted?.claimed);
  });

  app.post(
    "/api/v1/password-resets",
    { schema: { body: ResetRequestBody }, preHandler: [limitClient(deps, "reset"), requirePow(deps, "password_reset")] },
    async (request, reply) => {
      const body = request.body;
      const result = await runResetRequest(
        deps,
        { binding: requesterBinding(request), context: sessionContextOf(request), locale: request.locale },
        { action: "submit", identifier: body.identifier, captcha: body.captcha },
      );
      return answerJson(result, () => reply.code(202).send({ reset: "sent" }));
    },
  );

  app.post("/api/v1/password-resets/complete", { schema: { body: ResetCompleteBody }, preHandler: limitClient(deps, "codeEntry") }, async (request, reply) => {
    const body = request.body;
    const result = await runResetCompletion(deps, { ...body, context: sessionContextOf(request), locale: request.locale });
    return answerJson(result, () => reply.code(204).send());
  });
}
