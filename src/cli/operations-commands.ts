// `latchkey backup` and `latchkey migrate-data`: the operator's tools for single-mode data.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type SQLite from "better-sqlite3";
import { DEFAULT_MIGRATION_TABLE, Kysely, SqliteDialect } from "kysely";
import type { Config } from "../config/load.ts";
import { backupSqliteDatabase } from "../operations/backup.ts";
import { MIGRATED_TABLES, migrateData } from "../operations/migrate-data.ts";
import { sqliteMigrations } from "../stores/sql/migrations/index.ts";
import { migratePostgresDatabase, openPostgresDatabase } from "../stores/sql/postgres-database.ts";
import type { Database } from "../stores/sql/schema.ts";
import { newSqliteConnection } from "../stores/sql/sqlite-database.ts";
import { createProgressReporter } from "./progress.ts";
import { UsageError } from "./usage-error.ts";

export async function runBackup(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: "string" } } });
  if (!values.out) throw new UsageError("backup needs --out FILE");
  if (config.database.kind !== "sqlite") {
    throw new UsageError("backup copies the SQLite file of single mode; for PostgreSQL use pg_dump (see docs/deployment.md)");
  }
  const out = resolve(values.out);
  const progress = createProgressReporter(process.stderr);
  const { pages } = await backupSqliteDatabase(config.database.file, out, ({ totalPages, remainingPages }) =>
    progress.update({ fraction: totalPages ? (totalPages - remainingPages) / totalPages : 1, rows: totalPages - remainingPages, rejected: 0 }),
  );
  progress.finish({ fraction: 1, rows: pages, rejected: 0 });
  process.stdout.write(`Backed up ${config.database.file} to ${out} (${pages} pages)\n`);
  return 0;
}

/** The names of the migrations applied to a single-mode database, read without writing; throws when it is none. */
function readAppliedMigrations(raw: SQLite.Database, file: string): Set<string> {
  let hasMigrationTable: boolean;
  try {
    hasMigrationTable = raw.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(DEFAULT_MIGRATION_TABLE) !== undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === "SQLITE_NOTADB") throw new Error(`${file} is not a SQLite database`, { cause: error });
    throw error;
  }
  if (!hasMigrationTable) throw new Error(`${file} is not a Latchkey database: it has none of Latchkey's tables`);
  const names = raw.prepare(`select name from ${DEFAULT_MIGRATION_TABLE}`).pluck().all() as string[];
  return new Set(names);
}

/**
 * Opens the single-mode database at `file` to copy from: read-only, and only when it exists and its schema
 * is this version's. migrate-data never creates, migrates or otherwise writes the file it copies from, so
 * the single-mode server can start on it again unchanged.
 */
function openMigrateDataSource(file: string): Kysely<Database> {
  // Opening a missing file would create an empty database, and copying it would "succeed" with nothing.
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  const raw = newSqliteConnection(file, { readonly: true, fileMustExist: true });
  try {
    // The server should be stopped; a script still finishing a write gets a moment.
    raw.pragma("busy_timeout = 5000");
    const applied = readAppliedMigrations(raw, file);
    const known = Object.keys(sqliteMigrations);
    const missing = known.filter((name) => !applied.has(name));
    if (missing.length > 0) {
      throw new Error(
        `${file} has an older schema than this version of Latchkey (missing ${missing.join(", ")}). ` +
          `Bring it up to date first with LATCHKEY_DATABASE_URL=file:${file} latchkey migrate (after a backup), then run migrate-data again.`,
      );
    }
    const newer = [...applied].filter((name) => !known.includes(name));
    if (newer.length > 0) {
      throw new Error(`${file} was written by a newer version of Latchkey (${newer.join(", ")}); copy it with that version.`);
    }
  } catch (error) {
    raw.close();
    throw error;
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
}

export async function runMigrateData(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: "string" }, to: { type: "string" } } });
  if (!values.from || !values.to) throw new UsageError("migrate-data needs --from <sqlite file> and --to postgres://…");
  if (!/^postgres(ql)?:\/\//.test(values.to)) throw new UsageError("--to must be a postgres:// URL");
  // The source is checked before the target is touched: a wrong --from leaves PostgreSQL as it was.
  const source = openMigrateDataSource(resolve(values.from));
  const target = openPostgresDatabase({ url: values.to, poolSize: 4, connectTimeoutMs: 10_000 });
  try {
    await migratePostgresDatabase(target.db);
    const progress = createProgressReporter(process.stderr);
    let last = { fraction: 0, rows: 0, rejected: 0 };
    const report = await migrateData(source, target.db, (p) => {
      last = { fraction: p.overallTotal ? p.overallCopied / p.overallTotal : 1, rows: p.overallCopied, rejected: 0 };
      progress.update(last);
    }).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${message}\nNothing was copied: the copy is one transaction, so the target is as it was before. Fix the cause and run the same command again.`,
        { cause: error },
      );
    });
    progress.finish({ ...last, fraction: 1 });
    process.stdout.write("table\tSQLite\tPostgreSQL\n");
    for (const t of report.tables) process.stdout.write(`${t.table}\t${t.source}\t${t.target}\n`);
    process.stdout.write(`All ${MIGRATED_TABLES.length} tables copied and counted. Point LATCHKEY_DATABASE_URL at the new database.\n`);
    return 0;
  } finally {
    await source.destroy();
    await target.db.destroy();
  }
}
