// Sign-in identifiers: decides whether the one field people type is an e-mail address or a mobile number
// (with its country code), checks it, and normalises it into the value accounts are matched by. Masking is in
// identifier-masking.ts and the e-mail typo suggestions in email-typos.ts.
import { domainToASCII, domainToUnicode } from "node:url";
import type { CountryCode, PhoneNumber, PhoneNumberType } from "libphonenumber-js/max";
import { suggestEmailDomainCorrection } from "./email-typos.ts";
import { countryName } from "./ip-country.ts";
import { lazyRequire } from "./lazy-require.ts";

/** The phone-number metadata (the "max" set) loads with the first number parsed, not at start-up. */
const loadPhoneNumbers = lazyRequire<typeof import("libphonenumber-js/max")>("libphonenumber-js/max");

/** What kind of identifier a person typed. */
export type IdentifierKind = "email" | "phone";

/**
 * A checked, normalised identifier.
 * - `value` is what accounts are matched by: the lower-cased address with an ASCII (IDN-encoded) domain, or
 *   the number in E.164 (`+4915123456789`).
 * - `display` is what is shown to its owner and where messages are sent: the local part as typed (after
 *   Unicode NFC and full-width-to-ASCII mapping) with the domain in lower-case Unicode, or the number in
 *   international format (`+49 1512 3456789`).
 */
export interface Identifier {
  kind: IdentifierKind;
  value: string;
  display: string;
}

/** Every reason an identifier can be refused, in no particular order. */
export const IDENTIFIER_ERROR_CODES = [
  "IDENTIFIER_REQUIRED",
  "IDENTIFIER_TOO_LONG",
  "IDENTIFIER_INVALID_CHARACTERS",
  "IDENTIFIER_EMAIL_MISSING_AT",
  "IDENTIFIER_EMAIL_MULTIPLE_AT",
  "IDENTIFIER_EMAIL_MISSING_LOCAL",
  "IDENTIFIER_EMAIL_MISSING_DOMAIN",
  "IDENTIFIER_EMAIL_HAS_SPACE",
  "IDENTIFIER_EMAIL_DOMAIN_NO_DOT",
  "IDENTIFIER_EMAIL_INVALID",
  "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE",
  "IDENTIFIER_PHONE_INVALID",
  "IDENTIFIER_PHONE_NOT_MOBILE",
  "IDENTIFIER_PHONE_AMBIGUOUS",
] as const;

/** A reason an identifier was refused; each has a message in `src/messages/identifiers.ts`. */
export type IdentifierErrorCode = (typeof IDENTIFIER_ERROR_CODES)[number];

/**
 * The outcome of parsing: the identifier (with an optional, never blocking "did you mean" address for likely
 * e-mail typos) or the one code that says what is wrong.
 */
export type IdentifierParseResult =
  | { ok: true; identifier: Identifier; suggestion?: string }
  | { ok: false; code: IdentifierErrorCode; choices?: PhoneChoice[] };

/** One way to read a phone number typed without its `+`, offered for the person to pick. */
export interface PhoneChoice {
  /** The number in E.164, ready to be submitted as the identifier. */
  value: string;
  /** What the person reads: the number in international format and its country, "+44 7400 123456 (United Kingdom)". */
  label: string;
}

/** How phone numbers without a `+` are read. */
export interface IdentifierParseOptions {
  /**
   * The ISO 3166-1 country whose national numbers are accepted without a country code (`07400 123456` in
   * `GB`), or undefined to accept only numbers that carry their country code.
   */
  defaultRegion?: string | undefined;
}

/** Whether `region` is an ISO country code that phone numbers can be read in (`GB`, `US`, …). */
export function isSupportedPhoneRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && loadPhoneNumbers().isSupportedCountry(region);
}

/**
 * The ISO 3166-1 country of a number in E.164 (`+33612345678` → `FR`; `+1 876…` → `JM`, not `US`), or
 * undefined for a number of no country (satellite and other global services such as +881 and +882) or one
 * that does not parse.
 */
export function phoneNumberCountry(e164: string): string | undefined {
  return loadPhoneNumbers().parsePhoneNumberFromString(e164)?.country;
}

/** Longest accepted input in code points, after trimming (the longest usable e-mail address is 320). */
const MAX_IDENTIFIER_LENGTH = 320;
/** Longest accepted phone input, separators included. */
const MAX_PHONE_INPUT_LENGTH = 32;
/** RFC 5321 limits: local part in octets, domain in characters, one DNS label in characters. */
const MAX_LOCAL_PART_OCTETS = 64;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** E.164 allows at most 15 digits after the `+`. */
const MAX_E164_DIGITS = 15;

