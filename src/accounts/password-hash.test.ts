import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hash } from "@node-rs/argon2";
import { loadArgon2 } from "./legacy-hashes.ts";
import { createArgon2Hasher } from "./password-hash.ts";

// Cheap parameters keep the suite quick; one test below uses the production ones.
const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const hasher = createArgon2Hasher(CHEAP);
const PASSWORD = "Correct-Horse-Battery-Staple-42";

/** `$argon2id$v=19$m=…,t=…,p=…$salt$hash`, salt and hash in unpadded base64. */
function phcPattern(p: { memoryCost: number; timeCost: number; parallelism: number }): RegExp {
  return new RegExp(`^\\$argon2id\\$v=19\\$m=${p.memoryCost},t=${p.timeCost},p=${p.parallelism}\\$[A-Za-z0-9+/]{16,}\\$[A-Za-z0-9+/]{32,}$`);
}

describe("hashPassword", () => {
  test("produces an argon2id PHC string with the configured parameters", async () => {
    const stored = await hasher.hashPassword(PASSWORD);
    assert.match(stored, phcPattern(CHEAP));
    assert.ok(!stored.includes(PASSWORD), "the password itself is not in the hash");
  });

  test("uses the production parameters m=19456, t=2, p=1 when asked", async () => {
    const production = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
    const stored = await createArgon2Hasher(production).hashPassword(PASSWORD);
    assert.match(stored, phcPattern(production));
  });

  test("salts every hash: the same password hashes differently twice", async () => {
    const [a, b] = await Promise.all([hasher.hashPassword(PASSWORD), hasher.hashPassword(PASSWORD)]);
    assert.notEqual(a, b);
  });
});

describe("verifyPasswordHash", () => {
  test("true for the password, false for another", async () => {
    const stored = await hasher.hashPassword(PASSWORD);
    assert.equal(await hasher.verifyPasswordHash(stored, PASSWORD), true);
    assert.equal(await hasher.verifyPasswordHash(stored, "Correct-Horse-Battery-Staple-43"), false);
    assert.equal(await hasher.verifyPasswordHash(stored, ""), false);
    assert.equal(await hasher.verifyPasswordHash(stored, `${PASSWORD} `), false);
  });

  test("is case-sensitive: the upper-cased or lower-cased password fails", async () => {
    const stored = await hasher.hashPassword(PASSWORD);
    assert.equal(await hasher.verifyPasswordHash(stored, PASSWORD.toUpperCase()), false);
    assert.equal(await hasher.verifyPasswordHash(stored, PASSWORD.toLowerCase()), false);
  });

  test("a hash made with other parameters still verifies", async () => {
    const old = await createArgon2Hasher({ memoryCost: 2048, timeCost: 2, parallelism: 1 }).hashPassword(PASSWORD);
    assert.equal(await hasher.verifyPasswordHash(old, PASSWORD), true);
    assert.equal(await hasher.verifyPasswordHash(old, "wrong"), false);
  });

  test("an unreadable hash answers false instead of throwing", async () => {
    const stored = await hasher.hashPassword(PASSWORD);
    for (const garbage of ["", "not a hash", "$argon2id$v=19$m=1024,t=1,p=1$xx$yy", stored.slice(0, -10), "$2b$10$abcdefghijklmnopqrstuv"]) {
      assert.equal(await hasher.verifyPasswordHash(garbage, PASSWORD), false, JSON.stringify(garbage));
    }
  });
});

describe("verifyDummyPassword", () => {
  test("resolves for any input without throwing", async () => {
    await hasher.verifyDummyPassword(PASSWORD);
    await hasher.verifyDummyPassword("");
    assert.equal(await hasher.verifyDummyPassword("x".repeat(1000)), undefined);
  });
});

describe("the limit on hashes at once", () => {
  /** Runs `work` while counting the argon2 hashes and verifications in flight; answers the most at once. */
  async function mostAtOnce(work: () => Promise<unknown>): Promise<number> {
    const argon2 = loadArgon2() as { hash: (...args: unknown[]) => Promise<string>; verify: (...args: unknown[]) => Promise<boolean> };
    const { hash: realHash, verify: realVerify } = argon2;
    let inFlight = 0;
    let most = 0;
    const counted =
      <T>(real: (...args: unknown[]) => Promise<T>) =>
      async (...args: unknown[]): Promise<T> => {
        most = Math.max(most, ++inFlight);
        try {
          return await real(...args);
        } finally {
          inFlight--;
        }
      };
    argon2.hash = counted(realHash);
    argon2.verify = counted(realVerify);
    try {
      await work();
    } finally {
      argon2.hash = realHash;
      argon2.verify = realVerify;
    }
    return most;
  }

  test("the first sign-ins after a start wait with the dummy hash: never more hashes at once than the limit", async () => {
    const stored = await hasher.hashPassword(PASSWORD);
    // A new hasher has no dummy hash yet: the first verification starts making it.
    const one = createArgon2Hasher(CHEAP, 1);
    const most = await mostAtOnce(() =>
      Promise.all([one.verifyPasswordHash(stored, PASSWORD), one.verifyPasswordHash(stored, PASSWORD), one.verifyDummyPassword(PASSWORD)]),
    );
    assert.equal(most, 1);
    const two = createArgon2Hasher(CHEAP, 2);
    assert.equal(await mostAtOnce(() => Promise.all([1, 2, 3, 4].map(() => two.verifyPasswordHash(stored, PASSWORD)))), 2);
  });
});

describe("needsRehash", () => {
  test("false for a hash with the current parameters", async () => {
    assert.equal(hasher.needsRehash(await hasher.hashPassword(PASSWORD)), false);
  });

  test("true when memory, passes or lanes differ", async () => {
    for (const other of [
      { memoryCost: 2048, timeCost: 1, parallelism: 1 },
      { memoryCost: 1024, timeCost: 2, parallelism: 1 },
      { memoryCost: 1024, timeCost: 1, parallelism: 2 },
    ]) {
      const stored = await createArgon2Hasher(other).hashPassword(PASSWORD);
      assert.equal(hasher.needsRehash(stored), true, JSON.stringify(other));
      assert.equal(createArgon2Hasher(other).needsRehash(stored), false);
    }
  });

  test("true for another argon2 variant with the same parameters", async () => {
    // 1 is Argon2i in @node-rs/argon2's Algorithm enum.
    const argon2i = await hash(PASSWORD, { algorithm: 1, ...CHEAP });
    assert.match(argon2i, /^\$argon2i\$/);
    assert.equal(hasher.needsRehash(argon2i), true);
  });

  test("true for strings that are not argon2 hashes", () => {
    for (const other of ["", "plain", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "5f4dcc3b5aa765d61d8327deb882cf99"]) {
      assert.equal(hasher.needsRehash(other), true, JSON.stringify(other));
    }
  });
});
