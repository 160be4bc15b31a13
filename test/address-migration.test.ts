// Migration 0019 on an installation upgraded from 0018: client addresses recorded as IPv4-mapped IPv6
// (`::ffff:a.b.c.d`, before they were unmapped on arrival) in the audit trail and the sessions take their
// plain IPv4 spelling; every other address, and a missing one, stays as it was. SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Kysely, Migrator, sql } from "kysely";
import { postgresMigrations, sqliteMigrations } from "../src/stores/sql/migrations/index.ts";
import { migratePostgresDatabase, openPostgresDatabase } from "../src/stores/sql/postgres-database.ts";
import type { Database } from "../src/stores/sql/schema.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "../src/stores/sql/sqlite-database.ts";
import { createTestSchema, TEST_DATABASE_URL } from "./helpers/cluster.ts";

/** As recorded, and as it must read after the migration. */
const ADDRESSES: [string | null, string | null][] = [
  ["::ffff:203.0.113.5", "203.0.113.5"],
  ["::FFFF:198.51.100.7", "198.51.100.7"],
  ["192.0.2.1", "192.0.2.1"],
  ["2001:db8::1", "2001:db8::1"],
  ["::1", "::1"],
  // The hexadecimal spelling of a mapped address: never recorded by Node.js; kept whole rather than cut.
  ["::ffff:cb00:7105", "::ffff:cb00:7105"],
  [null, null],
];

const BEFORE = "0018_webhook_secret_rotation";

/** Rows recorded at version 0018, with each address of ADDRESSES in the audit trail and in a session. */
async function recordAt0018(db: Kysely<Database>, dialect: { at: unknown; no: 0 | false }): Promise<void> {
  const { at, no } = dialect;
  await sql`insert into accounts (id, name, password_hash, is_admin, disabled_at, created_at, updated_at)
    values ('acc1', null, 'x', ${no}, null, ${at}, ${at})`.execute(db);
  for (const [i, [address]] of ADDRESSES.entries()) {
    await sql`insert into audit_events (id, at, type, account_id, ip, user_agent, detail)
      values (${`evt${i}`}, ${at}, 'signin.succeeded', 'acc1', ${address}, null, null)`.execute(db);
    await sql`insert into sessions (id, account_id, secret_hash, created_at, last_seen_at, idle_expires_at, absolute_expires_at, remember, user_agent, ip)
      values (${`ses${i}`}, 'acc1', 'h', ${at}, ${at}, ${at}, ${at}, ${no}, null, ${address})`.execute(db);
  }
}

async function addressesIn(db: Kysely<Database>, table: "audit_events" | "sessions"): Promise<(string | null)[]> {
  const rows = await db.selectFrom(table).select(["id", "ip"]).orderBy("id").execute();
  return rows.map((r) => r.ip);
}

async function checkUpgrade(db: Kysely<Database>, upgrade: () => Promise<string[]>): Promise<void> {
  const applied = await upgrade();
  assert.ok(applied.includes("0019_unmapped_addresses"), `the upgrade applies 0019 (applied: ${applied.join(", ")})`);
  const expected = ADDRESSES.map(([, after]) => after);
  assert.deepEqual(await addressesIn(db, "audit_events"), expected);
  assert.deepEqual(await addressesIn(db, "sessions"), expected);
}

describe("migration 0019: IPv4-mapped client addresses", () => {
  it("SQLite: an installation at 0018 is upgraded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-addresses-"));
    const { db } = openSqliteDatabase(join(dir, "latchkey.db"));
    try {
      const to0018 = await new Migrator({ db, provider: { getMigrations: async () => sqliteMigrations } }).migrateTo(BEFORE);
      assert.equal(to0018.error, undefined);
      await recordAt0018(db, { at: 1_800_000_000, no: 0 });
      await checkUpgrade(db, () => migrateSqliteDatabase(db));
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL: an installation at 0018 is upgraded", { skip: TEST_DATABASE_URL ? false : "LATCHKEY_TEST_DATABASE_URL is not set" }, async () => {
    const schema = await createTestSchema();
    const { db } = openPostgresDatabase({ url: schema.url, poolSize: 2, connectTimeoutMs: 5000 });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => postgresMigrations }, migrationTableSchema: schema.name });
      assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
      await recordAt0018(db, { at: new Date(1_800_000_000_000), no: false });
      await checkUpgrade(db, () => migratePostgresDatabase(db));
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
