// Password hashing with argon2id (@node-rs/argon2 runs it on its own threads, off the event loop).
import { randomBytes } from "node:crypto";
import { hash, hashSync, parseOptions, verify } from "@node-rs/argon2";

// @node-rs/argon2 declares Algorithm as a const enum, which isolated modules cannot import: 2 is Argon2id.
const ARGON2ID = 2;

export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  /** True when `password` matches `passwordHash`; false for a mismatch or an unreadable hash. */
  verifyPasswordHash(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends the time of one verification against a hash nobody owns. Called when an account is missing,
   * so that timing does not reveal which identifiers exist.
   */
  verifyDummyPassword(password: string): Promise<void>;
  /** True when the hash was made with other parameters than the current ones. */
  needsRehash(passwordHash: string): boolean;
}

export function createArgon2Hasher(parameters: Argon2Parameters): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: parameters.memoryCost, timeCost: parameters.timeCost, parallelism: parameters.parallelism };
  const dummyHash = hashSync(randomBytes(32).toString("base64url"), options);
  return {
    hashPassword: (password) => hash(password, options),
    async verifyPasswordHash(passwordHash, password) {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
    async verifyDummyPassword(password) {
      await verify(dummyHash, password).catch(() => false);
    },
    needsRehash(passwordHash) {
      try {
        const used = parseOptions(passwordHash);
        return (
          (used.algorithm as number) !== ARGON2ID ||
          used.memoryCost !== parameters.memoryCost ||
          used.timeCost !== parameters.timeCost ||
          used.parallelism !== parameters.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
