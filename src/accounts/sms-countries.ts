// Which countries' mobile numbers are sent text messages (LATCHKEY_SMS_COUNTRIES). Each text costs the site
// owner money, and some destinations cost far more than others: without a list, anyone can make the site
// pay for texts to premium or satellite numbers by registering them or asking for codes ("SMS pumping").
import type { Config } from "../config/load.ts";
import { AppError } from "../errors/app-error.ts";
import { type Identifier, phoneNumberCountry } from "../lib/identifier-parsing.ts";
import { type ParsedIdentifierInput, requireIdentifier } from "./identifier-input.ts";

/**
 * Whether a message may go to this identifier: always for an e-mail address; for a mobile number when
 * every country is served or its country is on the list. A number of no country (+881, +882…) is on no list.
 */
export function canTextIdentifier(config: Pick<Config, "smsCountries">, identifier: Identifier): boolean {
  if (identifier.kind !== "phone" || config.smsCountries === null) return true;
  const country = phoneNumberCountry(identifier.value);
  return country !== undefined && config.smsCountries.has(country);
}

/**
 * Parses an identifier that is about to be sent a code (registration, a new code, an identifier added to an
 * account). Throws its format error, or PHONE_COUNTRY_NOT_SUPPORTED (field `identifier`) for a mobile number
 * of a country texts are not sent to. Both depend on the input alone, never on any account, so they reveal
 * nothing about who is registered.
 */
export function requireTextableIdentifier(config: Pick<Config, "defaultRegion" | "smsCountries">, input: string): ParsedIdentifierInput {
  const parsed = requireIdentifier(input, { defaultRegion: config.defaultRegion });
  if (!canTextIdentifier(config, parsed.identifier)) throw new AppError("PHONE_COUNTRY_NOT_SUPPORTED", { field: "identifier" });
  return parsed;
}
