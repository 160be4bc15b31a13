// The storage backends a test can run on: SQLite (always), PostgreSQL (when LATCHKEY_TEST_DATABASE_URL
// is set) and PostgreSQL + Redis (when LATCHKEY_TEST_REDIS_URL is set too). Each fresh storage gets its
// own SQLite file, PostgreSQL schema or Redis key prefix, all removed when the test file ends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { Config } from "../../src/config/load.ts";
import { createTestSchema, dropRedisPrefix, TEST_DATABASE_URL, TEST_REDIS_URL, type TestSchema, testRedisPrefix } from "./cluster.ts";

export type StoresConfig = Pick<Config, "database"> & { redis?: Config["redis"] };

export interface Backend {
  name: "SQLite" | "PostgreSQL" | "PostgreSQL + Redis";
  /** Why the backend cannot run here, or false. */
  skip: string | false;
  /** Store configuration for a new, empty storage (migrated by the first openStores). */
  freshStores(): Promise<StoresConfig>;
  /** Environment variables for createTestApp that select a new, empty storage. */
  freshAppEnv(): Promise<Record<string, string>>;
}

const cleanups: Array<() => Promise<void>> = [];
// Registered when the test file loads this module, so the hook belongs to the file itself and runs once its
// last test has ended. Registered from inside a test instead (at the first fresh storage), it belonged to
// that test alone: it ran when that test ended, and every storage created after it was never removed.
after(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function onEnd(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

async function freshSchema(): Promise<TestSchema> {
  const schema = await createTestSchema();
  onEnd(() => schema.drop());
  return schema;
}

function freshPrefix(): string {
  const prefix = testRedisPrefix();
  onEnd(() => dropRedisPrefix(prefix));
  return prefix;
}

function sqliteBackend(): Backend {
  let dir: string | undefined;
  let files = 0;
  const file = (): string => {
    if (!dir) {
      const created = mkdtempSync(join(tmpdir(), "latchkey-backend-"));
      dir = created;
      onEnd(async () => rmSync(created, { recursive: true, force: true }));
    }
    return join(dir, `store-${++files}.db`);
  };
  return {
    name: "SQLite",
    skip: false,
    async freshStores() {
      return { database: { kind: "sqlite", file: file() } };
    },
    async freshAppEnv() {
      // createTestApp puts the SQLite file in its own data directory.
      return {};
    },
  };
}

function postgresBackend(withRedis: boolean): Backend {
  const skip = !TEST_DATABASE_URL ? "LATCHKEY_TEST_DATABASE_URL is not set" : withRedis && !TEST_REDIS_URL ? "LATCHKEY_TEST_REDIS_URL is not set" : false;
  return {
    name: withRedis ? "PostgreSQL + Redis" : "PostgreSQL",
    skip,
    async freshStores() {
      const schema = await freshSchema();
      return {
        database: { kind: "postgres", url: schema.url, poolSize: 5, connectTimeoutMs: 5000 },
        ...(withRedis ? { redis: { url: TEST_REDIS_URL as string, prefix: freshPrefix(), commandTimeoutMs: 2000 } } : {}),
      };
    },
    async freshAppEnv() {
      const schema = await freshSchema();
      return {
        LATCHKEY_DATABASE_URL: schema.url,
        ...(withRedis ? { LATCHKEY_REDIS_URL: TEST_REDIS_URL as string, LATCHKEY_REDIS_PREFIX: freshPrefix() } : {}),
      };
    },
  };
}

/** SQLite, PostgreSQL and PostgreSQL + Redis; the last two say why they are skipped when not configured. */
export function allBackends(): Backend[] {
  return [sqliteBackend(), postgresBackend(false), postgresBackend(true)];
}