// Security: control characters can smuggle extra headers into e-mail (CR/LF), cut strings short in C code
// (NUL), or split log lines (U+2028/2029, NEL); bidirectional controls and direction marks can make the
// shown address differ from the real one. None of them belongs in an address or a phone number, so they
// are refused wherever they appear after trimming.
const FORBIDDEN_CHARACTER = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Code points removed from both ends: Unicode white space (as JS `trim`) plus invisible paste artefacts. */
const TRIMMED_CODE_UNITS: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x200b,
  0x200e, 0x200f, 0x2028, 0x2029, 0x202f, 0x205f, 0x2060, 0x3000, 0xfeff,
]);

const HAS_DIGIT = /\p{Nd}/u;
const HAS_LETTER = /\p{L}/u;
const HAS_SPACE = /\s/u;
/** Everything a person may type in a phone number: digits, `+`, spaces, dots, dashes, slashes, brackets. */
const PHONE_CHARACTERS = /^[\p{Nd}+\p{Zs}.\p{Pd}/()]+$/u;
/** Separators dropped from a phone number before it is parsed. */
const PHONE_SEPARATOR = /[\p{Zs}.\p{Pd}/()]/u;

/** Local part: RFC 5322 atext and dots, plus non-ASCII letters, marks and numbers (SMTPUTF8). */
const LOCAL_PART_CHARACTERS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-\p{L}\p{M}\p{N}]+$/u;
/** ASCII in a domain as typed: letters, digits, hyphen, dot. Non-ASCII is left to IDNA (UTS #46). */
const DOMAIN_ASCII_CHARACTERS = /^[A-Za-z0-9.-]$/;
/** One DNS label after IDNA: letters, digits and inner hyphens. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** A top-level domain: letters only, or an IDN (`xn--…`); this also refuses numeric and 1-letter TLDs. */
const TOP_LEVEL_DOMAIN = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Phone number types that can receive a text message from us. US/CA numbers are always
 * FIXED_LINE_OR_MOBILE (the plans cannot tell them apart), PERSONAL_NUMBER forwards to a mobile, and a
 * valid number of unknown type gets the benefit of the doubt.
 */
const ACCEPTED_PHONE_TYPES: ReadonlySet<PhoneNumberType | undefined> = new Set<PhoneNumberType | undefined>([
  "MOBILE",
  "FIXED_LINE_OR_MOBILE",
  "PERSONAL_NUMBER",
  undefined,
]);

type PreparedInput = { ok: true; text: string } | { ok: false; code: IdentifierErrorCode };

function fail(code: IdentifierErrorCode, choices?: PhoneChoice[]): { ok: false; code: IdentifierErrorCode; choices?: PhoneChoice[] } {
  return choices && choices.length > 0 ? { ok: false, code, choices } : { ok: false, code };
}

/** Removes white space and invisible paste artefacts from both ends, in linear time. */
function trimIdentifier(input: string): string {
  let start = 0;
  let end = input.length;
  while (start < end && TRIMMED_CODE_UNITS.has(input.charCodeAt(start))) start++;
  while (end > start && TRIMMED_CODE_UNITS.has(input.charCodeAt(end - 1))) end--;
  return input.slice(start, end);
}

/** Whether `text` has more than `limit` code points, without building an array for huge strings. */
function isLongerThan(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  if (text.length > limit * 2) return true;
  let count = 0;
  for (const _ of text) {
    count++;
    if (count > limit) return true;
  }
  return false;
}

/** Maps full-width ASCII (typed with an East Asian input method) to ASCII, as PRECIS width mapping does. */
function mapFullWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (char) => {
    const code = char.charCodeAt(0);
    return code === 0x3000 ? " " : String.fromCharCode(code - 0xfee0);
  });
}

/** The checks shared by every kind: trim, required, length, forbidden characters, width and NFC. */
function prepareInput(input: string): PreparedInput {
  if (typeof input !== "string") return fail("IDENTIFIER_REQUIRED");
  const trimmed = trimIdentifier(input);
  if (trimmed === "") return fail("IDENTIFIER_REQUIRED");
  if (isLongerThan(trimmed, MAX_IDENTIFIER_LENGTH)) return fail("IDENTIFIER_TOO_LONG");
  if (FORBIDDEN_CHARACTER.test(trimmed)) return fail("IDENTIFIER_INVALID_CHARACTERS");
  // Security: NFC first so that one address has one form; it also folds look-alikes such as the Kelvin
  // sign (U+212A) into their ASCII letter, so they cannot become a second account that matches the same
  // ASCII address while mail goes to a different mailbox.
  return { ok: true, text: mapFullWidth(trimmed).normalize("NFC") };
}

