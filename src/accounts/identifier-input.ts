// Turns the raw "E-mail or mobile number" input into an Identifier or a field error.
import { AppError } from "../errors/app-error.ts";
import { type Identifier, type IdentifierParseOptions, parseIdentifier } from "../lib/identifier-parsing.ts";

export interface ParsedIdentifierInput {
  identifier: Identifier;
  suggestion?: string;
}

/**
 * Parses the identifier or throws the specific format error with `field: "identifier"`. A phone number that
 * can be read in more than one way carries the readings as `extra.choices` (the API's `choices`).
 */
export function requireIdentifier(input: string, options: IdentifierParseOptions & { field?: string } = {}): ParsedIdentifierInput {
  const field = options.field ?? "identifier";
  const result = parseIdentifier(input, options);
  if (!result.ok) throw new AppError(result.code, { field, ...(result.choices ? { extra: { choices: result.choices } } : {}) });
  return result.suggestion ? { identifier: result.identifier, suggestion: result.suggestion } : { identifier: result.identifier };
}

export const NAME_MAX_LENGTH = 100;

/** Trims the optional display name; empty becomes null. Throws NAME_INVALID (control characters, unpaired surrogates) or NAME_TOO_LONG. */
export function cleanName(name: string | undefined | null): string | null {
  const trimmed = (name ?? "").normalize("NFC").replace(/\s+/g, " ").trim();
  if (trimmed.length === 0) return null;
  // A name is shown on pages and in messages: control characters (C0, DEL and C1), the bidirectional
  // embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: they reorder the text after them, so
  // "Sam\u202Egnp.exe" reads as another name), and unpaired surrogates (which no storage keeps as valid UTF-8)
  // are refused for what they are, not as a length. The joiners some scripts and emoji need stay allowed.
  // (\p{Cs} in a Unicode regular expression matches only a surrogate that is not half of a pair.)
  if (/\p{Cc}|[\u202a-\u202e\u2066-\u2069]|\p{Cs}/u.test(trimmed)) throw new AppError("NAME_INVALID", { field: "name" });
  if ([...trimmed].length > NAME_MAX_LENGTH) throw new AppError("NAME_TOO_LONG", { field: "name" });
  return trimmed;
}
