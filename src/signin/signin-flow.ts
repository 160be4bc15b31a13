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
//     password --> second_factor: needs-second-factor (the account has an app, passkey or recovery codes)
//     captcha --> second_factor: needs-second-factor
//     second_factor --> second_factor: refused (wrong code, security check due) / throttled (pause)
//     second_factor --> done: signed-in (amr pwd+otp, or pwd+hwk/swk; mfa)
//     second_factor --> password: flow-gone (expired, another browser's, the step already completed, or the password changed since)
//     [*] --> second_factor: step-up (signed in with a password alone; an application demands two factors)
//     password --> done: signed-in
//     captcha --> done: signed-in
//     password --> [*]: not-verified (hand-off to the /verify page of registration)
//     captcha --> [*]: not-verified
//     done --> [*]
// ```
//
// A passkey sign-in (the "Sign in with a passkey" button, no password) is one step on its own:
// runPasskeySignin, not a state of this diagram.
//
// Adding a step after the password (a consent screen): add its name to `SigninStep`, let
// `stepAfterPassword` return it, and give it a case in `continueAfterPassword`. That case stores the
// account id in the state and answers `{ kind: "needs-<step>", state }`; the step's own input is handled
// by a function that receives the step claimed from the store (claimPostedStep in the adapter), so it
// cannot be replayed — see runSecondFactorStep. Routes and the adapter need no new branch: a result that
// carries a state is shown on `pathOf(state)`.
import type { PublicAccount } from "../accounts/public-account.ts";
import { createCAPTCHAChallenge } from "../captcha/challenges.ts";
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { finishPasskeyAuthentication, passkeyAMR } from "../factors/passkeys.ts";
import { type SecondFactorMethod, secondFactorMethods, verifySecondFactor } from "../factors/second-factor.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import { hmacHex } from "../lib/crypto.ts";
import { parseIdentifier } from "../lib/identifier-parsing.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { AccountRecord, SessionRecord } from "../stores/types.ts";
import { startSigninSession, type VerifiedSignin, verifySigninPassword } from "./signin.ts";
import { describeWait } from "./throttle.ts";

export const SIGNIN_FLOW_KIND = "signin";
export const SIGNIN_FLOW_TTL_SECONDS = 30 * 60;

/** Where a sign-in stands. `done` is never stored: a finished sign-in leaves the flow. */
export type SigninStep = "password" | "captcha" | "second-factor" | "done";

/** What the second-factor step remembers: whose password was right and what they can use. Never a secret. */
export interface SecondFactorStepState {
  accountId: string;
  /** The methods offered, in order (see secondFactorMethods). */
  methods: SecondFactorMethod[];
  /** The security check is due before the next code is checked. */
  captcha: boolean;
  /** Which password was proved: a keyed digest of the stored hash (passwordTagOf), so a changed password ends the step. */
  passwordTag: string;
}

/**
 * A keyed digest of the account's stored password hash: it changes with every password change or reset,
 * reveals nothing of the hash, and is not stored anywhere else.
 */
function passwordTagOf(deps: Pick<Deps, "config">, account: Pick<AccountRecord, "id" | "passwordHash">): string {
  return hmacHex(deps.config.secret, "signin-second-factor-password", account.id, account.passwordHash).slice(0, 32);
}

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
  /** second-factor: the account and its methods; absent in the other steps. */
  secondFactor?: SecondFactorStepState;
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
  /** The page's or request's language, which a security check handed back speaks. */
  locale?: Locale | undefined;
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
  /**
   * The pending account whose password was typed: only its confirmation signs this browser in. Kept on the
   * server (flow state), never in an answer.
   */
  signInAccountId?: string;
}

