import assert from "node:assert/strict";
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { describe, test } from "node:test";
import { hash as hashArgon2 } from "@node-rs/argon2";
import { genSalt, hash as hashBcrypt } from "@node-rs/bcrypt";
import { checkImportedPasswordHash, type ImportedHashFormat, verifyImportedPasswordHash } from "./legacy-hashes.ts";
import { createArgon2Hasher } from "./password-hash.ts";

const PASSWORD = "Correct-Horse-Battery-Staple-42";
const UNICODE_PASSWORD = "pässwörd-Ωmega-日本";
const hasher = createArgon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

// A salt whose base64 contains "+" (0xfb 0xef 0xbe encodes as "++++"), so Passlib's ".", the adapted
// base64 spelling of "+", really is exercised.
const PLUS_SALT = Buffer.concat([Buffer.from([0xfb, 0xef, 0xbe]), randomBytes(13)]);

const b64 = (bytes: Buffer): string => bytes.toString("base64");
const b64Bare = (bytes: Buffer): string => b64(bytes).replace(/=+$/, "");
const ab64 = (bytes: Buffer): string => b64Bare(bytes).replaceAll("+", ".");

interface Sample {
  label: string;
  format: ImportedHashFormat;
  text: string;
}

/** Real hashes of `password` in every accepted text form, made with cheap parameters. */
async function makeSamples(password: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const version of ["2a", "2b", "2y"] as const) {
    samples.push({ label: `bcrypt $${version}$`, format: "bcrypt", text: await hashBcrypt(password, 4, await genSalt(4, version)) });
  }
  samples.push({ label: "Django bcrypt$", format: "bcrypt", text: `bcrypt$${await hashBcrypt(password, 4)}` });

  const scryptKey = scryptSync(password, PLUS_SALT, 32, { N: 2 ** 10, r: 8, p: 1 });
  samples.push({ label: "scrypt PHC, base64 without padding", format: "scrypt", text: `$scrypt$ln=10,r=8,p=1$${b64Bare(PLUS_SALT)}$${b64Bare(scryptKey)}` });
  samples.push({ label: "scrypt PHC, padded base64", format: "scrypt", text: `$scrypt$ln=10,r=8,p=1$${b64(PLUS_SALT)}$${b64(scryptKey)}` });
  samples.push({ label: "scrypt Passlib, adapted base64", format: "scrypt", text: `$scrypt$ln=10,r=8,p=1$${ab64(PLUS_SALT)}$${ab64(scryptKey)}` });
  const scryptP2 = scryptSync(password, PLUS_SALT, 64, { N: 2 ** 8, r: 4, p: 2 });
  samples.push({ label: "scrypt PHC, p=2 and a 64-byte key", format: "scrypt", text: `$scrypt$ln=8,r=4,p=2$${b64Bare(PLUS_SALT)}$${b64Bare(scryptP2)}` });
  const djangoScrypt = scryptSync(password, "Vq3kZ8mW2pLx", 64, { N: 2 ** 10, r: 8, p: 1 });
  samples.push({ label: "Django scrypt$", format: "scrypt", text: `scrypt$1024$Vq3kZ8mW2pLx$8$1$${b64(djangoScrypt)}` });

  const pbkdf2Key = pbkdf2Sync(password, PLUS_SALT, 1000, 32, "sha256");
  samples.push({ label: "PBKDF2 Passlib, adapted base64", format: "pbkdf2-sha256", text: `$pbkdf2-sha256$1000$${ab64(PLUS_SALT)}$${ab64(pbkdf2Key)}` });
  samples.push({ label: "PBKDF2, standard base64", format: "pbkdf2-sha256", text: `$pbkdf2-sha256$1000$${b64Bare(PLUS_SALT)}$${b64(pbkdf2Key)}` });
  const djangoPBKDF2 = pbkdf2Sync(password, "c2FsdHlzYWx0eQ", 1200, 32, "sha256");
  samples.push({ label: "Django pbkdf2_sha256$", format: "pbkdf2-sha256", text: `pbkdf2_sha256$1200$c2FsdHlzYWx0eQ$${b64(djangoPBKDF2)}` });

  // @node-rs/argon2's Algorithm enum: 0 Argon2d, 1 Argon2i, 2 Argon2id; Version 0 is v=16.
  for (const [algorithm, name] of [
    [0, "argon2d"],
    [1, "argon2i"],
    [2, "argon2id"],
  ] as const) {
    samples.push({ label: name, format: "argon2", text: await hashArgon2(password, { algorithm, memoryCost: 1024, timeCost: 1, parallelism: 1 }) });
  }
  samples.push({
    label: "argon2id v=16",
    format: "argon2",
    text: await hashArgon2(password, { algorithm: 2, version: 0, memoryCost: 1024, timeCost: 2, parallelism: 2 }),
  });
  samples.push({
    label: "Django argon2$",
    format: "argon2",
    text: `argon2${await hashArgon2(password, { algorithm: 2, memoryCost: 1024, timeCost: 1, parallelism: 1 })}`,
  });
  return samples;
}

