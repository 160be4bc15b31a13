// Password hashing with argon2id (@node-rs/argon2 runs it on its own threads, off the event loop). Hashes
// imported from other systems (bcrypt, scrypt, PBKDF2) verify through legacy-hashes.ts until the next
// successful sign-in replaces them.
import { randomBytes } from "node:crypto";
import { hash, hashSync, parseOptions, verify } from "@node-rs/argon2";
import { isArgon2Hash, verifyImportedPasswordHash } from "./legacy-hashes.ts";

// @node-rs/argon2 declares Algorithm and Version as const enums, which isolated modules cannot import: 2 is
// Argon2id, and version 1 is 0x13 (v=19).
const ARGON2ID = 2;
const ARGON2_VERSION_19 = 1;

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
  /** True when the hash was made with other parameters than the current ones, or is not argon2id v=19 at all (an imported hash). */
  needsRehash(passwordHash: string): boolean;
}

export function createArgon2Hasher(parameters: Argon2Parameters): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: parameters.memoryCost, timeCost: parameters.timeCost, parallelism: parameters.parallelism };
  const dummyHash = hashSync(randomBytes(32).toString("base64url"), options);
  return {
    hashPassword: (password) => hash(password, options),
    async verifyPasswordHash(passwordHash, password) {
      try {
        // Imported hashes in other formats are checked as their own system did; the limits there cap the work.
        if (!isArgon2Hash(passwordHash)) return await verifyImportedPasswordHash(passwordHash, password);
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
          (used.version as number) !== ARGON2_VERSION_19 ||
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
