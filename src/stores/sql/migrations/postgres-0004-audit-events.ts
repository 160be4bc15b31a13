// PostgreSQL: the audit trail of security events.
import type { Kysely, Migration } from "kysely";

export const pgAuditEvents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("audit_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "timestamptz", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("account_id", "text")
      .addColumn("ip", "text")
      .addColumn("user_agent", "text")
      .addColumn("detail", "text")
      .execute();
    await db.schema.createIndex("audit_events_account_at").on("audit_events").columns(["account_id", "at"]).execute();
    await db.schema.createIndex("audit_events_at").on("audit_events").column("at").execute();
  },
};
