// Single mode: when another process holds the SQLite write lock for longer than the busy timeout (a stuck
// script, a long manual transaction), requests answer 503 SERVICE_UNAVAILABLE with Retry-After, not 500,
// and the sign-in it refused counts for nothing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { countSigninFailures } from "../../src/signin/throttle.ts";
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
