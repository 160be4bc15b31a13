import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkNewPassword,
  countCodePoints,
  normalizePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordPolicyResult,
  userInputsFrom,
} from "./password-policy.ts";

const EMAIL = "maria.gonzalez@example.com";
const PHONE = "+447700900123";
const STRONG = "Correct-Horse-Battery-Staple-42";

/** The context registration uses: the account's identifier and the default minimum score. */
const context = { identifiers: [EMAIL], minScore: 3 };
/** Any strength accepted, to test the length rules on their own. */
const lengthOnly = { identifiers: [], minScore: 0 };

function accepted(result: PasswordPolicyResult): string {
  assert.ok(result.ok, `refused with ${result.ok ? "" : result.code}`);
  return result.password;
}

function refusedWith(result: PasswordPolicyResult): string {
  assert.equal(result.ok, false, "expected a refusal");
  return result.ok ? "" : result.code;
}

describe("checkNewPassword: NFKC", () => {
  test("full-width characters equal their ASCII forms", async () => {
    const fullWidth = "Ｃｏｒｒｅｃｔ-Ｈｏｒｓｅ-Ｂａｔｔｅｒｙ-Ｓｔａｐｌｅ-４２";
    assert.notEqual(fullWidth, STRONG);
    assert.equal(accepted(await checkNewPassword(fullWidth, context)), STRONG);
    assert.equal(accepted(await checkNewPassword(fullWidth, context)), accepted(await checkNewPassword(STRONG, context)));
  });

  test("decomposed and precomposed accents give the same password", async () => {
    const composed = "Caf\u00e9-Wobble-Quarry-Lantern";
    const decomposed = "Cafe\u0301-Wobble-Quarry-Lantern";
    assert.notEqual(composed, decomposed);
    const a = accepted(await checkNewPassword(composed, context));
    const b = accepted(await checkNewPassword(decomposed, context));
    assert.equal(a, b);
    assert.equal(a, composed);
  });

  test("normalizePassword is NFKC and leaves ASCII alone", async () => {
    assert.equal(normalizePassword("ﬁve"), "five");
    assert.equal(normalizePassword("Ⅸ"), "IX");
    assert.equal(normalizePassword(STRONG), STRONG);
  });
});

describe("checkNewPassword: length in code points", () => {
  test("an empty password is PASSWORD_REQUIRED", async () => {
    assert.equal(refusedWith(await checkNewPassword("", context)), "PASSWORD_REQUIRED");
  });

  test("7 code points are too short, 8 are enough", async () => {
    assert.equal(PASSWORD_MIN_LENGTH, 8);
    assert.equal(refusedWith(await checkNewPassword("xK9#mQ2", lengthOnly)), "PASSWORD_TOO_SHORT");
    assert.equal(accepted(await checkNewPassword("xK9#mQ2v", lengthOnly)), "xK9#mQ2v");
  });

  test("an emoji counts once, though it is two UTF-16 units", async () => {
    const sevenEmoji = "🐴🦄🐙🦊🐝🦉🐢";
    assert.equal(sevenEmoji.length, 14);
    assert.equal(countCodePoints(sevenEmoji), 7);
    assert.equal(refusedWith(await checkNewPassword(sevenEmoji, lengthOnly)), "PASSWORD_TOO_SHORT");
    assert.equal(accepted(await checkNewPassword(`${sevenEmoji}🦀`, lengthOnly)), `${sevenEmoji}🦀`);
  });

  test("length is counted after NFKC: combining accents that compose do not add length", async () => {
    const decomposed = "e\u0301".repeat(7);
    assert.equal(countCodePoints(decomposed), 14);
    assert.equal(refusedWith(await checkNewPassword(decomposed, lengthOnly)), "PASSWORD_TOO_SHORT");
  });

  test("128 code points are allowed, 129 are too long, even as emoji", async () => {
    assert.equal(PASSWORD_MAX_LENGTH, 128);
    const emoji128 = "🐙".repeat(128);
    assert.equal(emoji128.length, 256);
    assert.equal(accepted(await checkNewPassword(emoji128, lengthOnly)), emoji128);
    assert.equal(refusedWith(await checkNewPassword("🐙".repeat(129), lengthOnly)), "PASSWORD_TOO_LONG");
    assert.equal(refusedWith(await checkNewPassword("a".repeat(129), lengthOnly)), "PASSWORD_TOO_LONG");
  });
});

