// Security headers, methods, and the audit trail.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runMaintenance } from "../../src/maintenance.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { pageText, TestClient } from "../helpers/client.ts";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("security headers", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("sends a strict policy on pages and API answers, and no version headers", async () => {
    for (const url of ["/signin", "/api/v1/session", "/register"]) {
      const r = await t.app.inject({ method: "GET", url });
      const csp = r.headers["content-security-policy"] as string;
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, "no inline script allowed");
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers["x-content-type-options"], "nosniff");
      assert.ok(r.headers["referrer-policy"]);
      assert.match(r.headers["permissions-policy"] as string, /camera=\(\)/);
      assert.equal(r.headers["cache-control"], "no-store");
      assert.equal(r.headers["x-powered-by"], undefined);
      assert.equal(r.headers.server, undefined);
      assert.equal(r.headers["strict-transport-security"], undefined, "no HSTS over plain http");
    }
  });

  it("sends HSTS and __Host- cookies when the base URL is https", async () => {
    const secure = await createTestApp({ LATCHKEY_BASE_URL: "https://signin.example.com" });
    try {
      const r = await secure.app.inject({ method: "GET", url: "/signin" });
      assert.match(r.headers["strict-transport-security"] as string, /max-age=31536000/);
      const cookies = r.cookies.map((c) => c.name);
      assert.ok(cookies.includes("__Host-latchkey_browser"));
      assert.ok(r.cookies.every((c) => c.secure && c.path === "/" && c.httpOnly));
    } finally {
      await secure.close();
    }
  });

  it("answers a known path with the wrong method 405 and an Allow header", async () => {
    const r = await t.app.inject({ method: "PATCH", url: "/api/v1/session" });
    assert.equal(r.statusCode, 405);
    assert.equal(r.json().error.code, "METHOD_NOT_ALLOWED");
    assert.match(r.headers.allow as string, /DELETE/);
    assert.equal((await t.app.inject({ method: "PATCH", url: "/api/v1/unknown" })).statusCode, 404);
  });

  it("answers an unsupported body type 415 and keeps the error shape", async () => {
    const r = await t.app.inject({ method: "POST", url: "/api/v1/session", headers: { "content-type": "application/xml" }, payload: "<x/>" });
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().error.code, "UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("audit trail", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_AUDIT_RETENTION: "30d" });
  });
  after(async () => {
    await t.close();
  });

  it("records sign-ins, failures and revocations with time, account, address and browser, never a secret", async () => {
    const me = await createVerifiedAccount(t, "audited@example.com");
    const accountId = (await me.get("/api/v1/session")).json().account.id as string;
    const firefox = new TestClient(t.app, { "user-agent": FIREFOX });
    await firefox.request("POST", "/api/v1/session", { json: { identifier: "audited@example.com", password: "wrong-password-here" } });
    await firefox.request("POST", "/api/v1/session", { json: { identifier: "audited@example.com", password: STRONG_PASSWORD } });
    await me.request("DELETE", "/api/v1/sessions");
    const events = await t.deps.stores.audit.listEvents({ accountId, limit: 50 });
    const types = events.map((e) => e.type);
    for (const type of ["identifier.verified", "signin.succeeded", "signin.failed", "sessions.revoked"]) assert.ok(types.includes(type), type);
    const failed = events.find((e) => e.type === "signin.failed");
    assert.equal(failed?.ip, "127.0.0.1");
    assert.equal(failed?.userAgent, FIREFOX);
    const serialized = JSON.stringify(events);
    assert.doesNotMatch(serialized, new RegExp(STRONG_PASSWORD));
    assert.doesNotMatch(serialized, /wrong-password-here/);
    assert.doesNotMatch(serialized, /latchkey_session/);
  });

  it("records failures for unknown identifiers without an account", async () => {
    await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "ghost@example.com", password: "whatever-it-is" } });
    const events = await t.deps.stores.audit.listEvents({ types: ["signin.failed"], limit: 50 });
    assert.ok(events.some((e) => e.accountId === null && e.detail?.reason === "unknown identifier"));
  });

  it("shows the person their own recent activity on the account page", async () => {
    const me = await createVerifiedAccount(t, "activity@example.com");
    const firefox = new TestClient(t.app, { "user-agent": FIREFOX });
    await firefox.request("POST", "/api/v1/session", { json: { identifier: "activity@example.com", password: STRONG_PASSWORD } });
    t.clock.advance(2 * 3600 * 1000);
    const page = await me.get("/account");
    const text = pageText(page.body);
    assert.match(text, /Recent activity/);
    assert.match(text, /Signed in from Firefox on Linux, 2 hours ago/);
  });

  it("deletes events past the retention period", async () => {
    await createVerifiedAccount(t, "old@example.com");
    const before = (await t.deps.stores.audit.listEvents({ limit: 100000 })).length;
    assert.ok(before > 0);
    t.clock.advance(31 * 24 * 3600 * 1000);
    await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "recent@example.com", password: "whatever-it-is" } });
    const report = await runMaintenance(t.deps);
    assert.equal(report.auditEvents, before);
    assert.equal((await t.deps.stores.audit.listEvents({ limit: 100000 })).length, 1);
  });
});
