// Digits as people type them in every shipped language, written as ASCII digits before a comparison.

/** Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits, in the order 0-9 of each. */
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/**
 * `text` in NFKC with every digit written as an ASCII digit: Arabic-Indic ٣ and Eastern Arabic-Indic ۳
 * become 3, full-width ３ too (through NFKC). An Arabic keyboard types the former, so a code or answer read
 * from a screen and typed on one must still match.
 */
export function toASCIIDigits(text: string): string {
  return text.normalize("NFKC").replace(ARABIC_DIGITS, (digit) => String(digit.charCodeAt(0) - (digit >= "\u06F0" ? 0x06f0 : 0x0660)));
}
