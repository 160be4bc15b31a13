import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { extendPackedHash, PACKED_HASH_START, packedHash, packWords, rankedDictionaryOf, rankProbeOf } from "./packed-dictionary.ts";

/** A packed dictionary of `words`, as the estimator builds it. */
function packRankedDictionary(words: readonly (string | number)[]): ReturnType<typeof rankedDictionaryOf> {
  return rankedDictionaryOf(packWords(words));
}

const require = createRequire(import.meta.url);

/** zxcvbn-ts's own ranked dictionary: word to its place in the list, from 1; a repeated word keeps its last place. */
function objectRanks(words: readonly (string | number)[]): Record<string, number> {
  const ranks: Record<string, number> = {};
  words.forEach((word, index) => {
    ranks[String(word)] = index + 1;
  });
  return ranks;
}

describe("packed ranked dictionaries", () => {
  it("give every word of the real common, English and Arabic lists the rank zxcvbn-ts gives it", () => {
    const packages = ["@zxcvbn-ts/language-common", "@zxcvbn-ts/language-en", "@zxcvbn-ts/language-ar"];
    let checked = 0;
    for (const name of packages) {
      const { dictionary } = require(name) as { dictionary: Record<string, (string | number)[]> };
      for (const [list, words] of Object.entries(dictionary)) {
        const { ranks, maxWordSize } = packRankedDictionary(words);
        const expected = objectRanks(words);
        const probe = rankProbeOf(ranks);
        assert.ok(probe, list);
        for (const [word, rank] of Object.entries(expected)) {
          assert.equal(ranks[word], rank, `${list}: ${word}`);
          assert.equal(probe(`<${word}>`, 1, word.length + 1, packedHash(word, 0, word.length)), rank, `${list}: ${word} (direct lookup)`);
        }
        assert.equal(maxWordSize, Math.max(...words.map((word) => String(word).length)), list);
        checked += Object.keys(expected).length;
      }
    }
    assert.ok(checked > 230_000, `only ${checked} words checked`);
  });

  it("answer undefined for words not listed, prefixes, longer words and case variants", () => {
    const { ranks } = packRankedDictionary(["password", "dragon", 123456, "pass", "straße"]);
    assert.equal(ranks.password, 1);
    assert.equal(ranks["123456"], 3);
    assert.equal(ranks["straße"], 5);
    const probe = rankProbeOf(ranks);
    for (const missing of ["passwor", "passwords", "Password", "drag", "", "12345", "strasse", "constructor", "__proto__", "toString"]) {
      assert.equal(ranks[missing], undefined, missing);
      assert.equal(missing in ranks, false, missing);
      assert.equal(probe?.(missing, 0, missing.length, packedHash(missing, 0, missing.length)), undefined, missing);
    }
    assert.equal("dragon" in ranks, true);
    // A word inside a longer text, hashed one code unit at a time as the matcher does.
    let hash = PACKED_HASH_START;
    for (const char of "dragon") hash = extendPackedHash(hash, char.charCodeAt(0));
    assert.equal(probe?.("a dragon!", 2, 8, hash), 2);
    assert.equal(probe?.("a dragon!", 2, 7, hash), undefined);
    // Only a packed dictionary's ranks have a direct lookup.
    assert.equal(rankProbeOf({ password: 1 }), undefined);
  });

  it("keep the last place of a word listed twice, as zxcvbn-ts does", () => {
    const words = ["alpha", "beta", "alpha", "gamma"];
    const { ranks } = packRankedDictionary(words);
    assert.equal(ranks.alpha, objectRanks(words).alpha);
    assert.equal(ranks.alpha, 3);
    assert.equal(ranks.gamma, 4);
  });

  it("cannot be changed", () => {
    const { ranks } = packRankedDictionary(["alpha"]);
    assert.throws(() => {
      (ranks as Record<string, number>).alpha = 9;
    }, TypeError);
    assert.equal(ranks.alpha, 1);
  });
});
