import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { maskIdentifier } from "./identifier-masking.ts";
import type { Identifier } from "./identifier-parsing.ts";
import { parseIdentifier } from "./identifier-parsing.ts";

function parsed(input: string): Identifier {
  const result = parseIdentifier(input);
  assert.ok(result.ok, `${JSON.stringify(input)} was refused with ${result.ok ? "" : result.code}`);
  return result.identifier;
}

describe("maskIdentifier", () => {
  test("an e-mail address keeps its first character and its domain", () => {
    assert.equal(maskIdentifier(parsed("Ada.Lovelace@Example.com")), "A•••@example.com");
    assert.equal(maskIdentifier(parsed("ada@bücher.de")), "a•••@bücher.de");
    assert.equal(maskIdentifier(parsed("jörg@example.com")), "j•••@example.com");
  });

  test("a one-character local part is hidden entirely", () => {
    assert.equal(maskIdentifier(parsed("a@example.com")), "•••@example.com");
  });

  test("a phone number keeps its country code and last three digits", () => {
    assert.equal(maskIdentifier(parsed("+49 1512 3456789")), "+49 ••• ••• •789");
    assert.equal(maskIdentifier(parsed("+1 201 555 0123")), "+1 ••• ••• •123");
    assert.equal(maskIdentifier(parsed("+234 803 123 4567")), "+234 ••• ••• •567");
  });

  test("masked phone numbers do not reveal how long the number is", () => {
    const long = maskIdentifier(parsed("+44 7400 123456"));
    const short = maskIdentifier(parsed("+44 70 1234 5678"));
    assert.equal(long.length, short.length);
    for (const masked of [long, short]) assert.doesNotMatch(masked, /\d{4}/);
  });
});
