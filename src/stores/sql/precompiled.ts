// Queries of the hot paths (session check, sign-in, throttle counters), built and compiled by Kysely once and
// then only run with new values. Building a query costs far more CPU than SQLite spends running it (a small
// upsert: about 210 µs built each time, 50 µs precompiled).
//
// A query is built with `slot("name")` where a value goes; `bind` puts the values in place:
//
//   const byKey = precompile(db.selectFrom("short_lived").select("value").where("key", "=", slot("key")));
//   const { rows } = await run(byKey.bind({ key }));

import type SQLite from "better-sqlite3";
import { type Compilable, CompiledQuery, type QueryResult } from "kysely";

// A value no caller passes: NUL characters around the slot's name.
const SLOT_START = "\u0000slot:";
const SLOT_END = "\u0000";

function slotName(value: unknown): string | null {
  if (typeof value !== "string" || !value.startsWith(SLOT_START) || !value.endsWith(SLOT_END) || value.length <= SLOT_START.length + SLOT_END.length)
    return null;
  return value.slice(SLOT_START.length, -SLOT_END.length);
}

/** A stand-in for a value, given where the query is built (typed loosely: it stands for any column type). */
// biome-ignore lint/suspicious/noExplicitAny: a slot stands for a value of whatever type the column has.
export function slot(name: string): any {
  return `${SLOT_START}${name}${SLOT_END}`;
}

export interface Precompiled<R> {
  readonly sql: string;
  /** The query with these values in its slots (constants stay as built). */
  bind(values: Readonly<Record<string, unknown>>): CompiledQuery<R>;
}

export function precompile<R>(query: Compilable<R>): Precompiled<R> {
  const compiled = query.compile();
  type Part = { kind: "slot"; name: string } | { kind: "constant"; value: unknown };
  const parts = compiled.parameters.map((value): Part => {
    const name = slotName(value);
    return name !== null ? { kind: "slot", name } : { kind: "constant", value };
  });
  return {
    sql: compiled.sql,
    bind(values) {
      const parameters = parts.map((part) => {
        if (part.kind === "constant") return part.value;
        const value = values[part.name];
        if (value === undefined) throw new Error(`no value for slot ${part.name} of a precompiled query`);
        return value;
      });
      return CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<R>;
    },
  };
}

/**
 * Called with the SQL text (no values) of every statement run on the database, BEGIN and COMMIT included:
 * tests count the storage work of a request with it. Nothing sets it in production.
 */
export type StatementObserver = (sqlText: string) => void;

/** Runs a compiled query; the database's own `executeQuery`, or the direct SQLite runner below. */
export type QueryRunner = <R>(query: CompiledQuery<R>) => Promise<QueryResult<R>>;

/**
 * Runs `execute` on the SQLite connection at once, or `fallback` inside a transaction opened through Kysely
 * (see directSqliteRunner); what `execute` throws comes back as a rejected promise.
 */
function directOrInTransaction<T>(
  raw: SQLite.Database,
  fallback: (query: CompiledQuery) => Promise<T>,
  execute: (query: CompiledQuery) => T,
): (query: CompiledQuery) => Promise<T> {
  return (query) => {
    if (raw.inTransaction) return fallback(query);
    try {
      return Promise.resolve(execute(query));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Runs compiled queries on the SQLite connection itself, without Kysely's connection mutex and promise chain
 * (a quarter of a session check's CPU). Inside a transaction opened through Kysely the query goes through
 * Kysely (`fallback`), so it waits for its turn and never sees another transaction's uncommitted writes.
 * Statements come from `prepare` (the same cache Kysely uses). Mirrors Kysely's SqliteConnection.
 */
export function directSqliteRunner(raw: SQLite.Database, prepare: (sql: string) => SQLite.Statement, fallback: QueryRunner): QueryRunner {
  return directOrInTransaction(raw, fallback, sqliteExecutor(prepare)) as QueryRunner;
}

/** Runs one compiled query on the SQLite connection, synchronously, with Kysely's result shape. */
function sqliteExecutor(prepare: (sql: string) => SQLite.Statement): (query: CompiledQuery) => QueryResult<unknown> {
  return (query) => {
    const statement = prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  };
}

/**
 * The statements of one step, written once for every way of running them: the generator yields each query
 * and is handed back its result, so the step can decide what to run next (stop at a lock, say).
 */
// biome-ignore lint/suspicious/noExplicitAny: each yielded query has its own row type; the step casts what it reads.
export type Steps<T> = Generator<CompiledQuery, T, QueryResult<any>>;

/** Runs a step's statements one after the other. */
export type StepRunner = <T>(steps: () => Steps<T>) => Promise<T>;

/** Through any query runner, awaiting each statement. */
export function stepsThrough(run: QueryRunner): StepRunner {
  return async (steps) => {
    const generator = steps();
    let step = generator.next();
    while (!step.done) step = generator.next(await run(step.value));
    return step.value;
  };
}

/**
 * On the SQLite connection itself, synchronously: nothing else in the process runs between the statements,
 * and each is atomic on its own. No explicit transaction around them: measured in the server under sign-in
 * load, BEGIN IMMEDIATE … COMMIT around a sign-in's two throttle steps cost 0.1–0.3 ms more CPU per sign-in
 * than the same statements committed one by one. Inside a transaction opened through Kysely the statements
 * take their turn through Kysely (`fallback`), as in directSqliteRunner.
 */
export function directSqliteStepRunner(raw: SQLite.Database, prepare: (sql: string) => SQLite.Statement, fallback: QueryRunner): StepRunner {
  const execute = sqliteExecutor(prepare);
  const throughFallback = stepsThrough(fallback);
  return <T>(steps: () => Steps<T>): Promise<T> => {
    if (raw.inTransaction) return throughFallback(steps);
    try {
      const generator = steps();
      let step = generator.next();
      while (!step.done) step = generator.next(execute(step.value));
      return Promise.resolve(step.value);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Runs a compiled SELECT and answers each row as an array of its column values, in the order the query
 * selects them. For the session check: better-sqlite3 builds an object per row by looking up every column
 * name in V8's string table, which cost a tenth of the check's CPU for a 25-column join.
 */
export type ArrayQueryRunner = (query: CompiledQuery) => Promise<unknown[][]>;

/** Rows as arrays from any runner whose rows are objects (PostgreSQL; SQLite inside a transaction). */
export function arraysFrom(run: QueryRunner): ArrayQueryRunner {
  return async (query) => (await run(query)).rows.map((row) => Object.values(row as object));
}

/**
 * The array runner on the SQLite connection itself: statements from `prepareArrays` answer rows as arrays
 * (better-sqlite3's raw mode; they are not the statements Kysely shares). Inside a transaction the query goes
 * through `fallback`, as in directSqliteRunner.
 */
export function directSqliteArrayRunner(raw: SQLite.Database, prepareArrays: (sql: string) => SQLite.Statement, fallback: QueryRunner): ArrayQueryRunner {
  return directOrInTransaction(raw, arraysFrom(fallback), (query) => prepareArrays(query.sql).all(query.parameters as unknown[]) as unknown[][]);
}
