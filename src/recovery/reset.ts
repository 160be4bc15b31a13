// Resetting a forgotten password: by a link (e-mail) or a 6-digit code (SMS). The request does the same
// work and gives the same answer whether or not an account uses the identifier; completion is single use,
// ends every session and every other pending reset, clears sign-in failures and tells the owner.
import { deliverToIdentifier } from "../accounts/deliver.ts";
import { requireIdentifier } from "../accounts/identifier-input.ts";
import { checkNewPassword } from "../accounts/password-policy.ts";
import { consumeSendAllowance, sendCountedMessage } from "../accounts/send-limits.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { type CAPTCHASubmission, requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { addSeconds } from "../lib/clock.ts";
import { constantTimeEqual, generateId, generateNumericCode, generateSecretToken, hmacHex, sha256Hex } from "../lib/crypto.ts";
import { toASCIIDigits } from "../lib/digits.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { passwordChangedEmail, passwordChangedSMS, passwordResetCodeSMS, passwordResetLinkEmail } from "../messages/notifications.ts";
import { removeAllAppAccess } from "../oidc/grant-removal.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import { clearSigninThrottle } from "../signin/throttle.ts";
import type { AccountRecord, IdentifierRecord, PasswordResetRecord } from "../stores/types.ts";
import { passwordResetEvent, sessionsRevokedEvent } from "../webhooks/events.ts";

export const RESET_LINK_TTL_SECONDS = 30 * 60;
export const RESET_CODE_TTL_SECONDS = 10 * 60;
export const RESET_CODE_ATTEMPTS = 5;

type ResetDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "hasher" | "mailer" | "sms" | "logger" | "tasks">;

export function resetCodeHash(secret: string, value: string, code: string): string {
  return hmacHex(secret, "reset-code", value, code);
}

export function resetLink(baseUrl: string, token: string): string {
  return `${baseUrl}/password/reset/confirm?token=${token}`;
}

/**
 * Starts a reset. Throws format errors, the security-check errors and SEND_LIMITED (counted per
 * identifier whether or not it exists); otherwise answers the same for every identifier. A reset record
 * is written in every case (a decoy for unknown identifiers); only a confirmed identifier of an enabled
 * account is sent a message, in the background, so timing stays the same.
 */
export async function requestPasswordReset(
  deps: ResetDeps,
  input: { identifier: string; captcha: CAPTCHASubmission | undefined; binding: string; context?: SessionContext; locale?: Locale | undefined },
): Promise<{ identifier: Identifier }> {
  const { identifier } = requireIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  await requireSolvedCAPTCHA(deps, { submission: input.captcha, purpose: "password_reset", binding: input.binding, locale: input.locale });
  await consumeSendAllowance(deps, "reset", identifier.value);
  const found = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
  const account = found && found.identifier.verifiedAt !== null && found.account.disabledAt === null ? found.account : null;
  const { secret, secretHash } = await createResetSecret(deps, identifier, account?.id ?? null);
  // Recorded for unknown identifiers too (without an account), so both cases do the same work.
  await recordAuditEvent(deps, {
    type: "reset.requested",
    accountId: account?.id ?? null,
    context: input.context ?? null,
    detail: { channel: identifier.kind },
  });
  // A task is handed to the background in every case, and only there is it decided whether a message
  // goes out, so the answer does the same work for every identifier.
  const to = found ? { ...identifier, display: found.identifier.display } : identifier;
  deps.tasks.run("password reset message", async () => {
    if (!account) return;
    await sendResetMessage(deps, { to, secret, secretHash, locale: input.context?.locale });
  });
  return { identifier };
}

/**
 * Sends a reset for one confirmed identifier of an account, on an admin's request (no security check: the
 * admin is signed in and confirmed it). The per-identifier send limits still apply (SEND_LIMITED), so this
 * cannot flood anyone either; any pending reset for the identifier is replaced, as for a request by its owner.
 * Delivery happens before returning, so a failure is reported (DELIVERY_FAILED) rather than lost.
 */
export async function sendPasswordResetFor(deps: ResetDeps, input: { accountId: string; identifier: Identifier; locale?: Locale | null }): Promise<void> {
  const { identifier } = input;
  await consumeSendAllowance(deps, "reset", identifier.value);
  const { secret, secretHash } = await createResetSecret(deps, identifier, input.accountId);
  await sendResetMessage(deps, { to: identifier, secret, secretHash, locale: input.locale });
}

/**
 * Writes a pending reset for the identifier and returns its secret (only the hash is stored): a link token
 * for an e-mail address, a 6-digit code for a phone number. `accountId` is null for a decoy.
 */
