// Chooses the storage implementations once, from configuration: SQLite or PostgreSQL for durable data;
// Redis, or else the same database, for short-lived state.
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import type { Config } from "../config/load.ts";
import type { Clock } from "../lib/clock.ts";
import { createRedisShortLivedStore } from "./kv/redis-short-lived-store.ts";
import { createSqlShortLivedStore } from "./kv/sql-short-lived-store.ts";
import { createSqlAccountStore } from "./sql/account-store.ts";
import { createSqlAuditStore } from "./sql/audit-store.ts";
import { createSqlHelpFeedbackStore } from "./sql/help-feedback-store.ts";
import { createSqlPasswordResetStore } from "./sql/password-reset-store.ts";
import { migratePostgresDatabase, openPostgresDatabase } from "./sql/postgres-database.ts";
import { type Database, postgresCodec, type SqlCodec, sqliteCodec } from "./sql/schema.ts";
import { createSqlSessionStore } from "./sql/session-store.ts";
import { migrateSqliteDatabase, openSqliteDatabase } from "./sql/sqlite-database.ts";
import { createSqlVerificationStore } from "./sql/verification-store.ts";
import { createSqlWebhookStore } from "./sql/webhook-store.ts";
import type { Stores } from "./types.ts";

export interface OpenStoresOptions {
  /** Apply pending migrations first (the server does; `latchkey migrate` does it on its own). */
  migrate: boolean;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  codec: SqlCodec;
  migrate(): Promise<string[]>;
  poolStats?: () => { total: number; idle: number; waiting: number };
}

/** Opens the configured SQL database (without migrating). */
export function openDatabase(config: Pick<Config, "database">): OpenedDatabase {
  if (config.database.kind === "postgres") {
    const { db, pool } = openPostgresDatabase(config.database);
    return {
      db,
      codec: postgresCodec,
      migrate: () => migratePostgresDatabase(db),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  const { db } = openSqliteDatabase(config.database.file);
  return { db, codec: sqliteCodec, migrate: () => migrateSqliteDatabase(db) };
}

export function openRedis(config: NonNullable<Config["redis"]>): Redis {
  return new Redis(config.url, {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

export async function openStores(config: Pick<Config, "database"> & { redis?: Config["redis"] }, clock: Clock, options: OpenStoresOptions = { migrate: true }): Promise<Stores> {
  const { db, codec, migrate, poolStats } = openDatabase(config);
  if (options.migrate) await migrate();
  const redis = config.redis ? openRedis(config.redis) : undefined;
  // An unreachable Redis is reported by /readyz and by failing requests, never by an unhandled event.
  redis?.on("error", () => undefined);
  return {
    accounts: createSqlAccountStore(db, codec),
    sessions: createSqlSessionStore(db, codec),
    verifications: createSqlVerificationStore(db, codec),
    passwordResets: createSqlPasswordResetStore(db, codec),
    audit: createSqlAuditStore(db, codec),
    helpFeedback: createSqlHelpFeedbackStore(db, codec),
    webhooks: createSqlWebhookStore(db, codec),
    shortLived: redis && config.redis ? createRedisShortLivedStore(redis, config.redis.prefix, clock) : createSqlShortLivedStore(db, codec, clock),
    ...(poolStats ? { poolStats } : {}),
    async ping() {
      try {
        await sql`select 1`.execute(db);
        if (redis) await redis.ping();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
      if (redis) redis.disconnect();
    },
  };
}
