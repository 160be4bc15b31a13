// The e-mails and text messages a site owner may rewrite: which messages exist, the placeholders each one
// offers and requires, and the reading and checking of override files (templates/<channel>/<message>.<locale>.<ext>).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Locale, SHIPPED_LOCALES } from "../i18n/locales.ts";

export type MessageChannel = "email" | "sms";

/** The languages a template may be written for: every language the site ships. */
export const TEMPLATE_LOCALES: readonly Locale[] = SHIPPED_LOCALES;
export type TemplateLocale = Locale;

/** Placeholders every message offers, besides its own. */
export const COMMON_PLACEHOLDERS = ["siteName", "supportContact"] as const;

export interface MessageSpec {
  /** The message's own placeholders, in the order the docs list them. */
  readonly placeholders: readonly string[];
  /** Placeholders an override must use: the message is pointless without them (the code, the link). */
  readonly required: readonly string[];
}

const ADMIN_NOTICE: MessageSpec = { placeholders: ["signinLink", "helpLink"], required: [] };
const SECURITY_NOTICE: MessageSpec = { placeholders: ["reviewLink", "resetLink", "left"], required: [] };

/** Notices sent alike by e-mail and text message: what an admin did, and changes to what protects the account. */
const NOTICES_ON_BOTH_CHANNELS = {
  "account-disabled": ADMIN_NOTICE,
  "account-enabled": ADMIN_NOTICE,
  "account-signed-out": ADMIN_NOTICE,
  "admin-granted": ADMIN_NOTICE,
  "admin-revoked": ADMIN_NOTICE,
  "account-deleted": ADMIN_NOTICE,
  "second-factors-removed": ADMIN_NOTICE,
  "passkey-added": SECURITY_NOTICE,
  "passkey-removed": SECURITY_NOTICE,
  "totp-enabled": SECURITY_NOTICE,
  "totp-disabled": SECURITY_NOTICE,
  "recovery-codes-generated": SECURITY_NOTICE,
  "recovery-code-used": SECURITY_NOTICE,
  "identifier-added-notice": SECURITY_NOTICE,
  "identifier-removed": SECURITY_NOTICE,
  "account-closed": SECURITY_NOTICE,
} as const;

/** Every e-mail, by message id. A code or link that the message exists to carry is required. */
export const EMAIL_MESSAGES = {
  "verification-code": { placeholders: ["code", "link", "minutes"], required: ["code"] },
  "registration-attempt": { placeholders: ["signinLink", "resetLink"], required: [] },
  "identifier-added": { placeholders: ["identifier"], required: ["identifier"] },
  "password-reset-link": { placeholders: ["link", "minutes"], required: ["link"] },
  "password-changed": { placeholders: ["signinLink", "resetLink"], required: [] },
  "password-reset-completed": { placeholders: ["signinLink", "resetLink"], required: [] },
  "webhook-endpoint-paused": { placeholders: ["endpointUrl", "endpointId", "reason"], required: ["endpointId"] },
  ...NOTICES_ON_BOTH_CHANNELS,
} as const satisfies Record<string, MessageSpec>;

/** Every text message, by message id. */
export const SMS_MESSAGES = {
  "verification-code": { placeholders: ["code", "minutes"], required: ["code"] },
  "registration-attempt": { placeholders: ["signinLink"], required: [] },
  "identifier-added": { placeholders: ["identifier"], required: ["identifier"] },
  "password-reset-code": { placeholders: ["code", "minutes"], required: ["code"] },
  "password-changed": { placeholders: ["resetLink"], required: [] },
  ...NOTICES_ON_BOTH_CHANNELS,
} as const satisfies Record<string, MessageSpec>;

export type EmailMessageId = keyof typeof EMAIL_MESSAGES;
export type SMSMessageId = keyof typeof SMS_MESSAGES;

const SPECS: Record<MessageChannel, Record<string, MessageSpec>> = { email: EMAIL_MESSAGES, sms: SMS_MESSAGES };

/** An owner's text for one message in one language. */
export interface MessageTemplate {
  readonly channel: MessageChannel;
  readonly message: string;
  readonly locale: TemplateLocale;
  /** markdown: the e-mail's HTML is rendered from it; text: sent as written (paragraphs kept). */
  readonly format: "markdown" | "text";
  /** E-mail only: the subject line. */
  readonly subject: string;
  readonly body: string;
  /** Where it came from, for messages about it. */
  readonly file: string;
}

/** Keyed `<channel>/<message>.<locale>`. */
export type MessageTemplates = ReadonlyMap<string, MessageTemplate>;

export function templateKey(channel: MessageChannel, message: string, locale: string): string {
  return `${channel}/${message}.${locale}`;
}

export const MAX_TEMPLATE_BYTES = 16 * 1024;
const PLACEHOLDER = /\{([^{}\s]*)\}/g;

