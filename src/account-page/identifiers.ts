// Adding and removing e-mail addresses and mobile numbers on a signed-in account. A new one is verified
// with a code before it is added; a taken one answers the same as a free one.
import { deliverToIdentifier } from "../accounts/deliver.ts";
import { requireIdentifier } from "../accounts/identifier-input.ts";
import { consumeSendAllowance, sendCountedMessage } from "../accounts/send-limits.ts";
import { requireTextableIdentifier } from "../accounts/sms-countries.ts";
import { consumeVerificationCode, issueVerificationCode } from "../accounts/verification-codes.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { sendSecurityNotice } from "../factors/security-notices.ts";
import type { Locale } from "../i18n/locales.ts";
import { generateId } from "../lib/crypto.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { identifierAddedEmail, identifierAddedSMS, registrationAttemptEmail, registrationAttemptSMS } from "../messages/notifications.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { IdentifierRecord } from "../stores/types.ts";
import { identifierAddedEvent, identifierRemovedEvent } from "../webhooks/events.ts";

type AddDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "mailer" | "sms" | "logger" | "tasks">;

/**
 * Tells `identifiers` (the account's confirmed ones, as they were before the change) that an address or number
 * was added or removed, in the account's saved language.
 */
async function noticeIdentifierChange(
  deps: AddDeps,
  accountId: string,
  identifiers: IdentifierRecord[],
  change: "identifier_added" | "identifier_removed",
): Promise<void> {
  const confirmed = identifiers.filter((i) => i.verifiedAt !== null);
  if (confirmed.length === 0) return;
  const account = await deps.stores.accounts.getAccountById(accountId);
  sendSecurityNotice(deps, confirmed, change, 0, account?.locale ?? null);
}

/**
 * Sends a code to a new identifier for this account. Throws its format error (PHONE_COUNTRY_NOT_SUPPORTED for a
 * number of a country not texted), or IDENTIFIER_ALREADY_YOURS when it is already on
 * the account.
 */
export async function startAddingIdentifier(deps: AddDeps, accountId: string, input: string, locale?: Locale): Promise<Identifier> {
  const { identifier } = requireTextableIdentifier(deps.config, input);
  const own = await deps.stores.accounts.listIdentifiers(accountId);
  if (own.some((i) => i.value === identifier.value && i.verifiedAt !== null)) throw new AppError("IDENTIFIER_ALREADY_YOURS", { field: "identifier" });
  await consumeSendAllowance(deps, "verification", identifier.value);
  // Whether someone else holds the identifier is looked up, and the code or the owner's notice made and
  // sent, in the background for every identifier: the answer does the same work, and takes the same time,
  // for a free and a taken one.
  deps.tasks.run("identifier code", () =>
    sendCountedMessage(deps, "verification", identifier.value, async () => {
      const taken = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
      if (taken && taken.identifier.verifiedAt !== null) {
        // Someone else's: tell the owner instead of sending a code.
        const signin = `${deps.config.baseUrl}/signin`;
        await deliverToIdentifier(deps, identifier, {
          email: () => registrationAttemptEmail(signin, `${deps.config.baseUrl}/password/reset`),
          sms: () => registrationAttemptSMS(signin),
          locale,
        });
        return;
      }
      await issueVerificationCode(deps, { accountId, purpose: "add_identifier", identifier, locale });
    }),
  );
  return identifier;
}

/** Adds the identifier once its code checks out, and tells it so. */
export async function confirmAddingIdentifier(
  deps: AddDeps,
  accountId: string,
  input: { identifier: string; code: string; context?: SessionContext },
): Promise<IdentifierRecord> {
  const { identifier } = requireIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  await consumeVerificationCode(deps, { purpose: "add_identifier", value: identifier.value, accountId }, input.code);
  const before = await deps.stores.accounts.listIdentifiers(accountId);
  const added = await deps.stores.accounts.addVerifiedIdentifier(
    accountId,
    { id: generateId(deps.random), kind: identifier.kind, value: identifier.value, display: identifier.display },
    deps.clock.now(),
    (added) => [identifierAddedEvent(deps, accountId, added)],
  );
  if (!added) throw new AppError("VERIFICATION_CODE_EXPIRED", { field: "code", detail: "identifier taken meanwhile" });
  await recordAuditEvent(deps, { type: "identifier.added", accountId, context: input.context ?? null, detail: { kind: identifier.kind } });
  await deliverToIdentifier(deps, identifier, {
    email: () => identifierAddedEmail(identifier.display),
    sms: () => identifierAddedSMS(identifier.display),
    locale: input.context?.locale,
  }).catch(() => undefined);
  // Security: a new address or number can reset the password, so the ones already on the account hear of it.
  // Whoever added it from a stolen or borrowed session would otherwise take the account over unnoticed.
  await noticeIdentifierChange(deps, accountId, before, "identifier_added");
  return added;
}

/**
 * Removes one identifier of the account and tells every confirmed one it had, the removed one included.
 * Throws IDENTIFIER_LAST_ONE for its last confirmed one, IDENTIFIER_NOT_FOUND for one it does not have.
 */
export async function removeIdentifier(deps: AddDeps, accountId: string, identifierId: string, context?: SessionContext): Promise<void> {
  const before = await deps.stores.accounts.listIdentifiers(accountId);
  const result = await deps.stores.accounts.removeIdentifier(accountId, identifierId, (removed) => [identifierRemovedEvent(deps, accountId, removed)]);
  if (result === "last") throw new AppError("IDENTIFIER_LAST_ONE");
  if (result === "not_found") throw new AppError("IDENTIFIER_NOT_FOUND");
  await recordAuditEvent(deps, { type: "identifier.removed", accountId, context: context ?? null });
  // Security: the removed address or number is told too: it is the one that no longer hears of the account,
  // and taking the owner's own address off is how a stolen session would keep the owner from resetting.
  await noticeIdentifierChange(deps, accountId, before, "identifier_removed");
}
