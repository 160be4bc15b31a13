// What an account's owner is told when an administrator changes their account: what happened, what it
// means for them, and where to turn. One text per change, sent by e-mail or SMS.
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html } from "../lib/html.ts";
import { type EmailDraft, emailLayout, type SMSDraft } from "./notifications.ts";
import type { EmailMessageId } from "./templates.ts";

export type AdminNoticeKind = "disabled" | "enabled" | "signed_out" | "admin_granted" | "admin_revoked" | "deleted" | "second_factors_removed";

interface NoticeText {
  subject: string;
  /** The e-mail's paragraphs; the first is also the text message. */
  lines: string[];
}

function noticeText(t: Translate, kind: AdminNoticeKind, signinLink: string, helpLink: string): NoticeText {
  const mistake = t("email.adminMistake", { helpLink });
  const signIn = t("email.adminSignIn", { signinLink });
  switch (kind) {
    case "disabled":
      return { subject: t("email.adminDisabledSubject"), lines: [t("email.adminDisabled"), mistake] };
    case "enabled":
      return { subject: t("email.adminEnabledSubject"), lines: [t("email.adminEnabled"), signIn] };
    case "signed_out":
      return { subject: t("email.adminSignedOutSubject"), lines: [t("email.adminSignedOut"), signIn, t("email.adminSignedOutNotYou")] };
    case "admin_granted":
      return { subject: t("email.adminGrantedSubject"), lines: [t("email.adminGranted"), t("email.adminGrantedNotExpected")] };
    case "admin_revoked":
      return { subject: t("email.adminRevokedSubject"), lines: [t("email.adminRevoked")] };
    case "second_factors_removed":
      return {
        subject: t("email.adminFactorsRemovedSubject"),
        lines: [t("email.adminFactorsRemoved"), t("email.adminFactorsRemovedSetUp", { signinLink }), t("email.adminFactorsRemovedNotYou", { helpLink })],
      };
    case "deleted":
      return { subject: t("email.adminDeletedSubject"), lines: [t("email.adminDeleted"), mistake] };
  }
}

/** Each notice's message id, under which an owner may rewrite it. */
const MESSAGE_IDS: Record<
  AdminNoticeKind,
  EmailMessageId &
    ("account-disabled" | "account-enabled" | "account-signed-out" | "admin-granted" | "admin-revoked" | "account-deleted" | "second-factors-removed")
> = {
  disabled: "account-disabled",
  enabled: "account-enabled",
  signed_out: "account-signed-out",
  admin_granted: "admin-granted",
  admin_revoked: "admin-revoked",
  deleted: "account-deleted",
  second_factors_removed: "second-factors-removed",
};

export function adminNoticeEmail(kind: AdminNoticeKind, signinLink: string, helpLink: string): EmailDraft {
  return {
    message: MESSAGE_IDS[kind],
    values: { signinLink, helpLink },
    renderDefault: (brand, locale) => {
      const notice = noticeText(translator(locale), kind, signinLink, helpLink);
      return {
        subject: notice.subject,
        text: notice.lines.join("\n\n"),
        html: emailLayout(
          notice.subject,
          html`<h1 style="font-size:20px;margin:0 0 16px">${notice.subject}</h1>
${notice.lines.map((line) => html`<p>${line}</p>`)}`,
          brand,
          locale,
        ),
      };
    },
  };
}

export function adminNoticeSMS(kind: AdminNoticeKind, signinLink: string, helpLink: string): SMSDraft {
  return {
    message: MESSAGE_IDS[kind],
    values: { signinLink, helpLink },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      return t("sms.adminNotice", { siteName: brand.siteName, text: noticeText(t, kind, signinLink, helpLink).lines[0] ?? "" });
    },
  };
}
