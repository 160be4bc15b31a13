// Storage outages in cluster mode, against the real PostgreSQL and Redis: connections killed under load,
// PostgreSQL or Redis cut off (through a relay the test controls) and brought back. An outage answers 503
// SERVICE_UNAVAILABLE with Retry-After, never 500, never crashes the instance, and never counts as a wrong
// password; /readyz says so at once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { buildApp } from "../../src/app.ts";
import { countSigninFailures } from "../../src/signin/throttle.ts";
import { openStores } from "../../src/stores/index.ts";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { pageText, TestClient } from "../helpers/client.ts";
import {
  clusterSkipReason,
  createTestSchema,
  dropRedisPrefix,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type TestSchema,
  testRedisPrefix,
} from "../helpers/cluster.ts";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.ts";

const skip = clusterSkipReason();

/** The schema's URL, through the relay, with an application_name that marks this run's connections. */
function throughProxy(url: string, port: number, applicationName: string): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  u.searchParams.set("application_name", applicationName);
  return u.href;
}

/** Ends every server connection of this run (and only this run: other suites share the database). */
async function terminateOurConnections(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      "select pg_terminate_backend(pid) as done from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1",
      [applicationName],
    );
    return rows.length;
  } finally {
    await admin.end();
  }
}

/** latchkey_signin_total{outcome="unavailable"} in /metrics. */
async function signinsUnavailable(t: TestApp): Promise<number> {
  const match = /latchkey_signin_total\{outcome="unavailable"\} (\d+)/.exec(await t.deps.metrics.registry.metrics());
  return Number(match?.[1] ?? 0);
}

async function signIn(client: TestClient, identifier: string, password: string) {
  return client.request("POST", "/api/v1/session", { json: { identifier, password } });
}

