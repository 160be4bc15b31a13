// The audit trail in SQL, and the per-hour counters the admin console charts.
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { AuditEventRecord, AuditStore, HourlyCount } from "../types.ts";
import { precompile, type QueryRunner, slot } from "./precompiled.ts";
import type { AuditEventsTable, Database, SqlCodec, SqlTime } from "./schema.ts";

const HOUR_MS = 3600 * 1000;

/** The start of the UTC hour that holds `at`. */
function startOfHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * Writes one audit event inside the caller's transaction, for a change whose record must commit or roll back
 * with it (disabling an account: see AccountStore.disableAccount).
 */
export async function insertAuditEvent(trx: Transaction<Database> | Kysely<Database>, codec: SqlCodec, e: AuditEventRecord): Promise<void> {
  await trx.insertInto("audit_events").values(auditEventRow(codec, e)).execute();
}

/** An audit event as the row it is stored in. */
function auditEventRow(codec: SqlCodec, e: AuditEventRecord) {
  return {
    id: e.id,
    at: codec.time(e.at),
    type: e.type,
    account_id: e.accountId,
    ip: e.ip,
    user_agent: e.userAgent,
    detail: e.detail ? JSON.stringify(e.detail) : null,
  };
}

export function createSqlAuditStore(db: Kysely<Database>, codec: SqlCodec, run: QueryRunner = (query) => db.executeQuery(query)): AuditStore {
  // Every sign-in records one: compiled once.
  const insertEvent = precompile(
    db.insertInto("audit_events").values({
      id: slot("id"),
      at: slot("at"),
      type: slot("type"),
      account_id: slot("account_id"),
      ip: slot("ip"),
      user_agent: slot("user_agent"),
      detail: slot("detail"),
    }),
  );
  const toRecord = (row: Selectable<AuditEventsTable>): AuditEventRecord => ({
    id: row.id,
    at: codec.date(row.at),
    type: row.type,
    accountId: row.account_id,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail ? (JSON.parse(row.detail) as AuditEventRecord["detail"]) : null,
  });
  // The start of an event's hour, computed in the database so that only one row per hour and type leaves it.
  const hourOfAt = codec.dialect === "postgres" ? sql<SqlTime>`to_timestamp(floor(extract(epoch from at) / 3600) * 3600)` : sql<SqlTime>`(at / 3600) * 3600`;
  return {
    async recordEvent(e) {
      await run(insertEvent.bind(auditEventRow(codec, e)));
    },
    async listEvents(q) {
      let query = db.selectFrom("audit_events").selectAll();
      if (q.accountId !== undefined) query = query.where("account_id", "=", q.accountId);
      if (q.since !== undefined) query = query.where("at", ">=", codec.time(q.since));
      if (q.types && q.types.length > 0) query = query.where("type", "in", q.types);
      const rows = await query.orderBy("at", "desc").orderBy("id", "desc").limit(q.limit).execute();
      return rows.map(toRecord);
    },
    async searchEvents(q) {
      let query = db.selectFrom("audit_events").selectAll();
      if (q.types && q.types.length > 0) query = query.where("type", "in", q.types);
      if (q.accountId !== undefined) query = query.where("account_id", "=", q.accountId);
      if (q.ip !== undefined) query = query.where("ip", "=", q.ip);
      if (q.from !== undefined) query = query.where("at", ">=", codec.time(q.from));
      if (q.until !== undefined) query = query.where("at", "<", codec.time(q.until));
      const before = q.before;
      if (before) query = query.where((eb) => eb(eb.refTuple("at", "id"), "<", eb.tuple(codec.time(before.at), before.id)));
      const rows = await query.orderBy("at", "desc").orderBy("id", "desc").limit(q.limit).execute();
      return rows.map(toRecord);
    },
    async countEventsPerHour(q) {
      if (q.types.length === 0) return [];
      const rows = await db
        .selectFrom("audit_events")
        .select([hourOfAt.as("hour"), "type", (eb) => eb.fn.countAll<number | string>().as("count")])
        .where("type", "in", q.types)
        .where("at", ">=", codec.time(q.from))
        .where("at", "<", codec.time(q.until))
        .groupBy([hourOfAt, "type"])
        .execute();
      return rows.map((r): HourlyCount => ({ hour: codec.date(r.hour), name: r.type, count: Number(r.count) }));
    },
    async incrementHourlyCount(name, at) {
      await db
        .insertInto("hourly_counts")
        .values({ hour: codec.time(startOfHour(at)), name, count: 1 })
        .onConflict((oc) => oc.columns(["name", "hour"]).doUpdateSet({ count: sql<number>`hourly_counts.count + 1` }))
        .execute();
    },
    async listHourlyCounts(q) {
      if (q.names.length === 0) return [];
      const rows = await db
        .selectFrom("hourly_counts")
        .selectAll()
        .where("name", "in", q.names)
        .where("hour", ">=", codec.time(startOfHour(q.from)))
        .where("hour", "<", codec.time(q.until))
        .orderBy("hour")
        .execute();
      return rows.map((r) => ({ hour: codec.date(r.hour), name: r.name, count: Number(r.count) }));
    },
    async deleteEventsBefore(before) {
      const result = await db.deleteFrom("audit_events").where("at", "<", codec.time(before)).executeTakeFirst();
      // The hourly counters follow the same retention.
      await db.deleteFrom("hourly_counts").where("hour", "<", codec.time(before)).execute();
      return Number(result.numDeletedRows);
    },
  };
}
