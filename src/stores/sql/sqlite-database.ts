// Opens the SQLite database (WAL mode, foreign keys on) and applies migrations.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type MigrationProvider, type MigrationResultSet, Migrator, SqliteDialect } from "kysely";
import { sqliteMigrations } from "./migrations/sqlite.ts";
import type { Database } from "./schema.ts";

export interface SqliteHandle {
  db: Kysely<Database>;
  raw: SQLite.Database;
}

export function openSqliteDatabase(file: string): SqliteHandle {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const raw = new SQLite(file);
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  raw.pragma("foreign_keys = ON");
  // Another process (the CLI, a backup) may hold the write lock for a moment: wait instead of failing.
  raw.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, raw };
}

const provider: MigrationProvider = {
  getMigrations: async () => sqliteMigrations,
};

/** Applies every pending migration. Throws with the failing migration's name when one fails. */
export async function migrateSqliteDatabase(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
