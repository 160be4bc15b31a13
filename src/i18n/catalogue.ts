// Message catalogues: one per language, in ICU message syntax (intl-messageformat), with English as the
// source. `translator(locale)` gives the `t` function pages, errors and messages are written with.
import { IntlMessageFormat } from "intl-messageformat";
import { ar } from "./catalogues/ar/index.ts";
import { de } from "./catalogues/de/index.ts";
import { en } from "./catalogues/en/index.ts";
import { es } from "./catalogues/es/index.ts";
import { fr } from "./catalogues/fr/index.ts";
import type { Locale } from "./locales.ts";

type Areas = typeof en;
export type Area = keyof Areas;

/** Every message id, "<area>.<key>". */
export type MessageId = { [A in Area]: `${A}.${keyof Areas[A] & string}` }[Area];

/** A language's translation of the English areas. Incomplete while it is written; the tests refuse gaps. */
export type Translation = { [A in Area]?: { [K in keyof Areas[A]]?: string } };

export type MessageValues = Record<string, string | number | Date>;
export type Translate = (id: MessageId, values?: MessageValues) => string;

const CATALOGUES: Readonly<Record<Locale, Translation>> = { en, de, fr, es, ar };

/** The source text of a message in a language, falling back to English when it is not translated yet. */
export function messageSource(locale: Locale, id: MessageId): { text: string; locale: Locale } {
  const dot = id.indexOf(".");
  const area = id.slice(0, dot) as Area;
  const key = id.slice(dot + 1);
  const translated = (CATALOGUES[locale][area] as Record<string, string | undefined> | undefined)?.[key];
  if (translated !== undefined) return { text: translated, locale };
  const english = (en[area] as Record<string, string> | undefined)?.[key];
  if (english === undefined) throw new Error(`unknown message id ${id}`);
  return { text: english, locale: "en" };
}

/** Every message id in the English catalogue. */
export function allMessageIds(): MessageId[] {
  return Object.entries(en).flatMap(([area, messages]) => Object.keys(messages).map((key) => `${area}.${key}` as MessageId));
}

/** A language's own translations, as written (no English fallback), for the catalogue tests. */
export function translationOf(locale: Locale): Translation {
  return CATALOGUES[locale];
}

// intl-messageformat checks each locale with Intl.NumberFormat.supportedLocalesOf, which makes V8 open the
// data of every locale ICU has (about 4 MB of it read into memory, and milliseconds of CPU) on first use. Our
// locales are a fixed list that ICU supports, so they are taken as they are.
IntlMessageFormat.resolveLocale = (locales) => new Intl.Locale(typeof locales === "string" ? locales : (locales[0] ?? "en"));

const compiled = new Map<string, IntlMessageFormat>();

function formatterFor(locale: Locale, id: MessageId): IntlMessageFormat {
  const cacheKey = `${locale}\u0000${id}`;
  let formatter = compiled.get(cacheKey);
  if (!formatter) {
    const source = messageSource(locale, id);
    formatter = new IntlMessageFormat(source.text, source.locale, undefined, { ignoreTag: true });
    compiled.set(cacheKey, formatter);
  }
  return formatter;
}

let pseudo = false;

/**
 * For tests: wraps every formatted message in ⟦…⟧, so that text on a page that did not come from a
 * catalogue stands out (test/http/pseudo-locale.test.ts). Off unless a test turns it on.
 */
export function setPseudoLocalization(on: boolean): void {
  pseudo = on;
}

/** Formats one message in a language. Values fill `{name}` placeholders, plurals and selects. */
export function translate(locale: Locale, id: MessageId, values?: MessageValues): string {
  const formatter = formatterFor(locale, id);
  const text = String(formatter.format(values));
  return pseudo ? `⟦${text}⟧` : text;
}

const translators = new Map<Locale, Translate>();

/** The `t` function of one language. */
export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) {
    t = (id, values) => translate(locale, id, values);
    translators.set(locale, t);
  }
  return t;
}
