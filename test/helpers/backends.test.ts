// The test backends remove every storage they hand out (PostgreSQL schema, Redis key prefix, SQLite file)
// once the test file ends, however many tests in however many suites asked for one. Checked on a test file
// written here and run by the test runner in a child process, as `npm test` runs every file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import type { StoresConfig } from "./backends.ts";
import { clusterSkipReason, TEST_DATABASE_URL, TEST_REDIS_URL } from "./cluster.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The fixture lives in a temporary folder, outside the project's node_modules, so it names the file. */
const IOREDIS = createRequire(import.meta.url).resolve("ioredis");

/**
 * Two suites per backend, two tests each, every test taking a fresh storage, migrating it, writing a Redis
 * key under its prefix, and recording the storage in a file. A later test also checks that its storage is
 * still there after the tests before it have ended.
 */
const FIXTURE = `
import assert from "node:assert/strict";
import { appendFileSync, existsSync } from "node:fs";
import { describe, it } from "node:test";
import { Redis } from ${JSON.stringify(IOREDIS)};
import { createManualClock } from ${JSON.stringify(join(ROOT, "src/lib/clock.ts"))};
import { openStores } from ${JSON.stringify(join(ROOT, "src/stores/index.ts"))};
import { allBackends } from ${JSON.stringify(join(ROOT, "test/helpers/backends.ts"))};

const clock = createManualClock(new Date("2030-01-01T00:00:00Z"));
for (const backend of allBackends()) {
  for (const suite of ["first", "second"]) {
    describe(backend.name + ", " + suite + " suite", { skip: backend.skip }, () => {
      for (const n of [1, 2]) {
        it("storage " + n, async () => {
          const config = await backend.freshStores();
          appendFileSync(process.env.RECORD_FILE, JSON.stringify(config) + "\\n");
          const stores = await openStores(config, clock);
          await stores.close();
          if (config.database.kind === "sqlite") assert.ok(existsSync(config.database.file));
          if (config.redis) {
            const redis = new Redis(config.redis.url);
            await redis.set(config.redis.prefix + "left-behind", "1");
            redis.disconnect();
          }
        });
      }
    });
  }
}
`;

describe("test storages are removed when the test file ends", { skip: clusterSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-backends-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("removes every PostgreSQL schema, Redis key and SQLite file that any test of the file took", async () => {
    const file = join(dir, "fixture.test.ts");
    const recordFile = join(dir, "storages.jsonl");
    writeFileSync(file, FIXTURE);
    const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", file], {
      cwd: ROOT,
      // Without the variable that tells a test process it reports to a parent runner (this file's runner).
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, RECORD_FILE: recordFile },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /# pass 12\n/, "12 tests of 3 backends ran and passed");

    const storages = readFileSync(recordFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as StoresConfig);
    assert.equal(storages.length, 12);
    const schemas = storages.flatMap((s) => (s.database.kind === "postgres" ? [new URL(s.database.url).searchParams.get("options") ?? ""] : []));
    const names = schemas.map((options) => /search_path=(\w+)/.exec(options)?.[1] ?? "");
    assert.equal(names.length, 8);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const left = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname = any($1)", [names]);
      assert.deepEqual(
        left.rows.map((r) => r.nspname),
        [],
        "no schema is left",
      );
    } finally {
      await client.end();
    }
    const redis = new Redis(TEST_REDIS_URL as string);
    try {
      const prefixes = storages.flatMap((s) => (s.redis ? [s.redis.prefix] : []));
      assert.equal(prefixes.length, 4);
      for (const prefix of prefixes) assert.deepEqual(await redis.keys(`${prefix}*`), [], `no key is left under ${prefix}`);
    } finally {
      redis.disconnect();
    }
    for (const s of storages) if (s.database.kind === "sqlite") assert.equal(existsSync(s.database.file), false, `${s.database.file} is removed`);
  });
});
