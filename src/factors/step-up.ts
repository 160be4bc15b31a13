// "Confirm it's you": changes to what protects an account need a recent confirmation in this session, by
// the password, a passkey or a second factor. Signing in counts as one; it lasts LATCHKEY_STEP_UP_WINDOW.
import { normalizePassword } from "../accounts/password-policy.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import { requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { isAppError } from "../errors/app-error.ts";
import type { SessionContext, ValidatedSession } from "../sessions/sessions.ts";
import type { SessionRecord } from "../stores/types.ts";
import { recordFactorFailure, recordFactorSuccess, releaseFactorAttempt, reserveFactorAttempt } from "./factor-throttle.ts";
import { type SecondFactorResult, verifySecondFactor } from "./second-factor.ts";
import { normalizeTOTPCode } from "./totp.ts";

type StepUpDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "logger" | "hasher" | "mailer" | "sms" | "tasks">;

/** True while the session's last confirmation (or its sign-in) is within the step-up window. */
export function isRecentlyConfirmed(deps: Pick<Deps, "clock" | "config">, session: Pick<SessionRecord, "confirmedAt">): boolean {
  if (!session.confirmedAt) return false;
  const age = deps.clock.now().getTime() - session.confirmedAt.getTime();
  return age >= 0 && age <= deps.config.stepUpWindowSeconds * 1000;
}

export type ConfirmationInput =
  | { method: "password"; password: string }
  | { method: "code"; code: string }
  | { method: "passkey"; challengeId: string; response: unknown };

export type ConfirmationResult =
  | { ok: true }
  | { ok: false; reason: "invalid" | "captcha_required" | "not_enrolled" }
  | { ok: false; reason: "locked"; retryAfter: number };

/**
 * Confirms that the person at this session is the account's owner, and records it on the session. Wrong
 * passwords and codes are counted per account with the same rules as sign-in; never throws for them.
 */
export async function confirmIdentity(
  deps: StepUpDeps,
  auth: ValidatedSession,
  input: ConfirmationInput & { binding: string; captcha?: CAPTCHASubmission | undefined; context: SessionContext },
): Promise<ConfirmationResult> {
  const accountId = auth.account.id;
  let result: ConfirmationResult;
  if (input.method === "password") {
    result = await checkPassword(deps, auth, input.password, input.binding, input.captcha, input.context);
  } else {
    const common = { binding: input.binding, captcha: input.captcha, context: input.context };
    const verified: SecondFactorResult =
      input.method === "passkey"
        ? await verifySecondFactor(deps, accountId, { method: "passkey", challengeId: input.challengeId, response: input.response, ...common })
        : await verifySecondFactor(deps, accountId, { method: normalizeTOTPCode(input.code) ? "totp" : "recovery_code", code: input.code, ...common });
    result = verified.ok ? { ok: true } : verified;
  }
  if (result.ok) {
    await deps.stores.sessions.markSessionConfirmed(auth.session.id, deps.clock.now());
    auth.session.confirmedAt = deps.clock.now();
    await recordAuditEvent(deps, { type: "step_up.confirmed", accountId, context: input.context, detail: { method: input.method } });
  }
  return result;
}

async function checkPassword(
  deps: StepUpDeps,
  auth: ValidatedSession,
  password: string,
  binding: string,
  captcha: CAPTCHASubmission | undefined,
  context: SessionContext,
): Promise<ConfirmationResult> {
  const accountId = auth.account.id;
  if (password.length === 0 || password.length > 1024) return { ok: false, reason: "invalid" };
  const reserved = await reserveFactorAttempt(deps, accountId);
  if (!reserved.ok) return { ok: false, reason: "locked", retryAfter: reserved.retryAfter };
  if (reserved.attempt.needsCAPTCHA) {
    try {
      await requireSolvedCAPTCHA(deps, { submission: captcha, purpose: "signin", binding });
    } catch (error) {
      await releaseFactorAttempt(deps, accountId);
      if (isAppError(error)) return { ok: false, reason: "captcha_required" };
      throw error;
    }
  }
  // The stored hash is read again: a password changed in another session since this one signed in wins.
  const account = await deps.stores.accounts.getAccountById(accountId);
  const matches = account ? await deps.hasher.verifyPasswordHash(account.passwordHash, normalizePassword(password)) : false;
  if (!matches) {
    const pause = await recordFactorFailure(deps, accountId, reserved.attempt);
    await recordAuditEvent(deps, { type: "second_factor.failed", accountId, context, detail: { method: "password", failures: reserved.attempt.position } });
    return pause > 0 ? { ok: false, reason: "locked", retryAfter: pause } : { ok: false, reason: "invalid" };
  }
  await recordFactorSuccess(deps, accountId);
  return { ok: true };
}
