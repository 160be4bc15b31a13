// Migration 0008: the OpenID Connect provider. Registered applications (only a hash of a confidential
// client's secret), the signing keys (sealed with LATCHKEY_SECRET) and the provider's artifacts: grants,
// sessions, codes and tokens, kept as JSON with the columns needed to find, consume and revoke them.
import { type Kysely, type Migration, sql } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function openIDConnect(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("oidc_clients")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        // SHA-256 of the secret (256 random bits), null for a public client.
        .addColumn("secret_hash", "text")
        .addColumn("auth_method", "text", (c) => c.notNull().check(sql`auth_method in ('none', 'client_secret_basic', 'client_secret_post')`))
        .addColumn("redirect_uris", "text", (c) => c.notNull())
        .addColumn("post_logout_redirect_uris", "text", (c) => c.notNull())
        .addColumn("first_party", t.bool, (c) => c.notNull().defaultTo(t.false))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("oidc_signing_keys")
        // One row per generation; a unique generation lets instances that start together agree on one key.
        .addColumn("generation", "integer", (c) => c.primaryKey())
        .addColumn("kid", "text", (c) => c.notNull().unique())
        .addColumn("sealed_jwk", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("oidc_artifacts")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("grant_id", "text")
        .addColumn("uid", "text")
        .addColumn("user_code", "text")
        .addColumn("account_id", "text")
        .addColumn("client_id", "text")
        .addColumn("expires_at", t.time)
        .addColumn("consumed_at", t.time)
        .addPrimaryKeyConstraint("oidc_artifacts_pk", ["kind", "id"])
        .execute();
      await db.schema.createIndex("oidc_artifacts_grant_id").on("oidc_artifacts").column("grant_id").execute();
      await db.schema.createIndex("oidc_artifacts_uid").on("oidc_artifacts").columns(["kind", "uid"]).execute();
      await db.schema.createIndex("oidc_artifacts_account").on("oidc_artifacts").columns(["account_id", "kind"]).execute();
      await db.schema.createIndex("oidc_artifacts_expires_at").on("oidc_artifacts").column("expires_at").execute();
    },
  };
}
