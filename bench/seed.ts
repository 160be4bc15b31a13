// Seeds verified accounts for the benchmarks. One argon2 hash (with the server's parameters, so no sign-in
// rehashes) is computed once and shared by every account, so a million accounts take seconds, not hours.
import { randomBytes } from "node:crypto";
import { createArgon2Hasher } from "../src/accounts/password-hash.ts";
import type { Config } from "../src/config/load.ts";
import { parseIdentifier } from "../src/lib/identifiers.ts";
import { createSystemClock } from "../src/lib/clock.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
import { generateId } from "../src/lib/crypto.ts";
import { openStores } from "../src/stores/index.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "../src/stores/sql/sqlite-database.ts";

export const BENCH_PASSWORD = "Correct-Horse-Battery-Staple-42";
export const WRONG_PASSWORD = "Correct-Horse-Battery-Staple-43";

/** The e-mail address of seeded account `index`: user0000042@bench.example. */
export function benchIdentifier(index: number): string {
  return `user${String(index).padStart(7, "0")}@bench.example`;
}

/** An address no seeded account uses. */
export function unknownIdentifier(index: number): string {
  return `nobody${String(index).padStart(7, "0")}@bench.example`;
}

/** `count` random ids in the server's format (20 characters of base64url), sorted. */
function sortedIds(count: number): string[] {
  const bytes = randomBytes(count * 15);
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = bytes.toString("base64url", i * 15, i * 15 + 15);
  return ids.sort();
}

async function hashBenchPassword(argon2: Config["argon2"]): Promise<string> {
  return createArgon2Hasher(argon2).hashPassword(BENCH_PASSWORD);
}

/**
 * Creates the schema in the SQLite file `file` and inserts `count` verified accounts in one transaction.
 * Ids are random but inserted in sorted order, and the addresses are zero-padded, so every index grows at
 * its end instead of splitting pages all over the file.
 */
export async function seedSqliteAccounts(file: string, count: number, argon2: Config["argon2"]): Promise<void> {
  const first = parseIdentifier(benchIdentifier(0));
  if (!first.ok || first.identifier.value !== benchIdentifier(0)) throw new Error("bench identifiers are not in normalised form");
  const passwordHash = await hashBenchPassword(argon2);
  const { db, raw } = openSqliteDatabase(file);
  try {
    await migrateSqliteDatabase(db);
    raw.pragma("synchronous = OFF");
    raw.pragma("cache_size = -262144");
    const now = Math.floor(Date.now() / 1000);
    const accountIds = sortedIds(count);
    const identifierIds = sortedIds(count);
    const insertAccount = raw.prepare(
      "insert into accounts (id, name, password_hash, is_admin, disabled_at, created_at, updated_at) values (?, null, ?, 0, null, ?, ?)",
    );
    const insertIdentifier = raw.prepare(
      "insert into identifiers (id, account_id, kind, value, display, verified_at, created_at) values (?, ?, 'email', ?, ?, ?, ?)",
    );
    raw.transaction(() => {
      for (let i = 0; i < count; i++) {
        const accountId = accountIds[i] as string;
        const address = benchIdentifier(i);
        insertAccount.run(accountId, passwordHash, now, now);
        insertIdentifier.run(identifierIds[i], accountId, address, address, now, now);
      }
    })();
    raw.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    await db.destroy();
  }
}

/**
 * Seeds through the server's own stores, for backends the bulk path does not know (cluster mode).
 * One row at a time: meant for thousands of accounts, not millions.
 */
export async function seedAccountsThroughStores(config: Config, count: number): Promise<void> {
  const passwordHash = await hashBenchPassword(config.argon2);
  const clock = createSystemClock();
  const random = createCryptoRandom();
  const stores = await openStores(config, clock);
  try {
    for (let i = 0; i < count; i++) {
      const parsed = parseIdentifier(benchIdentifier(i));
      if (!parsed.ok) throw new Error(`bad bench identifier ${benchIdentifier(i)}`);
      await stores.accounts.createVerifiedAccount({
        id: generateId(random),
        name: null,
        passwordHash,
        createdAt: clock.now(),
        identifier: { id: generateId(random), ...parsed.identifier },
      });
    }
  } finally {
    await stores.close();
  }
}
