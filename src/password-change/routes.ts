// Changing the password while signed in: /account/password and PUT /api/v1/password. Each route reads its
// input, calls the flow service (password-change-flow.ts) and hands the result to the flow adapter.
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { challengeForPage } from "../captcha/page-challenge.ts";
import type { Deps } from "../deps.ts";
import { requireApiAuth, requirePageAuth } from "../http/auth.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import { answerJson, answerPage, readFlow } from "../http/flow-adapter.ts";
import { PASSWORD_CHANGE_PAGES, passwordChangePageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formCheckbox, formField, ownValue } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf, sessionContextOf } from "../http/request-context.ts";
import { setSessionCookie } from "../http/session-hook.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translator } from "../i18n/catalogue.ts";
import { pageTitlesIn } from "../messages/pages.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { passwordChangePage } from "../views/recovery-pages.ts";
import { type PasswordChangeAction, runPasswordChange } from "./password-change-flow.ts";

export const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ maxLength: 16384 }),
    newPassword: Type.String({ maxLength: 16384 }),
    captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })),
    signOutOthers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** What the form asks for: a new security check, or the change. */
function passwordChangeActionOf(request: FastifyRequest): PasswordChangeAction {
  if (formField(request, "captchaAction", 16) === "refresh") return { action: "new-captcha" };
  return {
    action: "submit",
    currentPassword: formField(request, "currentPassword", 16384),
    newPassword: formField(request, "newPassword", 16384),
    newPasswordConfirm: formField(request, "newPassword_confirm", 16384),
    captcha: captchaFromForm(request),
  };
}

export function registerSettingsRoutes(app: TypedApp, deps: Deps): void {
  app.get("/account/password", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const state = (await readFlow(deps, request, passwordChangePageFlow, ownValue(request.query, "flow")))?.state;
    const t = translator(request.locale);
    const errors = state?.error ? [fieldErrorOf(state.error, request.locale)] : [];
    const challenge = await challengeForPage(deps, {
      purpose: "password_change",
      binding: requesterBinding(request),
      ip: clientAddressOf(request),
      locale: request.locale,
      another: state?.focus === "captcha",
    });
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    const username = identifiers.find((i) => i.verifiedAt !== null)?.display ?? "";
    const body = passwordChangePage({
      t,
      csrfToken: csrfTokenFor(reply),
      username,
      errors,
      captcha: captchaFieldset(challenge, errors, { t, autofocus: errors.some((e) => e.field === "captcha") || state?.focus === "captcha" }),
      signOutOthers: state ? state.signOutOthers : true,
      focusCaptcha: state?.focus === "captcha",
    });
    return sendPage(request, reply, deps, { title: pageTitlesIn(t).changePassword, body });
  });

  app.post("/account/password", { preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const input = {
      accountId: auth.account.id,
      session: auth.session,
      binding: requesterBinding(request),
      locale: request.locale,
      signOutOthers: formCheckbox(request, "signOutOthers"),
      context: sessionContextOf(request),
    };
    const result = await runPasswordChange(deps, input, passwordChangeActionOf(request));
    return answerPage(deps, request, reply, passwordChangePageFlow, result, (changed) => {
      if (changed.kind === "password-changed") setSessionCookie(reply, deps, changed.token, changed.session);
      return PASSWORD_CHANGE_PAGES.done;
    });
  });

  app.put("/api/v1/password", { schema: { body: PasswordChangeBody } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const body = request.body;
    const input = {
      accountId: auth.account.id,
      session: auth.session,
      binding: requesterBinding(request),
      locale: request.locale,
      signOutOthers: body.signOutOthers ?? true,
      context: sessionContextOf(request),
    };
    const result = await runPasswordChange(deps, input, {
      action: "submit",
      currentPassword: body.currentPassword,
      newPassword: body.newPassword,
      captcha: body.captcha,
    });
    return answerJson(result, (changed) => {
      if (changed.kind === "password-changed") setSessionCookie(reply, deps, changed.token, changed.session);
      return reply.code(204).send();
    });
  });
}
