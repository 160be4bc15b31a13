// The e-mails and text messages we send, in plain words: what happened, what to do, and what to do if it
// wasn't you. No tracking pixels; every link is also printed as text. Each function returns a draft: the
// message's id and values, and its built-in text; the delivery layer uses an owner's template instead when
// there is one (see templates.ts), and brands either with the site's name and colour.
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
  renderDefault(brand: MessageBrand): EmailContent;
}

/** A text message before branding. */
export interface SMSDraft {
  readonly message: SMSMessageId;
  readonly values: Readonly<Record<string, string>>;
  renderDefault(brand: MessageBrand): string;
}

const H1 = "font-size:20px;margin:0 0 16px";

export function emailLayout(title: string, body: SafeHtml, brand: MessageBrand): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b2733;line-height:1.5">
<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px">
${brand.logoUrl ? html`<p style="margin:0 0 20px"><img src="${brand.logoUrl}" alt="${brand.siteName}" style="max-height:40px;max-width:200px"></p>\n` : ""}${body}
<p style="margin-top:28px;font-size:14px;color:#4a5866">Sent by ${brand.siteName}. We will never ask for your password by e-mail or text message.${brand.supportContact ? html` Questions? <a href="${brand.supportContact.href}" style="color:${brand.color}">${brand.supportContact.label}</a>` : ""}</p>
</div></body></html>`.value;
}

/** The plain-text footer that matches the HTML one. */
export function emailTextFooter(brand: MessageBrand): string {
  return `\n\n--\nSent by ${brand.siteName}. We will never ask for your password by e-mail or text message.${brand.supportContact ? `\nQuestions? ${brand.supportContact.label}${brand.supportContact.href.startsWith("mailto:") ? "" : ` (${brand.supportContact.href})`}` : ""}`;
}

export function verificationCodeEmail(code: string, link: string, minutes: number): EmailDraft {
  return {
    message: "verification-code",
    values: { code, link, minutes: String(minutes) },
    renderDefault: (brand) => ({
      subject: `${code} is your confirmation code`,
      text: [
        `Your confirmation code is ${code}`,
        "",
        `Type it on the confirmation page, or open this link to confirm your address:`,
        link,
        "",
        `The code works for ${minutes} minutes.`,
        "",
        "If you did not ask for this, you can ignore this message: nothing happens without the code.",
      ].join("\n"),
      html: emailLayout(
        "Your confirmation code",
        html`<h1 style="${H1}">Confirm your e-mail address</h1>
<p>Your confirmation code is</p>
<p style="font-size:28px;font-weight:700;letter-spacing:4px;margin:8px 0 16px">${code}</p>
<p>Type it on the confirmation page, or open this link:</p>
<p><a href="${link}" style="color:${brand.color}">${link}</a></p>
<p>The code works for ${minutes} minutes.</p>
<p>If you did not ask for this, you can ignore this message: nothing happens without the code.</p>`,
        brand,
      ),
    }),
  };
}

export function verificationCodeSMS(code: string, minutes: number): SMSDraft {
  return {
    message: "verification-code",
    values: { code, minutes: String(minutes) },
    renderDefault: (brand) => `${code} is your ${brand.siteName} confirmation code. It works for ${minutes} minutes. Never share it with anyone.`,
  };
}

export function registrationAttemptEmail(signinLink: string, resetLink: string): EmailDraft {
  return {
    message: "registration-attempt",
    values: { signinLink, resetLink },
    renderDefault: (brand) => ({
      subject: "Someone tried to create an account with your address",
      text: [
        "Someone tried to create a new account with this e-mail address. You already have an account, so we did not create another one.",
        "",
        "If it was you, sign in instead:",
        signinLink,
        "",
        "Forgotten your password? Reset it here:",
        resetLink,
        "",
        "If it wasn't you, you don't need to do anything: your account has not changed.",
      ].join("\n"),
      html: emailLayout(
        "Someone tried to create an account",
        html`<h1 style="${H1}">You already have an account</h1>
<p>Someone tried to create a new account with this e-mail address. You already have one, so we did not create another.</p>
<p>If it was you, <a href="${signinLink}" style="color:${brand.color}">sign in instead</a> (${signinLink}).</p>
<p>Forgotten your password? <a href="${resetLink}" style="color:${brand.color}">Reset it</a> (${resetLink}).</p>
<p>If it wasn't you, you don't need to do anything: your account has not changed.</p>`,
        brand,
      ),
    }),
  };
}

export function registrationAttemptSMS(signinLink: string): SMSDraft {
  return {
    message: "registration-attempt",
    values: { signinLink },
    renderDefault: (brand) =>
      `Someone tried to create a ${brand.siteName} account with this number, which already has one. If it was you, sign in: ${signinLink}. If not, ignore this message.`,
  };
}

export function identifierAddedEmail(display: string): EmailDraft {
  return {
    message: "identifier-added",
    values: { identifier: display },
    renderDefault: (brand) => ({
      subject: "An address or number was added to your account",
      text: [
        `${display} was added to your account and can now be used to sign in.`,
        "",
        "If you did not do this, sign in, remove it from your account page and change your password.",
      ].join("\n"),
      html: emailLayout(
        "Added to your account",
        html`<h1 style="${H1}">Added to your account</h1>
