// The session check on SQLite skips its join while the database is unchanged: these tests hold it to "never
// an answer older than the data", for writes made here, by another connection, and in a rolled-back
// transaction, and check that it does skip the join when nothing changed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { addSeconds } from "../../lib/clock.ts";
import type { SessionRecord } from "../types.ts";
import { createSqlAccountStore } from "./account-store.ts";
import type { ArrayQueryRunner } from "./precompiled.ts";
import { sqliteCodec } from "./schema.ts";
import { createSqlSessionStore, REMEMBERED_SESSION_CHECKS } from "./session-store.ts";
import { loadSQLite, migrateSqliteDatabase, openSqliteDatabase } from "./sqlite-database.ts";

const start = new Date("2026-12-03T06:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "latchkey-session-check-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function newSession(accountId: string): SessionRecord {
  return {
    id: `ses-${randomBytes(9).toString("base64url")}`,
    accountId,
    secretHash: randomBytes(32).toString("hex"),
    createdAt: start,
    lastSeenAt: start,
    idleExpiresAt: addSeconds(start, 3600),
    absoluteExpiresAt: addSeconds(start, 86400),
    remember: false,
    userAgent: null,
    ip: null,
  };
}

/** The stores of a fresh SQLite file, with the session check's join queries counted. */
async function openCounted(name: string) {
  const file = join(dir, `${name}.db`);
  const handle = openSqliteDatabase(file);
  await migrateSqliteDatabase(handle.db);
  const counted = { joins: 0 };
  const runArrays: ArrayQueryRunner = (query) => {
    counted.joins++;
    return handle.runArrays(query);
  };
  const accounts = createSqlAccountStore(handle.db, sqliteCodec, handle.run);
  const sessions = createSqlSessionStore(handle.db, sqliteCodec, handle.run, runArrays, handle.changeStamp);
  const created = await accounts.createVerifiedAccount({
    id: `acc-${randomBytes(6).toString("hex")}`,
    name: "Ada",
    passwordHash: "hash",
    createdAt: start,
    identifier: { id: `idf-${randomBytes(6).toString("hex")}`, kind: "email", value: `${name}@example.com`, display: `${name}@example.com` },
  });
  assert.ok(created);
  const session = newSession(created.account.id);
  await sessions.createSession(session);
  return { file, handle, accounts, sessions, counted, account: created.account, session };
}

describe("the session check on SQLite", () => {
  it("runs its join once while nothing is written, and again after any write made here", async () => {
    const { handle, accounts, sessions, counted, account, session } = await openCounted("here");
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.disabledAt, null);
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.disabledAt, null);
    assert.equal(counted.joins, 1, "the second check used the remembered rows");

    assert.equal(await accounts.setAccountDisabled(account.id, start), true);
    assert.ok((await sessions.getSessionWithAccount(session.id))?.account.disabledAt, "a disabled account is seen at once");
    assert.equal(counted.joins, 2);

    assert.equal(await accounts.setAccountDisabled(account.id, null), true);
    assert.equal(await sessions.deleteSession(session.id), true);
    assert.equal(await sessions.getSessionWithAccount(session.id), null, "a revoked session is refused at once");
    await handle.db.destroy();
  });

  it("offers at once (peekSessionWithAccount) only what a check read, and nothing once anything was written", async () => {
    const { accounts, handle, sessions, account, session } = await openCounted("peek");
    assert.equal(sessions.peekSessionWithAccount?.(session.id), undefined, "not read yet");
    const read = await sessions.getSessionWithAccount(session.id);
    assert.deepEqual(sessions.peekSessionWithAccount?.(session.id), read);
    assert.equal(await accounts.setAccountLocale(account.id, "de"), true);
    assert.equal(sessions.peekSessionWithAccount?.(session.id), undefined, "written since");
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.locale, "de");
    await handle.db.destroy();
  });

  it("sees at once what another connection committed (the command line, a second process)", async () => {
    const { file, handle, sessions, account, session } = await openCounted("other");
    assert.equal((await sessions.getSessionWithAccount(session.id))?.identifiers.length, 1);
    const other = new (loadSQLite())(file);
    try {
      other.prepare("update accounts set disabled_at = ? where id = ?").run(Math.floor(start.getTime() / 1000), account.id);
      assert.ok((await sessions.getSessionWithAccount(session.id))?.account.disabledAt, "disabled by the other connection");
      other
        .prepare("insert into identifiers (id, account_id, kind, value, display, verified_at, created_at) values (?, ?, 'phone', ?, ?, ?, ?)")
        .run("idf-other", account.id, "+15550100", "+1 555 0100", 1, Math.floor(start.getTime() / 1000) + 1);
      assert.deepEqual(
        (await sessions.getSessionWithAccount(session.id))?.identifiers.map((i) => i.value),
        [`other@example.com`, "+15550100"],
      );
      other.prepare("delete from sessions where id = ?").run(session.id);
      assert.equal(await sessions.getSessionWithAccount(session.id), null, "revoked by the other connection");
    } finally {
      other.close();
      await handle.db.destroy();
    }
  });

  it("never keeps rows read inside a transaction that is then rolled back", async () => {
    const { handle, sessions, account, session } = await openCounted("rollback");
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.name, "Ada");
    handle.raw.exec("begin");
    handle.raw.prepare("update accounts set name = 'Uncommitted' where id = ?").run(account.id);
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.name, "Uncommitted", "the transaction's own view");
    handle.raw.exec("rollback");
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.name, "Ada");
    await handle.db.destroy();
  });

  it("does not keep rows that a write made old while they were on their way", async () => {
    const { handle, sessions, account, session } = await openCounted("overtaken");
    const second = newSession(account.id);
    await sessions.createSession(second);
    // The first check reads, then waits for its turn; meanwhile a write, and a check that sees the new data.
    const first = sessions.getSessionWithAccount(session.id);
    handle.raw.prepare("update accounts set name = 'Grace' where id = ?").run(account.id);
    const other = sessions.getSessionWithAccount(second.id);
    assert.equal((await first)?.account.name, "Ada", "read before the write");
    assert.equal((await other)?.account.name, "Grace");
    assert.equal((await sessions.getSessionWithAccount(session.id))?.account.name, "Grace");
    await handle.db.destroy();
  });

  it(`keeps at most ${REMEMBERED_SESSION_CHECKS} sessions' rows, forgetting the oldest first`, async () => {
    const { handle, sessions, counted, account, session } = await openCounted("bounded");
    const more: SessionRecord[] = [];
    for (let i = 0; i < REMEMBERED_SESSION_CHECKS; i++) more.push(newSession(account.id));
    for (const s of more) await sessions.createSession(s);
    for (const s of [session, ...more]) assert.ok(await sessions.getSessionWithAccount(s.id));
    assert.equal(counted.joins, REMEMBERED_SESSION_CHECKS + 1);
    assert.ok(await sessions.getSessionWithAccount(more.at(-1)?.id ?? ""));
    assert.equal(counted.joins, REMEMBERED_SESSION_CHECKS + 1, "the newest is remembered");
    assert.ok(await sessions.getSessionWithAccount(session.id));
    assert.equal(counted.joins, REMEMBERED_SESSION_CHECKS + 2, "the oldest was forgotten");
    await handle.db.destroy();
  });
});
