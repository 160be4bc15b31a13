import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { sql } from "kysely";
import { precompile, slot } from "./precompiled.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "./sqlite-database.ts";

describe("precompiled queries and the direct SQLite runner", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-precompiled-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("puts each value in its slot and keeps the constants", async () => {
    const { db, run } = openSqliteDatabase(join(dir, "slots.db"));
    await migrateSqliteDatabase(db);
    const insert = precompile(db.insertInto("short_lived").values({ key: slot("key"), value: "fixed", expires_at: slot("expires") }));
    await run(insert.bind({ key: "a", expires: 5 }));
    await run(insert.bind({ key: "b", expires: 7 }));
    const byKey = precompile(db.selectFrom("short_lived").select(["value", "expires_at"]).where("key", "=", slot("key")));
    assert.deepEqual((await run(byKey.bind({ key: "b" }))).rows, [{ value: "fixed", expires_at: 7 }]);
    assert.throws(() => byKey.bind({}), /no value for slot key/);
    await db.destroy();
  });

  it("waits for a transaction in progress instead of reading its uncommitted rows", async () => {
    const { db, run } = openSqliteDatabase(join(dir, "transaction.db"));
    await migrateSqliteDatabase(db);
    const byKey = precompile(db.selectFrom("short_lived").select("value").where("key", "=", slot("key")));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted: () => void = () => undefined;
    const insertedInside = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto("short_lived").values({ key: "pending", value: "x", expires_at: 1 }).execute();
      inserted();
      await held;
      throw new Error("roll back");
    });
    await insertedInside;
    const read = run(byKey.bind({ key: "pending" }));
    release();
    await assert.rejects(transaction, /roll back/);
    assert.deepEqual((await read).rows, [], "the rolled-back row was never seen");
    await db.destroy();
  });

  it("answers rows as arrays in the selected order, also inside a transaction, while Kysely's rows stay objects", async () => {
    const { db, run, runArrays } = openSqliteDatabase(join(dir, "arrays.db"));
    await migrateSqliteDatabase(db);
    const insert = precompile(db.insertInto("short_lived").values({ key: slot("key"), value: slot("value"), expires_at: 9 }));
    await run(insert.bind({ key: "a", value: "first" }));
    await run(insert.bind({ key: "b", value: "second" }));
    const query = db.selectFrom("short_lived").select(["expires_at", "value", "key"]).orderBy("key").compile();
    const expected = [
      [9, "first", "a"],
      [9, "second", "b"],
    ];
    assert.deepEqual(await runArrays(query), expected);
    // The same SQL through Kysely and the object runner: their statement is not the raw-mode one.
    assert.deepEqual((await db.executeQuery(query)).rows[0], { expires_at: 9, value: "first", key: "a" });
    assert.deepEqual((await run(query)).rows[1], { expires_at: 9, value: "second", key: "b" });
    let inside: unknown;
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto("short_lived").values({ key: "c", value: "third", expires_at: 9 }).execute();
      inside = runArrays(query);
      throw new Error("roll back");
    });
    await assert.rejects(transaction, /roll back/);
    assert.deepEqual(await inside, expected, "waited for the transaction instead of reading its uncommitted row");
    await assert.rejects(runArrays(db.selectFrom("short_lived").select("value").where(sql<boolean>`no_such_column = 1`).compile()), /no such column/);
    await db.destroy();
  });

  it("runs a step's statements back to back, each seeing the one before; inside a transaction it waits its turn", async () => {
    const { db, steps } = openSqliteDatabase(join(dir, "steps.db"));
    await migrateSqliteDatabase(db);
    const insert = precompile(db.insertInto("short_lived").values({ key: slot("key"), value: slot("value"), expires_at: 9 }));
    const byKey = precompile(db.selectFrom("short_lived").select("value").where("key", "=", slot("key")));
    // Copies a's value to b, then reads b: one step, three statements.
    const copy = (from: string, to: string) =>
      steps(function* () {
        const found = (yield byKey.bind({ key: from })).rows[0]?.value ?? null;
        if (found === null) return "nothing to copy";
        yield insert.bind({ key: to, value: `${found}+` });
        return (yield byKey.bind({ key: to })).rows[0]?.value;
      });
    assert.equal(await copy("a", "b"), "nothing to copy");
    await steps(function* () {
      yield insert.bind({ key: "a", value: "first" });
    });
    assert.equal(await copy("a", "b"), "first+");

    let inside: Promise<unknown> = Promise.resolve();
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto("short_lived").values({ key: "c", value: "uncommitted", expires_at: 9 }).execute();
      inside = copy("c", "d");
      throw new Error("roll back");
    });
    await assert.rejects(transaction, /roll back/);
    assert.equal(await inside, "nothing to copy", "waited for the transaction instead of reading its uncommitted row");
    await assert.rejects(
      steps(function* () {
        yield insert.bind({ key: "a", value: "again" });
      }),
      /UNIQUE constraint failed/,
      "a failing statement is a rejected promise",
    );
    await db.destroy();
  });

  it("reports a failing statement as a rejected promise", async () => {
    const { db, run } = openSqliteDatabase(join(dir, "error.db"));
    await migrateSqliteDatabase(db);
    const insert = precompile(db.insertInto("short_lived").values({ key: slot("key"), value: "v", expires_at: 1 }));
    await run(insert.bind({ key: "same" }));
    await assert.rejects(run(insert.bind({ key: "same" })), /UNIQUE/);
    await db.destroy();
  });
});
