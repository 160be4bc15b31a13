// PostgreSQL: password resets (links and SMS codes).
import { type Kysely, type Migration, sql } from "kysely";

export const pgPasswordResets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("password_resets")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.references("accounts.id").onDelete("cascade"))
      .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('link', 'code')`))
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("attempts_left", "integer", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .addColumn("used_at", "timestamptz")
      .addColumn("revoked_at", "timestamptz")
      .execute();
    await db.schema.createIndex("password_resets_secret_hash").on("password_resets").column("secret_hash").execute();
    await db.schema.createIndex("password_resets_value").on("password_resets").column("value").execute();
    await db.schema.createIndex("password_resets_account_id").on("password_resets").column("account_id").execute();
  },
};
