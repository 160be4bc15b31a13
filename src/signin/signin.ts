// Signing in. One answer, SIGNIN_FAILED, for an unknown identifier, a wrong password and a disabled
// account, at the same cost: a missing account still pays for one hash verification.

import { requireIdentifier } from "../accounts/identifier-input.ts";
import { countCodePoints, normalizePassword, PASSWORD_MAX_LENGTH } from "../accounts/password-policy.ts";
import { type PublicAccount, toPublicAccount } from "../accounts/public-account.ts";
import { consumeSendAllowance, sendCountedMessage } from "../accounts/send-limits.ts";
import { issueVerificationCode } from "../accounts/verification-codes.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { createCAPTCHAChallenge } from "../captcha/challenges.ts";
import { type CAPTCHASubmission, requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import type { SigninOutcome } from "../metrics.ts";
import { createSession, invalidateSession, type SessionContext } from "../sessions/sessions.ts";
import type { AccountRecord, IdentifierRecord, SessionRecord } from "../stores/types.ts";
import {
  CAPTCHA_AFTER_FAILURES,
  describeWait,
  recordSigninFailure,
  recordSigninSuccess,
  refuseAttemptPastPause,
  releaseSigninAttempt,
  reserveSigninAttempt,
} from "./throttle.ts";

export interface SigninInput {
  identifier: string;
  password: string;
  remember: boolean;
  context: SessionContext;
  /** The answer to the security check, when one was shown. */
  captcha?: CAPTCHASubmission | undefined;
  /** Asks for the security check on this attempt whatever the count (a page sent without a proof of work). */
  captchaRequired?: boolean;
  /** Who the security check belongs to (session or browser). */
  binding: string;
  /** The page's or request's language, which a security check handed back speaks. */
  locale?: Locale | undefined;
}

export interface SigninResult {
  account: PublicAccount;
  session: SessionRecord;
  token: string;
}

/** The account whose password was just checked, before any session exists. */
export interface VerifiedSignin {
  confirmed: true;
  account: AccountRecord;
  /** The account's identifiers as read with it (the answer of a completed sign-in lists them). */
  identifiers: IdentifierRecord[];
}

/**
 * The right password of a pending account whose identifier is not confirmed yet: a new code was sent. The
 * account's id is for the code step to bind to (never for an answer): a registration of the same identifier
 * may replace the account a moment later, and only the account whose password was typed may be bound.
 */
export interface UnconfirmedSignin {
  confirmed: false;
  accountId: string;
}

type SigninDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "hasher" | "mailer" | "sms" | "logger" | "metrics">;

/**
 * Checks the identifier, the security check when one is due, and the password; creates no session (see
 * startSigninSession). Throws identifier format errors, the security-check errors, SIGNIN_LOCKED or
 * SIGNIN_FAILED. The correct password of an account whose identifier is not confirmed yet returns an
 * UnconfirmedSignin (a new code was sent), which the caller answers as ACCOUNT_NOT_VERIFIED.
 */
export async function verifySigninPassword(deps: SigninDeps, input: SigninInput): Promise<VerifiedSignin | UnconfirmedSignin> {
  try {
    const result = await checkSigninPassword(deps, input);
    deps.metrics.signin(result.confirmed ? "succeeded" : "not_verified");
    return result;
  } catch (error) {
    deps.metrics.signin(signinOutcomeOf(error));
    throw error;
  }
}

/**
 * Creates the session of an account whose sign-in is complete and records it. A session the browser
 * already had (an application asked for a fresh sign-in) is ended: one session per browser.
 */
export async function startSigninSession(
  deps: SigninDeps,
  input: {
    account: AccountRecord;
    remember: boolean;
    context: SessionContext;
    replacesSessionId?: string | undefined;
    /** How the person signed in, as OpenID Connect amr values (a password alone by default). */
    amr?: string[];
    /** A passkey alone, without a password, is recorded as its own kind of sign-in. */
    passkeyOnly?: boolean;
    /** The account's identifiers when they were just read with it; read here otherwise. */
    identifiers?: IdentifierRecord[];
  },
): Promise<SigninResult> {
  const { account } = input;
  const amr = input.amr ?? ["pwd"];
  const { token, session } = await createSession(deps, { accountId: account.id, remember: input.remember, context: input.context, amr });
  await recordAuditEvent(deps, {
    type: input.passkeyOnly ? "signin.passkey" : "signin.succeeded",
    accountId: account.id,
    context: input.context,
    detail: input.amr ? { remember: input.remember, amr: amr.join(" ") } : { remember: input.remember },
  });
  if (input.replacesSessionId) await invalidateSession(deps, input.replacesSessionId);
  const identifiers = input.identifiers ?? (await deps.stores.accounts.listIdentifiers(account.id));
  return { account: toPublicAccount(account, identifiers), session, token };
}

function signinOutcomeOf(error: unknown): SigninOutcome {
  // Storage that failed is no failed sign-in: kept apart so an outage does not look like an attack.
  if (!isAppError(error)) return "unavailable";
  switch (error.code) {
    case "SIGNIN_LOCKED":
      return "locked";
    case "CAPTCHA_REQUIRED":
      return "captcha_required";
    case "CAPTCHA_INCORRECT":
    case "CAPTCHA_ANSWER_MISSING":
    case "CAPTCHA_EXPIRED":
      return "captcha_failed";
    case "SIGNIN_FAILED":
      return "failed";
    default:
      return "invalid_input";
  }
}

/**
 * Runs a storage step of a sign-in whose password was not found wrong. When storage fails (an outage, not a
 * refusal), the reserved attempt is given back: only a checked wrong password may count against a person,
 * or an outage would bring the security check, and then a pause, to everyone who tried during it.
 */
async function releaseOnStorageError<T>(deps: SigninDeps, value: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!isAppError(error)) await releaseSigninAttempt(deps, value).catch(() => undefined);
    throw error;
  }
}

