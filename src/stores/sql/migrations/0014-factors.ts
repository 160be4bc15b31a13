// Migration 0014: passkeys, authenticator-app (TOTP) factors, recovery codes, and the moment a session
// last confirmed it was its owner (for "confirm it's you") with how it signed in (amr).
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function factors(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("passkeys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        // The authenticator's credential id (base64url): unique across every account.
        .addColumn("credential_id", "text", (c) => c.notNull().unique())
        // COSE public key, base64url. Public by nature: no need to seal it.
        .addColumn("public_key", "text", (c) => c.notNull())
        .addColumn("counter", "bigint", (c) => c.notNull().defaultTo(0))
        // Comma-separated transports the authenticator reported (usb, nfc, ble, internal, hybrid…).
        .addColumn("transports", "text", (c) => c.notNull().defaultTo(""))
        // singleDevice | multiDevice
        .addColumn("device_type", "text", (c) => c.notNull())
        .addColumn("backed_up", t.bool, (c) => c.notNull().defaultTo(t.false))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("last_used_at", t.time)
        .execute();
      await db.schema.createIndex("passkeys_account").on("passkeys").column("account_id").execute();

      await db.schema
        .createTable("totp_factors")
        .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
        // The shared secret, encrypted under a key derived from LATCHKEY_SECRET (it must be read back to check codes).
        .addColumn("secret_sealed", "text", (c) => c.notNull())
        // Null until a first code proved the app holds the secret; only then does it protect sign-in.
        .addColumn("confirmed_at", t.time)
        // The last time step whose code was accepted: a code (or an older one) is never accepted twice.
        .addColumn("last_step", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("recovery_codes")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        // Keyed hash of the code; the code itself is shown once and never stored.
        .addColumn("code_hash", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("used_at", t.time)
        .addUniqueConstraint("recovery_codes_account_hash", ["account_id", "code_hash"])
        .execute();

      await db.schema.alterTable("sessions").addColumn("confirmed_at", t.time).execute();
      // Comma-separated authentication methods of the sign-in (pwd, otp, hwk, swk, mfa).
      await db.schema.alterTable("sessions").addColumn("amr", "text").execute();
    },
  };
}
