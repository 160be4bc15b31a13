// What people read for each error code, from the `errors` and `identifiers` catalogue areas
// (src/i18n/catalogues/<locale>/). Clear about format, silent about whether an account exists.
import type { ErrorCode } from "../errors/catalogue.ts";
import { type MessageId, messageSource, translate } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { IDENTIFIER_ERROR_CODES } from "../lib/identifier-parsing.ts";
import { EXAMPLE_MOBILE_NUMBER } from "./identifiers.ts";

const IDENTIFIER_CODES: ReadonlySet<string> = new Set(IDENTIFIER_ERROR_CODES);

/** The catalogue message of an error code. */
export function errorMessageId(code: ErrorCode): MessageId {
  return (IDENTIFIER_CODES.has(code) ? `identifiers.${code}` : `errors.${code}`) as MessageId;
}

/** "45 seconds", "3 Minuten", "دقيقتان": a pause as the language says it (seconds below a minute, else whole minutes, rounded up). */
export function describeWaitIn(locale: Locale, seconds: number): string {
  const [value, unit] = seconds < 60 ? [seconds, "second"] : [Math.ceil(seconds / 60), "minute"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

/**
 * The services describe a pause in English ("45 seconds", "3 minutes", see describeWait): read back as
 * seconds, to be said again in the reader's language.
 */
function waitSecondsOf(wait: string | undefined): number | undefined {
  const match = wait === undefined ? null : /^(\d{1,6}) (second|minute)s?$/.exec(wait);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === "minute" ? 60 : 1);
}

/**
 * The public message for a code in a language, with its placeholders filled from params. `retryAfter`
 * (seconds), when known, gives `{wait}` in that language. A placeholder without a value is left as it is.
 */
export function messageForError(code: ErrorCode, params?: Record<string, string>, locale: Locale = "en", retryAfter?: number): string {
  const id = errorMessageId(code);
  const values: Record<string, string> = { example: EXAMPLE_MOBILE_NUMBER, ...params };
  const seconds = retryAfter !== undefined && retryAfter > 0 ? retryAfter : waitSecondsOf(params?.wait);
  if (seconds !== undefined) values.wait = describeWaitIn(locale, seconds);
  try {
    return translate(locale, id, values);
  } catch {
    // A message whose placeholder has no value (a caller that passed none): the text with the name in braces.
    return messageSource(locale, id).text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  }
}