async function checkSigninPassword(deps: SigninDeps, input: SigninInput): Promise<VerifiedSignin | UnconfirmedSignin> {
  const { identifier } = requireIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  if (input.password.length === 0) throw new AppError("PASSWORD_REQUIRED", { field: "password" });
  const attempt = await reserveSigninAttempt(deps, identifier.value);
  if (attempt.needsCAPTCHA || input.captchaRequired) {
    try {
      await requireSolvedCAPTCHA(deps, { submission: input.captcha, purpose: "signin", binding: input.binding, locale: input.locale });
    } catch (error) {
      // No password was checked, so this attempt does not count.
      await releaseSigninAttempt(deps, identifier.value);
      if (isAppError(error) && error.code !== "CAPTCHA_REQUIRED")
        await recordAuditEvent(deps, { type: "captcha.failed", context: input.context, detail: { purpose: "signin" } });
      throw error;
    }
  }
  // A guess that took its place past the pause while the guesses before it were still being checked is
  // refused here, with no password check, however many arrive at once.
  if (attempt.pastPause) await refuseAttemptPastPause(deps, identifier.value);
  let accountId: string | null = null;
  const password = normalizePassword(input.password);
  const fail = async (detail: string): Promise<never> => {
    const lockSeconds = await recordSigninFailure(deps, identifier.value, attempt);
    await recordAuditEvent(deps, {
      type: lockSeconds > 0 ? "signin.locked" : "signin.failed",
      accountId,
      context: input.context,
      detail: { reason: detail, failures: attempt.position },
    });
    if (lockSeconds > 0) {
      throw new AppError("SIGNIN_LOCKED", { retryAfter: lockSeconds, params: { wait: describeWait(lockSeconds) }, detail });
    }
    // From the failure that reaches the threshold on, the answer brings the challenge to solve next.
    const extra =
      attempt.position >= CAPTCHA_AFTER_FAILURES
        ? { captcha: await createCAPTCHAChallenge(deps, { purpose: "signin", binding: input.binding, locale: input.locale }) }
        : undefined;
    throw new AppError("SIGNIN_FAILED", { detail, ...(extra ? { extra } : {}) });
  };
  // No account can have a password this long, so refuse before hashing: quick, and the same for everyone.
  if (countCodePoints(password) > PASSWORD_MAX_LENGTH) return fail("password over the maximum length");

  const found = await releaseOnStorageError(deps, identifier.value, () => deps.stores.accounts.getAccountByIdentifier(identifier.value));
  if (!found) {
    // Verify a dummy hash when the account is missing, so timing does not reveal which identifiers exist.
    await deps.hasher.verifyDummyPassword(password);
    return fail("unknown identifier");
  }
  const { account } = found;
  accountId = account.id;
  const matches = await deps.hasher.verifyPasswordHash(account.passwordHash, password);
  // A disabled account answers exactly like a wrong password, after the same work.
  if (!matches || account.disabledAt !== null) return fail(matches ? "account disabled" : "wrong password");
  await releaseOnStorageError(deps, identifier.value, () => recordSigninSuccess(deps, identifier.value));

  if (found.identifier.verifiedAt === null) {
    try {
      await consumeSendAllowance(deps, "verification", identifier.value);
      // A code that could not be sent is ended and not counted, as at registration: signing in during a
      // mail outage must not use up the codes the person needs once it is over.
      await sendCountedMessage(deps, "verification", identifier.value, () =>
        issueVerificationCode(deps, { accountId: account.id, purpose: "registration", identifier, locale: input.context?.locale }),
      );
    } catch (error) {
      if (!isAppError(error)) throw error;
      deps.logger.warn({ code: error.code }, "no new verification code sent at sign-in");
    }
    // Returned, not thrown as ACCOUNT_NOT_VERIFIED: the id must reach the code step but never the answer
    // (an error's `extra` is sent to the client), and reading the account again by identifier there could
    // find one that a registration put in its place since, whose password was never typed here.
    return { confirmed: false, accountId: account.id };
  }

  if (deps.hasher.needsRehash(account.passwordHash)) {
    const rehashed = await deps.hasher.hashPassword(password);
    // Only replace the hash we verified: a password change that happened meanwhile wins.
    await deps.stores.accounts.replacePasswordHash(account.id, account.passwordHash, rehashed, deps.clock.now());
  }
  return { confirmed: true, account, identifiers: found.identifiers };
}
