// A PostgreSQL database that Latchkey shares with other applications: their schema changes while Latchkey
// starts must not stop its migrations (run at every start, even when there is nothing to apply).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { createCurrentSchemaIntrospector, migratePostgresDatabase, openPostgresDatabase } from "../../src/stores/sql/postgres-database.ts";
import { clusterSkipReason, createTestSchema, TEST_DATABASE_URL, type TestSchema } from "../helpers/cluster.ts";

const MIGRATION_RUNS = 40;

describe("migrations on a PostgreSQL database shared with other applications", { skip: clusterSkipReason() }, () => {
  const schemas: TestSchema[] = [];
  const otherPrefix = `other_app_${randomBytes(4).toString("hex")}`;
  after(async () => {
    for (const schema of schemas) await schema.drop();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname like $1", [`${otherPrefix}%`]);
    for (const row of rows) await client.query(`drop schema if exists ${row.nspname} cascade`);
    await client.end();
  });

  const freshSchema = async (): Promise<TestSchema> => {
    const schema = await createTestSchema();
    schemas.push(schema);
    return schema;
  };

  it(`${MIGRATION_RUNS} migrations succeed while two other applications create and drop schemas of their own`, async () => {
    let stop = false;
    /** Another application: creates a schema with a table, drops it, again and again, until told to stop. */
    const otherApplication = async (n: number): Promise<number> => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      let rounds = 0;
      try {
        while (!stop) {
          const name = `${otherPrefix}_${n}_${rounds % 4}`;
          await client.query(`create schema ${name}; create table ${name}.items (id serial primary key, label text)`);
          await client.query(`drop schema ${name} cascade`);
          rounds++;
        }
      } finally {
        await client.end();
      }
      return rounds;
    };
    const others = [otherApplication(1), otherApplication(2)];
    const failures: string[] = [];
    const handles: Array<ReturnType<typeof openPostgresDatabase>> = [];
    try {
      // Each run as a start does it: a new schema migrated from nothing every tenth run, otherwise the same
      // schema again with nothing left to apply (the migrator still checks its tables).
      let current = openPostgresDatabase({ url: (await freshSchema()).url, poolSize: 2, connectTimeoutMs: 5000 });
      handles.push(current);
      for (let run = 0; run < MIGRATION_RUNS; run++) {
        if (run > 0 && run % 10 === 0) {
          current = openPostgresDatabase({ url: (await freshSchema()).url, poolSize: 2, connectTimeoutMs: 5000 });
          handles.push(current);
        }
        try {
          await migratePostgresDatabase(current.db);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    } finally {
      stop = true;
      const rounds = await Promise.all(others);
      assert.ok(
        rounds.every((r) => r > 0),
        `both other applications changed their schemas meanwhile (${rounds.join(", ")} rounds)`,
      );
      for (const handle of handles) await handle.db.destroy();
    }
    assert.deepEqual(failures, [], "no migration failed");

    // Every schema got all of Latchkey's tables.
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const schema of schemas) {
        const { rows } = await client.query<{ count: string }>(
          "select count(*) from pg_tables where schemaname = $1 and tablename in ('accounts', 'identifiers', 'sessions', 'kysely_migration')",
          [schema.name],
        );
        assert.equal(rows[0]?.count, "4", `${schema.name} has its tables`);
      }
    } finally {
      await client.end();
    }
  });

  it("the migrator sees the tables of its own schema only, its own bookkeeping tables only when it asks", async () => {
    const mine = await freshSchema();
    const theirs = await freshSchema();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(`create table ${theirs.name}.accounts (id int); create table ${theirs.name}.theirs_only (id int)`);
    } finally {
      await client.end();
    }
    const handle = openPostgresDatabase({ url: mine.url, poolSize: 1, connectTimeoutMs: 5000 });
    try {
      await migratePostgresDatabase(handle.db);
      const introspector = createCurrentSchemaIntrospector(handle.db);
      const tables = await introspector.getTables();
      assert.ok(
        tables.every((t) => t.schema === mine.name),
        "only tables of the connection's schema",
      );
      const names = tables.map((t) => t.name);
      assert.ok(names.includes("accounts"));
      assert.ok(!names.includes("theirs_only"));
      assert.ok(!names.includes("kysely_migration"), "the migrator's own tables are left out unless asked for");
      const withInternal = (await introspector.getTables({ withInternalKyselyTables: true })).map((t) => t.name);
      assert.ok(withInternal.includes("kysely_migration") && withInternal.includes("kysely_migration_lock"));
      const schemaNames = (await introspector.getSchemas()).map((s) => s.name);
      assert.ok(schemaNames.includes(mine.name) && schemaNames.includes(theirs.name));
    } finally {
      await handle.db.destroy();
    }
  });
});
