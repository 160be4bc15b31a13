// Property-based hardening: random, oversized and wrongly typed bodies, headers and query strings on every
// route always get a 4xx with the error shape (or an ordinary page), never a 5xx, and store nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { createTestApp, type TestApp } from "../helpers/app.ts";

const ROUTES: Array<[string, string]> = [
  ["POST", "/api/v1/accounts"],
  ["POST", "/api/v1/accounts/verify"],
  ["POST", "/api/v1/accounts/verify/resend"],
  ["POST", "/api/v1/session"],
  ["GET", "/api/v1/session"],
  ["DELETE", "/api/v1/session"],
  ["GET", "/api/v1/sessions"],
  ["DELETE", "/api/v1/sessions/x"],
  ["POST", "/api/v1/captcha"],
  ["POST", "/api/v1/password-resets"],
  ["POST", "/api/v1/password-resets/complete"],
  ["PUT", "/api/v1/password"],
  ["POST", "/api/v1/password-strength"],
  ["POST", "/api/v1/account/identifiers"],
  ["POST", "/api/v1/account/identifiers/verify"],
  ["GET", "/captcha/AAAAAAAAAAAAAAAAAAAA.png"],
  ["GET", "/captcha/AAAAAAAAAAAAAAAAAAAA.wav"],
  ["GET", "/signin"],
  ["POST", "/signin"],
  ["GET", "/register"],
  ["POST", "/register"],
  ["GET", "/verify"],
  ["POST", "/verify"],
  ["POST", "/signout"],
  ["GET", "/account"],
  ["GET", "/password/reset"],
  ["POST", "/password/reset"],
  ["GET", "/password/reset/confirm"],
  ["POST", "/password/reset/confirm"],
  ["GET", "/account/password"],
  ["POST", "/account/password"],
  ["GET", "/healthz"],
];

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ identifier: fc.oneof(fc.string({ maxLength: 400 }), fc.integer(), fc.constant(null)), password: fc.oneof(fc.string({ maxLength: 300 }), fc.boolean()) }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 100 }), fc.integer(), fc.array(fc.string(), { maxLength: 3 }))),
);

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  kind: fc.constantFrom("json", "form", "text", "none", "huge", "broken-json"),
  body: jsonValue,
  query: fc.dictionary(fc.constantFrom("flow", "token", "return_to", "done", "q", "code", "identifier", "x"), fc.string({ maxLength: 300 }), { maxKeys: 3 }),
  headers: fc.dictionary(fc.constantFrom("origin", "sec-fetch-site", "cookie", "x-forwarded-for", "user-agent", "accept-language"), fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")), { maxKeys: 3 }),
});

describe("fuzzing every route", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  async function counts(): Promise<number[]> {
    const accounts = await t.deps.stores.accounts.listAccounts({ limit: 1000, offset: 0 });
    const events = await t.deps.stores.audit.listEvents({ limit: 100000, types: ["signin.succeeded", "reset.completed", "password.changed"] });
    return [accounts.length, accounts.reduce((n, a) => n + a.identifiers.length, 0), events.length];
  }

  it("never answers 5xx and never stores anything", async () => {
    const before = await counts();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, kind, body, query, headers }) => {
        const [method, path] = route;
        const search = new URLSearchParams(query).toString();
        const url = search ? `${path}?${search}` : path;
        const h: Record<string, string> = { ...headers };
        let payload: string | undefined;
        if (kind === "json") {
          h["content-type"] = "application/json";
          payload = JSON.stringify(body);
        } else if (kind === "form") {
          h["content-type"] = "application/x-www-form-urlencoded";
          payload = new URLSearchParams(Object.entries(typeof body === "object" && body ? body : { v: String(body) }).map(([k, v]) => [k, String(v)])).toString();
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
        const response = await t.app.inject({ method: method as "GET", url, headers: h, ...(payload !== undefined && method !== "GET" ? { payload } : {}) });
        assert.ok(response.statusCode < 500, `${method} ${url} (${kind}) answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
        if (path.startsWith("/api/") && response.statusCode >= 400) {
          const parsed = response.json() as { error?: { code?: unknown; message?: unknown } };
          assert.equal(typeof parsed.error?.code, "string");
          assert.equal(typeof parsed.error?.message, "string");
        }
      }),
      { numRuns: 400 },
    );
    assert.deepEqual(await counts(), before, "no account, identifier, sign-in or password change came from random input");
  });
});
