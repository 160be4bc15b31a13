// The OpenID Connect store contract on SQLite, and on PostgreSQL and PostgreSQL + Redis when the test
// environment names them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { openStores } from "../../src/stores/index.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_REDIS_URL, type TestSchema, testRedisPrefix } from "../helpers/cluster.ts";
import { runOIDCStoreContract } from "./oidc-store-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "latchkey-oidc-contract-"));
let files = 0;
let schema: TestSchema | undefined;
const prefixes: string[] = [];
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schema?.drop();
  for (const prefix of prefixes) await dropRedisPrefix(prefix);
});

runOIDCStoreContract("SQLite file", (clock) => openStores({ database: { kind: "sqlite", file: join(dir, `oidc-${++files}.db`) } }, clock));

if (!clusterSkipReason()) {
  const openCluster = async (clock: Parameters<typeof openStores>[1], withRedis: boolean) => {
    schema ??= await createTestSchema();
    const prefix = testRedisPrefix();
    prefixes.push(prefix);
    return openStores(
      {
        database: { kind: "postgres", url: schema.url, poolSize: 5, connectTimeoutMs: 5000 },
        ...(withRedis ? { redis: { url: TEST_REDIS_URL as string, prefix, commandTimeoutMs: 2000 } } : {}),
      },
      clock,
    );
  };
  runOIDCStoreContract("PostgreSQL", (clock) => openCluster(clock, false));
  runOIDCStoreContract("PostgreSQL + Redis", (clock) => openCluster(clock, true));
}
