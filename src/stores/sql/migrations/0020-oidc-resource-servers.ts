// Migration 0020: whether a client is a resource server, which may introspect tokens issued to other
// clients. Every existing client may introspect only its own tokens from now on.
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function oidcResourceServers(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("oidc_clients")
        .addColumn("resource_server", t.bool, (c) => c.notNull().defaultTo(t.false))
        .execute();
    },
  };
}
