// Which page shows each step of each flow, in one table: the adapter redirects to `pathOf(state)` with
// `?flow=<id>`, and flows hand over to one another through the `start…Flow` helpers below.
import type { FastifyRequest } from "fastify";
import { IDENTIFIER_FLOW_KIND, IDENTIFIER_FLOW_TTL_SECONDS, type IdentifierState, newIdentifierState } from "../account-page/identifier-flow.ts";
import { ADMIN_ACTION_FLOW_KIND, ADMIN_ACTION_FLOW_TTL_SECONDS, type AdminActionState } from "../admin/admin-action-flow.ts";
import type { Deps } from "../deps.ts";
import { newSecurityState, SECURITY_FLOW_KIND, SECURITY_FLOW_TTL_SECONDS, type SecurityState } from "../factors/security-flow.ts";
import type { FlowError } from "../flows/refusal.ts";
import { FEEDBACK_FLOW_KIND, FEEDBACK_FLOW_TTL_SECONDS, type FeedbackState, type FeedbackStep, newFeedbackState } from "../help/feedback-flow.ts";
import {
  newPasswordChangeState,
  PASSWORD_CHANGE_FLOW_KIND,
  PASSWORD_CHANGE_FLOW_TTL_SECONDS,
  type PasswordChangeState,
} from "../password-change/password-change-flow.ts";
import { newResetState, RESET_FLOW_KIND, RESET_FLOW_TTL_SECONDS, type ResetState } from "../recovery/reset-flow.ts";
import {
  newRegistrationState,
  REGISTRATION_FLOW_KIND,
  REGISTRATION_FLOW_TTL_SECONDS,
  type RegistrationState,
  registrationCodeState,
} from "../registration/registration-flow.ts";
import { newSigninState, SIGNIN_FLOW_KIND, SIGNIN_FLOW_TTL_SECONDS, type SigninState, type SigninVerifyHandOff } from "../signin/signin-flow.ts";
import { type PageFlow, startFlow } from "./flow-adapter.ts";
import { withQuery } from "./forms.ts";
import { safeReturnTarget } from "./return-target.ts";

/** Sign-in: every step is shown by /signin. */
export const signinPageFlow: PageFlow<SigninState> = {
  kind: SIGNIN_FLOW_KIND,
  ttlSeconds: SIGNIN_FLOW_TTL_SECONDS,
  pathOf: () => "/signin",
  finished: { ...newSigninState({ returnTo: "/account" }), step: "done" },
};

export const RESET_PAGES: Record<ResetState["step"], string> = {
  request: "/password/reset",
  "link-sent": "/password/reset/sent",
  code: "/password/reset/confirm",
  link: "/password/reset/confirm",
  done: "/signin?done=password-reset",
};

export const resetPageFlow: PageFlow<ResetState> = {
  kind: RESET_FLOW_KIND,
  ttlSeconds: RESET_FLOW_TTL_SECONDS,
  pathOf: (state) => RESET_PAGES[state.step],
  finished: { ...newResetState(), step: "done" },
};

export const REGISTRATION_PAGES: Record<RegistrationState["step"], string> = {
  details: "/register",
  "check-address": "/register",
  code: "/verify",
  done: "/account?done=welcome",
};

export const registrationPageFlow: PageFlow<RegistrationState> = {
  kind: REGISTRATION_FLOW_KIND,
  ttlSeconds: REGISTRATION_FLOW_TTL_SECONDS,
  pathOf: (state) => REGISTRATION_PAGES[state.step],
  finished: { ...newRegistrationState(), step: "done" },
};

export const IDENTIFIER_PAGES: Record<IdentifierState["step"], string> = {
  identifier: "/account",
  code: "/account/identifiers/verify",
  done: "/account?done=identifier-added",
};

/** Adding an identifier: the form on the account page, then the code page. */
export const identifierPageFlow: PageFlow<IdentifierState> = {
  kind: IDENTIFIER_FLOW_KIND,
  ttlSeconds: IDENTIFIER_FLOW_TTL_SECONDS,
  pathOf: (state) => IDENTIFIER_PAGES[state.step],
  finished: { ...newIdentifierState(), step: "done" },
};

