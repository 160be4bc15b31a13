// Opens the SQLite database (WAL mode, foreign keys on) and applies migrations.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";
import { lazyRequire } from "../../lib/lazy-require.ts";
import { describeUnloadableAddon } from "../../lib/native-addon.ts";
import { describeReadOnlySqlite } from "../outage.ts";
import { sqliteMigrations } from "./migrations/index.ts";
import {
  type ArrayQueryRunner,
  directSqliteArrayRunner,
  directSqliteRunner,
  directSqliteStepRunner,
  type QueryRunner,
  type StatementObserver,
  type StepRunner,
} from "./precompiled.ts";
import type { Database } from "./schema.ts";

/** Loaded when a SQLite database is opened: a PostgreSQL deployment never loads the addon. */
export const loadSQLite = lazyRequire<typeof SQLite>("better-sqlite3");

/**
 * A connection to `file`. better-sqlite3 loads its compiled part at the first connection: when that part
 * was built for another Node.js version, or not at all, the error says what to do.
 */
export function newSqliteConnection(file: string, options?: SQLite.Options): SQLite.Database {
  const Database = loadSQLite();
  try {
    return new Database(file, options);
  } catch (error) {
    // The advice names both module versions: the loader's own text (the file's path, "re-compile or
    // re-install") would add nothing but length.
    const advice = describeUnloadableAddon("better-sqlite3", error);
    throw advice ? new Error(advice) : error;
  }
}

export interface SqliteHandle {
  db: Kysely<Database>;
  raw: SQLite.Database;
  /** Runs a compiled query on the connection directly (see precompiled.ts); through Kysely inside a transaction. */
  run: QueryRunner;
  /** The same, answering rows as arrays of column values. */
  runArrays: ArrayQueryRunner;
  /** Runs a step of several statements synchronously on the connection. */
  steps: StepRunner;
  /** See ChangeStamp. */
  changeStamp: ChangeStamp;
}

/**
 * A value that stays the same while the database's data stays the same: it moves when this connection
 * changes a row (total_changes()) and when any other connection commits (PRAGMA data_version: the CLI,
 * another process, a second connection in this one). Null inside a transaction, whose writes may still be
 * rolled back. Reading it takes two tiny statements and no table.
 */
export type ChangeStamp = () => string | null;

function changeStampOf(raw: SQLite.Database): ChangeStamp {
  const dataVersion = raw.prepare("pragma data_version").pluck();
  const totalChanges = raw.prepare("select total_changes()").pluck();
  return () => (raw.inTransaction ? null : `${dataVersion.get() as number}.${totalChanges.get() as number}`);
}

// Transactions read, then write (claim a value, count a wrong code). A deferred BEGIN takes the write lock
// only at the first write, and when another process wrote in between SQLite fails at once with "database
// is locked" instead of waiting. BEGIN IMMEDIATE takes the lock up front, so busy_timeout applies.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  /**
   * SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error): the ROLLBACK
   * that follows would fail with "no transaction is active" and replace the error that explains the failure
   * (which the outage handling turns into a 503) with one that says nothing.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (error) {
      if (error instanceof Error && /no transaction is active/.test(error.message)) return;
      throw error;
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 with its prepared statements kept: Kysely asks for a new statement on every query, and
 * preparing costs several times more than running a small one. The queries' SQL text is the key (their
 * values are parameters), so the set stays small. Every run asks for its statement here, so `onStatement`
 * sees each one.
 */
function statementCache(prepare: (sqlText: string) => SQLite.Statement, onStatement?: StatementObserver): (sqlText: string) => SQLite.Statement {
  const cache = new Map<string, SQLite.Statement>();
  return (sqlText) => {
    onStatement?.(sqlText);
    let statement = cache.get(sqlText);
    if (!statement) {
      statement = prepare(sqlText);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sqlText, statement);
    }
    return statement;
  };
}

function withStatementCache(raw: SQLite.Database, onStatement?: StatementObserver): { close(): void; prepare(sqlText: string): SQLite.Statement } {
  return { close: () => raw.close(), prepare: statementCache((sqlText) => raw.prepare(sqlText), onStatement) };
}

/**
 * The database holds password and session hashes: like the generated secret, it and its -wal and -shm
 * files are readable by their owner only. SQLite gives the two side files the database file's mode, so
 * creating the database as 0600 is enough for a new one; an existing one is tightened here.
 */
function restrictDatabaseFiles(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue;
    try {
      chmodSync(path, 0o600);
    } catch {
      // Owned by another user (a shared volume): leave it as the operator set it.
    }
  }
}

export function openSqliteDatabase(file: string, onStatement?: StatementObserver): SqliteHandle {
  if (file !== ":memory:") {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) {
      try {
        closeSync(openSync(file, "wx", 0o600));
      } catch (error) {
        // Another process created it at the same moment: fine, it is tightened below.
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    restrictDatabaseFiles(file);
  }
  const raw = newSqliteConnection(file);
  try {
    raw.pragma("journal_mode = WAL");
    if (file !== ":memory:") restrictDatabaseFiles(file);
    raw.pragma("synchronous = NORMAL");
    raw.pragma("foreign_keys = ON");
    // Another process (the CLI, a backup) may hold the write lock for a moment: wait instead of failing.
    raw.pragma("busy_timeout = 5000");
    // Find out now, not at the first sign-in, when the file cannot be written: rewriting the schema
    // version with its own value is a real write that changes nothing.
    if (file !== ":memory:") raw.pragma(`user_version = ${Number(raw.pragma("user_version", { simple: true }))}`);
  } catch (error) {
    raw.close();
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN"))) {
      throw new Error(describeReadOnlySqlite(file, (error as Error).message), { cause: error });
    }
    if (code === "SQLITE_NOTADB") {
      throw new Error(
        `${file} is not a SQLite database (${(error as Error).message}): another file took its place, or it is damaged. ` +
          "Restore Latchkey's database from a backup (docs/deployment.md, Backups), then start again.",
        { cause: error },
      );
    }
    throw error;
  }
  const statements = withStatementCache(raw, onStatement);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: statements as SqliteDatabase }) });
  const viaKysely: QueryRunner = (query) => db.executeQuery(query);
  const run = directSqliteRunner(raw, (sqlText) => statements.prepare(sqlText), viaKysely);
  // Statements of their own: raw mode is a setting of the statement, and Kysely's must keep answering objects.
  const runArrays = directSqliteArrayRunner(
    raw,
    statementCache((sqlText) => raw.prepare(sqlText).raw(true), onStatement),
    viaKysely,
  );
  // A step of several statements (a sign-in's throttle), run back to back.
  const steps = directSqliteStepRunner(raw, (sqlText) => statements.prepare(sqlText), viaKysely);
  return { db, raw, run, runArrays, steps, changeStamp: changeStampOf(raw) };
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
