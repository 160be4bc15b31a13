import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateId, sha256Hex } from "./crypto.ts";
import { createCryptoRandom, type Random } from "./random.ts";

/** Hands out the given byte strings in turn (then zeros). */
function scriptedRandom(...draws: Buffer[]): Random {
  return {
    bytes: (n) => {
      const next = draws.shift() ?? Buffer.alloc(n);
      assert.equal(next.length, n);
      return next;
    },
    int: () => 0,
    float: () => 0,
  };
}

describe("generateId", () => {
  it("is 20 characters of base64url", () => {
    const random = createCryptoRandom();
    for (let i = 0; i < 1000; i++) assert.match(generateId(random), /^[A-Za-z0-9_-]{20}$/);
  });

  it("never starts with a hyphen, which the command line would read as an option: such a draw is drawn again", () => {
    // 0xF8 is 111110 00 in bits: base64url's 62nd letter, "-", comes first.
    const hyphenFirst = Buffer.alloc(15, 0xf8);
    assert.ok(hyphenFirst.toString("base64url").startsWith("-"));
    const fine = Buffer.alloc(15, 0x41);
    assert.equal(generateId(scriptedRandom(hyphenFirst, fine)), fine.toString("base64url"));
    const random = createCryptoRandom();
    for (let i = 0; i < 5000; i++) assert.ok(!generateId(random).startsWith("-"));
  });
});

describe("sha256Hex", () => {
  it("gives the standard's digests, the same for a string and its UTF-8 bytes", () => {
    // FIPS 180-2's examples: "abc" and the empty message.
    assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(sha256Hex(Buffer.from("abc")), sha256Hex("abc"));
    assert.equal(sha256Hex("é"), sha256Hex(Buffer.from("é", "utf8")));
  });
});
