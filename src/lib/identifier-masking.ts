// Masked identifiers: a form of an e-mail address or phone number that its owner recognises in a message or
// on a page, but that is of no use to an onlooker.
import type { Identifier } from "./identifier-parsing.ts";
import { lazyRequire } from "./lazy-require.ts";

/** The phone-number metadata loads with the first phone number masked, not at start-up. */
const loadPhoneNumbers = lazyRequire<typeof import("libphonenumber-js/max")>("libphonenumber-js/max");

/**
 * A form of the identifier that its owner recognises but an onlooker cannot use: `a•••@example.com` or
 * `+49 ••• ••• •789`. The phone form has a fixed shape, so it does not reveal the number's length.
 */
export function maskIdentifier(identifier: Identifier): string {
  if (identifier.kind === "email") {
    const at = identifier.display.lastIndexOf("@");
    const local = identifier.display.slice(0, at);
    const domain = identifier.display.slice(at + 1);
    const first = [...local][0];
    const shown = first !== undefined && [...local].length > 1 ? first : "";
    return `${shown}•••@${domain}`;
  }
  const digits = identifier.value.replace(/\D/g, "");
  const parsed = loadPhoneNumbers().parsePhoneNumberFromString(identifier.value);
  const prefix = parsed ? `+${parsed.countryCallingCode} ` : "+";
  return `${prefix}••• ••• •${digits.slice(-3)}`;
}
