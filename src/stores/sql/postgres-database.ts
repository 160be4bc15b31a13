// Opens PostgreSQL through a pg pool and applies migrations.
import { Kysely, type MigrationProvider, Migrator, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import { lazyRequire } from "../../lib/lazy-require.ts";
import { postgresMigrations } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

export interface PostgresHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
}

const loadPg = lazyRequire<typeof pg>("pg");

export function openPostgresDatabase(options: PostgresOptions): PostgresHandle {
  const pool = new (loadPg().Pool)({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // A stuck query must not hold a connection for ever.
    statement_timeout: 30_000,
  });
  // A dropped idle connection is replaced by the pool; it must not crash the process.
  pool.on("error", () => undefined);
  // A connection that is checked out when the server goes away (a restart, pg_terminate_backend, a network
  // cut) emits 'error' on its client, where the pool listens only while it is idle: an unhandled 'error'
  // event would end the process. The query in flight fails on its own (and answers 503); the pool drops
  // the broken client when it is released.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}

const provider: MigrationProvider = { getMigrations: async () => postgresMigrations };

export async function migratePostgresDatabase(db: Kysely<Database>): Promise<string[]> {
  // Keep the migrator's own tables in the schema the connection works in (search_path), not always public.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrationTableSchema = rows[0]?.schema ?? "public";
  // The migrator takes a lock, so several instances starting at once apply each migration once.
  const result = await new Migrator({ db, provider, migrationTableSchema }).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed} failed: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