export type SigninResult =
  | { kind: "signed-in"; account: PublicAccount; session: SessionRecord; token: string; returnTo: string }
  | { kind: "needs-captcha"; state: SigninState; refusal: Refusal | null }
  | { kind: "refused"; state: SigninState; refusal: Refusal }
  | { kind: "throttled"; state: SigninState; refusal: Refusal; retryAfter: number }
  | { kind: "not-verified"; refusal: Refusal; verify: SigninVerifyHandOff }
  | { kind: "continue"; state: SigninState }
  /** The password was right; a second factor must follow. The API client continues the flow (`resumable`). */
  | { kind: "needs-second-factor"; state: SigninState; refusal: Refusal; resumable: true }
  /** A wrong or missing second factor, or a pause: the step can be tried again in the same flow. */
  | { kind: "second-factor-refused"; state: SigninState; refusal: Refusal; resumable: true }
  /** The flow a second factor was posted to is gone, or its step was completed already: start again. */
  | { kind: "flow-gone"; state: SigninState; refusal: Refusal }
  /** A passkey sign-in that did not work (one answer for every reason). */
  | { kind: "passkey-refused"; refusal: Refusal };

/** The second factor a person sent, for the step after the password. */
export type SecondFactorAction =
  | { method: "totp" | "recovery_code"; code: string; captcha: CAPTCHASubmission | undefined }
  | { method: "passkey"; challengeId: string; response: unknown };

type SigninFlowDeps = Parameters<typeof verifySigninPassword>[0] & Pick<Deps, "tasks">;

/** The state of a sign-in that has just begun. */
export function newSigninState(input: { identifier?: string; returnTo: string; reauth?: boolean }): SigninState {
  return {
    step: "password",
    identifier: input.identifier ?? "",
    remember: false,
    returnTo: input.returnTo,
    reauth: input.reauth ?? false,
    focus: null,
    error: null,
  };
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
      locale: request.locale,
      captchaRequired,
    }),
  );
  if ("refusal" in checked) return refusedSignin(base, checked.refusal);
  if (!checked.value.confirmed) return notVerified(deps, base.identifier, checked.value.accountId);
  return continueAfterPassword(deps, request, checked.value, action.identifier);
}

/**
 * The step that follows a correct password: the second factor when the account has one (an authenticator
 * app, a passkey; recovery codes count beside one of them), else done. A consent screen would go here too.
 */
export async function stepAfterPassword(
  deps: Pick<Deps, "stores">,
  account: AccountRecord,
): Promise<{ step: Exclude<SigninStep, "password" | "captcha">; methods: SecondFactorMethod[] }> {
  const methods = await secondFactorMethods(deps, account.id);
  return { step: methods.length > 0 ? "second-factor" : "done", methods };
}

async function continueAfterPassword(deps: SigninFlowDeps, request: SigninRequest, verified: VerifiedSignin, identifier: string): Promise<SigninResult> {
  const { account } = verified;
  const next = await stepAfterPassword(deps, account);
  switch (next.step) {
    case "done": {
      const signedIn = await startSigninSession(deps, {
        account,
        identifiers: verified.identifiers,
        remember: request.remember,
        context: request.context,
        replacesSessionId: request.replacesSessionId,
      });
      return { kind: "signed-in", ...signedIn, returnTo: request.returnTo };
    }
    case "second-factor": {
      // No session yet: a right password alone proves one factor. The state names the account, not a secret,
      // and which password was right: one changed or reset before the second factor follows ends the step.
      // The password check may have just stored a new hash of the same password (new parameters): that one counts.
      const stored = deps.hasher.needsRehash(account.passwordHash) ? await deps.stores.accounts.getAccountById(account.id) : account;
      if (!stored) return flowGone(null);
      const state: SigninState = {
        step: "second-factor",
        identifier,
        remember: request.remember,
        returnTo: request.returnTo,
        reauth: request.reauth,
        focus: null,
        error: null,
        secondFactor: { accountId: account.id, methods: next.methods, captcha: false, passwordTag: passwordTagOf(deps, stored) },
      };
      return { kind: "needs-second-factor", state, refusal: { code: "SECOND_FACTOR_REQUIRED", extra: { methods: next.methods } }, resumable: true };
    }
  }
}