describe("checkImportedPasswordHash", () => {
  test("accepts every supported text form and names its format", async () => {
    for (const sample of await makeSamples(PASSWORD)) {
      const checked = checkImportedPasswordHash(sample.text);
      assert.ok(checked.ok, `${sample.label}: ${checked.ok ? "" : checked.reason}`);
      assert.equal(checked.format, sample.format, sample.label);
    }
  });

  test("stores Django's prefixed bcrypt and argon2 strings in their standard form", async () => {
    const bcrypt = await hashBcrypt(PASSWORD, 4);
    assert.deepEqual(checkImportedPasswordHash(`bcrypt$${bcrypt}`), { ok: true, format: "bcrypt", passwordHash: bcrypt });
    const argon2 = await hashArgon2(PASSWORD, { algorithm: 2, memoryCost: 1024, timeCost: 1 });
    assert.deepEqual(checkImportedPasswordHash(`argon2${argon2}`), { ok: true, format: "argon2", passwordHash: argon2 });
  });

  test("refuses unknown formats and malformed strings with a reason", async () => {
    const bcrypt = await hashBcrypt(PASSWORD, 4);
    const key = b64Bare(randomBytes(32));
    const salt = b64Bare(randomBytes(16));
    const cases: Array<[string, RegExp]> = [
      ["", /unknown password hash format/],
      ["5f4dcc3b5aa765d61d8327deb882cf99", /unknown password hash format/],
      ["{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", /unknown password hash format/],
      ["$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0", /unknown password hash format/],
      ["$2x$04$" + bcrypt.slice(7), /unknown password hash format/],
      ["bcrypt_sha256$$2b$12$abc", /unknown password hash format/],
      [bcrypt.slice(0, -1), /bcrypt: malformed/],
      [`${bcrypt}x`, /bcrypt: malformed/],
      ["$scrypt$ln=10,r=8$abc$def", /scrypt: malformed/],
      [`$scrypt$ln=10,r=8,p=1$${salt}$not*base64`, /scrypt: the hash part is not base64/],
      [`$scrypt$ln=10,r=8,p=1$${salt}.+/$${key}`, /scrypt: the salt is not base64/],
      [`$scrypt$ln=10,r=8,p=1$${salt}$${b64Bare(randomBytes(8))}`, /scrypt: the hash part is 8 bytes/],
      [`scrypt$1000$abc$8$1$${key}`, /scrypt: N = 1000 is not a power of two/],
      [`$pbkdf2-sha256$i=1000$${salt}$${key}`, /PBKDF2: malformed/],
      [`$pbkdf2-sha256$0$${salt}$${key}`, /PBKDF2: 0 iterations/],
      [`pbkdf2_sha256$1000$sa$lt$${key}`, /PBKDF2: malformed/],
      [`$argon2id$v=19$m=1024,t=1$${salt}$${key}`, /argon2: malformed/],
      [`$argon2id$v=18$m=1024,t=1,p=1$${salt}$${key}`, /argon2: malformed/],
      [`$argon2id$v=19$m=1024,t=1,p=1$${b64Bare(randomBytes(4))}$${key}`, /argon2: the salt/],
      [`$argon2id$v=19$m=1024,t=1,p=1,keyid=abc$${salt}$${key}`, /argon2: malformed/],
      ["x".repeat(3000), /longer than 2048/],
    ];
    for (const [text, reason] of cases) {
      const checked = checkImportedPasswordHash(text);
      assert.equal(checked.ok, false, text);
      if (!checked.ok) assert.match(checked.reason, reason, text);
    }
  });

  test("refuses parameters beyond the limits, so an imported hash cannot make sign-in expensive", async () => {
    const bcrypt = await hashBcrypt(PASSWORD, 4);
    const key = b64Bare(randomBytes(32));
    const salt = b64Bare(randomBytes(16));
    const cases: Array<[string, RegExp]> = [
      [bcrypt.replace("$04$", "$16$"), /bcrypt: cost 16 is outside 4–15/],
      [bcrypt.replace("$04$", "$31$"), /bcrypt: cost 31/],
      [bcrypt.replace("$04$", "$03$"), /bcrypt: cost 3/],
      [`$scrypt$ln=21,r=1,p=1$${salt}$${key}`, /scrypt: N = 2\^21 is outside/],
      [`$scrypt$ln=14,r=17,p=1$${salt}$${key}`, /scrypt: r = 17 is outside 1–16/],
      [`$scrypt$ln=14,r=8,p=5$${salt}$${key}`, /scrypt: p = 5 is outside 1–4/],
      [`$scrypt$ln=18,r=8,p=1$${salt}$${key}`, /scrypt: N = 2\^18 with r = 8 needs more than 128 MiB/],
      [`$scrypt$ln=14,r=8,p=1$${salt}$${b64Bare(randomBytes(65))}`, /scrypt: the hash part is 65 bytes/],
      [`$scrypt$ln=14,r=8,p=1$${b64Bare(randomBytes(1025))}$${key}`, /scrypt: the salt must be 1–1024 bytes/],
      [`scrypt$2097152$abc$1$1$${key}`, /scrypt: N = 2\^21/],
      [`$pbkdf2-sha256$10000001$${salt}$${key}`, /PBKDF2: 10000001 iterations are outside 1–10,000,000/],
      [`pbkdf2_sha256$999999999$abc$${key}`, /PBKDF2: 999999999 iterations/],
      [`$argon2id$v=19$m=262145,t=1,p=1$${salt}$${key}`, /argon2: m = 262145 KiB is outside/],
      [`$argon2id$v=19$m=65536,t=17,p=1$${salt}$${key}`, /argon2: t = 17 is outside 1–16/],
      [`$argon2id$v=19$m=65536,t=1,p=17$${salt}$${key}`, /argon2: p = 17 is outside/],
      [`$argon2id$v=19$m=262144,t=5,p=1$${salt}$${key}`, /argon2: m × t = 1310720 is over/],
      [`$argon2id$v=19$m=1024,t=1,p=1$${salt}$${b64Bare(randomBytes(8))}`, /argon2: the hash part is 8 bytes/],
    ];
    for (const [text, reason] of cases) {
      const checked = checkImportedPasswordHash(text);
      assert.equal(checked.ok, false, text);
      if (!checked.ok) assert.match(checked.reason, reason, text);
    }
  });

  test("accepts hashes at the limits", () => {
    const key = b64Bare(randomBytes(64));
    const salt = b64Bare(randomBytes(16));
    for (const text of [
      `$scrypt$ln=20,r=1,p=4$${salt}$${key}`,
      `$scrypt$ln=17,r=8,p=1$${salt}$${key}`,
      `$pbkdf2-sha256$10000000$${salt}$${key}`,
      `$argon2id$v=19$m=262144,t=4,p=16$${salt}$${key}`,
      `$argon2i$m=65536,t=16,p=1$${salt}$${key}`,
    ]) {
      assert.equal(checkImportedPasswordHash(text).ok, true, text);
    }
  });
});

