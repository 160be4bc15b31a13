// SQLite: password resets (links and SMS codes).
import { type Kysely, type Migration, sql } from "kysely";

export const passwordResets: Migration = {
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
        .addColumn("expires_at", "integer", (c) => c.notNull())
        .addColumn("created_at", "integer", (c) => c.notNull())
        .addColumn("used_at", "integer")
        .addColumn("revoked_at", "integer")
        .execute();
      await db.schema.createIndex("password_resets_secret_hash").on("password_resets").column("secret_hash").execute();
      await db.schema.createIndex("password_resets_value").on("password_resets").column("value").execute();
      await db.schema.createIndex("password_resets_account_id").on("password_resets").column("account_id").execute();
    },
  };
