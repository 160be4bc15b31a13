// Chooses the storage implementations once, from configuration.
import { sql } from "kysely";
import type { Config } from "../config/load.ts";
import type { Clock } from "../lib/clock.ts";
import { createSqlShortLivedStore } from "./kv/sql-short-lived-store.ts";
import { createSqlAccountStore } from "./sql/account-store.ts";
import { createSqlAuditStore } from "./sql/audit-store.ts";
import { createSqlHelpFeedbackStore } from "./sql/help-feedback-store.ts";
import { createSqlPasswordResetStore } from "./sql/password-reset-store.ts";
import { sqliteCodec } from "./sql/schema.ts";
import { createSqlSessionStore } from "./sql/session-store.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "./sql/sqlite-database.ts";
import { createSqlVerificationStore } from "./sql/verification-store.ts";
import type { Stores } from "./types.ts";

export interface OpenStoresOptions {
  /** Apply pending migrations first (the server does; `latchkey migrate` does it on its own). */
  migrate: boolean;
}

export async function openStores(config: Pick<Config, "database">, clock: Clock, options: OpenStoresOptions = { migrate: true }): Promise<Stores> {
  const { db } = openSqliteDatabase(config.database.file);
  if (options.migrate) await migrateSqliteDatabase(db);
  const codec = sqliteCodec;
  return {
    accounts: createSqlAccountStore(db, codec),
    sessions: createSqlSessionStore(db, codec),
    verifications: createSqlVerificationStore(db, codec),
    passwordResets: createSqlPasswordResetStore(db, codec),
    audit: createSqlAuditStore(db, codec),
    shortLived: createSqlShortLivedStore(db, codec, clock),
    helpFeedback: createSqlHelpFeedbackStore(db, codec),
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}
