// Password hashing with argon2id (@node-rs/argon2 runs it on its own threads, off the event loop). Hashes
// imported from other systems (bcrypt, scrypt, PBKDF2) verify through legacy-hashes.ts until the next
// successful sign-in replaces them.
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { isArgon2Hash, loadArgon2, verifyImportedPasswordHash } from "./legacy-hashes.ts";

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

/**
 * Runs at most `limit` tasks at once and queues the rest. Password hashes beyond one per CPU only add
 * memory (19 MiB each), not throughput.
 */
function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export function createArgon2Hasher(parameters: Argon2Parameters, concurrency = Math.max(1, availableParallelism())): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: parameters.memoryCost, timeCost: parameters.timeCost, parallelism: parameters.parallelism };
  const limit = createLimiter(concurrency);
  const hash = (password: string) => limit(() => loadArgon2().hash(password, options));
  const verify = (passwordHash: string, password: string) => limit(() => loadArgon2().verify(passwordHash, password));
  // Made off the event loop the first time it is needed, not at start-up (a hash costs 19 MiB and tens of
  // milliseconds). Any sign-in starts it, so the dummy is ready before an unknown identifier's first check.
  // It waits for its turn like every other hash: the first sign-ins after a start would otherwise run one
  // hash more than the limit, and hold 19 MiB more.
  let dummyHash: Promise<string> | undefined;
  const prepareDummyHash = (): Promise<string> => {
    dummyHash ??= hash(randomBytes(32).toString("base64url"));
    return dummyHash;
  };
  return {
    hashPassword: (password) => hash(password),
    async verifyPasswordHash(passwordHash, password) {
      try {
        // Imported hashes in other formats are checked as their own system did; the limits there cap the work.
        void prepareDummyHash().catch(() => undefined);
        if (!isArgon2Hash(passwordHash)) return await limit(() => verifyImportedPasswordHash(passwordHash, password));
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
    async verifyDummyPassword(password) {
      await verify(await prepareDummyHash(), password).catch(() => false);
    },
    needsRehash(passwordHash) {
      try {
        const used = loadArgon2().parseOptions(passwordHash);
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
