// Six-digit codes that prove someone receives messages at an identifier: stored only as an HMAC, valid
// 10 minutes, 5 wrong tries end a code, consumed atomically.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { addSeconds } from "../lib/clock.ts";
import { constantTimeEqual, generateId, generateNumericCode, hmacHex } from "../lib/crypto.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { verificationCodeEmail, verificationCodeSMS } from "../messages/notifications.ts";
import type { VerificationPurpose, VerificationRecord, VerificationScope } from "../stores/types.ts";
import { deliverToIdentifier } from "./deliver.ts";

export const VERIFICATION_CODE_TTL_SECONDS = 10 * 60;
export const VERIFICATION_CODE_ATTEMPTS = 5;

export function hashVerificationCode(secret: string, scope: VerificationScope, code: string): string {
  return hmacHex(secret, "verification", scope.purpose, scope.value, scope.accountId ?? "", code);
}

export function verificationLink(baseUrl: string, identifier: Identifier, code: string): string {
  const url = new URL("/verify", `${baseUrl}/`);
  url.searchParams.set("identifier", identifier.display);
  url.searchParams.set("code", code);
  return url.href;
}

/** Creates a fresh code for the identifier (the previous one stops working) and sends it. */
export async function issueVerificationCode(
  deps: Pick<Deps, "stores" | "clock" | "random" | "config" | "mailer" | "sms" | "logger">,
  input: { accountId: string; purpose: VerificationPurpose; identifier: Identifier; locale?: Locale | null | undefined },
): Promise<void> {
  const code = generateNumericCode(deps.random, 6);
  const now = deps.clock.now();
  const scope: VerificationScope = {
    purpose: input.purpose,
    value: input.identifier.value,
    ...(input.purpose === "add_identifier" ? { accountId: input.accountId } : {}),
  };
  const codeHash = hashVerificationCode(deps.config.secret, scope, code);
  await deps.stores.verifications.createVerification({
    id: generateId(deps.random),
    accountId: input.accountId,
    purpose: input.purpose,
    kind: input.identifier.kind,
    value: input.identifier.value,
    display: input.identifier.display,
    codeHash,
    attemptsLeft: VERIFICATION_CODE_ATTEMPTS,
    expiresAt: addSeconds(now, VERIFICATION_CODE_TTL_SECONDS),
    createdAt: now,
  });
  const minutes = VERIFICATION_CODE_TTL_SECONDS / 60;
  try {
    await deliverToIdentifier(deps, input.identifier, {
      email: () => verificationCodeEmail(code, verificationLink(deps.config.baseUrl, input.identifier, code), minutes),
      sms: () => verificationCodeSMS(code, minutes),
      locale: input.locale,
    });
  } catch (error) {
    // Security: a code that did not go out is removed, so asking again (which a failed message does not
    // count against the send limits) never adds tries at a code: guesses stay bounded by what was sent.
    await deps.stores.verifications.consumeVerification(scope, codeHash, deps.clock.now());
    throw error;
  }
}

/**
 * Uses a code. Returns the consumed verification; throws VERIFICATION_CODE_INVALID for a wrong code while
 * tries remain, and VERIFICATION_CODE_EXPIRED when the code is gone (expired, used, or out of tries).
 */
export async function consumeVerificationCode(
  deps: Pick<Deps, "stores" | "clock" | "config">,
  scope: VerificationScope,
  code: string,
): Promise<VerificationRecord> {
  const now = deps.clock.now();
  // Every submission takes one of the code's tries before any comparison, in one atomic statement, so
  // however many guesses arrive at once, no more than the tries left are ever compared.
  const attempt = await deps.stores.verifications.takeVerificationAttempt(scope, now);
  if (!attempt) throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code" });
  const cleaned = code.replace(/[\s-]/g, "");
  const codeHash = /^\d{6}$/.test(cleaned) ? hashVerificationCode(deps.config.secret, scope, cleaned) : "";
  if (codeHash !== "" && constantTimeEqual(codeHash, attempt.codeHash)) {
    const record = await deps.stores.verifications.consumeVerification(scope, codeHash, now);
    if (record) return record;
    // Someone else used the same code at the same moment.
    throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code" });
  }
  throw new AppError(attempt.attemptsLeft > 0 ? "VERIFICATION_CODE_INVALID" : "VERIFICATION_CODE_EXPIRED", { field: "code" });
}
