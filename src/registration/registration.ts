// Creating an account: the answer and the work are the same whether or not the identifier is taken. The
// owner of a taken identifier gets a notice instead of a code.

import { deliverToIdentifier } from "../accounts/deliver.ts";
import { cleanName, requireIdentifier } from "../accounts/identifier-input.ts";
import { checkPasswordShape, checkPasswordStrength } from "../accounts/password-policy.ts";
import { type PublicAccount, toPublicAccount } from "../accounts/public-account.ts";
import { consumeSendAllowance, sendCountedMessage } from "../accounts/send-limits.ts";
import { requireTextableIdentifier } from "../accounts/sms-countries.ts";
import { consumeVerificationCode, issueVerificationCode } from "../accounts/verification-codes.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { type CAPTCHASubmission, requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { generateId } from "../lib/crypto.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { registrationAttemptEmail, registrationAttemptSMS } from "../messages/notifications.ts";
import { createSession, type SessionContext } from "../sessions/sessions.ts";
import type { SessionRecord } from "../stores/types.ts";
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
  /** The pending account this registration created; absent when the identifier was taken (a notice went out). */
  accountId?: string;
}

type RegistrationDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "hasher" | "mailer" | "sms" | "logger">;

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
  const created = await deps.stores.accounts.createPendingAccount({
    id: accountId,
    name,
    passwordHash,
    createdAt: now,
    identifier: { id: generateId(deps.random), kind: identifier.kind, value: identifier.value, display: identifier.display },
  });
  if (!created) {
    const signin = `${deps.config.baseUrl}/signin`;
    // Write to the address as its owner confirmed it, not as this request spelled it.
    const owner = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
    const to = owner ? { ...identifier, display: owner.identifier.display } : identifier;
    await sendCountedMessage(deps, "verification", identifier.value, () =>
      deliverToIdentifier(deps, to, {
        email: () => registrationAttemptEmail(signin, `${deps.config.baseUrl}/password/reset`),
        sms: () => registrationAttemptSMS(signin),
        locale: input.locale,
      }),
    );
    return { identifier };
  }
  try {
    await sendCountedMessage(deps, "verification", identifier.value, () =>
      issueVerificationCode(deps, { accountId, purpose: "registration", identifier, locale: input.locale }),
    );
  } catch (error) {
    // Never leave a half-created account behind: without the code nobody could finish it.
    await deps.stores.accounts.deleteAccount(accountId);
    throw error;
  }
  return { identifier, accountId };
}

/** Confirms a registration with its code; from then on the account can sign in. */
export async function confirmRegistration(
  deps: Pick<Deps, "stores" | "clock" | "config" | "random" | "logger">,
  input: { identifier: string; code: string; context?: SessionContext },
): Promise<PublicAccount> {
  const { identifier } = requireIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  const verification = await consumeVerificationCode(deps, { purpose: "registration", value: identifier.value }, input.code);
  const found = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
  if (!found || found.account.id !== verification.accountId) throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code", detail: "account replaced" });
  // The account exists for applications from now on: both events commit with the confirmation.
  await deps.stores.accounts.markIdentifierVerified(found.identifier.id, deps.clock.now(), [
    accountCreatedEvent(deps, found.account, [found.identifier], { kind: "account" }),
    accountVerifiedEvent(deps, found.account.id, found.identifier),
  ]);
  await recordAuditEvent(deps, { type: "identifier.verified", accountId: found.account.id, context: input.context ?? null, detail: { kind: identifier.kind } });
  const identifiers = await deps.stores.accounts.listIdentifiers(found.account.id);
  return toPublicAccount(found.account, identifiers);
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
