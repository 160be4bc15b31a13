// The audit trail in SQL.
import type { Kysely, Selectable } from "kysely";
import type { AuditEventRecord, AuditStore } from "../types.ts";
import type { AuditEventsTable, Database, SqlCodec } from "./schema.ts";

export function createSqlAuditStore(db: Kysely<Database>, codec: SqlCodec): AuditStore {
  const toRecord = (row: Selectable<AuditEventsTable>): AuditEventRecord => ({
    id: row.id,
    at: codec.date(row.at),
    type: row.type,
    accountId: row.account_id,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail ? (JSON.parse(row.detail) as AuditEventRecord["detail"]) : null,
  });
  return {
    async recordEvent(e) {
      await db
        .insertInto("audit_events")
        .values({ id: e.id, at: codec.time(e.at), type: e.type, account_id: e.accountId, ip: e.ip, user_agent: e.userAgent, detail: e.detail ? JSON.stringify(e.detail) : null })
        .execute();
    },
    async listEvents(q) {
      let query = db.selectFrom("audit_events").selectAll();
      if (q.accountId !== undefined) query = query.where("account_id", "=", q.accountId);
      if (q.since !== undefined) query = query.where("at", ">=", codec.time(q.since));
      if (q.types && q.types.length > 0) query = query.where("type", "in", q.types);
      const rows = await query.orderBy("at", "desc").orderBy("id", "desc").limit(q.limit).execute();
      return rows.map(toRecord);
    },
    async deleteEventsBefore(before) {
      const result = await db.deleteFrom("audit_events").where("at", "<", codec.time(before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
