// What an account's owner is told when what protects the account changes (a passkey, the authenticator
// app, recovery codes) or the account is deleted: what happened, and what to do if it wasn't them.
import { html } from "../lib/html.ts";
import { type EmailDraft, emailLayout, type SMSDraft } from "./notifications.ts";

export type SecurityChange =
  | "passkey_added"
  | "passkey_removed"
  | "totp_enabled"
  | "totp_disabled"
  | "recovery_codes_generated"
  | "recovery_code_used"
  | "account_deleted";

/** Each notice's message id, under which a site owner may rewrite it (see docs/branding.md). */
export const SECURITY_NOTICE_IDS = {
  passkey_added: "passkey-added",
  passkey_removed: "passkey-removed",
  totp_enabled: "totp-enabled",
  totp_disabled: "totp-disabled",
  recovery_codes_generated: "recovery-codes-generated",
  recovery_code_used: "recovery-code-used",
  account_deleted: "account-closed",
} as const satisfies Record<SecurityChange, string>;

const HEADLINES: Record<SecurityChange, string> = {
  passkey_added: "A passkey was added to your account",
  passkey_removed: "A passkey was removed from your account",
  totp_enabled: "An authenticator app now protects your account",
  totp_disabled: "The authenticator app was turned off for your account",
  recovery_codes_generated: "New recovery codes were made for your account",
  recovery_code_used: "A recovery code was used to sign in to your account",
  account_deleted: "Your account has been deleted",
};

/** The headline, naming the site where that helps: the deleted account is gone from this site only. */
function headlineOf(change: SecurityChange, siteName: string): string {
  return change === "account_deleted" ? `Your ${siteName} account has been deleted` : HEADLINES[change];
}

function explanation(change: SecurityChange, left: number): string {
  switch (change) {
    case "recovery_code_used":
      return `You have ${left} unused recovery code${left === 1 ? "" : "s"} left. If you lost your phone or security key, make new codes and set up a new second step once you are in.`;
    case "recovery_codes_generated":
      return "The codes you had before no longer work.";
    case "account_deleted":
      return "Your account, its addresses and numbers, passkeys and sessions are gone. Thank you for using it. You can create a new account at any time.";
    default:
      return "";
  }
}

/** Links a notice carries: where to review the account's sessions and security, and where to reset the password. */
export interface SecurityNoticeLinks {
  reviewLink: string;
  resetLink: string;
}

/** The e-mail for a change. `left` is the number of unused recovery codes (recovery_code_used only). */
export function securityNoticeEmail(change: SecurityChange, links: SecurityNoticeLinks, left = 0): EmailDraft {
  const more = explanation(change, left);
  const gone = change === "account_deleted";
  const ifNotYou = gone
    ? "If this wasn't you, contact the people who run this service straight away: someone had access to your account."
    : "If this wasn't you, reset your password straight away and check where your account is signed in.";
  return {
    message: SECURITY_NOTICE_IDS[change],
    values: { ...links, left: String(left) },
    renderDefault: (brand) => {
      const headline = headlineOf(change, brand.siteName);
      return {
        subject: headline,
        text: [
          `${headline}, just now.`,
          ...(more ? ["", more] : []),
          "",
          "If this was you, there is nothing more to do.",
          "",
          ifNotYou,
          ...(gone ? [] : ["", `Review: ${links.reviewLink}`, `Reset your password: ${links.resetLink}`]),
        ].join("\n"),
        html: emailLayout(
          headline,
          html`<h1 style="font-size:20px;margin:0 0 16px">${headline}</h1>
<p>This happened just now.${more ? ` ${more}` : ""}</p>
<p>If this was you, there is nothing more to do.</p>
<p>${ifNotYou}</p>
${gone ? "" : html`<p><a href="${links.reviewLink}" style="color:${brand.color}">Review your account</a> (${links.reviewLink})</p><p><a href="${links.resetLink}" style="color:${brand.color}">Reset your password</a> (${links.resetLink})</p>`}`,
          brand,
        ),
      };
    },
  };
}

/** The text message for a change. */
export function securityNoticeSMS(change: SecurityChange, links: SecurityNoticeLinks, left = 0): SMSDraft {
  return {
    message: SECURITY_NOTICE_IDS[change],
    values: { ...links, left: String(left) },
    renderDefault: (brand) =>
      change === "account_deleted"
        ? `${headlineOf(change, brand.siteName)}.`
        : `${brand.siteName}: ${HEADLINES[change]}. Not you? Review it now: ${links.reviewLink}`,
  };
}
