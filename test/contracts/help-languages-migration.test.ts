// Migration 0017 on a database that already holds help feedback: every earlier view and answer becomes
// English (the only language there was), nothing is lost, and views are then counted per language. Runs
// on SQLite, and on PostgreSQL when the test environment names it.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type Kysely, Migrator, sql } from "kysely";
import { postgresMigrations, sqliteMigrations } from "../../src/stores/sql/migrations/index.ts";
import { openPostgresDatabase } from "../../src/stores/sql/postgres-database.ts";
import type { Database } from "../../src/stores/sql/schema.ts";
import { openSqliteDatabase } from "../../src/stores/sql/sqlite-database.ts";
import { clusterSkipReason, createTestSchema, type TestSchema } from "../helpers/cluster.ts";

type Migrations = typeof sqliteMigrations;

/** Migrates to 0014, writes feedback the way the earlier code did, then migrates to the latest. */
async function checkMigration(
  db: Kysely<Database>,
  migrations: Migrations,
  options: { schema?: string; time: (d: Date) => unknown; bool: (b: boolean) => unknown },
) {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
  });
  const before = await migrator.migrateTo("0014_factors");
  assert.equal(before.error, undefined);
  const at = new Date("2026-11-20T10:00:00Z");
  await sql`insert into help_article_views (slug, day, views) values ('security-check', '2026-11-20', 7), ('security-check', '2026-11-21', 2)`.execute(db);
  await sql`insert into help_feedback (slug, visitor_id, article_version, helpful, reason, comment, day, answered_at, first_answered_at)
    values ('security-check', 'v1', 'abc', ${options.bool(false)}, 'too_long', 'Long.', '2026-11-20', ${options.time(at)}, ${options.time(at)})`.execute(db);

  const after = await migrator.migrateToLatest();
  assert.equal(after.error, undefined, String(after.error));
  assert.ok(after.results?.some((r) => r.migrationName === "0017_help_languages" && r.status === "Success"));

  const views = await db.selectFrom("help_article_views").selectAll().orderBy("day").execute();
  assert.deepEqual(
    views.map((v) => [v.slug, v.locale, v.day, Number(v.views)]),
    [
      ["security-check", "en", "2026-11-20", 7],
      ["security-check", "en", "2026-11-21", 2],
    ],
  );
  const answers = await db.selectFrom("help_feedback").select(["slug", "locale", "reason", "comment"]).execute();
  assert.deepEqual(answers, [{ slug: "security-check", locale: "en", reason: "too_long", comment: "Long." }]);

  // The same article and day can now be counted once per language.
  await db.insertInto("help_article_views").values({ slug: "security-check", locale: "de", day: "2026-11-20", views: 1 }).execute();
  await assert.rejects(db.insertInto("help_article_views").values({ slug: "security-check", locale: "de", day: "2026-11-20", views: 1 }).execute());
}

describe("migration 0017 (help languages)", () => {
  it("SQLite: earlier views and answers become English, and views are then kept per language", async () => {
    const { db } = openSqliteDatabase(":memory:");
    try {
      await checkMigration(db, sqliteMigrations, { time: (d) => Math.floor(d.getTime() / 1000), bool: (b) => (b ? 1 : 0) });
    } finally {
      await db.destroy();
    }
  });

  const skip = clusterSkipReason();
  let schema: TestSchema | undefined;
  after(async () => {
    await schema?.drop();
  });
  it("PostgreSQL: the same", { skip: skip ?? false }, async () => {
    schema = await createTestSchema();
    const { db } = openPostgresDatabase({ url: schema.url, poolSize: 2, connectTimeoutMs: 5000 });
    try {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
      await checkMigration(db, postgresMigrations, { schema: rows[0]?.schema ?? "public", time: (d) => d, bool: (b) => b });
    } finally {
      await db.destroy();
    }
  });
});
