// The second step after a password, as the sign-in flow calls it: which factors the account has, and one
// verification that answers with a result value (a wrong code is an outcome, not an exception). Codes are
// throttled per account like passwords; a passkey is not guessable and is not counted.
//
//   secondFactorMethods ── [] ─────────────────────────────► no second step
//        │ ["passkey", "totp", "recovery_code"]
//        ▼
//   verifySecondFactor ── ok (amr) ──► session
//        ├─ invalid ───────► ask again (failures count: security check after 3, pauses from 10)
//        ├─ captcha_required ► show the security check, ask again
//        └─ locked ────────► wait retryAfter seconds

import { recordAuditEvent } from "../audit/audit.ts";
import { type CAPTCHASubmission, requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { isAppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import { recordFactorFailure, recordFactorSuccess, releaseFactorAttempt, reserveFactorAttempt } from "./factor-throttle.ts";
import { finishPasskeyAuthentication, passkeyAMR } from "./passkeys.ts";
import { consumeRecoveryCode } from "./recovery-codes.ts";
import { notifySecurityChange } from "./security-notices.ts";
import { acceptTOTPCode } from "./totp.ts";

export type SecondFactorMethod = "passkey" | "totp" | "recovery_code";

export type SecondFactorInput =
  | { method: "totp"; code: string }
  | { method: "recovery_code"; code: string }
  | { method: "passkey"; challengeId: string; response: unknown };

export type SecondFactorResult =
  | { ok: true; method: SecondFactorMethod; amr: string[] }
  | { ok: false; reason: "invalid" | "captcha_required" | "not_enrolled" }
  | { ok: false; reason: "locked"; retryAfter: number };

type SecondFactorDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "logger" | "mailer" | "sms" | "tasks">;

/**
 * The second factors the account can use, in the order to offer them; [] when it has none (then a
 * password alone signs in). Recovery codes count only beside another factor.
 */
export async function secondFactorMethods(deps: Pick<Deps, "stores">, accountId: string): Promise<SecondFactorMethod[]> {
  const summary = await deps.stores.factors.secondFactorSummary(accountId);
  const methods: SecondFactorMethod[] = [];
  if (summary.passkeys > 0) methods.push("passkey");
  if (summary.totpConfirmed) methods.push("totp");
  if (methods.length > 0 && summary.unusedRecoveryCodes > 0) methods.push("recovery_code");
  return methods;
}

/**
 * Checks one second factor of the account. `binding` is who the passkey challenge and the security check
 * belong to (the flow's browser). Never throws for a wrong code; storage failures do throw.
 */
export async function verifySecondFactor(
  deps: SecondFactorDeps,
  accountId: string,
  input: SecondFactorInput & { binding: string; captcha?: CAPTCHASubmission | undefined; context?: SessionContext; locale?: Locale | undefined },
): Promise<SecondFactorResult> {
  const methods = await secondFactorMethods(deps, accountId);
  if (!methods.includes(input.method)) return { ok: false, reason: "not_enrolled" };
  const context = input.context ?? null;

  if (input.method === "passkey") {
    const result = await finishPasskeyAuthentication(deps, {
      binding: input.binding,
      challengeId: input.challengeId,
      response: input.response,
      accountId,
      ...(input.context ? { context: input.context } : {}),
    });
    return result.ok ? { ok: true, method: "passkey", amr: ["pwd", ...passkeyAMR(result.passkey)] } : { ok: false, reason: "invalid" };
  }

  // Codes are counted before they are checked, atomically, so parallel guesses cannot pass a threshold.
  const reserved = await reserveFactorAttempt(deps, accountId);
  if (!reserved.ok) return { ok: false, reason: "locked", retryAfter: reserved.retryAfter };
  if (reserved.attempt.needsCAPTCHA) {
    try {
      await requireSolvedCAPTCHA(deps, { submission: input.captcha, purpose: "signin", binding: input.binding, locale: input.locale });
    } catch (error) {
      await releaseFactorAttempt(deps, accountId);
      if (isAppError(error)) return { ok: false, reason: "captcha_required" };
      throw error;
    }
  }
  const accepted = input.method === "totp" ? await acceptTOTPCode(deps, accountId, input.code) : await consumeRecoveryCode(deps, accountId, input.code);
  if (!accepted) {
    const pause = await recordFactorFailure(deps, accountId, reserved.attempt);
    await recordAuditEvent(deps, {
      type: pause > 0 ? "second_factor.locked" : "second_factor.failed",
      accountId,
      context,
      detail: { method: input.method, failures: reserved.attempt.position },
    });
    return pause > 0 ? { ok: false, reason: "locked", retryAfter: pause } : { ok: false, reason: "invalid" };
  }
  await recordFactorSuccess(deps, accountId);
  if (input.method === "recovery_code") {
    const left = await deps.stores.factors.countUnusedRecoveryCodes(accountId);
    await recordAuditEvent(deps, { type: "recovery_code.used", accountId, context, detail: { left } });
    await notifySecurityChange(deps, accountId, "recovery_code_used", left);
    return { ok: true, method: "recovery_code", amr: ["pwd", "otp", "mfa"] };
  }
  return { ok: true, method: "totp", amr: ["pwd", "otp", "mfa"] };
}
