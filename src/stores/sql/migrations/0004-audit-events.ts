// Migration 0004: the audit trail of security events. One definition for both dialects.
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function auditEvents(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("audit_events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", t.time, (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        // No foreign key: the trail outlives a deleted account.
        .addColumn("account_id", "text")
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addColumn("detail", "text")
        .execute();
      await db.schema.createIndex("audit_events_account_at").on("audit_events").columns(["account_id", "at"]).execute();
      await db.schema.createIndex("audit_events_at").on("audit_events").column("at").execute();
    },
  };
}
