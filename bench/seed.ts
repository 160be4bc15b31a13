// Seeds verified accounts for the benchmarks. One argon2 hash (with the server's parameters, so no sign-in
// rehashes) is computed once and shared by every account, so a million accounts take seconds, not hours.
import { randomBytes } from "node:crypto";
import { createArgon2Hasher } from "../src/accounts/password-hash.ts";
import type { Config } from "../src/config/load.ts";
import { createSystemClock } from "../src/lib/clock.ts";
import { generateId } from "../src/lib/crypto.ts";
import { parseIdentifier } from "../src/lib/identifier-parsing.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
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

/** Rows per INSERT statement when seeding SQLite (6 parameters each, well below SQLite's limit). */
const SEED_BATCH_ROWS = 500;

/** The base64url alphabet in ASCII order, so that ids built from it sort like the numbers they encode. */
const SORTED_BASE64URL = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/**
 * `count` ids in the server's format (20 base64url characters), in ascending order without a sort: 4
 * characters encode the position, 16 are random.
 */
function ascendingIds(count: number): string[] {
  if (count > 64 ** 4) throw new RangeError("too many accounts to seed");
  const random = randomBytes(count * 12);
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    let prefix = "";
    for (let n = i, d = 0; d < 4; d++, n = Math.floor(n / 64)) prefix = SORTED_BASE64URL[n % 64] + prefix;
    ids[i] = prefix + random.toString("base64url", i * 12, i * 12 + 12);
  }
  return ids;
}

async function hashBenchPassword(argon2: Config["argon2"]): Promise<string> {
  return createArgon2Hasher(argon2).hashPassword(BENCH_PASSWORD);
}

/**
 * Creates the schema in the SQLite file `file` and inserts `count` verified accounts in one transaction.
 * Ids and zero-padded addresses ascend with the account number, so every index grows at its end instead of
 * splitting pages all over the file.
 */
export async function seedSqliteAccounts(file: string, count: number, argon2: Config["argon2"]): Promise<void> {
  const first = parseIdentifier(benchIdentifier(0));
  if (!first.ok || first.identifier.value !== benchIdentifier(0)) throw new Error("bench identifiers are not in normalised form");
  const passwordHash = await hashBenchPassword(argon2);
  const { db, raw } = openSqliteDatabase(file);
  try {
    await migrateSqliteDatabase(db);
    raw.pragma("synchronous = OFF");
    raw.pragma("cache_size = -65536");
    const now = Math.floor(Date.now() / 1000);
    const accountIds = ascendingIds(count);
    const identifierIds = ascendingIds(count);
    // Many rows per statement: a million single-row calls would spend most of the time crossing into SQLite.
    const insertAccounts = (rows: number) =>
      raw.prepare(
        `insert into accounts (id, name, password_hash, is_admin, disabled_at, created_at, updated_at) values ${Array(rows).fill("(?, null, ?, 0, null, ?, ?)").join(", ")}`,
      );
    const insertIdentifiers = (rows: number) =>
      raw.prepare(
        `insert into identifiers (id, account_id, kind, value, display, verified_at, created_at) values ${Array(rows).fill("(?, ?, 'email', ?, ?, ?, ?)").join(", ")}`,
      );
    const fullAccounts = insertAccounts(SEED_BATCH_ROWS);
    const fullIdentifiers = insertIdentifiers(SEED_BATCH_ROWS);
    raw.transaction(() => {
      for (let start = 0; start < count; start += SEED_BATCH_ROWS) {
        const rows = Math.min(SEED_BATCH_ROWS, count - start);
        const accountValues: unknown[] = [];
        const identifierValues: unknown[] = [];
        for (let i = start; i < start + rows; i++) {
          const accountId = accountIds[i] as string;
          const address = benchIdentifier(i);
          accountValues.push(accountId, passwordHash, now, now);
          identifierValues.push(identifierIds[i], accountId, address, address, now, now);
        }
        (rows === SEED_BATCH_ROWS ? fullAccounts : insertAccounts(rows)).run(accountValues);
        (rows === SEED_BATCH_ROWS ? fullIdentifiers : insertIdentifiers(rows)).run(identifierValues);
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