async function createResetSecret(
  deps: Pick<Deps, "stores" | "clock" | "random" | "config">,
  identifier: Identifier,
  accountId: string | null,
): Promise<{ secret: string; secretHash: string }> {
  const now = deps.clock.now();
  const isLink = identifier.kind === "email";
  const secret = isLink ? generateSecretToken(deps.random) : generateNumericCode(deps.random, 6);
  const secretHash = isLink ? sha256Hex(secret) : resetCodeHash(deps.config.secret, identifier.value, secret);
  await deps.stores.passwordResets.createPasswordReset({
    id: generateId(deps.random),
    accountId,
    kind: isLink ? "link" : "code",
    value: identifier.value,
    secretHash,
    attemptsLeft: isLink ? 1 : RESET_CODE_ATTEMPTS,
    expiresAt: addSeconds(now, isLink ? RESET_LINK_TTL_SECONDS : RESET_CODE_TTL_SECONDS),
    createdAt: now,
    usedAt: null,
    revokedAt: null,
  });
  return { secret, secretHash };
}

/**
 * Sends a reset's link (e-mail) or code (SMS). When it cannot be sent, the send allowance is given back
 * (sendCountedMessage) and the reset ends: asking again costs the person nothing, and it never adds tries
 * at a code, so guesses stay bounded by the messages that went out.
 */
async function sendResetMessage(
  deps: ResetDeps,
  input: { to: Identifier; secret: string; secretHash: string; locale: Locale | null | undefined },
): Promise<void> {
  const { to, secret } = input;
  await sendCountedMessage(deps, "reset", to.value, async () => {
    try {
      await deliverToIdentifier(deps, to, {
        email: () => passwordResetLinkEmail(resetLink(deps.config.baseUrl, secret), RESET_LINK_TTL_SECONDS / 60),
        sms: () => passwordResetCodeSMS(secret, RESET_CODE_TTL_SECONDS / 60),
        locale: input.locale,
      });
    } catch (error) {
      await deps.stores.passwordResets.consumePasswordReset(to.kind === "email" ? "link" : "code", input.secretHash, deps.clock.now(), to.value);
      throw error;
    }
  });
}

export type ResetLinkStatus = "valid" | "used" | "expired" | "invalid";

function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** What a reset link is now, without using it. */
export async function checkResetLink(deps: Pick<Deps, "stores" | "clock">, token: string): Promise<ResetLinkStatus> {
  if (!isWellFormedToken(token)) return "invalid";
  const record = await deps.stores.passwordResets.getPasswordResetBySecret(sha256Hex(token));
  return linkStatus(record, deps.clock.now());
}

/**
 * The identifier a reset link was sent to (its matching value), so the new-password form can name the
 * account for password managers; null for an unknown token.
 */
export async function findResetLinkIdentifier(deps: Pick<Deps, "stores">, token: string): Promise<string | null> {
  if (!isWellFormedToken(token)) return null;
  const record = await deps.stores.passwordResets.getPasswordResetBySecret(sha256Hex(token));
  return record?.kind === "link" && record.accountId !== null ? record.value : null;
}

function linkStatus(record: PasswordResetRecord | null, now: Date): ResetLinkStatus {
  if (record?.kind !== "link" || record.accountId === null) return "invalid";
  if (record.usedAt !== null || record.revokedAt !== null) return "used";
  if (record.expiresAt <= now) return "expired";
  return "valid";
}

const LINK_ERRORS = { used: "RESET_TOKEN_USED", expired: "RESET_TOKEN_EXPIRED", invalid: "RESET_TOKEN_INVALID" } as const;

async function checkPolicyFor(deps: ResetDeps, target: ResetTarget, password: string, locale: Locale | undefined): Promise<string> {
  const identifiers = target.identifiers.map((i) => i.value);
  const policy = await checkNewPassword(password, { identifiers, name: target.account.name, minScore: deps.config.passwordMinScore, locale });
  if (!policy.ok) throw new AppError(policy.code, { field: "password" });
  return policy.password;
}

/** The account a reset changes, with its identifiers as read once for the whole completion. */
interface ResetTarget {
  account: AccountRecord;
  identifiers: IdentifierRecord[];
}

/**
 * The account a reset may still change, with all its identifiers (one read): null for a decoy, a missing
 * or disabled account, or one that no longer has the identifier the link or code was sent to as a
 * confirmed identifier.
 */
async function findResetAccount(deps: Pick<Deps, "stores">, reset: Pick<PasswordResetRecord, "accountId" | "value">): Promise<ResetTarget | null> {
  if (reset.accountId === null) return null;
  // Security: removing an address or number is how people shut out one they lost (a former employer's
  // mailbox, a recycled phone number); a link or code already sent there must not reset the account after.
  // So the identifier the reset was sent to must still be a confirmed identifier of the reset's account.
  const found = await deps.stores.accounts.getAccountByIdentifier(reset.value);
  if (!found || found.account.id !== reset.accountId || found.identifier.verifiedAt === null) return null;
  // A link sent before the account was disabled no longer opens it.
  if (found.account.disabledAt !== null) return null;
  return { account: found.account, identifiers: found.identifiers };
}

