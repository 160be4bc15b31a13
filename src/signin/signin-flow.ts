// The sign-in flow: its typed state, what a step may answer, and the one service both the page and the
// API call. Routes only read the input and hand the result to src/http/flow-adapter.ts.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> password
//     password --> password: refused (format, wrong password, pause) / identifier chosen
//     password --> captcha: needs-captcha (failures reached the threshold, no proof of work, "Try another")
//     captcha --> captcha: needs-captcha (wrong or expired answer, "Try another") / refused
//     captcha --> password: identifier chosen from the choices
//     password --> done: signed-in
//     captcha --> done: signed-in
//     password --> [*]: not-verified (hand-off to the /verify page of registration)
//     captcha --> [*]: not-verified
//     done --> [*]
// ```
//
// Adding a step after the password (a second factor, a consent screen): add its name to `SigninStep`, let
// `stepAfterPassword` return it, and give it a case in `continueAfterPassword`. That case stores the
// account id in the state and answers `{ kind: "needs-<step>", state }`; the step's own input is a new
// member of `SigninAction`, handled by a function that claims the stored step first (claimFlowStep in the
// adapter), so it cannot be replayed. Routes and the adapter need no new branch: a result that carries a
// state is shown on `pathOf(state)`.
import type { PublicAccount } from "../accounts/public-account.ts";
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import { parseIdentifier } from "../lib/identifier-parsing.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { AccountRecord, SessionRecord } from "../stores/types.ts";
import { startSigninSession, verifySigninPassword } from "./signin.ts";

export const SIGNIN_FLOW_KIND = "signin";
export const SIGNIN_FLOW_TTL_SECONDS = 30 * 60;

/** Where a sign-in stands. `done` is never stored: a finished sign-in leaves the flow. */
export type SigninStep = "password" | "captcha" | "done";

export interface SigninState {
  step: SigninStep;
  /** As typed (never the password: it is not kept anywhere). */
  identifier: string;
  remember: boolean;
  /** Where to go once signed in (already checked by safeReturnTarget). */
  returnTo: string;
  /** An application asked for a fresh sign-in (prompt=login): the form shows even to a signed-in person. */
  reauth: boolean;
  /** Which field the page focuses. */
  focus: "password" | "captcha" | null;
  /** Why the last attempt was refused, shown beside its field. */
  error: FlowError | null;
}

/** What the person did: signed in with a password, asked for another security check, or picked an identifier. */
export type SigninAction =
  | {
      action: "submit";
      identifier: string;
      password: string;
      /** The answer to the security check, when one was shown. */
      captcha: CAPTCHASubmission | undefined;
      /**
       * Whether the page's proof of work was valid, asked only when proof of work is on. Undefined for API
       * calls, whose proof a pre-handler has already required.
       */
      proofOfWork?: () => Promise<boolean>;
    }
  | { action: "new-captcha"; identifier: string }
  | { action: "choose-identifier"; identifier: string };

export interface SigninRequest {
  remember: boolean;
  returnTo: string;
  reauth: boolean;
  context: SessionContext;
  /** Who the security check belongs to (session or browser). */
  binding: string;
  /** The session the browser already has, ended by a new sign-in (page only: one session per browser). */
  replacesSessionId?: string | undefined;
}

/** Where the confirmation code went when a sign-in stopped at an unconfirmed identifier. */
export interface SigninVerifyHandOff {
  identifier: string;
  sentTo?: string;
  channel?: "email" | "phone";
  /** The correct password was typed in this browser: a correct code then signs in (see /verify). */
  signInAs?: string;
}

export type SigninResult =
  | { kind: "signed-in"; account: PublicAccount; session: SessionRecord; token: string; returnTo: string }
  | { kind: "needs-captcha"; state: SigninState; refusal: Refusal | null }
  | { kind: "refused"; state: SigninState; refusal: Refusal }
  | { kind: "throttled"; state: SigninState; refusal: Refusal; retryAfter: number }
  | { kind: "not-verified"; refusal: Refusal; verify: SigninVerifyHandOff }
  | { kind: "continue"; state: SigninState };

