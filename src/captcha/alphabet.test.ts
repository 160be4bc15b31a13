import assert from "node:assert/strict";
import { test } from "node:test";
import { createSeededRandom } from "../lib/random.ts";
import { CAPTCHA_ALPHABET, CAPTCHA_TEXT_MIN_LENGTH, generateCAPTCHADigits, generateCAPTCHAText } from "./alphabet.ts";

test("the CAPTCHA alphabet has no look-alike characters and no duplicates", () => {
  // L stays: without I, 1 and J there is nothing to take it for.
  const lookAlikes = ["0", "O", "Q", "D", "1", "I", "J", "4", "5", "S", "2", "Z", "8", "B", "6", "G", "F", "P", "V", "7"];
  for (const char of lookAlikes) {
    assert.equal(CAPTCHA_ALPHABET.includes(char), false, `${char} must not be in the alphabet`);
  }
  assert.equal(new Set(CAPTCHA_ALPHABET).size, CAPTCHA_ALPHABET.length);
  assert.match(CAPTCHA_ALPHABET, /^[A-Z0-9]+$/);
  // At least a million possible answers (16^5) for the single guess a challenge allows.
  assert.ok(CAPTCHA_ALPHABET.length ** CAPTCHA_TEXT_MIN_LENGTH >= 1_000_000);
});

test("generateCAPTCHAText draws five characters from the alphabet, using every character", () => {
  const random = createSeededRandom("alphabet-text");
  const lengths = new Set<number>();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const text = generateCAPTCHAText(random);
    assert.equal(text.length, 5, `length of ${text}`);
    for (const char of text) {
      assert.ok(CAPTCHA_ALPHABET.includes(char), `${char} in ${text}`);
      seen.add(char);
    }
    lengths.add(text.length);
  }
  assert.deepEqual([...lengths], [5]);
  assert.equal(seen.size, CAPTCHA_ALPHABET.length);
});

test("generateCAPTCHADigits draws exactly seven digits, using every digit", () => {
  const random = createSeededRandom("alphabet-digits");
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const digits = generateCAPTCHADigits(random);
    assert.match(digits, /^[0-9]{7}$/);
    for (const digit of digits) seen.add(digit);
  }
  assert.equal(seen.size, 10);
});

test("the same seed gives the same text and digits", () => {
  const a = createSeededRandom("same");
  const b = createSeededRandom("same");
  assert.equal(generateCAPTCHAText(a), generateCAPTCHAText(b));
  assert.equal(generateCAPTCHADigits(a), generateCAPTCHADigits(b));
});
