// A LATCHKEY_DATABASE_URL whose search_path names a schema that does not exist: `latchkey migrate` and
// `serve` refuse with the schema's name and CREATE SCHEMA, and write nothing, in public or anywhere else.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import pg from "pg";
import { describeMissingSearchPathSchema, migratePostgresDatabase, openPostgresDatabase } from "../../src/stores/sql/postgres-database.ts";
import { TEST_DATABASE_URL } from "../helpers/cluster.ts";

const skip = TEST_DATABASE_URL ? false : "LATCHKEY_TEST_DATABASE_URL is not set";

/** Latchkey's and Kysely's tables in public, to compare before and after. */
async function publicTables(): Promise<string[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select c.relname as name from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1",
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe("migratePostgresDatabase with a search_path schema that does not exist", { skip }, () => {
  it("refuses with the schema's name and CREATE SCHEMA, and creates no table in public", async () => {
    const missing = `latchkey_missing_${randomBytes(6).toString("hex")}`;
    const url = new URL(TEST_DATABASE_URL as string);
    url.searchParams.set("options", `-c search_path=${missing}`);
    const before = await publicTables();
    const { db } = openPostgresDatabase({ url: url.href, poolSize: 1, connectTimeoutMs: 5000 });
    try {
      await assert.rejects(migratePostgresDatabase(db), (error: Error) => {
        assert.match(error.message, new RegExp(`the schema "${missing}" named in search_path does not exist in this database`));
        assert.match(error.message, new RegExp(`CREATE SCHEMA ${missing};`));
        return true;
      });
    } finally {
      await db.destroy();
    }
    const after = await publicTables();
    assert.deepEqual(after, before);
    if (!before.includes("kysely_migration")) assert.ok(!after.includes("kysely_migration") && !after.includes("kysely_migration_lock"));
  });
});

describe("describeMissingSearchPathSchema", () => {
  it("lists every schema of search_path, $user as the role, and quotes names that need it", () => {
    assert.match(
      describeMissingSearchPathSchema('"$user", tenant_a', "latchkey"),
      /none of the schemas named in search_path \("latchkey", "tenant_a"\) exists/,
    );
    assert.match(describeMissingSearchPathSchema('"Tenant A"', "latchkey"), /CREATE SCHEMA "Tenant A";/);
    assert.match(describeMissingSearchPathSchema("", "latchkey"), /the schema "public" named in search_path/);
  });
});
