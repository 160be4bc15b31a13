// Turns a message draft into what is sent: the owner's template for that message and language when there is
// one, otherwise the built-in text; either way branded with the site's name, colour, logo and support contact.

import type markdownit from "markdown-it";
import type { Branding } from "../config/branding.ts";
import type { Locale } from "../i18n/locales.ts";
import { escapeHtml, trustedHtml } from "../lib/html.ts";
import { lazyRequire } from "../lib/lazy-require.ts";
import type { EmailContent, EmailDraft, MessageBrand, SMSDraft } from "./notifications.ts";
import { emailLayout, emailTextFooter } from "./notifications.ts";
import { fillPlaceholders, type MessageTemplate, templateKey } from "./templates.ts";

// Raw HTML off, as for help articles: a template is text with formatting, never markup. Made with the first
// message, not at start-up.
const loadMarkdownIt = lazyRequire<typeof markdownit>("markdown-it");
let markdownRenderer: ReturnType<typeof markdownit> | undefined;
const markdown = () => {
  markdownRenderer ??= loadMarkdownIt()({ html: false, linkify: false, typographer: false });
  return markdownRenderer;
};

export interface ComposeConfig {
  readonly branding: Branding;
  readonly baseUrl: string;
}

export function messageBrand(config: ComposeConfig): MessageBrand {
  const { branding } = config;
  return {
    siteName: branding.siteName,
    color: branding.emailColor,
    logoUrl: branding.logo?.contentType === "image/png" ? `${config.baseUrl}${branding.logo.url}` : undefined,
    supportContact: branding.supportContact,
  };
}

/** The draft's values plus the placeholders every message offers. */
function valuesFor(draft: { values: Readonly<Record<string, string>> }, brand: MessageBrand): Record<string, string> {
  return { siteName: brand.siteName, supportContact: brand.supportContact?.label ?? "", ...draft.values };
}

/**
 * Markdown with placeholders: the Markdown is rendered first, with each placeholder standing in as a plain
 * word, and the values go in afterwards, escaped. So a value (an address, a link) can never add markup.
 */
function renderMarkdownTemplate(source: string, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values);
  const stand = (i: number): string => `lkplaceholder${i}z`;
  const prepared = fillPlaceholders(source, Object.fromEntries(names.map((name, i) => [name, stand(i)])));
  const rendered = markdown().render(prepared);
  return rendered.replace(/lkplaceholder(\d+)z/g, (_whole, index: string) => escapeHtml(values[names[Number(index)] as string] ?? ""));
}

/** Plain text: blank lines separate paragraphs, single line breaks stay. */
function renderTextAsHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
}

function renderEmailTemplate(template: MessageTemplate, values: Record<string, string>, brand: MessageBrand, locale: Locale): EmailContent {
  // A subject is one line: a value with a line break must not start a header of its own.
  const subject = fillPlaceholders(template.subject, values, (v) => v.replace(/[\r\n]+/g, " "));
  const text = fillPlaceholders(template.body, values);
  const bodyHtml = template.format === "markdown" ? renderMarkdownTemplate(template.body, values) : renderTextAsHtml(text);
  return { subject, text, html: emailLayout(subject, trustedHtml(bodyHtml), brand, locale) };
}

/**
 * The e-mail to send for `draft`, in `locale`: the owner's template for that message and language, otherwise
 * the built-in text in that language (which falls back to English for anything not translated).
 */
export function composeEmail(config: ComposeConfig, draft: EmailDraft, locale: Locale): EmailContent {
  const brand = messageBrand(config);
  const template = config.branding.templates.get(templateKey("email", draft.message, locale));
  const content = template ? renderEmailTemplate(template, valuesFor(draft, brand), brand, locale) : draft.renderDefault(brand, locale);
  return { ...content, text: content.text + emailTextFooter(brand, locale) };
}

/** The text message to send for `draft`, in `locale`, chosen as for e-mails. */
export function composeSMS(config: ComposeConfig, draft: SMSDraft, locale: Locale): string {
  const brand = messageBrand(config);
  const template = config.branding.templates.get(templateKey("sms", draft.message, locale));
  return template ? fillPlaceholders(template.body, valuesFor(draft, brand)) : draft.renderDefault(brand, locale);
}
