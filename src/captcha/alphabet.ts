// The characters a CAPTCHA may show or speak, and the functions that draw a random answer from them.
import type { Random } from "../lib/random.ts";

/**
 * The characters of the picture's text: upper case only, so the answer can be compared case-insensitively.
 *
 * Left out because a person cannot tell them apart once they are rotated, squeezed, overlapped and crossed
 * by strokes as thick as their own (found by reading sample pictures without knowing the answers):
 * - 0 O Q D (round shapes), 1 I L (a single bar), 5 S, 2 Z, 8 B, 6 G;
 * - C, F, P and T, which a crossing stroke turns into E, E, R and F; 7 (a stroke under its bar makes a Z);
 * - 4 and N (next to A once rotated and crossed), J (next to U), V (next to U and Y);
 * - M and W: wide letters that turn into clumps (AA, VV) when their neighbours overlap them.
 */
export const CAPTCHA_ALPHABET = "AEHKRUXY39";

/** The fewest characters a picture's text has. */
export const CAPTCHA_TEXT_MIN_LENGTH = 5;
/** The most characters a picture's text has. */
export const CAPTCHA_TEXT_MAX_LENGTH = 7;
/** How many digits the audio clip speaks. */
export const CAPTCHA_DIGIT_COUNT = 7;

/**
 * Draws the text shown in a CAPTCHA picture: 5 to 7 characters, each uniformly from `CAPTCHA_ALPHABET`.
 *
 * @param random Source of randomness; cryptographic in production.
 * @returns An upper-case string such as `"K7RXM"`.
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
