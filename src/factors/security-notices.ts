// Tells the owner about every change to what protects the account, on every confirmed address and number,
// with a link to review where the account is signed in. Sent in the background: never slows the answer.
// The texts live in src/messages/security-notices.ts.
import { deliverToIdentifier } from "../accounts/deliver.ts";
import type { Deps } from "../deps.ts";
import type { Locale } from "../i18n/locales.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { type SecurityChange, securityNoticeEmail, securityNoticeSMS } from "../messages/security-notices.ts";

export type { SecurityChange } from "../messages/security-notices.ts";

/** Sends the notice to the given identifiers in the background. `left`: unused recovery codes (recovery_code_used). */
export function sendSecurityNotice(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger" | "tasks">,
  identifiers: Identifier[],
  change: SecurityChange,
  left = 0,
  locale: Locale | null = null,
): void {
  const links = { reviewLink: `${deps.config.baseUrl}/account/security`, resetLink: `${deps.config.baseUrl}/password/reset` };
  for (const identifier of identifiers) {
    deps.tasks.run("security change notice", () =>
      deliverToIdentifier(deps, identifier, {
        email: () => securityNoticeEmail(change, links, left),
        sms: () => securityNoticeSMS(change, links, left),
        locale,
      }),
    );
  }
}

/** Sends the notice to every confirmed identifier of the account. */
export async function notifySecurityChange(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger" | "tasks" | "stores">,
  accountId: string,
  change: SecurityChange,
  left = 0,
): Promise<void> {
  const identifiers = await deps.stores.accounts.listIdentifiers(accountId);
  // In the language the account saved, when it did; otherwise the site's default.
  const account = await deps.stores.accounts.getAccountById(accountId);
  sendSecurityNotice(
    deps,
    identifiers.filter((i) => i.verifiedAt !== null),
    change,
    left,
    account?.locale ?? null,
  );
}
