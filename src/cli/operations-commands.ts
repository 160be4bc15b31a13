// `latchkey backup` and `latchkey migrate-data`: the operator's tools for single-mode data.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../config/load.ts";
import { backupSqliteDatabase } from "../operations/backup.ts";
import { MIGRATED_TABLES, migrateData } from "../operations/migrate-data.ts";
import { migratePostgresDatabase, openPostgresDatabase } from "../stores/sql/postgres-database.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "../stores/sql/sqlite-database.ts";
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

export async function runMigrateData(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: "string" }, to: { type: "string" } } });
  if (!values.from || !values.to) throw new UsageError("migrate-data needs --from <sqlite file> and --to postgres://…");
  if (!/^postgres(ql)?:\/\//.test(values.to)) throw new UsageError("--to must be a postgres:// URL");
  const source = openSqliteDatabase(resolve(values.from));
  const target = openPostgresDatabase({ url: values.to, poolSize: 4, connectTimeoutMs: 10_000 });
  try {
    await migrateSqliteDatabase(source.db);
    await migratePostgresDatabase(target.db);
    const progress = createProgressReporter(process.stderr);
    let last = { fraction: 0, rows: 0, rejected: 0 };
    const report = await migrateData(source.db, target.db, (p) => {
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
    await source.db.destroy();
    await target.db.destroy();
  }
}
