import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type PackedWords, packedHash, rankedDictionaryOf, rankProbeOf } from "./packed-dictionary.ts";
import {
  fitsInLatin1,
  loadStrengthLanguage,
  packStrengthLanguage,
  readStrengthLanguageFile,
  STRENGTH_DICTIONARY_DIR,
  type StrengthLanguage,
  writeStrengthLanguageFile,
} from "./strength-dictionaries.ts";

/** The header of a prebuilt file, and where its sections start. */
function readHeader(path: string): { header: Record<string, unknown>; bytes: Buffer } {
  const bytes = readFileSync(path);
  const length = bytes.readUInt32LE(4);
  return { header: JSON.parse(bytes.toString("utf8", 8, 8 + length)), bytes };
}

/** Writes `bytes` with its header replaced by `header` (the same length or shorter, padded with spaces). */
function withHeader(bytes: Buffer, header: Record<string, unknown>): Buffer {
  const length = bytes.readUInt32LE(4);
  const text = JSON.stringify(header);
  assert.ok(Buffer.byteLength(text) <= length, "the changed header must not be longer");
  const out = Buffer.from(bytes);
  out.write(text.padEnd(length, " "), 8, "utf8");
  return out;
}

describe("prebuilt password dictionaries", () => {
  let dir: string;
  let english: StrengthLanguage;
  let arabic: StrengthLanguage;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-dictionaries-"));
    english = packStrengthLanguage("en");
    arabic = packStrengthLanguage("ar");
    writeStrengthLanguageFile(dir, "en", english);
    writeStrengthLanguageFile(dir, "ar", arabic);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("read back exactly as packed from the packages: every list, the advice and the keyboard layouts", () => {
    for (const [locale, packed] of [
      ["en", english],
      ["ar", arabic],
    ] as const) {
      const read = readStrengthLanguageFile(dir, locale);
      assert.ok(read, locale);
      assert.deepEqual(Object.keys(read.lists), Object.keys(packed.lists), locale);
      for (const [name, words] of Object.entries(packed.lists)) {
        const from: PackedWords | undefined = read.lists[name];
        assert.ok(from, name);
        assert.equal(from.letters, words.letters, name);
        assert.deepEqual(from.starts, words.starts, name);
        assert.deepEqual(from.slots, words.slots, name);
        assert.equal(from.maxWordSize, words.maxWordSize, name);
      }
      assert.deepEqual(read.translations, packed.translations, locale);
      assert.deepEqual(read.graphs, packed.graphs, locale);
    }
    // English has the common passwords and the keyboard layouts; English's common words have letters past
    // Latin-1 (written in two bytes each), its passwords none (one byte each).
    assert.ok(english.lists["passwords-common"] && english.graphs?.qwerty);
    assert.equal(arabic.graphs, undefined);
    assert.equal(fitsInLatin1(english.lists["commonWords-en"]?.letters ?? ""), false);
    assert.equal(fitsInLatin1(english.lists["passwords-common"]?.letters ?? "\u0100"), true);
  });

  it("look words up with the ranks of the packages' lists", () => {
    const read = readStrengthLanguageFile(dir, "en");
    const passwords = read?.lists["passwords-common"];
    assert.ok(passwords);
    const { ranks } = rankedDictionaryOf(passwords);
    assert.equal(ranks["123456"], 1);
    assert.equal(ranks.password, 2);
    assert.equal(ranks["not-a-listed-password-at-all"], undefined);
    const probe = rankProbeOf(ranks);
    assert.equal(probe?.("xxpasswordxx", 2, 10, packedHash("password", 0, 8)), 2);
  });

  it("are ignored when missing, from other package versions, another format, damaged or cut short", () => {
    const path = join(dir, "en.bin");
    const good = readFileSync(path);
    const { header } = readHeader(path);
    const damaged = (name: string, bytes: Buffer): void => {
      writeFileSync(path, bytes);
      try {
        assert.equal(readStrengthLanguageFile(dir, "en"), null, name);
        // The estimator then packs the packages instead.
        assert.equal(loadStrengthLanguage("en", dir).from, "packages", name);
      } finally {
        writeFileSync(path, good);
      }
    };
    assert.equal(readStrengthLanguageFile(dir, "fr"), null, "missing");
    assert.equal(readStrengthLanguageFile(join(dir, "nowhere"), "en"), null, "no folder");
    const sources = header.sources as Record<string, string>;
    damaged("another version", withHeader(good, { ...header, sources: { ...sources, "@zxcvbn-ts/language-en": "0.0.1" } }));
    damaged("another format", withHeader(good, { ...header, format: 0 }));
    damaged("not a dictionary file", Buffer.concat([Buffer.from("XXXX"), good.subarray(4)]));
    damaged("cut short", good.subarray(0, good.length - 100));
    damaged("empty", Buffer.alloc(0));
    damaged("header not JSON", withHeader(good, {}).fill(0x7b, 8, 20));

    // A hash table with no empty slot would make a lookup of an unlisted word go round for ever; one with a
    // word number past the list would read outside it.
    const lists = header.lists as { name: string; slots: { at: number; bytes: number } }[];
    const diceware = lists.find((list) => list.name === "diceware-common");
    assert.ok(diceware);
    const lead = 8 + good.readUInt32LE(4);
    const base = lead + ((8 - (lead % 8)) % 8);
    const full = Buffer.from(good);
    for (let at = base + diceware.slots.at; at < base + diceware.slots.at + diceware.slots.bytes; at += 4) full.writeUInt32LE(1, at);
    damaged("a full hash table", full);
    const pastTheEnd = Buffer.from(good);
    pastTheEnd.writeUInt32LE(0xffffff, base + diceware.slots.at + diceware.slots.bytes - 4);
    pastTheEnd.writeUInt32LE(0xffffff, base + diceware.slots.at);
    damaged("a word number past the list", pastTheEnd);
    // The good file still reads.
    assert.equal(loadStrengthLanguage("en", dir).from, "file");
  });

  it("are written by the build for every language, and match the installed packages", () => {
    for (const locale of ["en", "de", "fr", "es", "ar"] as const) {
      assert.equal(loadStrengthLanguage(locale, STRENGTH_DICTIONARY_DIR).from, "file", `${locale}: run npm run build`);
    }
  });
});
