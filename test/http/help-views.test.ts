// Help article views are counted once per browser and article a day, and per client address only up to
// LATCHKEY_RATE_HELP_VIEWS, while the article is always shown. Bursts run in parallel on SQLite, PostgreSQL
// and PostgreSQL + Redis (the last two when the test environment names them).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { countClientRequests } from "../../src/http/client-limits.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { TestClient } from "../helpers/client.ts";

const SLUG = "account-security";
const BURST = 30;
const ALLOWANCE = 5;

function times<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** A browser that already holds its anonymous id cookie (22 base64url characters), from its own address. */
function browserWithCookie(t: TestApp, n: number): TestClient {
  const client = new TestClient(t.app, { "x-forwarded-for": `198.51.100.${n}` });
  client.cookies.set("latchkey_browser", `browser${String(n).padStart(15, "0")}`);
  return client;
}

for (const backend of allBackends()) {
  describe(`help article views on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await createTestApp({ ...(await backend.freshAppEnv()), LATCHKEY_TRUST_PROXY: "127.0.0.1", LATCHKEY_RATE_HELP_VIEWS: `${ALLOWANCE}/1h` });
    });
    afterEach(async () => {
      await t.close();
    });

    async function views(slug = SLUG): Promise<number> {
      return (await t.deps.stores.helpFeedback.summarizeFeedback()).find((s) => s.slug === slug)?.views ?? 0;
    }

    it("a burst of reads from one browser is shown every time and counted once", async () => {
      const reader = browserWithCookie(t, 1);
      const pages = await times(BURST, () => reader.get(`/help/${SLUG}`));
      assert.deepEqual(
        pages.map((p) => p.statusCode),
        Array(BURST).fill(200),
      );
      assert.ok(
        pages.every((p) => p.body.includes("<h1")),
        "the article is shown each time",
      );
      assert.equal(await views(), 1);
      assert.equal(await countClientRequests(t.deps, "helpViews", "198.51.100.1"), 1, "the address's allowance is spent once, not per request");

      // Another article is another view; the same browser the next UTC day counts again.
      await reader.get("/help/reset-your-password");
      assert.equal(await views("reset-your-password"), 1);
      t.clock.advance(24 * 3600 * 1000);
      await reader.get(`/help/${SLUG}`);
      assert.equal(await views(), 2);
    });

    it("different browsers count separately", async () => {
      for (let n = 1; n <= 3; n++) {
        const reader = browserWithCookie(t, n);
        assert.equal((await reader.get(`/help/${SLUG}`)).statusCode, 200);
        assert.equal((await reader.get(`/help/${SLUG}`)).statusCode, 200);
      }
      assert.equal(await views(), 3);
    });

    it("requests without a cookie from one address count up to the allowance, then write nothing, and are still shown", async () => {
      const address = "203.0.113.7";
      const pages = await times(BURST, () => t.app.inject({ method: "GET", url: `/help/${SLUG}`, headers: { "x-forwarded-for": address } }));
      assert.deepEqual(
        pages.map((p) => p.statusCode),
        Array(BURST).fill(200),
      );
      assert.equal(await views(), ALLOWANCE);
      const counted = await countClientRequests(t.deps, "helpViews", address);
      // Requests that read the counter before any of the burst wrote it each count once; later ones write nothing.
      assert.ok(counted >= ALLOWANCE && counted <= BURST, `the allowance counter (${counted})`);

      for (let i = 0; i < 10; i++) {
        const page = await t.app.inject({ method: "GET", url: `/help/${SLUG}`, headers: { "x-forwarded-for": address } });
        assert.equal(page.statusCode, 200);
      }
      assert.equal(await views(), ALLOWANCE);
      assert.equal(await countClientRequests(t.deps, "helpViews", address), counted, "a spent allowance is not written to");

      // Another address still counts.
      const other = await t.app.inject({ method: "GET", url: `/help/${SLUG}`, headers: { "x-forwarded-for": "203.0.113.8" } });
      assert.equal(other.statusCode, 200);
      assert.equal(await views(), ALLOWANCE + 1);
    });
  });
}
