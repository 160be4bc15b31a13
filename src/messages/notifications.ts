// The e-mails and text messages we send, in plain words: what happened, what to do, and what to do if it
// wasn't you. No tracking pixels; every link is also printed as text. Each function returns a draft: the
// message's id and values, and its built-in text; the delivery layer uses an owner's template instead when
// there is one (see templates.ts), and brands either with the site's name and colour.
import { type MessageId, type MessageValues, type Translate, translator } from "../i18n/catalogue.ts";
import { type Locale, textDirection } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import type { EmailMessageId, SMSMessageId } from "./templates.ts";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** What a message needs to know about the site that sends it. */
export interface MessageBrand {
  siteName: string;
  /** Links and buttons. */
  color: string;
  /** An absolute URL of a PNG logo (e-mail clients rarely show SVG), or undefined. */
  logoUrl: string | undefined;
  supportContact: { href: string; label: string } | undefined;
}

/** An e-mail before branding: its id and named values (also a template's placeholders), and its built-in text. */
export interface EmailDraft {
  readonly message: EmailMessageId;
  readonly values: Readonly<Record<string, string>>;
  /** The built-in text in `locale`. */
  renderDefault(brand: MessageBrand, locale: Locale): EmailContent;
}

/** A text message before branding. */
export interface SMSDraft {
  readonly message: SMSMessageId;
  readonly values: Readonly<Record<string, string>>;
  renderDefault(brand: MessageBrand, locale: Locale): string;
}

const H1 = "font-size:20px;margin:0 0 16px";

/** A sentence with one link in it: the message holds {link} where the link goes, so each language places it. */
export function sentenceWithLink(t: Translate, id: MessageId, values: MessageValues, link: SafeHtml): SafeHtml {
  const marker = "\u0000link\u0000";
  const [before = "", after = ""] = t(id, { ...values, link: marker }).split(marker);
  return html`${before}${link}${after}`;
}

export function emailLayout(title: string, body: SafeHtml, brand: MessageBrand, locale: Locale): string {
  const t = translator(locale);
  return html`<!doctype html>
<html lang="${locale}" dir="${textDirection(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b2733;line-height:1.5">
<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px">
${brand.logoUrl ? html`<p style="margin:0 0 20px"><img src="${brand.logoUrl}" alt="${brand.siteName}" style="max-height:40px;max-width:200px"></p>\n` : ""}${body}
<p style="margin-top:28px;font-size:14px;color:#4a5866">${t("email.footerSentBy", { siteName: brand.siteName })}${brand.supportContact ? html` ${t("email.footerQuestions")} <a href="${brand.supportContact.href}" style="color:${brand.color}">${brand.supportContact.label}</a>` : ""}</p>
</div></body></html>`.value;
}

/** The plain-text footer that matches the HTML one. */
export function emailTextFooter(brand: MessageBrand, locale: Locale): string {
  const t = translator(locale);
  return `\n\n--\n${t("email.footerSentBy", { siteName: brand.siteName })}${brand.supportContact ? `\n${t("email.footerQuestions")} ${brand.supportContact.label}${brand.supportContact.href.startsWith("mailto:") ? "" : ` (${brand.supportContact.href})`}` : ""}`;
}

export function verificationCodeEmail(code: string, link: string, minutes: number): EmailDraft {
  return {
    message: "verification-code",
    values: { code, link, minutes: String(minutes) },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      return {
        subject: t("email.codeSubject", { code }),
        text: [t("email.codeIs", { code }), "", t("email.codeTypeItOrLink"), link, "", t("email.codeValidFor", { minutes }), "", t("email.codeIgnore")].join(
          "\n",
        ),
        html: emailLayout(
          t("email.codeTitle"),
          html`<h1 style="${H1}">${t("email.codeHeading")}</h1>
<p>${t("email.codeIsBefore")}</p>
<p style="font-size:28px;font-weight:700;letter-spacing:4px;margin:8px 0 16px">${code}</p>
<p>${t("email.codeTypeItOrLinkShort")}</p>
<p><a href="${link}" style="color:${brand.color}">${link}</a></p>
<p>${t("email.codeValidFor", { minutes })}</p>
<p>${t("email.codeIgnore")}</p>`,
          brand,
          locale,
        ),
      };
    },
  };
}

export function verificationCodeSMS(code: string, minutes: number): SMSDraft {
  return {
    message: "verification-code",
    values: { code, minutes: String(minutes) },
    renderDefault: (brand, locale) => translator(locale)("sms.code", { code, siteName: brand.siteName, minutes }),
  };
}

export function registrationAttemptEmail(signinLink: string, resetLink: string): EmailDraft {
  return {
    message: "registration-attempt",
    values: { signinLink, resetLink },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      return {
        subject: t("email.attemptSubject"),
        text: [
          t("email.attemptIntro"),
          "",
          t("email.attemptSignIn"),
          signinLink,
          "",
          t("email.attemptForgotten"),
          resetLink,
          "",
          t("email.attemptNotYou"),
        ].join("\n"),
        html: emailLayout(
          t("email.attemptTitle"),
          html`<h1 style="${H1}">${t("email.attemptHeading")}</h1>
<p>${t("email.attemptIntro")}</p>
<p>${sentenceWithLink(t, "email.attemptSignInLinked", { url: signinLink }, html`<a href="${signinLink}" style="color:${brand.color}">${t("email.attemptSignInLabel")}</a>`)}</p>
<p>${sentenceWithLink(t, "email.attemptForgottenLinked", { url: resetLink }, html`<a href="${resetLink}" style="color:${brand.color}">${t("email.attemptForgottenLabel")}</a>`)}</p>
<p>${t("email.attemptNotYou")}</p>`,
          brand,
          locale,
        ),
      };
    },
  };
}