type SigninFlowDeps = Parameters<typeof verifySigninPassword>[0];

/** The state of a sign-in that has just begun. */
export function newSigninState(input: { identifier?: string; returnTo: string; reauth?: boolean }): SigninState {
  return { step: "password", identifier: input.identifier ?? "", remember: false, returnTo: input.returnTo, reauth: input.reauth ?? false, focus: null, error: null };
}

/**
 * Runs one step of a sign-in. Every expected outcome is a result value; only an outage or a bug throws.
 */
export async function runSigninStep(deps: SigninFlowDeps & Pick<Deps, "config">, request: SigninRequest, action: SigninAction): Promise<SigninResult> {
  const base = { identifier: action.identifier, remember: request.remember, returnTo: request.returnTo, reauth: request.reauth };
  if (action.action === "choose-identifier") {
    // A number picked from the choices, before the password was typed again: fill it in and ask for the password.
    return { kind: "continue", state: { ...base, step: "password", focus: "password", error: null } };
  }
  if (action.action === "new-captcha") return { kind: "needs-captcha", state: { ...base, step: "captcha", focus: "captcha", error: null }, refusal: null };

  // Without a valid proof of work (no JavaScript, or not finished) the page asks for the security check instead.
  const captchaRequired = deps.config.pow.enabled && action.proofOfWork !== undefined && !(await action.proofOfWork());
  const checked = await refusalOrValue(() =>
    verifySigninPassword(deps, {
      identifier: action.identifier,
      password: action.password,
      remember: request.remember,
      context: request.context,
      captcha: action.captcha,
      binding: request.binding,
      captchaRequired,
    }),
  );
  if ("refusal" in checked) return refusedSignin(deps, base, checked.refusal);
  return continueAfterPassword(deps, request, checked.value.account);
}

/**
 * The step that follows a correct password. Today a sign-in is complete then; this is the extension point
 * for second factors and consent screens (see the comment at the top of this file).
 */
export function stepAfterPassword(_account: AccountRecord): Exclude<SigninStep, "password" | "captcha"> {
  return "done";
}

async function continueAfterPassword(deps: SigninFlowDeps, request: SigninRequest, account: AccountRecord): Promise<SigninResult> {
  const next = stepAfterPassword(account);
  switch (next) {
    case "done": {
      const signedIn = await startSigninSession(deps, { account, remember: request.remember, context: request.context, replacesSessionId: request.replacesSessionId });
      return { kind: "signed-in", ...signedIn, returnTo: request.returnTo };
    }
  }
}

function refusedSignin(deps: Pick<Deps, "config">, base: Omit<SigninState, "step" | "focus" | "error">, refusal: Refusal): SigninResult {
  if (refusal.code === "ACCOUNT_NOT_VERIFIED") {
    const parsed = parseIdentifier(base.identifier, { defaultRegion: deps.config.defaultRegion });
    const verify: SigninVerifyHandOff = parsed.ok
      ? { identifier: base.identifier, sentTo: parsed.identifier.display, channel: parsed.identifier.kind, signInAs: parsed.identifier.value }
      : { identifier: base.identifier };
    return { kind: "not-verified", refusal, verify };
  }
  // A refusal that brings a new challenge (the threshold reached, a wrong answer) moves to the security check.
  const captcha = refusal.extra?.captcha !== undefined;
  const state: SigninState = { ...base, step: captcha ? "captcha" : "password", focus: null, error: flowErrorOf(refusal) };
  if (refusal.retryAfter !== undefined) return { kind: "throttled", state, refusal, retryAfter: refusal.retryAfter };
  return captcha ? { kind: "needs-captcha", state, refusal } : { kind: "refused", state, refusal };
}
