// Migration 0011: what the admin console reads quickly. Accounts are listed newest first by keyset
// (created_at, id); the audit trail is filtered by type or by address over a time range; security checks
// shown and solved are counted per hour. One definition for both dialects.
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function adminConsole(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex("accounts_created_at_id").on("accounts").columns(["created_at", "id"]).execute();
      await db.schema.createIndex("audit_events_type_at").on("audit_events").columns(["type", "at"]).execute();
      await db.schema.createIndex("audit_events_ip_at").on("audit_events").columns(["ip", "at"]).execute();
      // One row per hour and counter: bounded however many checks are shown, and nothing about a visitor.
      await db.schema
        .createTable("hourly_counts")
        .addColumn("hour", t.time, (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("count", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("hourly_counts_pk", ["name", "hour"])
        .execute();
    },
  };
}
