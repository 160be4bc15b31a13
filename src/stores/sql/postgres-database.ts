// Opens PostgreSQL through a pg pool and applies migrations.
import {
  type DatabaseIntrospector,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  Kysely,
  type LogEvent,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  sql,
  type TableMetadata,
} from "kysely";
import type pg from "pg";
import { lazyRequire } from "../../lib/lazy-require.ts";
import { postgresMigrations } from "./migrations/index.ts";
import type { StatementObserver } from "./precompiled.ts";
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

/** Kysely's own bookkeeping tables, listed only when the migrator asks for them. */
const KYSELY_TABLES: ReadonlySet<string> = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);

/**
 * What the migrator asks before it runs (does the schema exist, do its own tables exist), answered from the
 * catalogue of the connection's own schema. Kysely's own introspector reads every table of every schema in
 * the database and calls functions that look each schema up by name, so another application dropping a
 * schema of its own at that moment made Latchkey's migration fail ('schema "…" does not exist'), and with it
 * the start. Tables come with their names only, no columns: nothing in Latchkey asks for more.
 */
export function createCurrentSchemaIntrospector<DB>(db: Kysely<DB>): DatabaseIntrospector {
  const getTables: DatabaseIntrospector["getTables"] = async (options) => {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v')
      order by c.relname`.execute(db);
    return rows
      .filter((row) => options?.withInternalKyselyTables || !KYSELY_TABLES.has(row.name))
      .map((row): TableMetadata => ({ name: row.name, schema: row.schema, isView: row.kind === "v", columns: [] }));
  };
  return {
    async getSchemas() {
      const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace order by nspname`.execute(db);
      return rows;
    },
    getTables,
    async getMetadata(options) {
      return { tables: await getTables(options) };
    },
  };
}

class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return createCurrentSchemaIntrospector(db);
  }
}

/** `onStatement` sees every statement: all of them go through Kysely here. */
export function openPostgresDatabase(options: PostgresOptions, onStatement?: StatementObserver): PostgresHandle {
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
  const dialect = new CurrentSchemaPostgresDialect({ pool });
  const log = onStatement ? (event: LogEvent) => onStatement(event.query.sql) : undefined;
  return { db: new Kysely<Database>(log ? { dialect, log } : { dialect }), pool };
}

const provider: MigrationProvider = { getMigrations: async () => postgresMigrations };

/** A schema name as CREATE SCHEMA takes it: quoted unless it is a plain lower-case name. */
function quoteSchemaName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/**
 * The operator's message for a search_path none of whose schemas exists: which names it lists and the
 * statement that creates the first one.
 */
export function describeMissingSearchPathSchema(searchPath: string, user: string): string {
  const names = searchPath
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => (entry.startsWith('"') && entry.endsWith('"') ? entry.slice(1, -1).replaceAll('""', '"') : entry))
    .map((entry) => (entry === "$user" ? user : entry));
  const missing = names.length > 0 ? names : ["public"];
  const listed = missing.map((name) => `"${name}"`).join(", ");
  const which =
    missing.length === 1
      ? `the schema ${listed} named in search_path does not exist in this database`
      : `none of the schemas named in search_path (${listed}) exists in this database`;
  return (
    `${which}, so Latchkey has nowhere to create its tables. ` +
    `Create it (CREATE SCHEMA ${quoteSchemaName(missing[0] as string)};), or correct search_path in LATCHKEY_DATABASE_URL, then run Latchkey again.`
  );
}

/** Applies every pending migration. Throws before writing anything when no schema of search_path exists. */
export async function migratePostgresDatabase(db: Kysely<Database>): Promise<string[]> {
  // Keep the migrator's own tables in the schema the connection works in (search_path), not always public.
  const { rows } = await sql<{ schema: string | null; search_path: string; role_name: string }>`
    select current_schema() as schema, current_setting('search_path') as search_path, current_user as role_name`.execute(db);
  const migrationTableSchema = rows[0]?.schema;
  // No schema of search_path exists (a mistyped or not yet created one): falling back to public would put
  // the migrator's tables there and then fail at the first table of Latchkey's own. Refuse before writing.
  if (!migrationTableSchema) throw new Error(describeMissingSearchPathSchema(rows[0]?.search_path ?? "", rows[0]?.role_name ?? ""));
  // The migrator takes a lock, so several instances starting at once apply each migration once.
  const result = await new Migrator({ db, provider, migrationTableSchema }).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed} failed: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