/**
 * The second-factor step for a person already signed in with a password alone, when more is demanded of
 * them (an application asked for two factors): the session proved the password, so the flow starts at the
 * second factor rather than at a new sign-in, and the step's success replaces the session with a two-factor
 * one. Null when the account has no second factor, so the demand cannot be met.
 */
export async function secondFactorStepUpState(
  deps: Pick<Deps, "stores" | "config">,
  input: { accountId: string; identifier: string; remember: boolean; returnTo: string },
): Promise<SigninState | null> {
  const methods = await secondFactorMethods(deps, input.accountId);
  const account = await deps.stores.accounts.getAccountById(input.accountId);
  if (methods.length === 0 || !account) return null;
  return {
    step: "second-factor",
    identifier: input.identifier,
    remember: input.remember,
    returnTo: input.returnTo,
    reauth: false,
    focus: null,
    error: null,
    secondFactor: { accountId: input.accountId, methods, captcha: false, passwordTag: passwordTagOf(deps, account) },
  };
}

/**
 * The second factor after a right password. `posted` is the flow step the request claimed (claimPostedStep):
 * a step that is gone, another browser's, or claimed by another request (completed or being completed) is
 * refused without checking anything, so a completed step cannot be replayed. Codes are throttled per
 * account (src/factors/factor-throttle.ts).
 */
export async function runSecondFactorStep(
  deps: SigninFlowDeps,
  request: SigninRequest,
  posted: { state: SigninState | null; claimed: unknown } | undefined,
  action: SecondFactorAction,
): Promise<SigninResult> {
  const state = posted?.state;
  const secondFactor = state?.step === "second-factor" ? state.secondFactor : undefined;
  if (!state || !secondFactor || posted?.claimed === null) return flowGone(state);
  const { accountId } = secondFactor;
  // The password proved at the first step must still be the account's: after a change or a reset, whoever
  // knew the old one must not finish with a second factor alone (a wrong code keeps the step alive for
  // 30 minutes more each time, so the step could otherwise outlive the old password indefinitely). Checked
  // before the code, which is then neither spent nor counted.
  const current = await deps.stores.accounts.getAccountById(accountId);
  if (!stillSigningIn(deps, current, secondFactor)) return flowGone(state);
  const verified =
    action.method === "passkey"
      ? await verifySecondFactor(deps, accountId, {
          method: "passkey",
          challengeId: action.challengeId,
          response: action.response,
          binding: request.binding,
          context: request.context,
        })
      : await verifySecondFactor(deps, accountId, {
          method: action.method,
          code: action.code,
          captcha: action.captcha,
          binding: request.binding,
          locale: request.locale,
          context: request.context,
        });
  if (verified.ok) {
    const account = await deps.stores.accounts.getAccountById(accountId);
    // An account disabled, deleted or given a new password while the factor was checked cannot finish signing in.
    if (!stillSigningIn(deps, account, secondFactor)) return flowGone(null);
    const signedIn = await startSigninSession(deps, {
      account,
      remember: state.remember,
      context: request.context,
      replacesSessionId: request.replacesSessionId,
      amr: verified.amr,
    });
    return { kind: "signed-in", ...signedIn, returnTo: state.returnTo };
  }
  const field = action.method === "passkey" ? null : "code";
  const again = (refusal: Refusal, captcha: boolean): SigninResult => ({
    kind: "second-factor-refused",
    state: { ...state, focus: null, error: flowErrorOf(refusal), secondFactor: { ...secondFactor, captcha } },
    refusal,
    resumable: true,
  });
  switch (verified.reason) {
    case "locked":
      return again({ code: "SECOND_FACTOR_LOCKED", retryAfter: verified.retryAfter, params: { wait: describeWait(verified.retryAfter) } }, false);
    case "captcha_required": {
      // The answer brings the challenge to solve (as a wrong password past the threshold does).
      const captcha = await createCAPTCHAChallenge(deps, { purpose: "signin", binding: request.binding, locale: request.locale });
      return again({ code: "CAPTCHA_REQUIRED", field: "captcha", extra: { captcha } }, true);
    }
    default:
      return again(
        action.method === "passkey"
          ? { code: "PASSKEY_FAILED", detail: `second factor: ${verified.reason}` }
          : { code: "SECOND_FACTOR_INVALID", ...(field ? { field } : {}) },
        secondFactor.captcha,
      );
  }
}

