// Migration 0013: flows between requests (sign-in, password reset, …), each bound to the browser that
// started it, with a version that completing a step moves on by one (compare-and-set).
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function flows(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("flows")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        // A hash of the browser's anonymous id, never the id itself.
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        // The flow's typed state as JSON.
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("flows_expires_at").on("flows").column("expires_at").execute();
    },
  };
}
