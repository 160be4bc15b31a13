// Flows in the SQL database (single mode, or PostgreSQL without Redis). Completing a step is one
// UPDATE … WHERE version = expected RETURNING: the database lets exactly one such statement match.
import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.ts";
import type { FlowRecord, FlowStore } from "../types.ts";
import type { Database, FlowsTable, SqlCodec } from "./schema.ts";

export function createSqlFlowStore(db: Kysely<Database>, codec: SqlCodec, clock: Clock): FlowStore {
  const expiry = (ttlSeconds: number) => codec.time(new Date(clock.now().getTime() + ttlSeconds * 1000));
  const toRecord = (row: FlowsTable): FlowRecord => ({
    id: row.id,
    kind: row.kind,
    owner: row.owner,
    version: Number(row.version),
    state: row.state,
    expiresAt: codec.date(row.expires_at),
  });
  return {
    async createFlow(flow) {
      const row = await db
        .insertInto("flows")
        .values({ id: flow.id, kind: flow.kind, owner: flow.owner, version: 1, state: flow.state, expires_at: expiry(flow.ttlSeconds) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async getFlow(id, kind, owner) {
      const row = await db
        .selectFrom("flows")
        .selectAll()
        .where("id", "=", id)
        .where("kind", "=", kind)
        .where("owner", "=", owner)
        .where("expires_at", ">", codec.time(clock.now()))
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async advanceFlow(id, kind, owner, expectedVersion, state, ttlSeconds) {
      const row = await db
        .updateTable("flows")
        .set({ state, version: expectedVersion + 1, expires_at: expiry(ttlSeconds) })
        .where("id", "=", id)
        .where("kind", "=", kind)
        .where("owner", "=", owner)
        .where("version", "=", expectedVersion)
        .where("expires_at", ">", codec.time(clock.now()))
        .returningAll()
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async deleteExpiredFlows() {
      const result = await db.deleteFrom("flows").where("expires_at", "<=", codec.time(clock.now())).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
