// Single mode: when another process holds the SQLite write lock for longer than the busy timeout (a stuck
// script, a long manual transaction), requests answer 503 SERVICE_UNAVAILABLE with Retry-After, not 500,
// and the sign-in it refused counts for nothing. A disk that fills inside a transaction is reported as such.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { countSigninFailures } from "../../src/signin/throttle.ts";
import { classifyStorageOutage } from "../../src/stores/outage.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "../../src/stores/sql/sqlite-database.ts";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";

describe("a SQLite database locked by another process", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await seedVerifiedAccount(t, "locked-out@example.com");
  });
  after(async () => {
    await t.close();
  });

  it("answers 503 SERVICE_UNAVAILABLE while the lock is held, and works again once it is released", async () => {
    const other = new SQLite(join(t.dataDir, "latchkey.db"));
    other.exec("begin exclusive");
    try {
      const r = await t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "locked-out@example.com", password: STRONG_PASSWORD } });
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, "SERVICE_UNAVAILABLE");
      assert.equal(r.headers["retry-after"], "5");
    } finally {
      other.exec("rollback");
      other.close();
    }
    assert.equal(await countSigninFailures(t.deps, "locked-out@example.com"), 0);
    const r = await t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "locked-out@example.com", password: STRONG_PASSWORD } });
    assert.equal(r.statusCode, 200);
  });
});

describe("a SQLite database that fills up inside a transaction", () => {
  it("reports the full disk, not the rollback that SQLite made unnecessary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-full-"));
    const handle = openSqliteDatabase(join(dir, "latchkey.db"));
    try {
      await migrateSqliteDatabase(handle.db);
      const pages = Number(handle.raw.pragma("page_count", { simple: true }));
      handle.raw.pragma(`max_page_count = ${pages + 2}`);
      const failure = await handle.db
        .transaction()
        .execute(async (trx) => {
          for (let i = 0; i < 50; i++) {
            await trx
              .insertInto("short_lived")
              .values({ key: `k${i}`, value: "x".repeat(3000), expires_at: Date.now() + 60_000 })
              .execute();
          }
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      assert.ok(failure instanceof Error);
      assert.equal((failure as Error & { code?: string }).code, "SQLITE_FULL", failure.message);
      assert.equal(classifyStorageOutage(failure)?.kind, "unwritable", "answered as an outage (503), not as an internal error");
      assert.equal(handle.raw.inTransaction, false);
    } finally {
      handle.raw.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
