// Migration 0001: accounts, identifiers, sessions, verification codes and short-lived state. One definition for both dialects.
import { type Kysely, type Migration, sql } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function accountsAndSessions(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text")
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("is_admin", t.bool, (c) => c.notNull().defaultTo(t.false))
        .addColumn("disabled_at", t.time)
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("identifiers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('email', 'phone')`))
        .addColumn("value", "text", (c) => c.notNull().unique())
        .addColumn("display", "text", (c) => c.notNull())
        .addColumn("verified_at", t.time)
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("identifiers_account_id").on("identifiers").column("account_id").execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("last_seen_at", t.time, (c) => c.notNull())
        .addColumn("idle_expires_at", t.time, (c) => c.notNull())
        .addColumn("absolute_expires_at", t.time, (c) => c.notNull())
        .addColumn("remember", t.bool, (c) => c.notNull())
        .addColumn("user_agent", "text")
        .addColumn("ip", "text")
        .execute();
      await db.schema.createIndex("sessions_account_id").on("sessions").column("account_id").execute();
      await db.schema
        .createTable("verifications")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("display", "text", (c) => c.notNull())
        .addColumn("code_hash", "text", (c) => c.notNull())
        .addColumn("attempts_left", "integer", (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addUniqueConstraint("verifications_scope", ["purpose", "value", "account_id"])
        .execute();
      await db.schema
        .createTable("short_lived")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("short_lived_expires_at").on("short_lived").column("expires_at").execute();
    },
  };
}
