// The identifier field's texts that are not error messages (those are in the `identifiers` catalogue area,
// read through messageForError): the example number, the prompts above offered numbers, the typo hint.
import { type Translate, translator } from "../i18n/catalogue.ts";
import type { IdentifierErrorCode } from "../lib/identifier-parsing.ts";

/** The one example mobile number shown in hints and messages: valid, and plainly an example. */
export const EXAMPLE_MOBILE_NUMBER = "+44 7400 123456";

const english = translator("en");

/** The message shown for an identifier error code, in English (the command line and import reports). */
export function identifierMessage(code: IdentifierErrorCode): string {
  return english(`identifiers.${code}`, { example: EXAMPLE_MOBILE_NUMBER });
}

/** The heading above the numbers offered for a number typed without its country code. */
export function phoneChoicesPrompt(code: "IDENTIFIER_PHONE_AMBIGUOUS" | "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE", t: Translate = english): string {
  return code === "IDENTIFIER_PHONE_AMBIGUOUS" ? t("identifiers.choicesAmbiguous") : t("identifiers.choicesCountry");
}

/** The non-blocking hint for a likely typo in an e-mail address: "Did you mean ada@gmail.com?" */
export function identifierSuggestionMessage(suggestion: string, t: Translate = english): string {
  return t("identifiers.suggestion", { suggestion });
}