export const PASSWORD_CHANGE_PAGES: Record<PasswordChangeState["step"], string> = {
  form: "/account/password",
  done: "/account?done=password-changed",
};

export const passwordChangePageFlow: PageFlow<PasswordChangeState> = {
  kind: PASSWORD_CHANGE_FLOW_KIND,
  ttlSeconds: PASSWORD_CHANGE_FLOW_TTL_SECONDS,
  pathOf: (state) => PASSWORD_CHANGE_PAGES[state.step],
  finished: { ...newPasswordChangeState(), step: "done" },
};

export const SECURITY_PAGES: Record<SecurityState["step"], string> = {
  overview: "/account/security",
  "totp-setup": "/account/security/totp",
  confirm: "/account/confirm",
  delete: "/account/delete",
  done: "/account/security",
};

/** The security pages: a refused form goes back to its page; "confirm it's you" keeps where to return to. */
export const securityPageFlow: PageFlow<SecurityState> = {
  kind: SECURITY_FLOW_KIND,
  ttlSeconds: SECURITY_FLOW_TTL_SECONDS,
  pathOf: (state) => SECURITY_PAGES[state.step],
  queryOf: (state): Record<string, string> => (state.step === "confirm" ? { return_to: state.returnTo } : {}),
  finished: newSecurityState("done"),
};

/** Help feedback: the article page, its step in ?feedback=, scrolled to the feedback box. */
export const feedbackPageFlow: PageFlow<FeedbackState> = {
  kind: FEEDBACK_FLOW_KIND,
  ttlSeconds: FEEDBACK_FLOW_TTL_SECONDS,
  pathOf: (state) => `/help/${state.slug}`,
  queryOf: (state) => ({ feedback: state.step }),
  fragmentOf: () => "feedback",
  finished: newFeedbackState(),
};

/** The article page at a feedback step that keeps no state. */
export function feedbackPage(slug: string, step: FeedbackStep): string {
  return `${withQuery(`/help/${slug}`, { feedback: step })}#feedback`;
}

/** An admin action: its confirm page under the account. */
export const adminActionPageFlow: PageFlow<AdminActionState> = {
  kind: ADMIN_ACTION_FLOW_KIND,
  ttlSeconds: ADMIN_ACTION_FLOW_TTL_SECONDS,
  pathOf: (state) => `/admin/accounts/${state.accountId}/${state.action}`,
  finished: { step: "done", accountId: "", action: "disable", identifierId: "", error: null },
};

/** Starts a sign-in at the password with the identifier filled in (after a confirmation elsewhere). */
export function startSigninFlow(deps: Pick<Deps, "stores" | "random" | "config">, request: FastifyRequest, identifier: string): Promise<string> {
  return startFlow(deps, request, signinPageFlow, newSigninState({ identifier, returnTo: safeReturnTarget(undefined, deps.config) }));
}

/** Starts a sign-in at its second-factor step for a signed-in person (see secondFactorStepUpState). */
export function startSecondFactorStepUpFlow(deps: Pick<Deps, "stores" | "random">, request: FastifyRequest, state: SigninState): Promise<string> {
  return startFlow(deps, request, signinPageFlow, state);
}

/** Starts a reset with what was typed on the sign-in form ("Forgot your password?"). */
export function startResetFlow(deps: Pick<Deps, "stores" | "random">, request: FastifyRequest, identifier: string): Promise<string> {
  return startFlow(deps, request, resetPageFlow, newResetState(identifier));
}

/** Starts the code step of a registration that a sign-in found unconfirmed. */
export function startRegistrationCodeFlow(
  deps: Pick<Deps, "stores" | "random">,
  request: FastifyRequest,
  handOff: SigninVerifyHandOff,
  error: FlowError,
): Promise<string> {
  // Security: the sign-in matched the password of the pending account the hand-off names (signInAccountId),
  // and only that account's confirmation signs this browser in. The account is not read again by identifier
  // here: a registration of the same identifier may have replaced it since the password was checked, and
  // this browser never typed the password of that one. When it was replaced, the step looks the same (a code
  // was sent) and binds nothing to the replacement.
  return startFlow(deps, request, registrationPageFlow, registrationCodeState({ ...handOff, error }));
}
