import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { constantTimeEqual, sha256Hex } from "../lib/crypto.ts";
import { createCryptoRandom, createSeededRandom } from "../lib/random.ts";
import { generateSessionToken, parseSessionToken, sessionSecretMatches } from "./session-token.ts";

describe("generateSessionToken", () => {
  test("is `id.secret`: a 20-character id and a 43-character base64url secret", () => {
    const { token, id } = generateSessionToken(createCryptoRandom());
    assert.match(token, /^[A-Za-z0-9_-]{20}\.[A-Za-z0-9_-]{43}$/);
    assert.equal(token.split(".")[0], id);
  });

  test("the secret carries 256 random bits", () => {
    const { token } = generateSessionToken(createCryptoRandom());
    const secret = token.split(".")[1] as string;
    assert.equal(Buffer.from(secret, "base64url").length, 32);
  });

  test("takes its bytes from the injected randomness", () => {
    const a = generateSessionToken(createSeededRandom("seed"));
    const b = generateSessionToken(createSeededRandom("seed"));
    const c = generateSessionToken(createSeededRandom("other seed"));
    assert.equal(a.token, b.token);
    assert.notEqual(a.token, c.token);
  });

  test("tokens do not repeat", () => {
    const random = createCryptoRandom();
    const tokens = new Set(Array.from({ length: 200 }, () => generateSessionToken(random).token));
    assert.equal(tokens.size, 200);
  });

  test("only the SHA-256 of the secret is kept next to the id", () => {
    const generated = generateSessionToken(createCryptoRandom());
    const secret = generated.token.split(".")[1] as string;
    assert.equal(generated.secretHash, sha256Hex(secret));
    assert.match(generated.secretHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(generated).sort(), ["id", "secretHash", "token"]);
    // Nothing but the token itself holds the secret.
    assert.ok(!generated.id.includes(secret));
    assert.ok(!generated.secretHash.includes(secret));
  });
});

describe("parseSessionToken", () => {
  test("splits a generated token into id and secret", () => {
    const generated = generateSessionToken(createCryptoRandom());
    const parsed = parseSessionToken(generated.token);
    assert.deepEqual(parsed, { id: generated.id, secret: generated.token.split(".")[1] });
  });

  test("refuses malformed tokens", () => {
    const good = generateSessionToken(createSeededRandom("x")).token;
    const [id, secret] = good.split(".") as [string, string];
    const bad = [
      "",
      ".",
      id,
      secret,
      `${id}${secret}`,
      `${id}.${secret}.`,
      `${id}..${secret}`,
      `${id.slice(1)}.${secret}`,
      `${id}x.${secret}`,
      `${id}.${secret.slice(1)}`,
      `${id}.${secret}x`,
      `${id}.${secret.slice(0, -1)}=`,
      `${id}.${secret.slice(0, -1)}+`,
      `${id.slice(0, -1)}/.${secret}`,
      ` ${good}`,
      `${good} `,
      `${good}\n`,
      `${id}.${secret.slice(0, -1)}é`,
    ];
    for (const token of bad) assert.equal(parseSessionToken(token), null, JSON.stringify(token));
  });

  test("refuses over-long input before looking at it", () => {
    const good = generateSessionToken(createSeededRandom("x")).token;
    assert.equal(parseSessionToken(good.repeat(4)), null);
    assert.equal(parseSessionToken(`${good}${"a".repeat(200)}`), null);
    assert.equal(parseSessionToken("a".repeat(100_000)), null);
  });
});

describe("sessionSecretMatches", () => {
  test("true only for the secret whose hash is stored", () => {
    const generated = generateSessionToken(createCryptoRandom());
    const secret = generated.token.split(".")[1] as string;
    assert.equal(sessionSecretMatches(secret, generated.secretHash), true);
    const other = generateSessionToken(createCryptoRandom()).token.split(".")[1] as string;
    assert.equal(sessionSecretMatches(other, generated.secretHash), false);
    assert.equal(sessionSecretMatches(secret, generated.secretHash.toUpperCase()), false);
    assert.equal(sessionSecretMatches(secret, generated.secretHash.slice(1)), false);
    assert.equal(sessionSecretMatches(secret, ""), false);
    // The stored hash is never accepted as the secret.
    assert.equal(sessionSecretMatches(generated.secretHash, generated.secretHash), false);
  });
});

describe("constantTimeEqual", () => {
  test("true for equal strings, including empty ones", () => {
    assert.equal(constantTimeEqual("abc", "abc"), true);
    assert.equal(constantTimeEqual("", ""), true);
    assert.equal(constantTimeEqual("ünïcode ✓", "ünïcode ✓"), true);
  });

  test("false for different strings of the same length", () => {
    assert.equal(constantTimeEqual("abc", "abd"), false);
    assert.equal(constantTimeEqual("abc", "ABC"), false);
  });

  test("false for different lengths, without throwing", () => {
    assert.equal(constantTimeEqual("abc", "abcd"), false);
    assert.equal(constantTimeEqual("", "a"), false);
    assert.equal(constantTimeEqual("a".repeat(64), "a".repeat(63)), false);
  });

  test("compares bytes: strings with the same UTF-16 length but different UTF-8 differ", () => {
    assert.equal("é".length, "e".length);
    assert.equal(constantTimeEqual("é", "e"), false);
  });
});