describe("checkNewPassword: strength", () => {
  for (const weak of ["password1", "Password123!", "qwertyuiop", "Summer2024!", "iloveyou2024", "abcdefgh", "12345678901"]) {
    test(`${JSON.stringify(weak)} is PASSWORD_TOO_WEAK`, async () => {
      const result = await checkNewPassword(weak, context);
      assert.equal(refusedWith(result), "PASSWORD_TOO_WEAK");
      assert.ok(!result.ok && Array.isArray(result.suggestions) && result.suggestions.length > 0, "comes with suggestions");
    });
  }

  for (const strong of [STRONG, "correct horse battery staple", "tangerine wobble quarry lantern", "🐴🦄🐙🦊🐝🦉🐢🦀"]) {
    test(`${JSON.stringify(strong)} is accepted`, async () => {
      assert.equal(accepted(await checkNewPassword(strong, context)), strong);
    });
  }

  test("a lower minimum score accepts what the default refuses", async () => {
    assert.equal(refusedWith(await checkNewPassword("Summer2024!", context)), "PASSWORD_TOO_WEAK");
    assert.equal(accepted(await checkNewPassword("Summer2024!", { identifiers: [EMAIL], minScore: 0 })), "Summer2024!");
  });
});

describe("checkNewPassword: the person's own identifier", () => {
  test("containing the e-mail local part is PASSWORD_CONTAINS_IDENTIFIER, in any case", async () => {
    assert.equal(refusedWith(await checkNewPassword("maria.gonzalez-Rocks-2024!", context)), "PASSWORD_CONTAINS_IDENTIFIER");
    assert.equal(refusedWith(await checkNewPassword("Zebra-MARIA.GONZALEZ-quarry", context)), "PASSWORD_CONTAINS_IDENTIFIER");
    assert.equal(refusedWith(await checkNewPassword(`x-${EMAIL}-y`, context)), "PASSWORD_CONTAINS_IDENTIFIER");
  });

  test("containing the phone number's digits is PASSWORD_CONTAINS_IDENTIFIER", async () => {
    const phone = { identifiers: [PHONE], minScore: 3 };
    assert.equal(refusedWith(await checkNewPassword("Zebra447700900123!", phone)), "PASSWORD_CONTAINS_IDENTIFIER");
    assert.equal(refusedWith(await checkNewPassword("Zebra+447700900123!", phone)), "PASSWORD_CONTAINS_IDENTIFIER");
    // The same password is fine for someone else.
    assert.equal(accepted(await checkNewPassword("Zebra447700900123!", context)), "Zebra447700900123!");
  });

  test("the identifier check also sees through full-width forms", async () => {
    assert.equal(refusedWith(await checkNewPassword("ｍａｒｉａ.ｇｏｎｚａｌｅｚ-Rocks-2024!", context)), "PASSWORD_CONTAINS_IDENTIFIER");
  });

  test("userInputsFrom splits identifiers into the pieces a guesser tries", async () => {
    const inputs = userInputsFrom([EMAIL, PHONE, "  "]);
    for (const piece of [EMAIL, "maria", "gonzalez", "example", "447700900123", "900123"]) assert.ok(inputs.includes(piece), piece);
    assert.ok(!inputs.includes(""));
    assert.deepEqual(userInputsFrom(["Jo.Smith@ex.io"]), ["jo.smith@ex.io", "smith"], "pieces shorter than 3 characters are dropped");
  });
});

describe("checkNewPassword: case is preserved", () => {
  test("the returned password keeps its case", async () => {
    assert.equal(accepted(await checkNewPassword(STRONG, context)), STRONG);
    assert.equal(accepted(await checkNewPassword(STRONG.toUpperCase(), context)), STRONG.toUpperCase());
    assert.notEqual(STRONG, STRONG.toUpperCase());
  });
});
