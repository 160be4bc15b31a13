// Tells the owner about every change to what protects the account, on every confirmed address and number,
// with a link to review where the account is signed in. Sent in the background: never slows the answer.
import { deliverToIdentifier } from "../accounts/deliver.ts";
import type { Deps } from "../deps.ts";
import { html } from "../lib/html.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { type EmailContent, emailLayout } from "../messages/notifications.ts";

export type SecurityChange =
  | "passkey_added"
  | "passkey_removed"
  | "totp_enabled"
  | "totp_disabled"
  | "recovery_codes_generated"
  | "recovery_code_used"
  | "account_deleted";

const HEADLINES: Record<SecurityChange, string> = {
  passkey_added: "A passkey was added to your account",
  passkey_removed: "A passkey was removed from your account",
  totp_enabled: "An authenticator app now protects your account",
  totp_disabled: "The authenticator app was turned off for your account",
  recovery_codes_generated: "New recovery codes were made for your account",
  recovery_code_used: "A recovery code was used to sign in to your account",
  account_deleted: "Your Latchkey account has been deleted",
};

function explanation(change: SecurityChange, facts: Record<string, string | number>): string {
  switch (change) {
    case "recovery_code_used":
      return `You have ${facts.left ?? 0} unused recovery code${facts.left === 1 ? "" : "s"} left. If you lost your phone or security key, make new codes and set up a new second step once you are in.`;
    case "recovery_codes_generated":
      return "The codes you had before no longer work.";
    case "account_deleted":
      return "Your account, its addresses and numbers, passkeys and sessions are gone. Thank you for using it. You can create a new account at any time.";
    default:
      return "";
  }
}

/** The e-mail for a change; `reviewLink` leads to the account's sessions and security settings. */
export function securityChangeEmail(change: SecurityChange, facts: Record<string, string | number>, reviewLink: string, resetLink: string): EmailContent {
  const headline = HEADLINES[change];
  const more = explanation(change, facts);
  const gone = change === "account_deleted";
  const ifNotYou = gone
    ? "If this wasn't you, reply to your site's support: someone had access to your account."
    : "If this wasn't you, reset your password straight away and check where your account is signed in.";
  return {
    subject: headline,
    text: [`${headline}, just now.`, ...(more ? ["", more] : []), "", "If this was you, there is nothing more to do.", "", ifNotYou, ...(gone ? [] : ["", `Review: ${reviewLink}`, `Reset your password: ${resetLink}`])].join("\n"),
    html: emailLayout(
      headline,
      html`<h1 style="font-size:20px;margin:0 0 16px">${headline}</h1>
<p>This happened just now.${more ? ` ${more}` : ""}</p>
<p>If this was you, there is nothing more to do.</p>
<p>${ifNotYou}</p>
${gone ? "" : html`<p><a href="${reviewLink}" style="color:#0b5cad">Review your account</a> (${reviewLink})</p><p><a href="${resetLink}" style="color:#0b5cad">Reset your password</a> (${resetLink})</p>`}`,
    ),
  };
}

export function securityChangeSMS(change: SecurityChange, reviewLink: string): string {
  return change === "account_deleted" ? `${HEADLINES[change]}.` : `Latchkey: ${HEADLINES[change]}. Not you? Review it now: ${reviewLink}`;
}

/** Sends the notice to the given identifiers in the background. */
export function sendSecurityNotice(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger" | "tasks">,
  identifiers: Identifier[],
  change: SecurityChange,
  facts: Record<string, string | number> = {},
): void {
  const review = `${deps.config.baseUrl}/account/security`;
  const reset = `${deps.config.baseUrl}/password/reset`;
  for (const identifier of identifiers) {
    deps.tasks.run("security change notice", () =>
      deliverToIdentifier(deps, identifier, { email: () => securityChangeEmail(change, facts, review, reset), sms: () => securityChangeSMS(change, review) }),
    );
  }
}

/** Sends the notice to every confirmed identifier of the account. */
export async function notifySecurityChange(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger" | "tasks" | "stores">,
  accountId: string,
  change: SecurityChange,
  facts: Record<string, string | number> = {},
): Promise<void> {
  const identifiers = await deps.stores.accounts.listIdentifiers(accountId);
  sendSecurityNotice(
    deps,
    identifiers.filter((i) => i.verifiedAt !== null),
    change,
    facts,
  );
}