/**
 * Parses what a person typed into the sign-in field: an e-mail address when it contains `@`, a mobile phone
 * number when it is made of digits, `+` and separators only, and otherwise reports the missing `@`.
 * Never throws; every problem is a code in the result.
 */
export function parseIdentifier(input: string, options: IdentifierParseOptions = {}): IdentifierParseResult {
  const prepared = prepareInput(input);
  if (!prepared.ok) return prepared;
  const text = prepared.text;
  if (text.includes("@")) return checkEmail(text);
  if (HAS_DIGIT.test(text)) {
    if (PHONE_CHARACTERS.test(text)) return checkPhone(text, options);
    // Digits mixed with symbols such as `#` or `*` but no letters: a mistyped number, not an address.
    if (!HAS_LETTER.test(text)) return fail("IDENTIFIER_PHONE_INVALID");
  }
  return fail("IDENTIFIER_EMAIL_MISSING_AT");
}

/**
 * Checks and normalises an e-mail address only (`name@domain.tld`; no quoted local parts, comments or IP
 * literals). The domain is IDN-encoded; the value is lower-cased because accounts are matched
 * case-insensitively. An ok result carries `suggestion` when the domain looks like a typo of a common
 * provider. Never throws.
 */
export function normalizeEmailIdentifier(input: string): IdentifierParseResult {
  const prepared = prepareInput(input);
  if (!prepared.ok) return prepared;
  return checkEmail(prepared.text);
}

/**
 * Checks and normalises a mobile phone number only. With its country code (`+44…` or `0044…`) it is read
 * as typed; digits without a `+` are read as if it had been typed when they form a valid mobile number that
 * way, or as a national number of `options.defaultRegion`; when both readings are valid and differ, the
 * result is IDENTIFIER_PHONE_AMBIGUOUS with both as choices. A national number that no region explains is
 * IDENTIFIER_PHONE_MISSING_COUNTRY_CODE with the countries it could belong to as choices. The value is
 * E.164 and the display the international format. Landlines, toll-free, premium-rate, shared-cost, VoIP,
 * pager, UAN and voicemail numbers are refused as not mobile. Never throws.
 */
export function parsePhoneIdentifier(input: string, options: IdentifierParseOptions = {}): IdentifierParseResult {
  const prepared = prepareInput(input);
  if (!prepared.ok) return prepared;
  return checkPhone(prepared.text, options);
}

/**
 * The address with a likely typo in its domain corrected (`ada@gmial.com` → `ada@gmail.com`,
 * `bob@example.con` → `bob@example.com`), or `undefined` when the address is invalid, its domain is a known
 * provider, or no correction is likely.
 */
export function suggestEmailCorrection(email: string): string | undefined {
  const result = normalizeEmailIdentifier(email);
  return result.ok ? result.suggestion : undefined;
}

function checkEmail(text: string): IdentifierParseResult {
  const at = text.indexOf("@");
  if (at === -1) return fail("IDENTIFIER_EMAIL_MISSING_AT");
  if (text.indexOf("@", at + 1) !== -1) return fail("IDENTIFIER_EMAIL_MULTIPLE_AT");
  const local = text.slice(0, at);
  const domainAsTyped = text.slice(at + 1);
  if (local === "") return fail("IDENTIFIER_EMAIL_MISSING_LOCAL");
  if (domainAsTyped === "") return fail("IDENTIFIER_EMAIL_MISSING_DOMAIN");
  if (HAS_SPACE.test(text)) return fail("IDENTIFIER_EMAIL_HAS_SPACE");

  const localValue = normalizeLocalPart(local);
  if (localValue === undefined) return fail("IDENTIFIER_EMAIL_INVALID");

  const domain = normalizeDomain(domainAsTyped);
  if (!domain.ok) return domain;

  const identifier: Identifier = {
    kind: "email",
    value: `${localValue}@${domain.ascii}`,
    display: `${local}@${domain.unicode}`,
  };
  const correctedDomain = suggestEmailDomainCorrection(domain.ascii);
  return correctedDomain === undefined ? { ok: true, identifier } : { ok: true, identifier, suggestion: `${local}@${correctedDomain}` };
}

