// Runs the store contract against PostgreSQL (short-lived state in PostgreSQL too) and against
// PostgreSQL + Redis, when the test environment names them (.ci/run does). The run gets a schema and key
// prefixes of its own; every opening of the stores empties the tables first, so each test starts from
// empty storage as with SQLite.
import { after, describe, it } from "node:test";
import pg from "pg";
import type { ManualClock } from "../../src/lib/clock.ts";
import { openStores } from "../../src/stores/index.ts";
import type { Stores } from "../../src/stores/types.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_REDIS_URL, type TestSchema, testRedisPrefix } from "../helpers/cluster.ts";
import { runStoreContract } from "./store-contract.ts";

const skip = clusterSkipReason();

if (skip) {
  describe("store contract: PostgreSQL and Redis", () => {
    it(`skipped: ${skip}`, { skip }, () => undefined);
  });
} else {
  let schema: TestSchema | undefined;
  const prefixes: string[] = [];
  after(async () => {
    await schema?.drop();
    for (const prefix of prefixes) await dropRedisPrefix(prefix);
  });
  const TABLES =
    "accounts, identifiers, sessions, verifications, password_resets, audit_events, help_article_views, help_feedback, short_lived, flows, hourly_counts";
  const open = async (clock: ManualClock, withRedis: boolean): Promise<Stores> => {
    if (!schema) {
      schema = await createTestSchema();
      const first = await openStores({ database: { kind: "postgres", url: schema.url, poolSize: 2, connectTimeoutMs: 5000 } }, clock);
      await first.close();
    }
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    await client.query(`truncate ${TABLES} cascade`);
    await client.end();
    const prefix = testRedisPrefix();
    prefixes.push(prefix);
    return openStores(
      {
        database: { kind: "postgres", url: schema.url, poolSize: 5, connectTimeoutMs: 5000 },
        ...(withRedis ? { redis: { url: TEST_REDIS_URL as string, prefix, commandTimeoutMs: 2000 } } : {}),
      },
      clock,
      { migrate: false },
    );
  };
  runStoreContract("PostgreSQL", (clock) => open(clock, false));
  runStoreContract("PostgreSQL + Redis", (clock) => open(clock, true));
}
