// Single mode: while another connection holds the SQLite write lock (the CLI, a backup, `begin exclusive` in
// the sqlite3 shell), a write waits for it without stopping the process: health checks, reads and timers go
// on, the write succeeds once the lock is released within the deadline, and answers 503 with Retry-After
// when it is held past it. The second connection lives in this process, so a write that waited inside
// SQLite (the event loop stopped) could never see it released by a timer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import SQLite from "better-sqlite3";
import type { CompiledQuery } from "kysely";
import { precompile, type Steps, slot } from "../../src/stores/sql/precompiled.ts";
import { migrateSqliteDatabase, openSqliteDatabase, type SqliteHandle } from "../../src/stores/sql/sqlite-database.ts";
import { isSqliteBusy } from "../../src/stores/sql/sqlite-lock-wait.ts";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import type { TestClient } from "../helpers/client.ts";

/** Resolves once `seen()` holds, checking on a timer (so only while the event loop is free). */
async function until(seen: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !seen(); i++) await sleep(5);
  assert.ok(seen(), "the awaited statement was never run");
}

describe("a sign-in that meets another connection's write lock", () => {
  let t: TestApp;
  let client: TestClient;
  const statements: string[] = [];
  before(async () => {
    t = await createTestApp({}, { onStatement: (sqlText) => statements.push(sqlText) });
    client = await seedVerifiedAccount(t, "waiting@example.com");
  });
  after(async () => {
    await t.close();
  });

  /**
   * Takes the write lock on a second connection, starts a sign-in and resolves once its first write has met the
   * lock. `events` records what answered, in order; `ticks()` counts a 5 ms timer's firings.
   */
  async function signinAgainstLock() {
    const other = new SQLite(join(t.dataDir, "latchkey.db"));
    const events: string[] = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    other.exec("begin exclusive");
    statements.length = 0;
    const signin = t.app
      .inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "waiting@example.com", password: STRONG_PASSWORD } })
      .then((r) => {
        events.push("sign-in answered");
        return r;
      });
    const stop = (): void => {
      clearInterval(ticker);
      if (other.inTransaction) other.exec("rollback");
      other.close();
    };
    try {
      // The throttle's first write has run and met the lock.
      await until(() => statements.some((s) => /^insert into "short_lived"/.test(s)));
    } catch (error) {
      stop();
      throw error;
    }
    return { other, events, signin, ticks: () => ticks, ticksAtWrite: ticks, stop };
  }

  it("waits off the event loop: health check, session check and timers answer meanwhile, and it succeeds once the lock is released", async () => {
    const run = await signinAgainstLock();
    try {
      const health = await t.app.inject({ method: "GET", url: "/healthz" });
      run.events.push("healthz answered");
      assert.equal(health.statusCode, 200);
      const session = await client.request("GET", "/api/v1/session");
      run.events.push("session check answered");
      assert.equal(session.statusCode, 200);
      await sleep(50);
      assert.ok(run.ticks() > run.ticksAtWrite, "a timer fired while the write waited");
      assert.deepEqual(run.events, ["healthz answered", "session check answered"], "the sign-in is still waiting for the lock");
      run.other.exec("rollback");
      const r = await run.signin;
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(run.events, ["healthz answered", "session check answered", "sign-in answered"]);
    } finally {
      run.stop();
    }
  });

  it("answers 503 SERVICE_UNAVAILABLE with Retry-After when the lock is held past the deadline, and health checks answer meanwhile", async () => {
    const run = await signinAgainstLock();
    try {
      const health = await t.app.inject({ method: "GET", url: "/healthz" });
      run.events.push("healthz answered");
      assert.equal(health.statusCode, 200);
      const r = await run.signin;
      assert.deepEqual(run.events, ["healthz answered", "sign-in answered"]);
      // Seconds of waiting: a timer every 5 ms fired many times (not once or twice after a stalled loop).
      const fired = run.ticks() - run.ticksAtWrite;
      assert.ok(fired > 50, `a timer kept firing while the write waited (${fired} ticks)`);
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, "SERVICE_UNAVAILABLE");
      assert.equal(r.headers["retry-after"], "5");
    } finally {
      run.stop();
    }
  });
});