/** The lower-cased local part, or `undefined` when it is not acceptable. */
function normalizeLocalPart(local: string): string | undefined {
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return undefined;
  if (!LOCAL_PART_CHARACTERS.test(local)) return undefined;
  const lower = local.toLowerCase().normalize("NFC");
  // Guard that the matching value is a fixed point: parsing it again must give it back unchanged.
  if (lower.toLowerCase().normalize("NFC") !== lower || !LOCAL_PART_CHARACTERS.test(lower)) return undefined;
  const octets = Math.max(Buffer.byteLength(local, "utf8"), Buffer.byteLength(lower, "utf8"));
  if (octets > MAX_LOCAL_PART_OCTETS) return undefined;
  return lower;
}

type NormalizedDomain = { ok: true; ascii: string; unicode: string } | { ok: false; code: IdentifierErrorCode };

function normalizeDomain(domainAsTyped: string): NormalizedDomain {
  for (const char of domainAsTyped) {
    // Security: WHATWG host parsing (behind domainToASCII) percent-decodes and accepts `_`, `[`, `:` and
    // numeric IPv4 forms; only letters, digits, hyphens and dots may reach it, so what the person typed is
    // what is matched.
    if (char.charCodeAt(0) < 0x80 && !DOMAIN_ASCII_CHARACTERS.test(char)) return fail("IDENTIFIER_EMAIL_INVALID");
  }
  const ascii = domainToASCII(domainAsTyped);
  if (ascii === "") return fail("IDENTIFIER_EMAIL_INVALID");
  if (!ascii.includes(".")) return fail("IDENTIFIER_EMAIL_DOMAIN_NO_DOT");
  if (domainToASCII(ascii) !== ascii) return fail("IDENTIFIER_EMAIL_INVALID");
  if (ascii.length > MAX_DOMAIN_LENGTH) return fail("IDENTIFIER_EMAIL_INVALID");
  const labels = ascii.split(".");
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL_LENGTH || !DNS_LABEL.test(label)) {
      return fail("IDENTIFIER_EMAIL_INVALID");
    }
  }
  if (!TOP_LEVEL_DOMAIN.test(labels[labels.length - 1] ?? "")) return fail("IDENTIFIER_EMAIL_INVALID");
  // An `xn--` label must be real Punycode that decodes and encodes back to itself. Node.js 20 refuses a
  // broken one in domainToASCII; newer URL parsers let it through unchanged, so check it here on every line.
  for (const label of labels) {
    if (!label.startsWith("xn--")) continue;
    const decoded = domainToUnicode(label);
    if (decoded === "" || decoded === label || domainToASCII(decoded) !== label) return fail("IDENTIFIER_EMAIL_INVALID");
  }
  const unicode = domainToUnicode(ascii);
  return { ok: true, ascii, unicode: unicode === "" ? ascii : unicode };
}

function checkPhone(text: string, options: IdentifierParseOptions): IdentifierParseResult {
  if (text.length > MAX_PHONE_INPUT_LENGTH) return fail("IDENTIFIER_TOO_LONG");
  if (!PHONE_CHARACTERS.test(text) || !HAS_DIGIT.test(text)) return fail("IDENTIFIER_PHONE_INVALID");

  let compact = "";
  for (const char of text) {
    if (char === "+") compact += "+";
    else if (!PHONE_SEPARATOR.test(char)) compact += String(decimalDigitValue(char));
  }
  if (compact.startsWith("00")) compact = `+${compact.slice(2)}`;
  // A `+` later on is a typo, not a missing country code.
  if (compact.slice(1).includes("+")) return fail("IDENTIFIER_PHONE_INVALID");
  if (!compact.startsWith("+")) return checkPhoneWithoutPlus(compact, options);
  const digits = compact.slice(1);
  if (!/^[0-9]+$/.test(digits) || digits.length > MAX_E164_DIGITS) return fail("IDENTIFIER_PHONE_INVALID");

  const phone: PhoneNumber | undefined = loadPhoneNumbers().parsePhoneNumberFromString(compact);
  if (phone === undefined || !phone.isValid()) return fail("IDENTIFIER_PHONE_INVALID");
  // Sign-in codes and password resets go out by SMS, so a number that cannot receive one would lock its
  // owner out; VoIP numbers are refused too because many cannot receive SMS from short codes.
  if (!ACCEPTED_PHONE_TYPES.has(phone.getType())) return fail("IDENTIFIER_PHONE_NOT_MOBILE");
  return { ok: true, identifier: phoneIdentifier(phone) };
}

/** At most this many countries are offered for a number typed without its country code. */
const MAX_PHONE_CHOICES = 6;
/** Shortest and longest national numbers worth looking up in every country. */
const MIN_NATIONAL_DIGITS = 6;

