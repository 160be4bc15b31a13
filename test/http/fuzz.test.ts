// Property-based hardening: random, oversized and wrongly typed bodies, headers, query strings and path
// parameters on every route the application registers (read from the application itself, so a new route
// is fuzzed without touching this file), signed out, signed in and as an administrator, always get a 4xx
// with the error shape (or an ordinary page), never a 5xx, and store nothing. The seed is printed; set
// LATCHKEY_FUZZ_SEED to replay a run.
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { createVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import type { TestClient } from "../helpers/client.ts";

const SEED = process.env.LATCHKEY_FUZZ_SEED ? Number(process.env.LATCHKEY_FUZZ_SEED) : randomInt(2 ** 31 - 1);
const RUNS_PER_ROUTE = 12;

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    { identifier: fc.oneof(fc.string({ maxLength: 400 }), fc.integer(), fc.constant(null)), password: fc.oneof(fc.string({ maxLength: 300 }), fc.boolean()) },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 100 }), fc.integer(), fc.array(fc.string(), { maxLength: 3 }))),
);

/** A value for a path parameter: ordinary, empty-ish, long, or hostile. */
const pathParam = fc.oneof(
  fc.constantFrom("x", "AAAAAAAAAAAAAAAAAAAA", "what-is-the-security-check", "..", "%2e%2e", "%00", "a%2Fb", "%E0%A4%A"),
  fc.string({ maxLength: 300 }).map((s) => encodeURIComponent(s) || "x"),
);

const request = fc.record({
  kind: fc.constantFrom("json", "form", "text", "none", "huge", "broken-json"),
  body: jsonValue,
  params: fc.array(pathParam, { minLength: 3, maxLength: 3 }),
  wildcard: fc.string({ maxLength: 100 }).map((s) => encodeURIComponent(s)),
  who: fc.constantFrom("nobody", "member", "admin"),
  query: fc.dictionary(fc.constantFrom("flow", "token", "return_to", "done", "q", "code", "identifier", "since", "page", "x"), fc.string({ maxLength: 300 }), {
    maxKeys: 3,
  }),
  headers: fc.dictionary(
    fc.constantFrom("origin", "sec-fetch-site", "cookie", "x-forwarded-for", "user-agent", "accept-language", "accept"),
    fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
    { maxKeys: 3 },
  ),
});

/** The route's URL with its parameters and wildcard filled in. */
function fillPath(url: string, params: string[], wildcard: string): string {
  let n = 0;
  return url.replace(/:[A-Za-z0-9_]+/g, () => params[n++ % params.length] as string).replace("*", wildcard);
}

describe("fuzzing every route", () => {
  let t: TestApp;
  const routes: Array<[string, string]> = [];
  const cookies: Record<string, string> = { nobody: "" };
  before(async () => {
    t = await createTestApp(
      {},
      {
        onRoute: (route) => {
          for (const method of [route.method].flat()) routes.push([method, route.url]);
        },
      },
    );
    const cookieOf = (client: TestClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    cookies.member = cookieOf(await createVerifiedAccount(t, "fuzz-member@example.com"));
    const admin = await createVerifiedAccount(t, "fuzz-admin@example.com");
    const found = await t.deps.stores.accounts.getAccountByIdentifier("fuzz-admin@example.com");
    await t.deps.stores.accounts.setAccountAdmin(found?.account.id as string, true, t.clock.now());
    cookies.admin = cookieOf(admin);
  });
  after(async () => {
    await t.close();
  });

  async function counts(): Promise<number[]> {
    const accounts = await t.deps.stores.accounts.listAccounts({ limit: 1000, offset: 0 });
    const events = await t.deps.stores.audit.listEvents({ limit: 100000, types: ["signin.succeeded", "reset.completed", "password.changed"] });
    return [
      accounts.length,
      accounts.reduce((n, a) => n + a.identifiers.length, 0),
      events.length,
      accounts.filter((a) => a.account.isAdmin || a.account.disabledAt).length,
    ];
  }

  it("knows the application's routes, including help, admin and account identifiers", () => {
    const urls = new Set(routes.map(([, url]) => url));
    for (const url of [
      "/help/:slug",
      "/api/v1/help/articles/:slug/feedback",
      "/admin",
      "/api/v1/account/identifiers/:id",
      "/account/identifiers/:id/remove",
      "/signin",
    ]) {
      assert.ok(urls.has(url), `${url} is among the ${urls.size} routes`);
    }
  });

  it("never answers 5xx and never stores anything, on any route", async (ctx) => {
    ctx.diagnostic(`fuzz seed ${SEED} (replay with LATCHKEY_FUZZ_SEED=${SEED})`);
    const before = await counts();
    for (const [index, [method, routeUrl]] of routes.entries()) {
      await fc.assert(
        fc.asyncProperty(request, async ({ kind, body, params, wildcard, who, query, headers }) => {
          const path = fillPath(routeUrl, params, wildcard);
          const search = new URLSearchParams(query).toString();
          const url = search ? `${path}?${search}` : path;
          const h: Record<string, string> = {};
          // Deleting one's own account is what DELETE /api/v1/account does for a signed-in caller whatever
          // the body, so it is fuzzed without a session (test/http/factors.test.ts covers it signed in).
          const caller = method === "DELETE" && routeUrl === "/api/v1/account" ? "nobody" : who;
          if (cookies[caller]) h.cookie = cookies[caller] as string;
          Object.assign(h, headers);
          let payload: string | undefined;
          if (kind === "json") {
            h["content-type"] = "application/json";
            payload = JSON.stringify(body);
          } else if (kind === "form") {
            h["content-type"] = "application/x-www-form-urlencoded";
            payload = new URLSearchParams(
              Object.entries(typeof body === "object" && body ? body : { v: String(body) }).map(([k, v]) => [
                k,
                typeof v === "object" && v !== null ? JSON.stringify(v) : String(v),
              ]),
            ).toString();
          } else if (kind === "text") {
            h["content-type"] = "text/plain";
            payload = JSON.stringify(body);
          } else if (kind === "huge") {
            h["content-type"] = "application/json";
            payload = JSON.stringify({ identifier: "a".repeat(70_000), password: "b" });
          } else if (kind === "broken-json") {
            h["content-type"] = "application/json";
            payload = `${JSON.stringify(body)}{`;
          }
          const bodyAllowed = method !== "GET" && method !== "HEAD";
          const response = await t.app.inject({ method: method as "GET", url, headers: h, ...(payload !== undefined && bodyAllowed ? { payload } : {}) });
          assert.ok(response.statusCode < 500, `${method} ${url} (${kind}, ${who}) answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
          if (path.startsWith("/api/") && response.statusCode >= 400 && method !== "HEAD") {
            const parsed = response.json() as { error?: { code?: unknown; message?: unknown } };
            assert.equal(typeof parsed.error?.code, "string", `${method} ${url}: ${response.body.slice(0, 200)}`);
            assert.equal(typeof parsed.error?.message, "string");
          }
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED + index },
      );
    }
    assert.deepEqual(await counts(), before, "no account, identifier, sign-in, password change or admin change came from random input");
  });
});
