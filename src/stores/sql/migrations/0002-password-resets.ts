// Migration 0002: password resets (links and SMS codes). One definition for both dialects.
import { type Kysely, type Migration, sql } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function passwordResets(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("password_resets")
        .addColumn("id", "text", (c) => c.primaryKey())
        // Null for the decoy written for an unknown identifier, so both cases do the same work.
        .addColumn("account_id", "text", (c) => c.references("accounts.id").onDelete("cascade"))
        .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('link', 'code')`))
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("attempts_left", "integer", (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("used_at", t.time)
        .addColumn("revoked_at", t.time)
        .execute();
      await db.schema.createIndex("password_resets_secret_hash").on("password_resets").column("secret_hash").execute();
      await db.schema.createIndex("password_resets_value").on("password_resets").column("value").execute();
      await db.schema.createIndex("password_resets_account_id").on("password_resets").column("account_id").execute();
    },
  };
}
