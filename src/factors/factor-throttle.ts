// Throttling of second-factor and confirmation guesses, per account: six digits are guessable, so codes
// get the same rules as passwords (src/signin/throttle.ts: the security check after 3 failures, pauses
// from the 10th, at most 100 checks an hour). The counters live under a key of their own, derived from the
// account id, so they never touch (or reveal) any identifier's sign-in counters. Nothing but a right code
// or the counters' own expiry clears them: a completed password reset clears the password counters only,
// or whoever holds the mailbox could reset again and again for a fresh allowance of code guesses.
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import {
  describeWait,
  recordSigninFailure,
  recordSigninSuccess,
  refuseAttemptPastPause,
  releaseSigninAttempt,
  reserveSigninAttempt,
  type SigninAttempt,
} from "../signin/throttle.ts";

type ThrottleDeps = Pick<Deps, "stores" | "config">;

function subjectOf(accountId: string): string {
  // "factor:" never begins an e-mail address or an E.164 number, so these counters are the account's own.
  return `factor:${accountId}`;
}

export type FactorAttempt = { ok: true; attempt: SigninAttempt } | { ok: false; retryAfter: number };

/** Reserves one guess for the account; `ok: false` with the seconds to wait during a pause. */
export async function reserveFactorAttempt(deps: ThrottleDeps, accountId: string): Promise<FactorAttempt> {
  try {
    const attempt = await reserveSigninAttempt(deps, subjectOf(accountId));
    if (attempt.pastPause) await refuseAttemptPastPause(deps, subjectOf(accountId));
    return { ok: true, attempt };
  } catch (error) {
    if (isAppError(error) && error.code === "SIGNIN_LOCKED") return { ok: false, retryAfter: error.retryAfter ?? 60 };
    throw error;
  }
}

/** A guess that was never checked (the security check was missing): it does not count. */
export async function releaseFactorAttempt(deps: ThrottleDeps, accountId: string): Promise<void> {
  await releaseSigninAttempt(deps, subjectOf(accountId));
}

/** A wrong guess; returns the pause it started (0 for none). */
export async function recordFactorFailure(deps: ThrottleDeps, accountId: string, attempt: SigninAttempt): Promise<number> {
  return recordSigninFailure(deps, subjectOf(accountId), attempt);
}

export async function recordFactorSuccess(deps: ThrottleDeps, accountId: string): Promise<void> {
  await recordSigninSuccess(deps, subjectOf(accountId));
}

/** SECOND_FACTOR_LOCKED with Retry-After. */
export function factorLockedError(retryAfter: number): AppError {
  return new AppError("SECOND_FACTOR_LOCKED", { retryAfter, params: { wait: describeWait(retryAfter) } });
}
