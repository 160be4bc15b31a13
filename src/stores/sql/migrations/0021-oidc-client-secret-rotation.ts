// Migration 0021: the hash of the secret a client had before its last rotation (`latchkey clients
// rotate-secret`), accepted at the token endpoint beside the new one until the end of the grace period.
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function oidcClientSecretRotation(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("oidc_clients").addColumn("previous_secret_hash", "text").execute();
      await db.schema.alterTable("oidc_clients").addColumn("previous_secret_expires_at", t.time).execute();
    },
  };
}