function phoneIdentifier(phone: PhoneNumber): Identifier {
  return { kind: "phone", value: phone.number, display: phone.formatInternational() };
}

function isAcceptedMobile(phone: PhoneNumber | undefined): phone is PhoneNumber {
  return phone?.isValid() === true && ACCEPTED_PHONE_TYPES.has(phone.getType());
}

function phoneChoice(phone: PhoneNumber): PhoneChoice {
  const country = phone.country ? countryName(phone.country) : undefined;
  const display = phone.formatInternational();
  return { value: phone.number, label: country ? `${display} (${country})` : display };
}

/** A choice's label with its country named in `locale` ("+49 1512 3456789 (Deutschland)"); the label as it is when the number does not parse. */
export function phoneChoiceLabelIn(choice: PhoneChoice, locale: string): string {
  if (locale === "en") return choice.label;
  const phone = loadPhoneNumbers().parsePhoneNumberFromString(choice.value);
  if (!phone?.country) return choice.label;
  return `${phone.formatInternational()} (${countryName(phone.country, locale)})`;
}

/**
 * Digits typed without `+` or `00`: either the country code with only the `+` missing (`447400123456`),
 * or a national number (`07400 123456`) of the default region.
 */
function checkPhoneWithoutPlus(digits: string, options: IdentifierParseOptions): IdentifierParseResult {
  if (!/^[0-9]+$/.test(digits) || digits.length > MAX_E164_DIGITS + 1) return fail("IDENTIFIER_PHONE_INVALID");
  // No country calling code starts with 0, so a leading 0 is always a national (trunk) prefix.
  const international = digits.startsWith("0") ? undefined : loadPhoneNumbers().parsePhoneNumberFromString(`+${digits}`);
  const region = options.defaultRegion && isSupportedPhoneRegion(options.defaultRegion) ? (options.defaultRegion as CountryCode) : undefined;
  const national = region ? loadPhoneNumbers().parsePhoneNumberFromString(digits, region) : undefined;
  const readings = [international, national].filter(isAcceptedMobile);
  const first = readings[0];
  if (first !== undefined) {
    const second = readings[1];
    // Both readings are real mobile numbers: guessing could send a code to a stranger, so ask instead.
    if (second !== undefined && second.number !== first.number) return fail("IDENTIFIER_PHONE_AMBIGUOUS", readings.map(phoneChoice));
    return { ok: true, identifier: phoneIdentifier(first) };
  }
  if (national?.isValid() || international?.isValid()) return fail("IDENTIFIER_PHONE_NOT_MOBILE");
  if (region) return fail("IDENTIFIER_PHONE_INVALID");
  return fail("IDENTIFIER_PHONE_MISSING_COUNTRY_CODE", findCountriesForNationalNumber(digits));
}

/** One region per country calling code, the first in libphonenumber's list (they share a trunk prefix). */
let regionPerCallingCode: CountryCode[] | undefined;

function regionsPerCallingCode(): CountryCode[] {
  if (regionPerCallingCode === undefined) {
    const seen = new Set<string>();
    regionPerCallingCode = loadPhoneNumbers()
      .getCountries()
      .filter((country) => {
        const code = loadPhoneNumbers().getCountryCallingCode(country);
        if (seen.has(code)) return false;
        seen.add(code);
        return true;
      });
  }
  return regionPerCallingCode;
}

/**
 * The mobile numbers that `digits` is as a national number, one per country calling code (at most
 * MAX_PHONE_CHOICES), so the person can pick their country instead of retyping the number.
 */
function findCountriesForNationalNumber(digits: string): PhoneChoice[] {
  if (digits.length < MIN_NATIONAL_DIGITS) return [];
  const choices: PhoneChoice[] = [];
  for (const region of regionsPerCallingCode()) {
    const phone = loadPhoneNumbers().parsePhoneNumberFromString(digits, region);
    if (!isAcceptedMobile(phone) || choices.some((c) => c.value === phone.number)) continue;
    choices.push(phoneChoice(phone));
    if (choices.length >= MAX_PHONE_CHOICES) break;
  }
  return choices;
}

/**
 * The value 0–9 of a Unicode decimal digit (ASCII, Arabic-Indic, Devanagari, …). Unicode encodes every
 * decimal digit set as a run of ten code points from 0 to 9, so the value is the distance from the start of
 * the run, modulo ten for runs that follow each other directly (the mathematical digits).
 */
function decimalDigitValue(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  let offset = 0;
  while (offset < 50 && code - offset - 1 >= 0 && HAS_DIGIT.test(String.fromCodePoint(code - offset - 1))) {
    offset++;
  }
  return offset % 10;
}
