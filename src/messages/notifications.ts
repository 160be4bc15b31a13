// The e-mails and text messages Latchkey sends, in plain words: what happened, what to do, and what to do
// if it wasn't you. No tracking pixels; every link is also printed as text.
import { html, type SafeHtml } from "../lib/html.ts";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export function emailLayout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b2733;line-height:1.5">
<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px">
${body}
<p style="margin-top:28px;font-size:14px;color:#4a5866">Sent by Latchkey. We will never ask for your password by e-mail or text message.</p>
</div></body></html>`.value;
}

export function verificationCodeEmail(code: string, link: string, minutes: number): EmailContent {
  return {
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
      html`<h1 style="font-size:20px;margin:0 0 16px">Confirm your e-mail address</h1>
<p>Your confirmation code is</p>
<p style="font-size:28px;font-weight:700;letter-spacing:4px;margin:8px 0 16px">${code}</p>
<p>Type it on the confirmation page, or open this link:</p>
<p><a href="${link}" style="color:#0b5cad">${link}</a></p>
<p>The code works for ${minutes} minutes.</p>
<p>If you did not ask for this, you can ignore this message: nothing happens without the code.</p>`,
    ),
  };
}

export function verificationCodeSMS(code: string, minutes: number): string {
  return `${code} is your Latchkey confirmation code. It works for ${minutes} minutes. Never share it with anyone.`;
}

export function registrationAttemptEmail(signinLink: string, resetLink: string): EmailContent {
  return {
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
      html`<h1 style="font-size:20px;margin:0 0 16px">You already have an account</h1>
<p>Someone tried to create a new account with this e-mail address. You already have one, so we did not create another.</p>
<p>If it was you, <a href="${signinLink}" style="color:#0b5cad">sign in instead</a> (${signinLink}).</p>
<p>Forgotten your password? <a href="${resetLink}" style="color:#0b5cad">Reset it</a> (${resetLink}).</p>
<p>If it wasn't you, you don't need to do anything: your account has not changed.</p>`,
    ),
  };
}

export function registrationAttemptSMS(signinLink: string): string {
  return `Someone tried to create a Latchkey account with this number, which already has one. If it was you, sign in: ${signinLink}. If not, ignore this message.`;
}

export function identifierAddedEmail(display: string): EmailContent {
  return {
    subject: "An address or number was added to your account",
    text: [
      `${display} was added to your account and can now be used to sign in.`,
      "",
      "If you did not do this, sign in, remove it from your account page and change your password.",
    ].join("\n"),
    html: emailLayout(
      "Added to your account",
      html`<h1 style="font-size:20px;margin:0 0 16px">Added to your account</h1>
<p><strong>${display}</strong> was added to your account and can now be used to sign in.</p>
<p>If you did not do this, sign in, remove it from your account page and change your password.</p>`,
    ),
  };
}

export function identifierAddedSMS(display: string): string {
  return `${display} was added to your Latchkey account. If this wasn't you, sign in and change your password.`;
}

export function passwordResetLinkEmail(link: string, minutes: number): EmailContent {
  return {
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
      html`<h1 style="font-size:20px;margin:0 0 16px">Reset your password</h1>
<p>Someone, hopefully you, asked to reset the password of your account.</p>
<p><a href="${link}" style="display:inline-block;background:#0b5cad;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">Choose a new password</a></p>
<p>Or copy this link into your browser within ${minutes} minutes:<br><a href="${link}" style="color:#0b5cad;word-break:break-all">${link}</a></p>
<p>The link works once. Afterwards you will be signed out everywhere and can sign in with the new password.</p>
<p>If it wasn't you, ignore this message: your password stays as it is.</p>`,
    ),
  };
}

export function passwordResetCodeSMS(code: string, minutes: number): string {
  return `${code} is your Latchkey password reset code. It works for ${minutes} minutes. If you didn't ask for it, ignore this message and never share the code.`;
}

export function passwordChangedEmail(how: "reset" | "change", signinLink: string, resetLink: string): EmailContent {
  const what = how === "reset" ? "was reset" : "was changed";
  return {
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
      html`<h1 style="font-size:20px;margin:0 0 16px">Your password was changed</h1>
<p>The password of your account ${what} just now.${how === "reset" ? " Every device that was signed in has been signed out." : ""}</p>
<p>If this was you, there is nothing more to do.</p>
<p>If this wasn't you, <a href="${resetLink}" style="color:#0b5cad">reset your password straight away</a> (${resetLink}) and check the devices signed in to your account.</p>`,
    ),
  };
}

export function passwordChangedSMS(resetLink: string): string {
  return `Your Latchkey password was just changed. If this wasn't you, reset it now: ${resetLink}`;
}

/** To every admin when a webhook endpoint was paused after its deliveries kept failing. */
export function webhookEndpointPausedEmail(endpoint: { id: string; url: string }, reason: string): EmailContent {
  const resume = `latchkey webhooks resume ${endpoint.id}`;
  return {
    subject: "A webhook endpoint was paused",
    text: [
      `Deliveries to the webhook endpoint ${endpoint.url} (${endpoint.id}) kept failing for more than a day, so Latchkey paused it.`,
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
      html`<h1 style="font-size:20px;margin:0 0 16px">A webhook endpoint was paused</h1>
<p>Deliveries to <strong>${endpoint.url}</strong> (${endpoint.id}) kept failing for more than a day, so Latchkey paused it.</p>
<p>Last failure: ${reason}</p>
<p>Nothing is sent to it while it is paused; new events wait for it. See what happened with <code>latchkey webhooks deliveries ${endpoint.id}</code>.</p>
<p>Once the receiver works again, resume it with <code>${resume}</code>.</p>`,
    ),
  };
}
