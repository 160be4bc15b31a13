// Short-lived state in the SQL database (single mode): a key, a value and an expiry per row. Expired rows
// are invisible at once and swept now and then.
import { type Kysely, sql } from "kysely";
import type { Clock } from "../../lib/clock.ts";
import type { Database, SqlCodec } from "../sql/schema.ts";
import type { ShortLivedStore } from "../types.ts";

export function createSqlShortLivedStore(db: Kysely<Database>, codec: SqlCodec, clock: Clock): ShortLivedStore {
  const nowValue = () => codec.time(clock.now());
  const expiry = (ttlSeconds: number) => codec.time(new Date(clock.now().getTime() + ttlSeconds * 1000));
  /** One atomic upsert: a missing or expired counter starts at 1; `sliding` moves the expiry on every bump. */
  const bump = async (key: string, ttlSeconds: number, sliding: boolean): Promise<number> => {
    const now = nowValue();
    const expires = expiry(ttlSeconds);
    const row = await db
      .insertInto("short_lived")
      .values({ key, value: "1", expires_at: expires })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          value: sql<string>`case when short_lived.expires_at <= ${now} then '1' else cast(cast(short_lived.value as integer) + 1 as text) end`,
          expires_at: sliding ? expires : sql`case when short_lived.expires_at <= ${now} then ${expires} else short_lived.expires_at end`,
        }),
      )
      .returning("value")
      .executeTakeFirstOrThrow();
    return Number(row.value);
  };
  return {
    async set(key, value, ttlSeconds) {
      await db
        .insertInto("short_lived")
        .values({ key, value, expires_at: expiry(ttlSeconds) })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value, expires_at: expiry(ttlSeconds) }))
        .execute();
    },
    async get(key) {
      const row = await db.selectFrom("short_lived").select("value").where("key", "=", key).where("expires_at", ">", nowValue()).executeTakeFirst();
      return row?.value ?? null;
    },
    async getAndDelete(key) {
      // DELETE … RETURNING is one statement: only one caller can receive the row.
      const row = await db.deleteFrom("short_lived").where("key", "=", key).returning(["value", "expires_at"]).executeTakeFirst();
      if (!row) return null;
      return codec.date(row.expires_at) > clock.now() ? row.value : null;
    },
    async delete(key) {
      await db.deleteFrom("short_lived").where("key", "=", key).execute();
    },
    increment: (key, ttlSeconds) => bump(key, ttlSeconds, false),
    incrementSliding: (key, ttlSeconds) => bump(key, ttlSeconds, true),
    async decrement(key) {
      const row = await db
        .updateTable("short_lived")
        .set({ value: sql<string>`case when cast(short_lived.value as integer) > 0 then cast(cast(short_lived.value as integer) - 1 as text) else '0' end` })
        .where("key", "=", key)
        .where("expires_at", ">", nowValue())
        .returning("value")
        .executeTakeFirst();
      return row ? Number(row.value) : 0;
    },
    async ttl(key) {
      const row = await db.selectFrom("short_lived").select("expires_at").where("key", "=", key).executeTakeFirst();
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
