// PostgreSQL: accounts, identifiers, sessions, verification codes and short-lived state.
import { type Kysely, type Migration, sql } from "kysely";

export const pgAccountsAndSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("accounts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text")
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("is_admin", "boolean", (c) => c.notNull().defaultTo(false))
      .addColumn("disabled_at", "timestamptz")
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .addColumn("updated_at", "timestamptz", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("identifiers")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('email', 'phone')`))
      .addColumn("value", "text", (c) => c.notNull().unique())
      .addColumn("display", "text", (c) => c.notNull())
      .addColumn("verified_at", "timestamptz")
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("identifiers_account_id").on("identifiers").column("account_id").execute();
    await db.schema
      .createTable("sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .addColumn("last_seen_at", "timestamptz", (c) => c.notNull())
      .addColumn("idle_expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("absolute_expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("remember", "boolean", (c) => c.notNull())
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
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .addUniqueConstraint("verifications_scope", ["purpose", "value", "account_id"])
      .execute();
    await db.schema
      .createTable("short_lived")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("short_lived_expires_at").on("short_lived").column("expires_at").execute();
  },
};