/** True while the account can finish the step: it exists, is enabled, and has the password the step proved. */
function stillSigningIn(deps: Pick<Deps, "config">, account: AccountRecord | null, step: SecondFactorStepState): account is AccountRecord {
  return account !== null && account.disabledAt === null && typeof step.passwordTag === "string" && passwordTagOf(deps, account) === step.passwordTag;
}

/** Back to the password with a word of why: the flow cannot go on. */
function flowGone(state: SigninState | null | undefined): SigninResult {
  const refusal: Refusal = { code: "SIGNIN_FLOW_EXPIRED" };
  const fresh = newSigninState({ identifier: state?.identifier ?? "", returnTo: state?.returnTo ?? "/account", reauth: state?.reauth ?? false });
  return { kind: "flow-gone", state: { ...fresh, error: flowErrorOf(refusal) }, refusal };
}

/**
 * Signs in with a passkey alone (no password typed): one step. User verification is required, so the passkey
 * counts as two factors. A disabled account answers like a passkey that did not work.
 */
export async function runPasskeySignin(deps: SigninFlowDeps, request: SigninRequest, input: { challengeId: string; response: unknown }): Promise<SigninResult> {
  const result = await finishPasskeyAuthentication(deps, {
    binding: request.binding,
    challengeId: input.challengeId,
    response: input.response,
    context: request.context,
  });
  if (!result.ok) return { kind: "passkey-refused", refusal: { code: "PASSKEY_FAILED", detail: `sign-in: ${result.reason}` } };
  const account = await deps.stores.accounts.getAccountById(result.accountId);
  if (!account || account.disabledAt !== null)
    return { kind: "passkey-refused", refusal: { code: "PASSKEY_FAILED", detail: "sign-in: account disabled or gone" } };
  const signedIn = await startSigninSession(deps, {
    account,
    remember: request.remember,
    context: request.context,
    replacesSessionId: request.replacesSessionId,
    amr: passkeyAMR(result.passkey),
    passkeyOnly: true,
  });
  return { kind: "signed-in", ...signedIn, returnTo: request.returnTo };
}

/**
 * The correct password of a pending account: on to the code step, bound to `accountId`, the account whose
 * password was checked (the API answers ACCOUNT_NOT_VERIFIED, without the id).
 */
function notVerified(deps: Pick<Deps, "config">, identifier: string, accountId: string): SigninResult {
  const refusal: Refusal = { code: "ACCOUNT_NOT_VERIFIED", field: "identifier" };
  const parsed = parseIdentifier(identifier, { defaultRegion: deps.config.defaultRegion });
  const verify: SigninVerifyHandOff = parsed.ok
    ? { identifier, sentTo: parsed.identifier.display, channel: parsed.identifier.kind, signInAs: parsed.identifier.value, signInAccountId: accountId }
    : { identifier };
  return { kind: "not-verified", refusal, verify };
}

function refusedSignin(base: Omit<SigninState, "step" | "focus" | "error">, refusal: Refusal): SigninResult {
  // A refusal that brings a new challenge (the threshold reached, a wrong answer) moves to the security check.
  const captcha = refusal.extra?.captcha !== undefined;
  const state: SigninState = { ...base, step: captcha ? "captcha" : "password", focus: null, error: flowErrorOf(refusal) };
  if (refusal.retryAfter !== undefined) return { kind: "throttled", state, refusal, retryAfter: refusal.retryAfter };
  return captcha ? { kind: "needs-captcha", state, refusal } : { kind: "refused", state, refusal };
}
