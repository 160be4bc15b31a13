// Short-lived state in the SQL database (single mode): a key, a value and an expiry per row. Expired rows
// are invisible at once and swept now and then. Every query is compiled once (they run several times per
// sign-in; see ../sql/precompiled.ts).
import { type Kysely, sql } from "kysely";
import type { Clock } from "../../lib/clock.ts";
import { precompile, type QueryRunner, slot } from "../sql/precompiled.ts";
import type { Database, SqlCodec } from "../sql/schema.ts";
import type { ShortLivedStore } from "../types.ts";

export function createSqlShortLivedStore(
  db: Kysely<Database>,
  codec: SqlCodec,
  clock: Clock,
  run: QueryRunner = (query) => db.executeQuery(query),
): ShortLivedStore {
  const nowValue = () => codec.time(clock.now());
  const expiry = (ttlSeconds: number) => codec.time(new Date(clock.now().getTime() + ttlSeconds * 1000));
  /** One atomic upsert: a missing or expired counter starts at 1; `sliding` moves the expiry on every bump. */
  const bumpQuery = (sliding: boolean) =>
    precompile(
      db
        .insertInto("short_lived")
        .values({ key: slot("key"), value: "1", expires_at: slot("expires") })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            value: sql<string>`case when short_lived.expires_at <= ${slot("now")} then '1' else cast(cast(short_lived.value as integer) + 1 as text) end`,
            expires_at: sliding
              ? slot("expires")
              : sql`case when short_lived.expires_at <= ${slot("now")} then ${slot("expires")} else short_lived.expires_at end`,
          }),
        )
        .returning("value"),
    );
  const bumpFixed = bumpQuery(false);
  const bumpSliding = bumpQuery(true);
  const setQuery = precompile(
    db
      .insertInto("short_lived")
      .values({ key: slot("key"), value: slot("value"), expires_at: slot("expires") })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: slot("value"), expires_at: slot("expires") })),
  );
  const getQuery = precompile(db.selectFrom("short_lived").select("value").where("key", "=", slot("key")).where("expires_at", ">", slot("now")));
  const getAndDeleteQuery = precompile(db.deleteFrom("short_lived").where("key", "=", slot("key")).returning(["value", "expires_at"]));
  const deleteQuery = precompile(db.deleteFrom("short_lived").where("key", "=", slot("key")));
  // One statement per number of keys, compiled on first use (a sign-in clears three).
  const deleteMany = new Map<number, ReturnType<typeof precompileDeleteMany>>();
  const precompileDeleteMany = (count: number) =>
    precompile(
      db.deleteFrom("short_lived").where(
        "key",
        "in",
        Array.from({ length: count }, (_, i) => slot(`k${i}`)),
      ),
    );
  const deleteManyQuery = (count: number) => {
    let query = deleteMany.get(count);
    if (!query) {
      query = precompileDeleteMany(count);
      deleteMany.set(count, query);
    }
    return query;
  };
  const decrementQuery = precompile(
    db
      .updateTable("short_lived")
      .set({ value: sql<string>`case when cast(short_lived.value as integer) > 0 then cast(cast(short_lived.value as integer) - 1 as text) else '0' end` })
      .where("key", "=", slot("key"))
      .where("expires_at", ">", slot("now"))
      .returning("value"),
  );
  const ttlQuery = precompile(db.selectFrom("short_lived").select("expires_at").where("key", "=", slot("key")));

  const bump = async (key: string, ttlSeconds: number, sliding: boolean): Promise<number> => {
    const { rows } = await run((sliding ? bumpSliding : bumpFixed).bind({ key, now: nowValue(), expires: expiry(ttlSeconds) }));
    const row = rows[0];
    if (!row) throw new Error("the counter upsert returned no row");
    return Number(row.value);
  };
  return {
    async set(key, value, ttlSeconds) {
      await run(setQuery.bind({ key, value, expires: expiry(ttlSeconds) }));
    },
    async get(key) {
      const { rows } = await run(getQuery.bind({ key, now: nowValue() }));
      return rows[0]?.value ?? null;
    },
    async getAndDelete(key) {
      // DELETE … RETURNING is one statement: only one caller can receive the row.
      const { rows } = await run(getAndDeleteQuery.bind({ key }));
      const row = rows[0];
      if (!row) return null;
      return codec.date(row.expires_at) > clock.now() ? row.value : null;
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      if (keys.length === 1) {
        await run(deleteQuery.bind({ key: keys[0] }));
        return;
      }
      await run(deleteManyQuery(keys.length).bind(Object.fromEntries(keys.map((key, i) => [`k${i}`, key]))));
    },
    increment: (key, ttlSeconds) => bump(key, ttlSeconds, false),
    incrementSliding: (key, ttlSeconds) => bump(key, ttlSeconds, true),
    async decrement(key) {
      const { rows } = await run(decrementQuery.bind({ key, now: nowValue() }));
      return rows[0] ? Number(rows[0].value) : 0;
    },
    async ttl(key) {
      const { rows } = await run(ttlQuery.bind({ key }));
      const row = rows[0];
      if (!row) return 0;
      const seconds = Math.ceil((codec.date(row.expires_at).getTime() - clock.now().getTime()) / 1000);
      return Math.max(0, seconds);
    },
    async deleteExpired() {
      const result = await db.deleteFrom("short_lived").where("expires_at", "<=", nowValue()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
