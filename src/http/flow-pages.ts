// Which page shows each step of each flow, in one table: the adapter redirects to `pathOf(state)` with
// `?flow=<id>`, and flows hand over to one another through the `start…Flow` helpers below.
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { FlowError } from "../flows/refusal.ts";
import { newResetState, RESET_FLOW_KIND, RESET_FLOW_TTL_SECONDS, type ResetState } from "../recovery/reset-flow.ts";
import { newRegistrationState, REGISTRATION_FLOW_KIND, REGISTRATION_FLOW_TTL_SECONDS, type RegistrationState, registrationCodeState } from "../registration/registration-flow.ts";
import { newSigninState, SIGNIN_FLOW_KIND, SIGNIN_FLOW_TTL_SECONDS, type SigninState, type SigninVerifyHandOff } from "../signin/signin-flow.ts";
import { type PageFlow, startFlow } from "./flow-adapter.ts";
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

/** Starts a sign-in at the password with the identifier filled in (after a confirmation elsewhere). */
export function startSigninFlow(deps: Pick<Deps, "stores" | "random" | "config">, request: FastifyRequest, identifier: string): Promise<string> {
  return startFlow(deps, request, signinPageFlow, newSigninState({ identifier, returnTo: safeReturnTarget(undefined, deps.config) }));
}

/** Starts a reset with what was typed on the sign-in form ("Forgot your password?"). */
export function startResetFlow(deps: Pick<Deps, "stores" | "random">, request: FastifyRequest, identifier: string): Promise<string> {
  return startFlow(deps, request, resetPageFlow, newResetState(identifier));
}

/** Starts the code step of a registration that a sign-in found unconfirmed. */
export function startRegistrationCodeFlow(deps: Pick<Deps, "stores" | "random">, request: FastifyRequest, handOff: SigninVerifyHandOff, error: FlowError): Promise<string> {
  return startFlow(deps, request, registrationPageFlow, registrationCodeState({ ...handOff, error }));
}
