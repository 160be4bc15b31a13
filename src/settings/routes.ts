// Changing the password while signed in: /account/password and PUT /api/v1/password.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { challengeForPage } from "../captcha/page-challenge.ts";
import { captchaFromForm } from "../http/captcha-form.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { requireApiAuth, requirePageAuth } from "../http/auth.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { fieldErrorFrom, loadFlow, saveFlow } from "../http/flows.ts";
import { formCheckbox, formField, redirectSeeOther, withQuery } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { sessionContextOf } from "../http/request-context.ts";
import { setSessionCookie } from "../http/session-hook.ts";
import { captchaFieldset } from "../views/captcha.ts";
import { passwordChangePage } from "../views/recovery-pages.ts";
import { changePassword } from "./password-change.ts";

export const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ maxLength: 16384 }),
    newPassword: Type.String({ maxLength: 16384 }),
    captcha: Type.Optional(Type.Object({ id: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 64 }) }, { additionalProperties: false })),
    signOutOthers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function registerSettingsRoutes(app: FastifyInstance, deps: Deps): void {
  app.get("/account/password", async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const flow = await loadFlow(deps, request, (request.query as Record<string, unknown>).flow);
    const errors = flow?.errors ?? [];
    const challenge = await challengeForPage(deps, { purpose: "password_change", binding: requesterBinding(request), ip: request.ip, another: flow?.data?.focus === "captcha" });
    const identifiers = await deps.stores.accounts.listIdentifiers(auth.account.id);
    const username = identifiers.find((i) => i.verifiedAt !== null)?.display ?? "";
    const body = passwordChangePage({
      csrfToken: csrfTokenFor(reply),
      username,
      errors,
      captcha: captchaFieldset(challenge, errors, { autofocus: errors.some((e) => e.field === "captcha") || flow?.data?.focus === "captcha" }),
      signOutOthers: flow ? flow.values.signOutOthers === "1" : true,
      focusCaptcha: flow?.data?.focus === "captcha",
    });
    return sendPage(request, reply, deps, { title: "Change your password", body });
  });

  app.post("/account/password", { preHandler: app.csrfProtection }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const signOutOthers = formCheckbox(request, "signOutOthers");
    if (formField(request, "captchaAction", 16) === "refresh") {
      return redirectSeeOther(reply, withQuery("/account/password", { flow: await saveFlow(deps, request, { values: { signOutOthers: signOutOthers ? "1" : "" }, errors: [], data: { focus: "captcha" } }) }));
    }
    try {
      const newPassword = formField(request, "newPassword", 16384);
      if (newPassword !== formField(request, "newPassword_confirm", 16384)) throw new AppError("PASSWORD_MISMATCH", { field: "newPassword_confirm" });
      const result = await changePassword(deps, {
        accountId: auth.account.id,
        session: auth.session,
        currentPassword: formField(request, "currentPassword", 16384),
        newPassword,
        captcha: captchaFromForm(request),
        binding: requesterBinding(request),
        signOutOthers,
        context: sessionContextOf(request),
      });
      setSessionCookie(reply, deps, result.token, result.session);
      return redirectSeeOther(reply, "/account?done=password-changed");
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const flow = await saveFlow(deps, request, { values: { signOutOthers: signOutOthers ? "1" : "" }, errors: [fieldErrorFrom(error)] });
      return redirectSeeOther(reply, withQuery("/account/password", { flow }));
    }
  });

  app.put("/api/v1/password", { schema: { body: PasswordChangeBody } }, async (request, reply) => {
    const auth = requireApiAuth(request);
    const body = request.body as Static<typeof PasswordChangeBody>;
    const result = await changePassword(deps, {
      accountId: auth.account.id,
      session: auth.session,
      currentPassword: body.currentPassword,
      newPassword: body.newPassword,
      captcha: body.captcha,
      binding: requesterBinding(request),
      signOutOthers: body.signOutOthers ?? true,
      context: sessionContextOf(request),
    });
    setSessionCookie(reply, deps, result.token, result.session);
    return reply.code(204).send();
  });
}