describe("the SQLite runners under another connection's write lock", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-lock-wait-"));
  let handle: SqliteHandle;
  let other: SQLite.Database;
  before(async () => {
    handle = openSqliteDatabase(join(dir, "latchkey.db"));
    await migrateSqliteDatabase(handle.db);
    other = new SQLite(join(dir, "latchkey.db"));
  });
  after(async () => {
    other.close();
    await handle.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = (): string[] =>
    (other.prepare("select key from short_lived order by key").all() as Array<{ key: string }>).map((row) => row.key).filter((key) => key.startsWith("w-"));
  const insert = (key: string): CompiledQuery =>
    precompile(handle.db.insertInto("short_lived").values({ key: slot("key"), value: "1", expires_at: 4_000_000_000 })).bind({ key });

  it("a statement, a step, a Kysely statement and a transaction wait for the lock and each write once it is released", async () => {
    other.exec("begin exclusive");
    const settled: string[] = [];
    const note = (name: string) => (): void => {
      settled.push(name);
    };
    const direct = handle.run(insert("w-direct")).then(note("direct"));
    const step = handle
      .steps(function* (): Steps<void> {
        yield insert("w-step-1");
        yield insert("w-step-2");
      })
      .then(note("step"));
    const kysely = handle.db.insertInto("short_lived").values({ key: "w-kysely", value: "1", expires_at: 4_000_000_000 }).execute().then(note("kysely"));
    const transaction = handle.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("short_lived").values({ key: "w-transaction", value: "1", expires_at: 4_000_000_000 }).execute();
      })
      .then(note("transaction"));
    await sleep(30);
    assert.deepEqual(settled, [], "all four are waiting, and the timer fired meanwhile");
    other.exec("commit");
    await Promise.all([direct, step, kysely, transaction]);
    assert.deepEqual(keys(), ["w-direct", "w-kysely", "w-step-1", "w-step-2", "w-transaction"]);
  });

  const write = (key: string) => handle.db.insertInto("short_lived").values({ key, value: "1", expires_at: 4_000_000_000 }).execute();
  const readKeys = async (): Promise<string[]> =>
    (await handle.db.selectFrom("short_lived").select("key").where("key", "like", "w-%").orderBy("key").execute()).map((row) => row.key);

  it("a query-builder read made while a query-builder write waits for the lock answers first; the write succeeds once it is released", async () => {
    other.exec("delete from short_lived where key like 'w-%'");
    other.exec("begin exclusive");
    const events: string[] = [];
    const waiting = write("w-waiting").then(
      () => events.push("write"),
      () => events.push("write failed"),
    );
    try {
      await sleep(20);
      const rows = await readKeys();
      events.push("read");
      assert.deepEqual(rows, []);
      assert.deepEqual(events, ["read"], "the read answered while the write was still waiting");
    } finally {
      other.exec("commit");
    }
    await waiting;
    assert.deepEqual(events, ["read", "write"]);
    assert.deepEqual(keys(), ["w-waiting"]);
  });

  it("a transaction whose BEGIN waits lets reads through meanwhile, then runs its statements in order and keeps the connection until COMMIT", async () => {
    other.exec("delete from short_lived where key like 'w-%'");
    other.exec("begin exclusive");
    const events: string[] = [];
    let readDuring: Promise<string[]> | undefined;
    const transaction = handle.db.transaction().execute(async (trx) => {
      await trx.insertInto("short_lived").values({ key: "w-t1", value: "1", expires_at: 4_000_000_000 }).execute();
      // A read from outside now must wait for COMMIT: on the one connection it would see w-t1 uncommitted.
      readDuring = readKeys().then((rows) => {
        events.push("read during the transaction");
        return rows;
      });
      await sleep(20);
      await trx.insertInto("short_lived").values({ key: "w-t2", value: "1", expires_at: 4_000_000_000 }).execute();
      events.push("transaction");
    });
    try {
      await sleep(20);
      const rows = await readKeys();
      events.push("read while BEGIN waits");
      assert.deepEqual(rows, []);
      assert.deepEqual(events, ["read while BEGIN waits"]);
    } finally {
      other.exec("commit");
    }
    await transaction;
    assert.deepEqual(await readDuring, ["w-t1", "w-t2"]);
    assert.deepEqual(events, ["read while BEGIN waits", "transaction", "read during the transaction"]);
    assert.deepEqual(keys(), ["w-t1", "w-t2"]);
  });

  it("a waiting write whose lock is released while a transaction has the connection runs after it, not inside it", async () => {
    other.exec("delete from short_lived where key like 'w-%'");
    other.exec("begin exclusive");
    const events: string[] = [];
    const waiting = write("w-waiting").then(() => events.push("write"));
    await sleep(20);
    other.exec("commit");
    // The lock is free now; the waiting write tries again only on its timer, during the transaction's pause.
    let seenInside: string[] = [];
    const transaction = handle.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("short_lived").values({ key: "w-t1", value: "1", expires_at: 4_000_000_000 }).execute();
        await sleep(150);
        seenInside = (await trx.selectFrom("short_lived").select("key").where("key", "like", "w-%").orderBy("key").execute()).map((row) => row.key);
        throw new Error("roll back");
      })
      .catch(() => events.push("transaction rolled back"));
    await Promise.all([waiting, transaction]);
    assert.deepEqual(seenInside, ["w-t1"], "the waiting write did not run inside the transaction");
    assert.deepEqual(events, ["transaction rolled back", "write"]);
    assert.deepEqual(keys(), ["w-waiting"]);
  });

  it("a step that met the lock before writing runs again from its start, once", async () => {
    other.exec("delete from short_lived where key like 'w-%'");
    let runs = 0;
    const step = handle.steps(function* (): Steps<void> {
      runs++;
      // The lock is taken between the step's read and its first write, on the first run only.
      yield precompile(handle.db.selectFrom("short_lived").select("key").where("key", "=", slot("key"))).bind({ key: "w-a" });
      if (runs === 1) other.exec("begin exclusive");
      yield insert("w-a");
      yield insert("w-b");
    });
    await sleep(20);
    other.exec("commit");
    await step;
    assert.equal(runs, 2);
    assert.deepEqual(keys(), ["w-a", "w-b"]);
  });

  it("a step that met the lock after one of its writes is not run again: it fails, and its first write stays single", async () => {
    other.exec("delete from short_lived where key like 'w-%'");
    let runs = 0;
    const step = handle.steps(function* (): Steps<void> {
      runs++;
      yield insert("w-first");
      other.exec("begin exclusive");
      yield insert("w-second");
    });
    try {
      await assert.rejects(step, (error: unknown) => isSqliteBusy(error));
    } finally {
      other.exec("rollback");
    }
    assert.equal(runs, 1);
    assert.deepEqual(keys(), ["w-first"]);
  });
});
