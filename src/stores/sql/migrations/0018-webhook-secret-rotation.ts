// Migration 0018: the signing secret an endpoint had before its last rotation, kept (encrypted like the
// current one) until the end of the grace period, during which each request is signed with both.
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function webhookSecretRotation(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("webhook_endpoints").addColumn("previous_secret_sealed", "text").execute();
      await db.schema.alterTable("webhook_endpoints").addColumn("previous_secret_expires_at", t.time).execute();
    },
  };
}