/** The placeholder names used in `text`, in order, without repeats. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/** Replaces every {name} with its value; names without a value are left as written. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, transform: (value: string) => string = (v) => v): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? transform(values[name] as string) : whole));
}

/** The problems of one template against its message's placeholders: unknown ones and missing required ones. */
function checkPlaceholders(file: string, spec: MessageSpec, text: string): string[] {
  const known = new Set<string>([...spec.placeholders, ...COMMON_PLACEHOLDERS]);
  const used = placeholdersIn(text);
  const problems: string[] = [];
  for (const name of used) {
    if (!known.has(name)) problems.push(`${file}: unknown placeholder {${name}} (this message offers ${[...known].map((k) => `{${k}}`).join(", ")})`);
  }
  for (const name of spec.required) {
    if (!used.includes(name)) problems.push(`${file}: the required placeholder {${name}} is missing`);
  }
  return problems;
}

/** Reads one e-mail template: a first line "Subject: …", an empty line, then the body. */
function parseEmailTemplate(file: string, source: string): { subject: string; body: string } | string {
  const match = /^Subject:[ \t]*(.+?)[ \t]*\r?\n\r?\n([\s\S]*)$/.exec(source);
  if (!match) return `${file}: must start with a line "Subject: …" followed by an empty line, then the message`;
  const body = (match[2] as string).trim();
  if (body === "") return `${file}: the message after the subject line is empty`;
  return { subject: match[1] as string, body };
}

/**
 * Reads and checks every template under `dir` (its email/ and sms/ folders). Returns the templates and every
 * problem found, each naming its file; the caller refuses to start when there is any.
 */
export function loadMessageTemplates(dir: string): { templates: MessageTemplates; problems: string[] } {
  const templates = new Map<string, MessageTemplate>();
  const problems: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return { templates, problems: [`${dir}: cannot be read`] };
  }
  for (const entry of entries) {
    if (entry.startsWith(".")) continue;
    if (entry !== "email" && entry !== "sms") problems.push(`${join(dir, entry)}: templates live in ${join(dir, "email")} and ${join(dir, "sms")}`);
  }
  for (const channel of ["email", "sms"] as const) {
    const folder = join(dir, channel);
    let files: string[];
    try {
      if (!statSync(folder).isDirectory()) continue;
      files = readdirSync(folder).sort();
    } catch {
      continue;
    }
    for (const name of files) {
      if (name.startsWith(".")) continue;
      const file = join(folder, name);
      const match = /^([a-z0-9-]+)\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.(md|txt)$/.exec(name);
      if (!match) {
        problems.push(
          `${file}: not a template name; use <message>.<language>.${channel === "email" ? "md or .txt" : "txt"} (for example ${channel === "email" ? "verification-code.en.md" : "verification-code.en.txt"})`,
        );
        continue;
      }
      const [, message, locale, extension] = match as unknown as [string, string, string, string];
      const spec = SPECS[channel][message];
      if (!spec) {
        problems.push(
          `${file}: there is no ${channel === "email" ? "e-mail" : "text message"} called ${message} (known: ${Object.keys(SPECS[channel]).join(", ")})`,
        );
        continue;
      }
      if (!(TEMPLATE_LOCALES as readonly string[]).includes(locale)) {
        problems.push(`${file}: the language ${locale} is not offered (offered: ${TEMPLATE_LOCALES.join(", ")})`);
        continue;
      }
      if (channel === "sms" && extension === "md") {
        problems.push(`${file}: text messages are plain text; name it ${message}.${locale}.txt`);
        continue;
      }
      const stats = statSync(file);
      if (!stats.isFile() || stats.size > MAX_TEMPLATE_BYTES) {
        problems.push(`${file}: must be a file of at most ${MAX_TEMPLATE_BYTES / 1024} KiB`);
        continue;
      }
      const bytes = readFileSync(file);
      const source = bytes.toString("utf8");
      if (Buffer.from(source, "utf8").compare(bytes) !== 0) {
        problems.push(`${file}: is not UTF-8 text`);
        continue;
      }
      const format = extension === "md" ? "markdown" : "text";
      if (channel === "email") {
        const parsed = parseEmailTemplate(file, source.replace(/^\uFEFF/, ""));
        if (typeof parsed === "string") {
          problems.push(parsed);
          continue;
        }
        const found = checkPlaceholders(file, spec, `${parsed.subject}\n${parsed.body}`);
        problems.push(...found);
        if (found.length === 0)
          templates.set(templateKey(channel, message, locale), {
            channel,
            message,
            locale: locale as TemplateLocale,
            format,
            subject: parsed.subject,
            body: parsed.body,
            file,
          });
      } else {
        const body = source.replace(/^\uFEFF/, "").trim();
        if (body === "") {
          problems.push(`${file}: is empty`);
          continue;
        }
        const found = checkPlaceholders(file, spec, body);
        problems.push(...found);
        if (found.length === 0)
          templates.set(templateKey(channel, message, locale), { channel, message, locale: locale as TemplateLocale, format, subject: "", body, file });
      }
    }
  }
  return { templates, problems };
}
