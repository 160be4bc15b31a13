// What an account's owner is told when an administrator changes their account: what happened, what it
// means for them, and where to turn. One text per change, sent by e-mail or SMS.
import { html } from "../lib/html.ts";
import { type EmailDraft, emailLayout, type SMSDraft } from "./notifications.ts";
import type { EmailMessageId } from "./templates.ts";

export type AdminNoticeKind = "disabled" | "enabled" | "signed_out" | "admin_granted" | "admin_revoked" | "deleted" | "second_factors_removed";

interface NoticeText {
  subject: string;
  /** The e-mail's paragraphs; the first is also the text message. */
  lines: string[];
}

function noticeText(kind: AdminNoticeKind, signinLink: string, helpLink: string): NoticeText {
  switch (kind) {
    case "disabled":
      return {
        subject: "Your account has been disabled",
        lines: [
          "An administrator has disabled your account. You have been signed out everywhere and cannot sign in until it is enabled again.",
          `If you think this is a mistake, contact the people who run this service. Help: ${helpLink}`,
        ],
      };
    case "enabled":
      return {
        subject: "Your account has been enabled",
        lines: ["An administrator has enabled your account again. You can sign in as before.", `Sign in: ${signinLink}`],
      };
    case "signed_out":
      return {
        subject: "You have been signed out everywhere",
        lines: [
          "An administrator has signed your account out on every device. Sign in again to continue.",
          `Sign in: ${signinLink}`,
          "If you did not ask for this and see activity you don't recognise, change your password.",
        ],
      };
    case "admin_granted":
      return {
        subject: "Your account is now an administrator",
        lines: [
          "An administrator has given your account administrator access: you can now manage other people's accounts.",
          "If you did not expect this, tell the people who run this service.",
        ],
      };
    case "admin_revoked":
      return {
        subject: "Your administrator access has been removed",
        lines: ["An administrator has removed your account's administrator access. Your account itself is unchanged."],
      };
    case "second_factors_removed":
      return {
        subject: "Your second factors have been removed",
        lines: [
          "An administrator has removed your account's passkeys, authenticator app and recovery codes, as is done when someone has lost their phone or security key. Your password now signs you in on its own.",
          `Sign in and set up a new second step under Sign-in and security: ${signinLink}`,
          `If you did not ask for this, reset your password and tell the people who run this service. Help: ${helpLink}`,
        ],
      };
    case "deleted":
      return {
        subject: "Your account has been deleted",
        lines: [
          "An administrator has deleted your account. Its addresses and numbers, sessions and settings are gone, and you can no longer sign in with it.",
          `If you think this is a mistake, contact the people who run this service. Help: ${helpLink}`,
        ],
      };
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
  const t = noticeText(kind, signinLink, helpLink);
  return {
    message: MESSAGE_IDS[kind],
    values: { signinLink, helpLink },
    renderDefault: (brand) => ({
      subject: t.subject,
      text: t.lines.join("\n\n"),
      html: emailLayout(
        t.subject,
        html`<h1 style="font-size:20px;margin:0 0 16px">${t.subject}</h1>
${t.lines.map((line) => html`<p>${line}</p>`)}`,
        brand,
      ),
    }),
  };
}

export function adminNoticeSMS(kind: AdminNoticeKind, signinLink: string, helpLink: string): SMSDraft {
  return {
    message: MESSAGE_IDS[kind],
    values: { signinLink, helpLink },
    renderDefault: (brand) => `${brand.siteName}: ${noticeText(kind, signinLink, helpLink).lines[0]}`,
  };
}
