// Short-lived state in the SQL database (single mode): a key, a value and an expiry per row. Expired rows
// are invisible at once and swept now and then. Every query is compiled once (they run several times per
// sign-in; see ../sql/precompiled.ts).
import { CompiledQuery, type Kysely, sql } from "kysely";
import type { Clock } from "../../lib/clock.ts";
import { precompile, type QueryRunner, type StepRunner, type Steps, slot, stepsThrough } from "../sql/precompiled.ts";
import type { Database, SqlCodec, SqlTime } from "../sql/schema.ts";
import type { AttemptKeys, AttemptLimits, AttemptReservation, ShortLivedStore } from "../types.ts";

// PostgreSQL runs a reservation as one statement: data-modifying CTEs share one snapshot, and each upsert
// still counts from the latest committed row. The window counts only without a lock; the failures only
// within the window's limit. $1 lock, $2 window, $3 failures, $4 mark, $5 now, $6 window expiry,
// $7 failure expiry, $8 window limit.
const RESERVE_POSTGRES = `with lock as (
  select expires_at from short_lived where key = $1 and expires_at > $5
), win as (
  insert into short_lived as s (key, value, expires_at)
  select $2::text, '1', $6::timestamptz where not exists (select 1 from lock)
  on conflict (key) do update set
    value = case when s.expires_at <= $5 then '1' else cast(cast(s.value as integer) + 1 as text) end,
    expires_at = case when s.expires_at <= $5 then excluded.expires_at else s.expires_at end
  returning s.value, s.expires_at
), fail as (
  insert into short_lived as s (key, value, expires_at)
  select $3::text, '1', $7::timestamptz from win where cast(win.value as integer) <= $8::integer
  on conflict (key) do update set
    value = case when s.expires_at <= $5 then '1' else cast(cast(s.value as integer) + 1 as text) end,
    expires_at = excluded.expires_at
  returning s.value
)
select (select expires_at from lock) as lock_expires,
  (select value from win) as checks,
  (select expires_at from win) as window_expires,
  (select value from fail) as position,
  (select value from short_lived where key = $4 and expires_at > $5) as mark`;

// $1 counter, $2 keys to delete, $3 now.
const DECREMENT_AND_DELETE_POSTGRES = `with gone as (delete from short_lived where key = any($2::text[]))
update short_lived set value = case when cast(value as integer) > 0 then cast(cast(value as integer) - 1 as text) else '0' end
where key = $1 and expires_at > $3`;

/**
 * On SQLite, `steps` runs reserveAttempt's and decrementAndDelete's statements back to back (each statement
 * atomic, nothing else of the process in between); on PostgreSQL each of them is one statement instead.
 */
export function createSqlShortLivedStore(
  db: Kysely<Database>,
  codec: SqlCodec,
  clock: Clock,
  run: QueryRunner = (query) => db.executeQuery(query),
  steps: StepRunner = stepsThrough(run),
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
  const deleteKeys = (keys: readonly string[]): CompiledQuery =>
    keys.length === 1 ? deleteQuery.bind({ key: keys[0] }) : deleteManyQuery(keys.length).bind(Object.fromEntries(keys.map((key, i) => [`k${i}`, key])));
  const decrementQuery = precompile(
    db
      .updateTable("short_lived")
      .set({ value: sql<string>`case when cast(short_lived.value as integer) > 0 then cast(cast(short_lived.value as integer) - 1 as text) else '0' end` })
      .where("key", "=", slot("key"))
      .where("expires_at", ">", slot("now"))
      .returning("value"),
  );
  const ttlQuery = precompile(db.selectFrom("short_lived").select("expires_at").where("key", "=", slot("key")));

  /** Whole seconds until an expiry, 0 when it has passed or there is none. */
  const secondsUntil = (expiresAt: SqlTime | null | undefined): number => {
    if (expiresAt === null || expiresAt === undefined) return 0;
    return Math.max(0, Math.ceil((codec.date(expiresAt).getTime() - clock.now().getTime()) / 1000));
  };
  const countOf = (rows: Array<{ value: string }>): number => {
    const row = rows[0];
    if (!row) throw new Error("the counter upsert returned no row");
    return Number(row.value);
  };

  function* reserveSteps(keys: AttemptKeys, limits: AttemptLimits): Steps<AttemptReservation> {
    const lock = secondsUntil((yield ttlQuery.bind({ key: keys.lock })).rows[0]?.expires_at);
    if (lock > 0) return { outcome: "locked", seconds: lock };
    const checks = countOf((yield bumpFixed.bind({ key: keys.window, now: nowValue(), expires: expiry(limits.windowSeconds) })).rows);
    if (checks > limits.windowLimit) return { outcome: "ceiling", seconds: secondsUntil((yield ttlQuery.bind({ key: keys.window })).rows[0]?.expires_at) };
    const position = countOf((yield bumpSliding.bind({ key: keys.failures, now: nowValue(), expires: expiry(limits.failureSeconds) })).rows);
    const mark: string | null = (yield getQuery.bind({ key: keys.mark, now: nowValue() })).rows[0]?.value ?? null;
    return { outcome: "reserved", position, mark };
  }

  async function reservePostgres(keys: AttemptKeys, limits: AttemptLimits): Promise<AttemptReservation> {
    const parameters = [
      keys.lock,
      keys.window,
      keys.failures,
      keys.mark,
      nowValue(),
      expiry(limits.windowSeconds),
      expiry(limits.failureSeconds),
      limits.windowLimit,
    ];
    const { rows } = await run(
      CompiledQuery.raw(RESERVE_POSTGRES, parameters) as CompiledQuery<{
        lock_expires: SqlTime | null;
        checks: string | null;
        window_expires: SqlTime | null;
        position: string | null;
        mark: string | null;
      }>,
    );
    const row = rows[0];
    if (!row) throw new Error("the reservation statement returned no row");
    if (row.checks === null) return { outcome: "locked", seconds: secondsUntil(row.lock_expires) };
    if (row.position === null) return { outcome: "ceiling", seconds: secondsUntil(row.window_expires) };
    return { outcome: "reserved", position: Number(row.position), mark: row.mark };
  }

  const bump = async (key: string, ttlSeconds: number, sliding: boolean): Promise<number> => {
    const { rows } = await run((sliding ? bumpSliding : bumpFixed).bind({ key, now: nowValue(), expires: expiry(ttlSeconds) }));
    return countOf(rows);
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
      await run(deleteKeys(keys));
    },
    increment: (key, ttlSeconds) => bump(key, ttlSeconds, false),
    incrementSliding: (key, ttlSeconds) => bump(key, ttlSeconds, true),
    async decrement(key) {
      const { rows } = await run(decrementQuery.bind({ key, now: nowValue() }));
      return rows[0] ? Number(rows[0].value) : 0;
    },
    async ttl(key) {
      const { rows } = await run(ttlQuery.bind({ key }));
      return secondsUntil(rows[0]?.expires_at);
    },
    reserveAttempt(keys, limits) {
      return codec.dialect === "postgres" ? reservePostgres(keys, limits) : steps(() => reserveSteps(keys, limits));
    },
    async decrementAndDelete(counter, keys) {
      if (codec.dialect === "postgres") {
        await run(CompiledQuery.raw(DECREMENT_AND_DELETE_POSTGRES, [counter, [...keys], nowValue()]));
        return;
      }
      await steps(function* () {
        yield decrementQuery.bind({ key: counter, now: nowValue() });
        if (keys.length > 0) yield deleteKeys(keys);
      });
    },
    async deleteExpired() {
      const result = await db.deleteFrom("short_lived").where("expires_at", "<=", nowValue()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
