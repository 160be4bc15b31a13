// The languages Latchkey ships, their names in their own language and their writing direction.

export const SHIPPED_LOCALES = ["en", "de", "fr", "es", "ar"] as const;
export type Locale = (typeof SHIPPED_LOCALES)[number];

/** Each language's name as its speakers write it, for the language menu. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  ar: "العربية",
};

const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set(["ar"]);

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (SHIPPED_LOCALES as readonly string[]).includes(value);
}

export function textDirection(locale: Locale): "ltr" | "rtl" {
  return RIGHT_TO_LEFT.has(locale) ? "rtl" : "ltr";
}