describe("verifyImportedPasswordHash", () => {
  test("true for the right password, false for a wrong or case-changed one, in every form", async () => {
    for (const sample of await makeSamples(PASSWORD)) {
      assert.equal(await verifyImportedPasswordHash(sample.text, PASSWORD), true, sample.label);
      assert.equal(await verifyImportedPasswordHash(sample.text, "Correct-Horse-Battery-Staple-43"), false, sample.label);
      assert.equal(await verifyImportedPasswordHash(sample.text, PASSWORD.toLowerCase()), false, `${sample.label}, lower case`);
      assert.equal(await verifyImportedPasswordHash(sample.text, PASSWORD.toUpperCase()), false, `${sample.label}, upper case`);
      assert.equal(await verifyImportedPasswordHash(sample.text, ""), false, `${sample.label}, empty`);
    }
  });

  test("verifies Passlib's published test vectors, so its real output is read correctly", async () => {
    // From Passlib's own test suite and documentation (password "password", and a Greek one).
    const vectors: Array<[string, string]> = [
      ["password", "$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ"],
      ["\u0399\u03c9\u03b1\u03bd\u03bd\u03b7\u03c2", "$pbkdf2-sha256$1212$3SABFJGDtyhrQMVt1uABPw$WyaUoqCLgvz97s523nF4iuOqZNbp5Nt8do/cuaa7AiI"],
      ["password", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD.iCs5E"],
    ];
    for (const [password, text] of vectors) {
      assert.equal(await verifyImportedPasswordHash(text, password), true, text);
      assert.equal(await verifyImportedPasswordHash(text, "Password"), false, text);
    }
  });

  test("a password outside ASCII verifies as its UTF-8 bytes", async () => {
    for (const sample of await makeSamples(UNICODE_PASSWORD)) {
      assert.equal(await verifyImportedPasswordHash(sample.text, UNICODE_PASSWORD), true, sample.label);
      assert.equal(await verifyImportedPasswordHash(sample.text, UNICODE_PASSWORD.normalize("NFD")), false, `${sample.label}, decomposed`);
    }
  });

  test("garbage answers false instead of throwing", async () => {
    const bcrypt = await hashBcrypt(PASSWORD, 4);
    for (const garbage of [
      "",
      "garbage",
      "$",
      "$$$$",
      "$2b$04$",
      bcrypt.slice(0, -3),
      "$scrypt$ln=10,r=8,p=1$$",
      "$pbkdf2-sha256$1000$%%%$***",
      "pbkdf2_sha256$$$",
      "$argon2id$v=19$m=1024,t=1,p=1$xx$yy",
      "\u0000\uffff",
    ]) {
      assert.equal(await verifyImportedPasswordHash(garbage, PASSWORD), false, JSON.stringify(garbage));
    }
  });

  test("never computes a hash beyond the limits: a bcrypt cost of 31 answers false at once", async () => {
    const bcrypt = await hashBcrypt(PASSWORD, 4);
    const started = Date.now();
    assert.equal(await verifyImportedPasswordHash(bcrypt.replace("$04$", "$31$"), PASSWORD), false);
    const key = b64Bare(randomBytes(32));
    assert.equal(await verifyImportedPasswordHash(`$pbkdf2-sha256$999999999$${b64Bare(PLUS_SALT)}$${key}`, PASSWORD), false);
    assert.equal(await verifyImportedPasswordHash(`$scrypt$ln=20,r=16,p=4$${b64Bare(PLUS_SALT)}$${key}`, PASSWORD), false);
    assert.ok(Date.now() - started < 1000, "answered without computing");
  });
});

describe("createArgon2Hasher with imported hashes", () => {
  test("verifyPasswordHash accepts every imported format and needsRehash asks to replace each", async () => {
    // Other parameters than the samples' argon2 ones, as a real server has.
    const serverHasher = createArgon2Hasher({ memoryCost: 2048, timeCost: 2, parallelism: 1 });
    for (const sample of await makeSamples(PASSWORD)) {
      const checked = checkImportedPasswordHash(sample.text);
      assert.ok(checked.ok, sample.label);
      assert.equal(await serverHasher.verifyPasswordHash(checked.passwordHash, PASSWORD), true, sample.label);
      assert.equal(await serverHasher.verifyPasswordHash(checked.passwordHash, PASSWORD.toUpperCase()), false, sample.label);
      assert.equal(serverHasher.needsRehash(checked.passwordHash), true, sample.label);
    }
  });

  test("needsRehash is true for argon2id v=16 with the current parameters, false for its own hashes", async () => {
    const v16 = await hashArgon2(PASSWORD, { algorithm: 2, version: 0, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    assert.match(v16, /^\$argon2id\$v=16\$m=1024,t=1,p=1\$/);
    assert.equal(hasher.needsRehash(v16), true);
    const upgraded = await hasher.hashPassword(PASSWORD);
    assert.equal(hasher.needsRehash(upgraded), false);
    assert.equal(await hasher.verifyPasswordHash(upgraded, PASSWORD), true);
  });
});
