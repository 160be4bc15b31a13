// Chooses the storage implementations once, from configuration: SQLite or PostgreSQL for durable data;
// Redis, or else the same database, for short-lived state.
import type { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import type { Config } from "../config/load.ts";
import type { Clock } from "../lib/clock.ts";
import { lazyRequire } from "../lib/lazy-require.ts";
import { createRedisFlowStore } from "./kv/redis-flow-store.ts";
import { createRedisOIDCArtifactStore } from "./kv/redis-oidc-artifact-store.ts";
import { createRedisShortLivedStore } from "./kv/redis-short-lived-store.ts";
import { createSqlShortLivedStore } from "./kv/sql-short-lived-store.ts";
import { classifyStorageOutage } from "./outage.ts";
import { createSqlAccountStore } from "./sql/account-store.ts";
import { createSqlAuditStore } from "./sql/audit-store.ts";
import { createSqlFactorStore } from "./sql/factor-store.ts";
import { createSqlFlowStore } from "./sql/flow-store.ts";
import { createSqlHelpFeedbackStore } from "./sql/help-feedback-store.ts";
import { createSqlOIDCArtifactStore, createSqlOIDCClientStore, createSqlSigningKeyStore } from "./sql/oidc-store.ts";
import { createSqlPasswordResetStore } from "./sql/password-reset-store.ts";
import { migratePostgresDatabase, openPostgresDatabase } from "./sql/postgres-database.ts";
import { type ArrayQueryRunner, arraysFrom, type QueryRunner, type StatementObserver, type StepRunner, stepsThrough } from "./sql/precompiled.ts";
import { type Database, postgresCodec, type SqlCodec, sqliteCodec } from "./sql/schema.ts";
import { createSqlSessionStore } from "./sql/session-store.ts";
import { type ChangeStamp, migrateSqliteDatabase, openSqliteDatabase } from "./sql/sqlite-database.ts";
import { createSqlVerificationStore } from "./sql/verification-store.ts";
import { createSqlWebhookStore } from "./sql/webhook-store.ts";
import type { BackendState, ReadinessReport, Stores } from "./types.ts";

export interface OpenStoresOptions {
  /** Apply pending migrations first (the server does; `latchkey migrate` does it on its own). */
  migrate: boolean;
  /** Sees every SQL statement run (see StatementObserver); tests only. */
  onStatement?: StatementObserver;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  codec: SqlCodec;
  /** Runs the precompiled queries of the hot paths (src/stores/sql/precompiled.ts). */
  run: QueryRunner;
  /** The same, answering rows as arrays (the session check's join). */
  runArrays: ArrayQueryRunner;
  /** Runs a step of several statements (see Steps). */
  steps: StepRunner;
  /** SQLite's ChangeStamp (sqlite-database.ts); PostgreSQL has none. */
  changeStamp?: ChangeStamp;
  migrate(): Promise<string[]>;
  poolStats?: () => { total: number; idle: number; waiting: number };
}

/** Opens the configured SQL database (without migrating). */
export function openDatabase(config: Pick<Config, "database">, onStatement?: StatementObserver): OpenedDatabase {
  if (config.database.kind === "postgres") {
    const { db, pool } = openPostgresDatabase(config.database, onStatement);
    const run: QueryRunner = (query) => db.executeQuery(query);
    return {
      db,
      codec: postgresCodec,
      run,
      runArrays: arraysFrom(run),
      steps: stepsThrough(run),
      migrate: () => migratePostgresDatabase(db),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  const { db, run, runArrays, steps, changeStamp } = openSqliteDatabase(config.database.file, onStatement);
  return { db, codec: sqliteCodec, run, runArrays, steps, changeStamp, migrate: () => migrateSqliteDatabase(db) };
}

const loadIORedis = lazyRequire<typeof import("ioredis")>("ioredis");

export function openRedis(config: NonNullable<Config["redis"]>): Redis {
  return new (loadIORedis().Redis)(config.url, {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

export async function openStores(
  config: Pick<Config, "database"> & { redis?: Config["redis"] },
  clock: Clock,
  options: OpenStoresOptions = { migrate: true },
): Promise<Stores> {
  const { db, codec, run, runArrays, steps, changeStamp, migrate, poolStats } = openDatabase(config, options.onStatement);
  if (options.migrate) await migrate();
  const redis = config.redis ? openRedis(config.redis) : undefined;
  // An unreachable Redis is reported by /readyz and by failing requests, never by an unhandled event.
  redis?.on("error", () => undefined);
  // Readiness writes, not only reads: a full disk or a read-only volume answers reads and fails every write.
  const databaseProbe = createSqlShortLivedStore(db, codec, clock);
  const probeDatabase = singleFlight(() => databaseProbe.set("readyz:probe", String(clock.now().getTime()), 300));
  const probeRedis =
    redis && config.redis
      ? singleFlight(async () => void (await redis.set(`${config.redis?.prefix}readyz:probe`, String(clock.now().getTime()), "EX", 300)))
      : undefined;
  const checkReadiness = async (timeoutMs: number): Promise<ReadinessReport> => {
    const [database, redisState] = await Promise.all([probeState(probeDatabase, timeoutMs), probeRedis ? probeState(probeRedis, timeoutMs) : undefined]);
    return { ready: database === "ok" && (redisState === undefined || redisState === "ok"), database, ...(redisState ? { redis: redisState } : {}) };
  };
  const oidcArtifacts = createSqlOIDCArtifactStore(db, codec);
  return {
    oidcClients: createSqlOIDCClientStore(db, codec),
    signingKeys: createSqlSigningKeyStore(db, codec),
    oidcArtifacts,
    oidcShortLivedArtifacts: redis && config.redis ? createRedisOIDCArtifactStore(redis, config.redis.prefix, clock) : oidcArtifacts,
    accounts: createSqlAccountStore(db, codec, run),
    sessions: createSqlSessionStore(db, codec, run, runArrays, changeStamp),
    verifications: createSqlVerificationStore(db, codec),
    passwordResets: createSqlPasswordResetStore(db, codec),
    audit: createSqlAuditStore(db, codec, run),
    helpFeedback: createSqlHelpFeedbackStore(db, codec),
    factors: createSqlFactorStore(db, codec, run),
    webhooks: createSqlWebhookStore(db, codec),
    shortLived: redis && config.redis ? createRedisShortLivedStore(redis, config.redis.prefix, clock) : createSqlShortLivedStore(db, codec, clock, run, steps),
    flows: redis && config.redis ? createRedisFlowStore(redis, config.redis.prefix, clock) : createSqlFlowStore(db, codec, clock),
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
    checkReadiness,
    async close() {
      await db.destroy();
      if (redis) redis.disconnect();
    },
  };
}

/**
 * Runs `probe` at most once at a time: callers that arrive while one is in flight share it, so a load
 * balancer polling a stuck backend does not pile up connections.
 */
function singleFlight(probe: () => Promise<void>): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  return () => {
    inFlight ??= probe().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

/** The probe's outcome within `timeoutMs`; never throws. */
async function probeState(probe: () => Promise<void>, timeoutMs: number): Promise<BackendState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<BackendState>((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcome = probe().then(
    (): BackendState => "ok",
    (error: unknown): BackendState => (classifyStorageOutage(error)?.kind === "unwritable" ? "unwritable" : "unreachable"),
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
