// Creating an account: the answer is the same whether or not the identifier is taken, and so are the
// password hash, the storage work (one store call, the same statements committed) and the message sent while
// the request waits (the owner of a taken identifier gets a notice instead of a code).
// test/http/equal-work.test.ts compares them.

import { deliverToIdentifier } from "../accounts/deliver.ts";
import { cleanName, requireIdentifier } from "../accounts/identifier-input.ts";
import { checkPasswordShape, checkPasswordStrength, countCodePoints, normalizePassword, PASSWORD_MAX_LENGTH } from "../accounts/password-policy.ts";
import { type PublicAccount, toPublicAccount } from "../accounts/public-account.ts";
import { consumeSendAllowance, sendCountedMessage } from "../accounts/send-limits.ts";
import { requireTextableIdentifier } from "../accounts/sms-countries.ts";
import {
  checkVerificationCode,
  generateVerificationCode,
  issueVerificationCode,
  sendVerificationCode,
  useVerificationCode,
  VERIFICATION_CODE_ATTEMPTS,
  VERIFICATION_CODE_TTL_SECONDS,
} from "../accounts/verification-codes.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { type CAPTCHASubmission, requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { addSeconds } from "../lib/clock.ts";
import { generateId } from "../lib/crypto.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { registrationAttemptEmail, registrationAttemptSMS } from "../messages/notifications.ts";
import { createSession, type SessionContext } from "../sessions/sessions.ts";
import type { AccountRecord, SessionRecord, VerificationScope } from "../stores/types.ts";
import { accountCreatedEvent, accountVerifiedEvent } from "../webhooks/events.ts";

export interface RegistrationInput {
  identifier: string;
  password: string;
  name?: string | null;
  captcha?: CAPTCHASubmission | undefined;
  /** Who the security check belongs to (session or browser). */
  binding: string;
  /** The page's or request's language: the strength estimate knows its words; a new security check speaks it. */
  locale?: Locale | undefined;
}

export interface RegistrationResult {
  identifier: Identifier;
  /**
   * The pending account this registration created. When the identifier was taken (a notice went out) an id
   * that names no account, so the answer, and what a page keeps of it, look the same.
   */
  accountId?: string;
}

type RegistrationDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "hasher" | "mailer" | "sms" | "logger">;

/**
 * How long the requester that chose a pending account's password is remembered for its confirmation
 * (see confirmRegistration): after that, confirming takes the password.
 */
const REGISTRATION_CHOOSER_TTL_SECONDS = 24 * 60 * 60;

/** The short-lived key naming who chose the password of the pending account `accountId`. */
function chooserKey(accountId: string): string {
  return `registration:chooser:${accountId}`;
}

/**
 * Starts a registration. Checks the cheap things first (identifier and password format, the security check,
 * send limits), then the password's strength. Throws format errors (PHONE_COUNTRY_NOT_SUPPORTED for a number of a
 * country not texted) and password-policy errors; otherwise sends a code (new or
 * abandoned identifier) or a notice (identifier already verified on an account) and returns the same.
 */