<p><strong>${display}</strong> was added to your account and can now be used to sign in.</p>
<p>If you did not do this, sign in, remove it from your account page and change your password.</p>`,
        brand,
      ),
    }),
  };
}

export function identifierAddedSMS(display: string): SMSDraft {
  return {
    message: "identifier-added",
    values: { identifier: display },
    renderDefault: (brand) => `${display} was added to your ${brand.siteName} account. If this wasn't you, sign in and change your password.`,
  };
}

export function passwordResetLinkEmail(link: string, minutes: number): EmailDraft {
  return {
    message: "password-reset-link",
    values: { link, minutes: String(minutes) },
    renderDefault: (brand) => ({
      subject: "Reset your password",
      text: [
        "Someone, hopefully you, asked to reset the password of your account.",
        "",
        `To choose a new password, open this link within ${minutes} minutes:`,
        link,
        "",
        "The link works once. Afterwards you will be signed out everywhere and can sign in with the new password.",
        "",
        "If it wasn't you, ignore this message: your password stays as it is, and nobody can use the link without access to your e-mail.",
      ].join("\n"),
      html: emailLayout(
        "Reset your password",
        html`<h1 style="${H1}">Reset your password</h1>
<p>Someone, hopefully you, asked to reset the password of your account.</p>
<p><a href="${link}" style="display:inline-block;background:${brand.color};color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">Choose a new password</a></p>
<p>Or copy this link into your browser within ${minutes} minutes:<br><a href="${link}" style="color:${brand.color};word-break:break-all">${link}</a></p>
<p>The link works once. Afterwards you will be signed out everywhere and can sign in with the new password.</p>
<p>If it wasn't you, ignore this message: your password stays as it is.</p>`,
        brand,
      ),
    }),
  };
}

export function passwordResetCodeSMS(code: string, minutes: number): SMSDraft {
  return {
    message: "password-reset-code",
    values: { code, minutes: String(minutes) },
    renderDefault: (brand) =>
      `${code} is your ${brand.siteName} password reset code. It works for ${minutes} minutes. If you didn't ask for it, ignore this message and never share the code.`,
  };
}

export function passwordChangedEmail(how: "reset" | "change", signinLink: string, resetLink: string): EmailDraft {
  const what = how === "reset" ? "was reset" : "was changed";
  return {
    message: how === "reset" ? "password-reset-completed" : "password-changed",
    values: { signinLink, resetLink },
    renderDefault: (brand) => ({
      subject: "Your password was changed",
      text: [
        `The password of your account ${what} just now.${how === "reset" ? " Every device that was signed in has been signed out." : ""}`,
        "",
        "If this was you, there is nothing more to do.",
        "",
        "If this wasn't you, reset your password straight away and check the devices signed in to your account:",
        resetLink,
        "",
        `Sign in: ${signinLink}`,
      ].join("\n"),
      html: emailLayout(
        "Your password was changed",
        html`<h1 style="${H1}">Your password was changed</h1>
<p>The password of your account ${what} just now.${how === "reset" ? " Every device that was signed in has been signed out." : ""}</p>
<p>If this was you, there is nothing more to do.</p>
<p>If this wasn't you, <a href="${resetLink}" style="color:${brand.color}">reset your password straight away</a> (${resetLink}) and check the devices signed in to your account.</p>`,
        brand,
      ),
    }),
  };
}

export function passwordChangedSMS(resetLink: string): SMSDraft {
  return {
    message: "password-changed",
    values: { resetLink },
    renderDefault: (brand) => `Your ${brand.siteName} password was just changed. If this wasn't you, reset it now: ${resetLink}`,
  };
}

/** To every admin when a webhook endpoint was paused after its deliveries kept failing. */
export function webhookEndpointPausedEmail(endpoint: { id: string; url: string }, reason: string): EmailDraft {
  const resume = `latchkey webhooks resume ${endpoint.id}`;
  return {
    message: "webhook-endpoint-paused",
    values: { endpointUrl: endpoint.url, endpointId: endpoint.id, reason },
    renderDefault: (brand) => ({
      subject: "A webhook endpoint was paused",
      text: [
        `Deliveries to the webhook endpoint ${endpoint.url} (${endpoint.id}) kept failing for more than a day, so ${brand.siteName} paused it.`,
        "",
        `Last failure: ${reason}`,
        "",
        "Nothing is sent to it while it is paused; new events wait for it. See what happened with:",
        `latchkey webhooks deliveries ${endpoint.id}`,
        "",
        "Once the receiver works again, resume it with:",
        resume,
      ].join("\n"),
      html: emailLayout(
        "A webhook endpoint was paused",
        html`<h1 style="${H1}">A webhook endpoint was paused</h1>
<p>Deliveries to <strong>${endpoint.url}</strong> (${endpoint.id}) kept failing for more than a day, so ${brand.siteName} paused it.</p>
<p>Last failure: ${reason}</p>
<p>Nothing is sent to it while it is paused; new events wait for it. See what happened with <code>latchkey webhooks deliveries ${endpoint.id}</code>.</p>
<p>Once the receiver works again, resume it with <code>${resume}</code>.</p>`,
        brand,
      ),
    }),
  };
}
