// Randomness as an injected dependency: cryptographic in production, seeded and repeatable where a
// result must be reproduced (the same CAPTCHA audio on every replay) or in tests.
import { hash, randomBytes, randomFillSync, randomInt } from "node:crypto";

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
  // Floats come from a small buffer refilled from the CSPRNG: one system call per 682 floats instead of one
  // each (a CAPTCHA picture draws about a hundred).
  const pool = Buffer.alloc(4092);
  let offset = pool.length;
  return {
    bytes: (n) => randomBytes(n),
    int: (maxExclusive) => randomInt(maxExclusive),
    float: () => {
      if (offset === pool.length) {
        randomFillSync(pool);
        offset = 0;
      }
      const value = pool.readUIntBE(offset, 6) / 2 ** 48;
      offset += 6;
      return value;
    },
  };
}

/**
 * A deterministic stream derived from `seed` with SHA-256 in counter mode. With a secret seed the output is
 * unpredictable to anyone without it; the same seed always yields the same stream.
 */
export function createSeededRandom(seed: Buffer | string): Random {
  const key = Buffer.isBuffer(seed) ? seed : Buffer.from(seed);
  // Each block hashes the seed followed by the counter in decimal (at most 16 digits below 2^53), written
  // after a copy of the seed: a one-shot hash, without a hash object per block (a clip draws about 280).
  const input = Buffer.alloc(key.length + 16);
  key.copy(input);
  let counter = 0;
  let block = Buffer.alloc(0);
  let offset = 0;
  const next = (): void => {
    const digits = input.write(String(counter++), key.length, "latin1");
    block = hash("sha256", input.subarray(0, key.length + digits), "buffer");
    offset = 0;
  };
  const take = (n: number): Buffer => {
    const out = Buffer.alloc(n);
    let filled = 0;
    while (filled < n) {
      if (offset === block.length) next();
      const count = Math.min(n - filled, block.length - offset);
      block.copy(out, filled, offset, offset + count);
      filled += count;
      offset += count;
    }
    return out;
  };
  const float = (): number => {
    if (block.length - offset < 6) return take(6).readUIntBE(0, 6) / 2 ** 48;
    const value = block.readUIntBE(offset, 6) / 2 ** 48;
    offset += 6;
    return value;
  };
  return {
    bytes: take,
    float,
    int: (maxExclusive) => {
      // Above 2^32 the rejection limit below would be 0 and the loop would never end.
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 2 ** 32) throw new RangeError("maxExclusive must be an integer in 1..2^32");
      // Rejection sampling keeps the distribution uniform.
      const limit = Math.floor(2 ** 32 / maxExclusive) * maxExclusive;
      for (;;) {
        let v: number;
        if (block.length - offset >= 4) {
          v = block.readUInt32BE(offset);
          offset += 4;
        } else v = take(4).readUInt32BE(0);
        if (v < limit) return v % maxExclusive;
      }
    },
  };
}

/** A uniformly distributed number in [min, max) from `random`. */
export function randomBetween(random: Random, min: number, max: number): number {
  return min + (max - min) * random.float();
}