export async function registerAccount(deps: RegistrationDeps, input: RegistrationInput): Promise<RegistrationResult> {
  const { identifier } = requireTextableIdentifier(deps.config, input.identifier);
  const name = cleanName(input.name);
  const shape = checkPasswordShape(input.password, { identifiers: [identifier.value] });
  if (!shape.ok) throw new AppError(shape.code, { field: "password" });
  if (deps.config.registrationCAPTCHA) {
    await requireSolvedCAPTCHA(deps, { submission: input.captcha, purpose: "registration", binding: input.binding, locale: input.locale });
  }
  await consumeSendAllowance(deps, "verification", identifier.value);
  // The strength estimate is the costly check: only a request that passed the security check and the send
  // limits reaches it, so nobody can spend our CPU with registrations alone.
  const policy = await checkPasswordStrength(shape.password, {
    identifiers: [identifier.value],
    name,
    minScore: deps.config.passwordMinScore,
    locale: input.locale,
  });
  if (!policy.ok) throw new AppError(policy.code, { field: "password" });
  // Hash in every case, taken or not, so both answers cost the same time.
  const passwordHash = await deps.hasher.hashPassword(policy.password);
  const now = deps.clock.now();
  const accountId = generateId(deps.random);
  // The code is made whether or not it will be stored, like the hash.
  const code = generateVerificationCode(deps, { purpose: "registration", value: identifier.value });
  // Who chose this password: the one requester whose confirmation needs no password (confirmRegistration).
  // Written before the identifier is looked at, so a taken identifier's registration writes it too (it then
  // names no account) and both do the same work.
  await deps.stores.shortLived.set(chooserKey(accountId), input.binding, REGISTRATION_CHOOSER_TTL_SECONDS);
  // Security: one store call whatever the identifier: it writes the account with its code, or (taken)
  // rewrites the holder's row, with the same statements and one commit either way, so the time storage takes
  // does not tell a stranger whether the identifier has an account.
  const registered = await deps.stores.accounts.createPendingAccountWithCode(
    {
      id: accountId,
      name,
      passwordHash,
      createdAt: now,
      identifier: { id: generateId(deps.random), kind: identifier.kind, value: identifier.value, display: identifier.display },
    },
    {
      id: generateId(deps.random),
      codeHash: code.codeHash,
      attemptsLeft: VERIFICATION_CODE_ATTEMPTS,
      expiresAt: addSeconds(now, VERIFICATION_CODE_TTL_SECONDS),
      createdAt: now,
    },
  );
  if (registered.outcome === "taken") {
    const signin = `${deps.config.baseUrl}/signin`;
    // Write to the address as its owner confirmed it, not as this request spelled it.
    const to = { ...identifier, display: registered.holder.display };
    await sendCountedMessage(deps, "verification", identifier.value, () =>
      deliverToIdentifier(deps, to, {
        email: () => registrationAttemptEmail(signin, `${deps.config.baseUrl}/password/reset`),
        sms: () => registrationAttemptSMS(signin),
        locale: input.locale,
      }),
    );
    return { identifier, accountId };
  }
  try {
    await sendCountedMessage(deps, "verification", identifier.value, () => sendVerificationCode(deps, identifier, code.code, input.locale));
  } catch (error) {
    // Never leave a half-created account behind: without the code nobody could finish it. Its code goes
    // with it, so asking again never adds tries at a code that was not sent.
    await deps.stores.accounts.deleteAccount(accountId);
    throw error;
  }
  return { identifier, accountId };
}

export interface ConfirmationInput {
  identifier: string;
  code: string;
  /** The password typed with the code: needed when the requester is not the one that chose it. */
  password?: string | undefined;
  /** Who confirms (requesterBinding): the requester that registered needs no password. */
  binding?: string | undefined;
  /** The pending account whose password this browser chose or just typed (a page flow's signInAccountId). */
  provenAccountId?: string | undefined;
  context?: SessionContext;
}

/**
 * Confirms a registration with its code; from then on the account can sign in. The code proves who receives
 * the messages; the account's password must also be shown to be theirs: by the requester that chose it
 * (`binding`, within a day), a page flow bound to the account (`provenAccountId`), or the password itself.
 * Throws VERIFICATION_CODE_INVALID / _EXPIRED (checkVerificationCode), and after a right code
 * REGISTRATION_PASSWORD_REQUIRED or REGISTRATION_PASSWORD_INCORRECT, which use a try but not the code.
 */
