// The characters a CAPTCHA may show or speak, and the functions that draw a random answer from them.
import type { Random } from "../lib/random.ts";

/**
 * The characters of the picture's text: upper case only, so the answer can be compared case-insensitively.
 * Every one of them is shown in the help article on the security check (content/help/security-check.md).
 *
 * Chosen so that no two can be taken for each other once slightly rotated and bent, in any of the bundled
 * fonts: no round shapes that differ by a detail (0 O Q D, C G, 6 8 B), no single bars (1 I L J), no pairs
 * that differ by one stroke (E F, P R, U V, 2 Z, 5 S, 7 T Y), and 4, which hatched reads as A. What is left
 * reads the same to everyone.
 */
export const CAPTCHA_ALPHABET = "ACEHKLMNRTUWXY39";

/** How many characters a picture's text has: few and large, so each one is easy to read. */
export const CAPTCHA_TEXT_MIN_LENGTH = 5;
/** The most characters a picture's text has (the same as the fewest: the length says nothing). */
export const CAPTCHA_TEXT_MAX_LENGTH = 5;
/** How many digits the audio clip speaks. */
export const CAPTCHA_DIGIT_COUNT = 7;

/**
 * Draws the text shown in a CAPTCHA picture: five characters, each uniformly from `CAPTCHA_ALPHABET`.
 *
 * @param random Source of randomness; cryptographic in production.
 * @returns An upper-case string such as `"KLRXM"`.
 */
export function generateCAPTCHAText(random: Random): string {
  const length = CAPTCHA_TEXT_MIN_LENGTH + random.int(CAPTCHA_TEXT_MAX_LENGTH - CAPTCHA_TEXT_MIN_LENGTH + 1);
  let text = "";
  for (let i = 0; i < length; i++) {
    text += CAPTCHA_ALPHABET.charAt(random.int(CAPTCHA_ALPHABET.length));
  }
  return text;
}

/**
 * Draws the digits spoken by a CAPTCHA audio clip: exactly seven, each uniformly from 0-9.
 *
 * @param random Source of randomness; cryptographic in production.
 * @returns A string of seven ASCII digits such as `"0481937"`.
 */
export function generateCAPTCHADigits(random: Random): string {
  let digits = "";
  for (let i = 0; i < CAPTCHA_DIGIT_COUNT; i++) {
    digits += String(random.int(10));
  }
  return digits;
}
