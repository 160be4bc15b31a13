// What an account's owner is told when what protects the account changes (a passkey, the authenticator
// app, recovery codes, the addresses and numbers on it) or the account is deleted: what happened, and what to do if it wasn't them.
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import { html } from "../lib/html.ts";
import { type EmailDraft, emailLayout, type SMSDraft } from "./notifications.ts";

export type SecurityChange =
  | "passkey_added"
  | "passkey_removed"
  | "totp_enabled"
  | "totp_disabled"
  | "recovery_codes_generated"
  | "recovery_code_used"
  | "identifier_added"
  | "identifier_removed"
  | "account_deleted";

/** Each notice's message id, under which a site owner may rewrite it (see docs/branding.md). */
export const SECURITY_NOTICE_IDS = {
  passkey_added: "passkey-added",
  passkey_removed: "passkey-removed",
  totp_enabled: "totp-enabled",
  totp_disabled: "totp-disabled",
  recovery_codes_generated: "recovery-codes-generated",
  recovery_code_used: "recovery-code-used",
  identifier_added: "identifier-added-notice",
  identifier_removed: "identifier-removed",
  account_deleted: "account-closed",
} as const satisfies Record<SecurityChange, string>;

const HEADLINES: Record<SecurityChange, MessageId> = {
  passkey_added: "email.securityPasskeyAdded",
  passkey_removed: "email.securityPasskeyRemoved",
  totp_enabled: "email.securityTotpEnabled",
  totp_disabled: "email.securityTotpDisabled",
  recovery_codes_generated: "email.securityCodesGenerated",
  recovery_code_used: "email.securityCodeUsed",
  identifier_added: "email.securityIdentifierAdded",
  identifier_removed: "email.securityIdentifierRemoved",
  account_deleted: "email.securityAccountDeleted",
};

/** The headline, naming the site where that helps: the deleted account is gone from this site only. */
function headlineOf(t: Translate, change: SecurityChange, siteName: string): string {
  return t(HEADLINES[change], { siteName });
}

function explanation(t: Translate, change: SecurityChange, left: number): string {
  switch (change) {
    case "recovery_code_used":
      return t("email.securityCodesLeft", { left });
    case "recovery_codes_generated":
      return t("email.securityOldCodesGone");
    case "account_deleted":
      return t("email.securityDeletedGone");
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
  const gone = change === "account_deleted";
  return {
    message: SECURITY_NOTICE_IDS[change],
    values: { ...links, left: String(left) },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      const headline = headlineOf(t, change, brand.siteName);
      const more = explanation(t, change, left);
      const ifNotYou = t(gone ? "email.securityNotYouDeleted" : "email.securityNotYou");
      return {
        subject: headline,
        text: [
          t("email.securityJustNow", { headline }),
          ...(more ? ["", more] : []),
          "",
          t("email.securityWasYou"),
          "",
          ifNotYou,
          ...(gone ? [] : ["", t("email.securityReview", { url: links.reviewLink }), t("email.securityReset", { url: links.resetLink })]),
        ].join("\n"),
        html: emailLayout(
          headline,
          html`<h1 style="font-size:20px;margin:0 0 16px">${headline}</h1>
<p>${t("email.securityHappenedJustNow")}${more ? ` ${more}` : ""}</p>
<p>${t("email.securityWasYou")}</p>
<p>${ifNotYou}</p>
${gone ? "" : html`<p><a href="${links.reviewLink}" style="color:${brand.color}">${t("email.securityReviewLabel")}</a> (${links.reviewLink})</p><p><a href="${links.resetLink}" style="color:${brand.color}">${t("email.securityResetLabel")}</a> (${links.resetLink})</p>`}`,
          brand,
          locale,
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
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      const headline = headlineOf(t, change, brand.siteName);
      return change === "account_deleted"
        ? t("sms.accountClosed", { headline })
        : t("sms.securityNotice", { siteName: brand.siteName, headline, reviewLink: links.reviewLink });
    },
  };
}