export function registrationAttemptSMS(signinLink: string): SMSDraft {
  return {
    message: "registration-attempt",
    values: { signinLink },
    renderDefault: (brand, locale) => translator(locale)("sms.registrationAttempt", { siteName: brand.siteName, signinLink }),
  };
}

export function identifierAddedEmail(display: string): EmailDraft {
  return {
    message: "identifier-added",
    values: { identifier: display },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      return {
        subject: t("email.addedSubject"),
        text: [t("email.addedWhat", { identifier: display }), "", t("email.addedNotYou")].join("\n"),
        html: emailLayout(
          t("email.addedTitle"),
          html`<h1 style="${H1}">${t("email.addedTitle")}</h1>
<p>${sentenceWithLink(t, "email.addedWhat", { identifier: "\u0000link\u0000" }, html`<strong>${display}</strong>`)}</p>
<p>${t("email.addedNotYou")}</p>`,
          brand,
          locale,
        ),
      };
    },
  };
}

export function identifierAddedSMS(display: string): SMSDraft {
  return {
    message: "identifier-added",
    values: { identifier: display },
    renderDefault: (brand, locale) => translator(locale)("sms.identifierAdded", { identifier: display, siteName: brand.siteName }),
  };
}

export function passwordResetLinkEmail(link: string, minutes: number): EmailDraft {
  return {
    message: "password-reset-link",
    values: { link, minutes: String(minutes) },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      return {
        subject: t("email.resetSubject"),
        text: [t("email.resetIntro"), "", t("email.resetOpenWithin", { minutes }), link, "", t("email.resetOnce"), "", t("email.resetNotYou")].join("\n"),
        html: emailLayout(
          t("email.resetSubject"),
          html`<h1 style="${H1}">${t("email.resetSubject")}</h1>
<p>${t("email.resetIntro")}</p>
<p><a href="${link}" style="display:inline-block;background:${brand.color};color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">${t("email.resetButton")}</a></p>
<p>${t("email.resetCopyWithin", { minutes })}<br><a href="${link}" style="color:${brand.color};word-break:break-all">${link}</a></p>
<p>${t("email.resetOnce")}</p>
<p>${t("email.resetNotYouShort")}</p>`,
          brand,
          locale,
        ),
      };
    },
  };
}

export function passwordResetCodeSMS(code: string, minutes: number): SMSDraft {
  return {
    message: "password-reset-code",
    values: { code, minutes: String(minutes) },
    renderDefault: (brand, locale) => translator(locale)("sms.resetCode", { code, siteName: brand.siteName, minutes }),
  };
}

export function passwordChangedEmail(how: "reset" | "change", signinLink: string, resetLink: string): EmailDraft {
  return {
    message: how === "reset" ? "password-reset-completed" : "password-changed",
    values: { signinLink, resetLink },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      const what = t(how === "reset" ? "email.changedWhatReset" : "email.changedWhatChange");
      return {
        subject: t("email.changedSubject"),
        text: [what, "", t("email.changedWasYou"), "", t("email.changedNotYou"), resetLink, "", t("email.changedSignIn", { url: signinLink })].join("\n"),
        html: emailLayout(
          t("email.changedSubject"),
          html`<h1 style="${H1}">${t("email.changedSubject")}</h1>
<p>${what}</p>
<p>${t("email.changedWasYou")}</p>
<p>${sentenceWithLink(t, "email.changedNotYouLinked", { url: resetLink }, html`<a href="${resetLink}" style="color:${brand.color}">${t("email.changedNotYouLabel")}</a>`)}</p>`,
          brand,
          locale,
        ),
      };
    },
  };
}

export function passwordChangedSMS(resetLink: string): SMSDraft {
  return {
    message: "password-changed",
    values: { resetLink },
    renderDefault: (brand, locale) => translator(locale)("sms.passwordChanged", { siteName: brand.siteName, resetLink }),
  };
}

/** To every admin when a webhook endpoint was paused after its deliveries kept failing. */
export function webhookEndpointPausedEmail(endpoint: { id: string; url: string }, reason: string): EmailDraft {
  const resume = `latchkey webhooks resume ${endpoint.id}`;
  const inspect = `latchkey webhooks deliveries ${endpoint.id}`;
  return {
    message: "webhook-endpoint-paused",
    values: { endpointUrl: endpoint.url, endpointId: endpoint.id, reason },
    renderDefault: (brand, locale) => {
      const t = translator(locale);
      const what = (url: string) => t("email.pausedWhat", { url, id: endpoint.id, siteName: brand.siteName });
      return {
        subject: t("email.pausedSubject"),
        text: [
          what(endpoint.url),
          "",
          t("email.pausedLastFailure", { reason }),
          "",
          t("email.pausedWaiting"),
          inspect,
          "",
          t("email.pausedResume"),
          resume,
        ].join("\n"),
        html: emailLayout(
          t("email.pausedSubject"),
          html`<h1 style="${H1}">${t("email.pausedSubject")}</h1>
<p>${sentenceWithLink(t, "email.pausedWhat", { url: "\u0000link\u0000", id: endpoint.id, siteName: brand.siteName }, html`<strong>${endpoint.url}</strong>`)}</p>
<p>${t("email.pausedLastFailure", { reason })}</p>
<p>${t("email.pausedWaiting")} <code>${inspect}</code></p>
<p>${t("email.pausedResume")} <code>${resume}</code></p>`,
          brand,
          locale,
        ),
      };
    },
  };
}
