// Randomness as an injected dependency: cryptographic in production, seeded and repeatable where a
// result must be reproduced (the same CAPTCHA audio on every replay) or in tests.
import { createHash, randomBytes, randomInt } from "node:crypto";

export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** A uniformly distributed integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A uniformly distributed float in [0, 1). */
  float(): number;
}

/** Randomness from the operating system's CSPRNG. */
export function createCryptoRandom(): Random {
  return {
    bytes: (n) => randomBytes(n),
    int: (maxExclusive) => randomInt(maxExclusive),
    float: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
  };
}

/**
 * A deterministic stream derived from `seed` with SHA-256 in counter mode. With a secret seed the output is
 * unpredictable to anyone without it; the same seed always yields the same stream.
 */
export function createSeededRandom(seed: Buffer | string): Random {
  const key = Buffer.isBuffer(seed) ? seed : Buffer.from(seed);
  let counter = 0;
  let pool = Buffer.alloc(0);
  const take = (n: number): Buffer => {
    while (pool.length < n) {
      const block = createHash("sha256").update(key).update(String(counter++)).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = pool.subarray(0, n);
    pool = pool.subarray(n);
    return Buffer.from(out);
  };
  const float = (): number => take(6).readUIntBE(0, 6) / 2 ** 48;
  return {
    bytes: take,
    float,
    int: (maxExclusive) => {
      // Above 2^32 the rejection limit below would be 0 and the loop would never end.
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 2 ** 32) throw new RangeError("maxExclusive must be an integer in 1..2^32");
      // Rejection sampling keeps the distribution uniform.
      const limit = Math.floor(2 ** 32 / maxExclusive) * maxExclusive;
      for (;;) {
        const v = take(4).readUInt32BE(0);
        if (v < limit) return v % maxExclusive;
      }
    },
  };
}
