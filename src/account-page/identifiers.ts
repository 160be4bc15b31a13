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
import type { Locale } from "../i18n/locales.ts";
import { generateId } from "../lib/crypto.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { identifierAddedEmail, identifierAddedSMS, registrationAttemptEmail, registrationAttemptSMS } from "../messages/notifications.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { IdentifierRecord } from "../stores/types.ts";
import { identifierAddedEvent, identifierRemovedEvent } from "../webhooks/events.ts";

type AddDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "mailer" | "sms" | "logger">;

/**
 * Sends a code to a new identifier for this account. Throws its format error (PHONE_COUNTRY_NOT_SUPPORTED for a
 * number of a country not texted), or IDENTIFIER_ALREADY_YOURS when it is already on
 * the account.
 */
export async function startAddingIdentifier(deps: AddDeps & Pick<Deps, "tasks">, accountId: string, input: string, locale?: Locale): Promise<Identifier> {
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
  return added;
}

export async function removeIdentifier(
  deps: Pick<Deps, "stores" | "clock" | "random" | "logger">,
  accountId: string,
  identifierId: string,
  context?: SessionContext,
): Promise<void> {
  const result = await deps.stores.accounts.removeIdentifier(accountId, identifierId, (removed) => [identifierRemovedEvent(deps, accountId, removed)]);
  if (result === "last") throw new AppError("IDENTIFIER_LAST_ONE");
  if (result === "not_found") throw new AppError("IDENTIFIER_NOT_FOUND");
  await recordAuditEvent(deps, { type: "identifier.removed", accountId, context: context ?? null });
}