describe("storage outages on PostgreSQL and Redis", { skip }, () => {
  let schema: TestSchema;
  let database: FaultProxy;
  let redis: FaultProxy;
  let t: TestApp;
  const prefix = testRedisPrefix();
  const applicationName = `latchkey_fault_${prefix.slice(-13, -1)}`;

  before(async () => {
    schema = await createTestSchema();
    const pgUrl = new URL(TEST_DATABASE_URL as string);
    const redisUrl = new URL(TEST_REDIS_URL as string);
    database = await startFaultProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    redis = await startFaultProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    t = await createTestApp({
      LATCHKEY_DATABASE_URL: throughProxy(schema.url, database.port, applicationName),
      LATCHKEY_DATABASE_POOL_SIZE: "4",
      LATCHKEY_DATABASE_TIMEOUT: "5s",
      LATCHKEY_REQUEST_TIMEOUT: "2s",
      LATCHKEY_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      LATCHKEY_REDIS_PREFIX: prefix,
      LATCHKEY_REDIS_TIMEOUT: "5s",
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
    });
    await seedVerifiedAccount(t, "steady@example.com");
  });
  after(async () => {
    await t?.close();
    await database?.close();
    await redis?.close();
    await schema?.drop();
    await dropRedisPrefix(prefix);
  });

  it("keeps serving when its PostgreSQL connections are terminated while requests are in flight", async () => {
    const client = new TestClient(t.app);
    const statuses: number[] = [];
    let terminated = 0;
    // Sign-ins hold pooled connections; terminate them (checked out or idle) again and again meanwhile.
    const load = (async () => {
      for (let round = 0; round < 6; round++) {
        const answers = await Promise.all(
          Array.from({ length: 25 }, (_, i) => signIn(client, i % 2 ? "steady@example.com" : `nobody${i}@example.com`, STRONG_PASSWORD)),
        );
        for (const a of answers) statuses.push(a.statusCode);
      }
    })();
    const killer = (async () => {
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        terminated += await terminateOurConnections(applicationName);
      }
    })();
    await Promise.all([load, killer]);
    assert.ok(terminated > 0, "some connections were terminated");
    assert.deepEqual(
      statuses.filter((s) => ![200, 401, 503].includes(s)),
      [],
      "only successes, refusals and 503, never 500",
    );
    // The instance is alive and the pool has replaced what it lost.
    const after = await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD);
    assert.equal(after.statusCode, 200);
    assert.equal((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode, 200);
  });

  it("answers 503 SERVICE_UNAVAILABLE with Retry-After while PostgreSQL is unreachable, and a page for browsers", async () => {
    const browser = new TestClient(t.app, { accept: "text/html" });
    assert.equal((await signIn(browser, "steady@example.com", STRONG_PASSWORD)).statusCode, 200);
    await database.cut();
    try {
      const api = await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD);
      assert.equal(api.statusCode, 503);
      assert.equal(api.json().error.code, "SERVICE_UNAVAILABLE");
      assert.match(api.json().error.message, /try again/);
      assert.equal(api.headers["retry-after"], "5");

      // The session lookup needs the database.
      const page = await browser.get("/account");
      assert.equal(page.statusCode, 503);
      assert.match(page.headers["content-type"] as string, /text\/html/);
      assert.equal(page.headers["retry-after"], "5");
      assert.match(pageText(page.body), /briefly unavailable.*try again in a minute/);

      const started = performance.now();
      const ready = await t.app.inject({ method: "GET", url: "/readyz" });
      const elapsed = performance.now() - started;
      assert.equal(ready.statusCode, 503);
      assert.notEqual(ready.json().checks.database, "ok");
      assert.equal(ready.json().checks.redis, "ok");
      assert.ok(elapsed < 2000, `/readyz took ${elapsed} ms`);
    } finally {
      await database.restore();
    }
    assert.equal((await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD)).statusCode, 200, "recovers by itself");
  });

  it("answers /readyz within its own timeout when PostgreSQL and Redis hang", async () => {
    database.stall();
    redis.stall();
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const ready = await t.app.inject({ method: "GET", url: "/readyz" });
        const elapsed = performance.now() - started;
        assert.equal(ready.statusCode, 503);
        // A pooled connection reset by the hang may fail at once; a new one hangs until the timeout.
        assert.notEqual(ready.json().checks.database, "ok");
        assert.notEqual(ready.json().checks.redis, "ok");
        // The backends' own timeouts are 5 s; readiness gives each probe well under a second.
        assert.ok(elapsed < 2000, `/readyz took ${elapsed} ms`);
      }
    } finally {
      await database.restore();
      await redis.restore();
    }
    let ready = 503;
    for (let i = 0; i < 80 && ready !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = (await t.app.inject({ method: "GET", url: "/readyz" })).statusCode;
    }
    assert.equal(ready, 200, "ready again once both answer");
  });

  it("answers a request held up by a hung database at LATCHKEY_REQUEST_TIMEOUT, before the database timeout", async () => {
    database.stall();
    try {
      const started = performance.now();
      const signin = await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD);
      const elapsed = performance.now() - started;
      assert.equal(signin.statusCode, 503);
      assert.equal(signin.json().error.code, "SERVICE_UNAVAILABLE");
      assert.equal(signin.headers["retry-after"], "5");
      // 2 s request timeout; the pool would wait 5 s for a connection.
      assert.ok(elapsed < 4500, `the sign-in took ${elapsed} ms`);
    } finally {
      await database.restore();
    }
    await t.deps.tasks.settle();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(await countSigninFailures(t.deps, "steady@example.com"), 0, "the abandoned attempt was given back");
    assert.equal((await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD)).statusCode, 200);
  });

  it("reports a database that answers reads but refuses writes, and answers 503 for what needs a write", async () => {
    // A standby after a failover, or a database switched to read-only: reads work, every write fails.
    const url = new URL(schema.url);
    url.searchParams.set("options", `${url.searchParams.get("options")} -c default_transaction_read_only=on`);
    const stores = await openStores({ database: { kind: "postgres", url: url.href, poolSize: 2, connectTimeoutMs: 3000 } }, t.clock, { migrate: false });
    const app = await buildApp({ ...t.deps, stores }, { logger: false });
    try {
      assert.equal(await stores.ping(), true, "a read-only check would call this database healthy");
      const ready = await app.inject({ method: "GET", url: "/readyz" });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { status: "unavailable", checks: { database: "unwritable" } });
      const signin = await app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "steady@example.com", password: STRONG_PASSWORD } });
      assert.equal(signin.statusCode, 503);
      assert.equal(signin.json().error.code, "SERVICE_UNAVAILABLE");
    } finally {
      await app.close();
      await stores.close();
    }
  });

  it("does not count sign-ins that failed on a database outage as wrong passwords", async () => {
    await database.cut();
    try {
      for (let i = 0; i < 5; i++) {
        const r = await signIn(new TestClient(t.app), "steady@example.com", `wrong-but-unchecked-${i}`);
        assert.equal(r.statusCode, 503);
      }
    } finally {
      await database.restore();
    }
    assert.equal(await countSigninFailures(t.deps, "steady@example.com"), 0, "no attempt kept its reservation");
    assert.match(await t.deps.metrics.registry.metrics(), /latchkey_signin_total\{outcome="unavailable"\} [1-9]/);
    // Without the release, the person would now have to solve the security check for 12 hours.
    assert.equal((await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD)).statusCode, 200);
  });

  it("answers 503 while Redis is unreachable, counts nothing, and recovers when it is back", async () => {
    await redis.cut();
    try {
      const started = performance.now();
      const ready = await t.app.inject({ method: "GET", url: "/readyz" });
      const elapsed = performance.now() - started;
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().checks.database, "ok");
      assert.notEqual(ready.json().checks.redis, "ok");
      assert.ok(elapsed < 2000, `/readyz took ${elapsed} ms`);
      const unavailableBefore = await signinsUnavailable(t);
      for (let i = 0; i < 4; i++) {
        const r = await signIn(new TestClient(t.app), "steady@example.com", `wrong-${i}`);
        assert.equal(r.statusCode, 503);
        assert.equal(r.json().error.code, "SERVICE_UNAVAILABLE");
        assert.equal(r.headers["retry-after"], "5");
      }
      // A sign-in answered at LATCHKEY_REQUEST_TIMEOUT is counted when its Redis command gives up (LATCHKEY_REDIS_TIMEOUT).
      let unavailable = await signinsUnavailable(t);
      for (let i = 0; i < 100 && unavailable < unavailableBefore + 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        unavailable = await signinsUnavailable(t);
      }
      assert.equal(unavailable, unavailableBefore + 4, "each sign-in lost to the outage is counted as unavailable");
    } finally {
      await redis.restore();
    }
    let ready = 503;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = (await t.app.inject({ method: "GET", url: "/readyz" })).statusCode;
    }
    assert.equal(ready, 200, "ready again once Redis answers");
    assert.equal(await countSigninFailures(t.deps, "steady@example.com"), 0);
    assert.equal((await signIn(new TestClient(t.app), "steady@example.com", STRONG_PASSWORD)).statusCode, 200);
  });
});
