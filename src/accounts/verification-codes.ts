// Six-digit codes that prove someone receives messages at an identifier: stored only as an HMAC, valid
// 10 minutes, 5 wrong tries end a code, consumed atomically.

import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { addSeconds } from "../lib/clock.ts";
import { constantTimeEqual, generateId, generateNumericCode, hmacHex } from "../lib/crypto.ts";
import { toASCIIDigits } from "../lib/digits.ts";
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

/** A new code for `scope`: the six digits to send, and the HMAC that is stored instead. */
export function generateVerificationCode(deps: Pick<Deps, "random" | "config">, scope: VerificationScope): { code: string; codeHash: string } {
  const code = generateNumericCode(deps.random, 6);
  return { code, codeHash: hashVerificationCode(deps.config.secret, scope, code) };
}

/** Sends `code` to the identifier: the code, and a link that confirms with it. Throws as deliverToIdentifier does. */
export async function sendVerificationCode(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger">,
  identifier: Identifier,
  code: string,
  locale: Locale | null | undefined,
): Promise<void> {
  const minutes = VERIFICATION_CODE_TTL_SECONDS / 60;
  await deliverToIdentifier(deps, identifier, {
    email: () => verificationCodeEmail(code, verificationLink(deps.config.baseUrl, identifier, code), minutes),
    sms: () => verificationCodeSMS(code, minutes),
    locale,
  });
}

/** Creates a fresh code for the identifier (the previous one stops working) and sends it. */
export async function issueVerificationCode(
  deps: Pick<Deps, "stores" | "clock" | "random" | "config" | "mailer" | "sms" | "logger">,
  input: { accountId: string; purpose: VerificationPurpose; identifier: Identifier; locale?: Locale | null | undefined },
): Promise<void> {
  const now = deps.clock.now();
  const scope: VerificationScope = {
    purpose: input.purpose,
    value: input.identifier.value,
    ...(input.purpose === "add_identifier" ? { accountId: input.accountId } : {}),
  };
  const { code, codeHash } = generateVerificationCode(deps, scope);
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
  try {
    await sendVerificationCode(deps, input.identifier, code, input.locale);
  } catch (error) {
    // Security: a code that did not go out is removed, so asking again (which a failed message does not
    // count against the send limits) never adds tries at a code: guesses stay bounded by what was sent.
    await deps.stores.verifications.consumeVerification(scope, codeHash, deps.clock.now());
    throw error;
  }
}

/** A code that matched its scope's live verification: one try was taken, nothing is used up yet. */
export interface MatchedVerificationCode {
  record: VerificationRecord;
  codeHash: string;
}

/**
 * Checks a code against the scope's verification, taking one of its tries, without using the code up
 * (useVerificationCode does). Returns the match; throws VERIFICATION_CODE_INVALID for any code that does not
 * match a verification still waiting (wrong, replaced by a newer one, used, or none was ever sent), and
 * VERIFICATION_CODE_EXPIRED only for the right code of one that expired or ran out of tries.
 */
export async function checkVerificationCode(
  deps: Pick<Deps, "stores" | "clock" | "config">,
  scope: VerificationScope,
  code: string,
): Promise<MatchedVerificationCode> {
  const now = deps.clock.now();
  // The code as typed on any keyboard: an Arabic one types ٣ or ۳ for 3.
  const cleaned = toASCIIDigits(code).replace(/[\s-]/g, "");
  const codeHash = /^\d{6}$/.test(cleaned) ? hashVerificationCode(deps.config.secret, scope, cleaned) : "";
  const matches = (stored: VerificationRecord | null): stored is VerificationRecord =>
    stored !== null && codeHash !== "" && constantTimeEqual(codeHash, stored.codeHash);
  // Read before the try is taken, whatever happens next: every code entry makes the same storage calls
  // whether or not a code waits for the identifier.
  const stored = await deps.stores.verifications.findVerification(scope);
  // Every submission takes one of the code's tries before any comparison, in one atomic statement, so
  // however many guesses arrive at once, no more than the tries left are ever compared.
  const attempt = await deps.stores.verifications.takeVerificationAttempt(scope, now);
  if (matches(attempt)) return { record: attempt, codeHash };
  // Security: a wrong code answers the same whether a code is waiting for the identifier (with tries left
  // or not) or none ever was, so a stranger who knows only an address cannot tell that it has a pending
  // registration (or, for an added address, a pending change). Only the right code, which only the person
  // who received it has, learns that it expired or ran out of tries.
  if (!attempt && matches(stored)) throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code" });
  throw new AppError("VERIFICATION_CODE_INVALID", { field: "code" });
}

/** Uses up a matched code in one atomic step. Throws VERIFICATION_CODE_EXPIRED when another request used it first. */
export async function useVerificationCode(
  deps: Pick<Deps, "stores" | "clock">,
  scope: VerificationScope,
  matched: MatchedVerificationCode,
): Promise<VerificationRecord> {
  const record = await deps.stores.verifications.consumeVerification(scope, matched.codeHash, deps.clock.now());
  // Someone else used the same code at the same moment.
  if (!record) throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code" });
  return record;
}

/** Checks a code and uses it up (checkVerificationCode, then useVerificationCode); throws as they do. */
export async function consumeVerificationCode(
  deps: Pick<Deps, "stores" | "clock" | "config">,
  scope: VerificationScope,
  code: string,
): Promise<VerificationRecord> {
  return useVerificationCode(deps, scope, await checkVerificationCode(deps, scope, code));
}
