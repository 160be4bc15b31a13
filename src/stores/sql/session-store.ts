// Sessions in SQL. Only the SHA-256 of each session's secret is stored.
import type { Kysely, Selectable } from "kysely";
import type { SessionRecord, SessionStore } from "../types.ts";
import type { Database, SessionsTable, SqlCodec } from "./schema.ts";
import { insertWebhookEvents, resolveWebhookEvents } from "./webhook-store.ts";

export function createSqlSessionStore(db: Kysely<Database>, codec: SqlCodec): SessionStore {
  const toSession = (row: Selectable<SessionsTable>): SessionRecord => ({
    id: row.id,
    accountId: row.account_id,
    secretHash: row.secret_hash,
    createdAt: codec.date(row.created_at),
    lastSeenAt: codec.date(row.last_seen_at),
    idleExpiresAt: codec.date(row.idle_expires_at),
    absoluteExpiresAt: codec.date(row.absolute_expires_at),
    remember: codec.fromBool(row.remember),
    userAgent: row.user_agent,
    ip: row.ip,
    confirmedAt: row.confirmed_at === null ? null : codec.date(row.confirmed_at),
    amr: row.amr === null ? null : row.amr.split(",").filter((m) => m !== ""),
  });
  return {
    async createSession(s) {
      await db
        .insertInto("sessions")
        .values({
          id: s.id,
          account_id: s.accountId,
          secret_hash: s.secretHash,
          created_at: codec.time(s.createdAt),
          last_seen_at: codec.time(s.lastSeenAt),
          idle_expires_at: codec.time(s.idleExpiresAt),
          absolute_expires_at: codec.time(s.absoluteExpiresAt),
          remember: codec.bool(s.remember),
          user_agent: s.userAgent,
          ip: s.ip,
          confirmed_at: s.confirmedAt ? codec.time(s.confirmedAt) : null,
          amr: s.amr && s.amr.length > 0 ? s.amr.join(",") : null,
        })
        .execute();
    },
    async getSession(sessionId) {
      const row = await db.selectFrom("sessions").selectAll().where("id", "=", sessionId).executeTakeFirst();
      return row ? toSession(row) : null;
    },
    async markSessionConfirmed(sessionId, at) {
      const result = await db.updateTable("sessions").set({ confirmed_at: codec.time(at) }).where("id", "=", sessionId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async touchSession(sessionId, lastSeenAt, idleExpiresAt) {
      await db
        .updateTable("sessions")
        .set({ last_seen_at: codec.time(lastSeenAt), idle_expires_at: codec.time(idleExpiresAt) })
        .where("id", "=", sessionId)
        .execute();
    },
    async deleteSession(sessionId, accountId) {
      let query = db.deleteFrom("sessions").where("id", "=", sessionId);
      if (accountId !== undefined) query = query.where("account_id", "=", accountId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async deleteSessionsOfAccount(accountId, exceptSessionId, events) {
      const end = async (q: Kysely<Database>): Promise<number> => {
        let query = q.deleteFrom("sessions").where("account_id", "=", accountId);
        if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
        const result = await query.executeTakeFirst();
        return Number(result.numDeletedRows);
      };
      if (events === undefined) return end(db);
      // With webhook events, the sessions end and the events are written in one transaction.
      return db.transaction().execute(async (trx) => {
        const count = await end(trx);
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, count));
        return count;
      });
    },
    async listSessionsOfAccount(accountId, now) {
      const t = codec.time(now);
      const rows = await db
        .selectFrom("sessions")
        .selectAll()
        .where("account_id", "=", accountId)
        .where("idle_expires_at", ">", t)
        .where("absolute_expires_at", ">", t)
        .orderBy("last_seen_at", "desc")
        .orderBy("created_at", "desc")
        .execute();
      return rows.map(toSession);
    },
    async deleteExpiredSessions(now) {
      const t = codec.time(now);
      const result = await db
        .deleteFrom("sessions")
        .where((eb) => eb.or([eb("idle_expires_at", "<=", t), eb("absolute_expires_at", "<=", t)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
