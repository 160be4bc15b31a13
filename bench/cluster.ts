// Cluster mode (PostgreSQL + Redis): the same HTTP measurements against a server whose durable data lives
// in a fresh PostgreSQL database and whose short-lived state lives in Redis. Runs only when
// LATCHKEY_TEST_DATABASE_URL and LATCHKEY_TEST_REDIS_URL are set and the server accepts postgres:// URLs;
// otherwise it says why it was skipped.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { ConfigError } from "../src/config/load.ts";
import { ENV_NAMES } from "../src/config/schema.ts";
import { createAccountCycle } from "./latchkey-http.ts";
import { configFromEnv, latchkeyServerEnv, startLatchkeyServer } from "./latchkey-server.ts";
import { type MeasureModeOptions, type ModeFigures, measureLatchkeyMode } from "./measure-mode.ts";
import { seedAccountsThroughStores } from "./seed.ts";

export type ClusterOutcome = { skipped: string } | { figures: ModeFigures; rssMBPeak: number; accounts: number };

/** Accounts seeded in cluster mode (through the stores, one by one). */
const CLUSTER_ACCOUNTS = 1000;

type ClusterRunOptions = Omit<MeasureModeOptions, "server" | "nextAccount" | "argon2"> & { cpuProfileDir?: string | undefined };

/** Why cluster mode cannot run here, or null when it can. */
function reasonToSkip(databaseURL: string | undefined, redisURL: string | undefined): string | null {
  if (!databaseURL || !redisURL) return "LATCHKEY_TEST_DATABASE_URL and LATCHKEY_TEST_REDIS_URL are not both set";
  const names: readonly string[] = ENV_NAMES;
  if (!names.includes("LATCHKEY_REDIS_URL")) return "the server does not read LATCHKEY_REDIS_URL yet (src/config/schema.ts)";
  try {
    const config = configFromEnv(latchkeyServerEnv(tmpdir(), { LATCHKEY_DATABASE_URL: databaseURL, LATCHKEY_REDIS_URL: redisURL }));
    const kind: string = config.database.kind;
    if (kind !== "postgres") return `the server reads a postgres:// LATCHKEY_DATABASE_URL as ${kind}`;
  } catch (error) {
    if (error instanceof ConfigError) return `the server refuses PostgreSQL + Redis settings: ${error.problems.join("; ")}`;
    throw error;
  }
  return null;
}

/** A URL for database `name` on the server of `url`. */
function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.href;
}

async function runAdminStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Deletes the keys under `prefix` (the run's own, fresh prefix), a batch at a time. */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export async function measureClusterMode(options: ClusterRunOptions): Promise<ClusterOutcome> {
  const databaseURL = process.env.LATCHKEY_TEST_DATABASE_URL;
  const redisURL = process.env.LATCHKEY_TEST_REDIS_URL;
  const reason = reasonToSkip(databaseURL, redisURL);
  if (reason !== null || !databaseURL || !redisURL) return { skipped: reason ?? "not configured" };

  const suffix = randomBytes(6).toString("hex");
  const database = `latchkey_bench_${suffix}`;
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-bench-cluster-"));
  let redisPrefix: string | null = null;
  await runAdminStatement(databaseURL, `create database ${database}`);
  try {
    const extra: Record<string, string> = { LATCHKEY_DATABASE_URL: withDatabase(databaseURL, database), LATCHKEY_REDIS_URL: redisURL };
    // A fresh key prefix when the server offers one; otherwise the fresh secret keeps the keys apart.
    const prefixName = (ENV_NAMES as readonly string[]).find((name) => name.startsWith("LATCHKEY_REDIS") && name.includes("PREFIX"));
    if (prefixName) {
      redisPrefix = `latchkey-bench-${suffix}:`;
      extra[prefixName] = redisPrefix;
    }
    const env = latchkeyServerEnv(dataDir, extra);
    const config = configFromEnv(env);
    options.log(`  seeding ${CLUSTER_ACCOUNTS} accounts in PostgreSQL database ${database}`);
    await seedAccountsThroughStores(config, CLUSTER_ACCOUNTS);
    const server = await startLatchkeyServer({ name: "latchkey-cluster", env, cpuProfileDir: options.cpuProfileDir });
    try {
      const figures = await measureLatchkeyMode({ ...options, server, nextAccount: createAccountCycle(CLUSTER_ACCOUNTS), argon2: config.argon2 });
      return { figures, rssMBPeak: server.peakRSSMB(), accounts: CLUSTER_ACCOUNTS };
    } finally {
      await server.stop();
    }
  } finally {
    await runAdminStatement(databaseURL, `drop database if exists ${database} with (force)`);
    if (redisPrefix) await deleteRedisKeys(redisURL, redisPrefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