/** Completes a reset with the link's token. */
export async function completePasswordResetWithToken(
  deps: ResetDeps,
  input: { token: string; password: string; context?: SessionContext; locale?: Locale | undefined },
): Promise<void> {
  if (!isWellFormedToken(input.token)) throw new AppError("RESET_TOKEN_INVALID", { field: "token" });
  const secretHash = sha256Hex(input.token);
  const record = await deps.stores.passwordResets.getPasswordResetBySecret(secretHash);
  const status = linkStatus(record, deps.clock.now());
  if (status !== "valid" || !record?.accountId) throw new AppError(LINK_ERRORS[status === "valid" ? "invalid" : status], { field: "token" });
  const target = await findResetAccount(deps, record);
  if (!target) throw new AppError("RESET_TOKEN_INVALID", { field: "token" });
  // The new password is checked before the link is used, so a refused password does not cost the link.
  const password = await checkPolicyFor(deps, target, input.password, input.locale);
  const consumed = await deps.stores.passwordResets.consumePasswordReset("link", secretHash, deps.clock.now());
  if (!consumed) throw new AppError("RESET_TOKEN_USED", { field: "token" });
  await finishReset(deps, target, password, input.context, "link");
}

/** Completes a reset with the SMS code sent to `identifier`. */
export async function completePasswordResetWithCode(
  deps: ResetDeps,
  input: { identifier: string; code: string; password: string; context?: SessionContext; locale?: Locale | undefined },
): Promise<void> {
  const { identifier } = requireIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  const now = deps.clock.now();
  // The code comes first: nothing about the account (not even whether the new password contains one of
  // its identifiers) is looked at until the code is right, so a wrong code tells nothing about it. Each
  // submission takes one of the code's tries, atomically, before any comparison: parallel guesses cannot
  // share a try.
  const attempt = await deps.stores.passwordResets.takeResetCodeAttempt(identifier.value, now);
  if (!attempt) throw new AppError("RESET_CODE_EXPIRED", { field: "code" });
  // Written in ASCII digits first: an Arabic keyboard types ٠-٩, and the right code must not cost a try.
  const code = toASCIIDigits(input.code).replace(/[\s-]/g, "");
  const codeHash = /^\d{6}$/.test(code) ? resetCodeHash(deps.config.secret, identifier.value, code) : "";
  if (codeHash === "" || !constantTimeEqual(codeHash, attempt.secretHash)) {
    throw new AppError(attempt.attemptsLeft > 0 ? "RESET_CODE_INVALID" : "RESET_CODE_EXPIRED", { field: "code" });
  }
  const target = await findResetAccount(deps, attempt);
  // A decoy (no account), an account disabled since the code was sent, or a number removed from it since:
  // the code is spent, nothing changes.
  if (!target) {
    await deps.stores.passwordResets.consumePasswordReset("code", codeHash, now, identifier.value);
    throw new AppError("RESET_CODE_EXPIRED", { field: "code" });
  }
  // Checked before the code is used, so a refused password costs one try, not the code.
  const password = await checkPolicyFor(deps, target, input.password, input.locale);
  const consumed = await deps.stores.passwordResets.consumePasswordReset("code", codeHash, now, identifier.value);
  if (!consumed || consumed.accountId !== target.account.id) throw new AppError("RESET_CODE_EXPIRED", { field: "code" });
  await finishReset(deps, target, password, input.context, "code");
}

async function finishReset(
  deps: ResetDeps,
  { account, identifiers }: ResetTarget,
  password: string,
  context: SessionContext | undefined,
  via: "link" | "code",
): Promise<void> {
  const now = deps.clock.now();
  const hash = await deps.hasher.hashPassword(password);
  await deps.stores.accounts.updatePasswordHash(account.id, hash, now, [passwordResetEvent(deps, account.id, via)]);
  // Every other way in that existed before the reset dies with it.
  await deps.stores.passwordResets.revokePasswordResetsOfAccount(account.id, now);
  await deps.stores.sessions.deleteSessionsOfAccount(account.id, undefined, (count) =>
    count > 0 ? [sessionsRevokedEvent(deps, account.id, "password_reset", count, false)] : [],
  );
  // Refresh tokens are ways in too: an application signed in by whoever had the old password must not keep
  // acting for the account for up to 30 days, so every application's grant ends and people sign in afresh.
  await removeAllAppAccess(deps, account.id);
  // The password counters clear; the second-factor counters (per account) do not: a reset proves the
  // mailbox, not the authenticator, and clearing them would give every reset a fresh allowance of guesses.
  for (const i of identifiers) await clearSigninThrottle(deps, i.value);
  await recordAuditEvent(deps, { type: "reset.completed", accountId: account.id, context: context ?? null, detail: { via } });
  notifyPasswordChanged(
    deps,
    identifiers.filter((i) => i.verifiedAt !== null),
    "reset",
    account.locale ?? context?.locale,
  );
}

/** Tells every confirmed identifier that the password changed (in the background). */
export function notifyPasswordChanged(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger" | "tasks">,
  identifiers: Identifier[],
  how: "reset" | "change",
  locale?: Locale | null,
): void {
  const signin = `${deps.config.baseUrl}/signin`;
  const reset = `${deps.config.baseUrl}/password/reset`;
  for (const identifier of identifiers) {
    deps.tasks.run("password changed notice", () =>
      deliverToIdentifier(deps, identifier, { email: () => passwordChangedEmail(how, signin, reset), sms: () => passwordChangedSMS(reset), locale }),
    );
  }
}