export async function confirmRegistration(
  deps: Pick<Deps, "stores" | "clock" | "config" | "random" | "logger" | "hasher">,
  input: ConfirmationInput,
): Promise<PublicAccount> {
  const { identifier } = requireIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  const scope: VerificationScope = { purpose: "registration", value: identifier.value };
  const matched = await checkVerificationCode(deps, scope, input.code);
  const found = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
  if (!found || found.account.id !== matched.record.accountId || found.identifier.verifiedAt !== null) {
    await useVerificationCode(deps, scope, matched);
    throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code", detail: "account replaced" });
  }
  await requirePasswordChooser(deps, found.account, input);
  await useVerificationCode(deps, scope, matched);
  // The account exists for applications from now on: both events commit with the confirmation. Only the
  // identifier row the password was checked against is marked: one that a registration replaced meanwhile
  // is gone, and its replacement's password was not checked.
  const marked = await deps.stores.accounts.markIdentifierVerified(found.identifier.id, deps.clock.now(), [
    accountCreatedEvent(deps, found.account, [found.identifier], { kind: "account" }),
    accountVerifiedEvent(deps, found.account.id, found.identifier),
  ]);
  if (!marked) throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code", detail: "account replaced while confirming" });
  await recordAuditEvent(deps, { type: "identifier.verified", accountId: found.account.id, context: input.context ?? null, detail: { kind: identifier.kind } });
  const identifiers = await deps.stores.accounts.listIdentifiers(found.account.id);
  return toPublicAccount(found.account, identifiers);
}

/**
 * Throws unless whoever confirms is shown to have chosen the pending account's password. Only called after
 * the right code, so what it answers is news only to the person who receives the identifier's messages.
 */
async function requirePasswordChooser(
  deps: Pick<Deps, "stores" | "hasher">,
  account: AccountRecord,
  input: Pick<ConfirmationInput, "password" | "binding" | "provenAccountId">,
): Promise<void> {
  // Security: the code proves who receives the messages, not who chose the password. Anyone can register
  // someone else's address first; if the owner's click on the link (or the code typed anywhere) confirmed
  // that account, whoever registered it could sign in to the owner's address with a password of their own
  // (pre-account hijacking). So the confirmation counts only from the requester that chose the password,
  // or with the password typed.
  if (input.provenAccountId === account.id) return;
  if (input.binding && (await deps.stores.shortLived.get(chooserKey(account.id))) === input.binding) return;
  const password = normalizePassword(input.password ?? "");
  if (password === "") throw new AppError("REGISTRATION_PASSWORD_REQUIRED", { field: "password" });
  // No account has a password this long: refused before hashing. The code's tries bound the guesses.
  if (countCodePoints(password) <= PASSWORD_MAX_LENGTH && (await deps.hasher.verifyPasswordHash(account.passwordHash, password))) return;
  throw new AppError("REGISTRATION_PASSWORD_INCORRECT", { field: "password" });
}

/**
 * Sends a new code for a registration that is waiting for one. Answers the same for unknown and already
 * confirmed identifiers, which get nothing.
 */
export async function resendRegistrationCode(
  deps: RegistrationDeps & Pick<Deps, "tasks">,
  input: { identifier: string; locale?: Locale | undefined },
): Promise<RegistrationResult> {
  const { identifier } = requireTextableIdentifier(deps.config, input.identifier);
  await consumeSendAllowance(deps, "verification", identifier.value);
  // Whether the identifier waits for a code is looked up, and the code made and sent, in the background
  // for every identifier: the answer does the same work, and takes the same time, for a pending, a
  // confirmed and an unknown one.
  deps.tasks.run("registration code resend", async () => {
    const found = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
    if (found && found.identifier.verifiedAt === null) {
      await sendCountedMessage(deps, "verification", identifier.value, () =>
        issueVerificationCode(deps, { accountId: found.account.id, purpose: "registration", identifier, locale: input.locale }),
      );
    }
  });
  return { identifier };
}

/**
 * Starts a session for an account whose identifier was just confirmed in the browser that chose its
 * password (registration, or a sign-in that stopped at ACCOUNT_NOT_VERIFIED). The caller checks that
 * binding; the code itself was already consumed by confirmRegistration.
 */
export async function signInAfterConfirmation(
  deps: Pick<Deps, "stores" | "clock" | "random" | "config" | "logger">,
  input: { accountId: string; context: SessionContext },
): Promise<{ token: string; session: SessionRecord }> {
  const created = await createSession(deps, { accountId: input.accountId, remember: false, context: input.context });
  await recordAuditEvent(deps, {
    type: "signin.succeeded",
    accountId: input.accountId,
    context: input.context,
    detail: { remember: false, after: "confirmation" },
  });
  return created;
}
