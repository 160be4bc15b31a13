// PostgreSQL and Redis for tests, when LATCHKEY_TEST_DATABASE_URL / LATCHKEY_TEST_REDIS_URL name them:
// each test run gets its own PostgreSQL schema and its own Redis key prefix, removed afterwards.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.LATCHKEY_TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL;

/** Why a cluster-mode suite is skipped, or false when it can run. */
export function clusterSkipReason(): string | false {
  if (!TEST_DATABASE_URL) return "LATCHKEY_TEST_DATABASE_URL is not set";
  if (!TEST_REDIS_URL) return "LATCHKEY_TEST_REDIS_URL is not set";
  return false;
}

export interface TestSchema {
  /** A connection URL whose search_path is the new schema. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestSchema(baseUrl = TEST_DATABASE_URL as string): Promise<TestSchema> {
  const name = `latchkey_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${name}`);
  return {
    url: url.href,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${name} cascade`);
      await client.end();
    },
  };
}

export function testRedisPrefix(): string {
  return `latchkey-test-${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key under the prefix. */
export async function dropRedisPrefix(prefix: string, url = TEST_REDIS_URL as string): Promise<void> {
  const redis = new Redis(url);
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
