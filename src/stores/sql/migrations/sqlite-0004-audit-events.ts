// SQLite: the audit trail of security events.
import type { Kysely, Migration } from "kysely";

export const auditEvents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("audit_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "integer", (c) => c.notNull())
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
