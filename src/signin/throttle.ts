// Throttling of password guesses per identifier, whether or not an account uses it (so it reveals
// nothing). Each attempt reserves its place in the count before the password is checked, atomically, so
// parallel guesses cannot slip past a threshold:
//
//   attempts 1–3 ............ checked as they come
//   attempt 4 on ............ only with a solved security check
//   failure 10 on ........... a lock: 60 s, doubling with each further failure, at most 15 minutes;
//                             during a lock even the correct password is refused
//   place 11 on ............. checked only once the failure before it has been recorded and its lock
//                             has run out; attempts that took a place while it was in flight are
//                             refused without a check
//   any hour ................ at most 100 passwords checked
//   success or reset ........ everything clears; 12 h without a failure clears it too
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { hmacHex } from "../lib/crypto.ts";

export const CAPTCHA_AFTER_FAILURES = 3;
export const LOCK_AFTER_FAILURES = 10;
export const FIRST_LOCK_SECONDS = 60;
export const MAX_LOCK_SECONDS = 15 * 60;
export const FAILURE_MEMORY_SECONDS = 12 * 3600;
export const MAX_CHECKS_PER_HOUR = 100;

type ThrottleDeps = Pick<Deps, "stores" | "config">;

function keys(secret: string, value: string) {
  // Keyed hash: the store never holds the address or number itself.
  const subject = hmacHex(secret, "signin-throttle", value).slice(0, 40);
  return {
    failures: `signin:failures:${subject}`,
    lock: `signin:lock:${subject}`,
    hourly: `signin:checks:${subject}`,
    // The place of the last failure that started a lock; kept as long as failures are remembered.
    locked: `signin:locked-at:${subject}`,
  };
}

/** Seconds of lock after the n-th consecutive failure (0 below the threshold). */
export function lockSecondsAfter(failures: number): number {
  if (failures < LOCK_AFTER_FAILURES) return 0;
  return Math.min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (failures - LOCK_AFTER_FAILURES));
}

export interface SigninAttempt {
  /** This attempt's place in the count of consecutive failures (1 = no failure before it). */
  position: number;
  /** True when this attempt must come with a solved security check. */
  needsCAPTCHA: boolean;
  /**
   * True when this attempt's place is past the lock threshold while the failure before it has not yet
   * started (and served) its lock: it arrived alongside guesses still in flight and must not be checked.
   */
  pastPause: boolean;
}

/**
 * Reserves one attempt for the identifier. Throws SIGNIN_LOCKED (429, Retry-After) during a lock or past
 * the hourly ceiling. The reservation counts as a failure until `recordSigninSuccess`.
 */
export async function reserveSigninAttempt(deps: ThrottleDeps, value: string): Promise<SigninAttempt> {
  const k = keys(deps.config.secret, value);
  // One round trip (see ShortLivedStore.reserveAttempt): the lock, the hourly count and this attempt's place.
  const reserved = await deps.stores.shortLived.reserveAttempt(
    { lock: k.lock, window: k.hourly, failures: k.failures, mark: k.locked },
    { windowSeconds: 3600, windowLimit: MAX_CHECKS_PER_HOUR, failureSeconds: FAILURE_MEMORY_SECONDS },
  );
  if (reserved.outcome === "locked") {
    throw new AppError("SIGNIN_LOCKED", { retryAfter: reserved.seconds, params: { wait: describeWait(reserved.seconds) } });
  }
  if (reserved.outcome === "ceiling") {
    const wait = Math.max(1, reserved.seconds);
    throw new AppError("SIGNIN_LOCKED", { retryAfter: wait, params: { wait: describeWait(wait) }, detail: "hourly ceiling" });
  }
  const { position } = reserved;
  // The lock check above only sees locks already written. Guesses that arrive together all pass it and
  // take places 11, 12, … before failure 10 is recorded; each of those may be checked only when the
  // failure just before its place has started a lock, and that lock has run out (checked above).
  const pastPause = position > LOCK_AFTER_FAILURES && reserved.mark !== String(position - 1);
  return { position, needsCAPTCHA: position > CAPTCHA_AFTER_FAILURES, pastPause };
}

/**
 * Refuses an attempt that took a place past the pause while earlier guesses were still in flight: its
 * place is given back and no password is checked. Throws SIGNIN_LOCKED.
 */
export async function refuseAttemptPastPause(deps: ThrottleDeps, value: string): Promise<never> {
  await releaseSigninAttempt(deps, value);
  const k = keys(deps.config.secret, value);
  const wait = Math.max(1, (await deps.stores.shortLived.ttl(k.lock)) || FIRST_LOCK_SECONDS);
  throw new AppError("SIGNIN_LOCKED", { retryAfter: wait, params: { wait: describeWait(wait) }, detail: "attempt past the pause" });
}

/** Gives back a reservation whose password was never checked (e.g. the security check was missing). */
export async function releaseSigninAttempt(deps: ThrottleDeps, value: string): Promise<void> {
  const k = keys(deps.config.secret, value);
  await deps.stores.shortLived.decrement(k.failures);
  await deps.stores.shortLived.decrement(k.hourly);
}

/** The reserved attempt failed: starts a lock from the tenth consecutive failure on. Returns the lock's seconds. */
export async function recordSigninFailure(deps: ThrottleDeps, value: string, attempt: SigninAttempt): Promise<number> {
  const seconds = lockSecondsAfter(attempt.position);
  if (seconds > 0) {
    const k = keys(deps.config.secret, value);
    await deps.stores.shortLived.set(k.lock, String(attempt.position), seconds);
    await deps.stores.shortLived.set(k.locked, String(attempt.position), FAILURE_MEMORY_SECONDS);
  }
  return seconds;
}

/** A failure that did not go through a reservation (a wrong current password on the password-change page). */
export async function countSigninFailure(deps: ThrottleDeps, value: string): Promise<void> {
  const attempt = await deps.stores.shortLived.incrementSliding(keys(deps.config.secret, value).failures, FAILURE_MEMORY_SECONDS);
  await recordSigninFailure(deps, value, { position: attempt, needsCAPTCHA: false, pastPause: false });
}

/** A completed reset or an operator's unlock: forget the failures and any lock. */
export async function clearSigninThrottle(deps: ThrottleDeps, value: string): Promise<void> {
  const k = keys(deps.config.secret, value);
  await deps.stores.shortLived.delete(k.failures, k.lock, k.locked);
}

/** The reserved attempt succeeded: it was no failure, so it leaves the hourly count too; then clear. */
export async function recordSigninSuccess(deps: ThrottleDeps, value: string): Promise<void> {
  const k = keys(deps.config.secret, value);
  // One round trip: the hourly count goes down by this attempt, and the failures and any lock are forgotten.
  await deps.stores.shortLived.decrementAndDelete(k.hourly, [k.failures, k.lock, k.locked]);
}

/** How many consecutive failures are on record (for display and tests). */
export async function countSigninFailures(deps: ThrottleDeps, value: string): Promise<number> {
  const raw = await deps.stores.shortLived.get(keys(deps.config.secret, value).failures);
  return raw ? Number(raw) : 0;
}

/** "1 minute", "4 minutes", "15 minutes", "30 seconds". */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
