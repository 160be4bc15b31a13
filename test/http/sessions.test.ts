// Session lifetimes and revocation through the API, with the clock moved instead of waiting.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { TestClient } from "../helpers/client.ts";

const HOUR = 3600 * 1000;

describe("sessions", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      LATCHKEY_SESSION_IDLE_TIMEOUT: "2h",
      LATCHKEY_SESSION_ABSOLUTE_TIMEOUT: "5h",
      LATCHKEY_REMEMBER_IDLE_TIMEOUT: "10h",
      LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT: "20h",
    });
  });
  after(async () => {
    await t.close();
  });

  it("ends a session after the idle timeout, and use slides it forward", async () => {
    // Idle 2 h, absolute 5 h: every step below stays inside the absolute timeout, so only the idle
    // check can end the session.
    const client = await createVerifiedAccount(t, "idle@example.com");
    t.clock.advance(1 * HOUR);
    assert.equal((await client.get("/api/v1/session")).statusCode, 200, "used within the idle timeout");
    t.clock.advance(1.5 * HOUR);
    assert.equal((await client.get("/api/v1/session")).statusCode, 200, "2.5 h after sign-in: alive only because the earlier use moved the idle expiry");
    t.clock.advance(2 * HOUR + 1000);
    const expired = await client.get("/api/v1/session");
    assert.equal(expired.statusCode, 401, "2 h without use, 4.5 h after sign-in (before the absolute timeout)");
    assert.equal(expired.json().error.code, "UNAUTHENTICATED");
  });

  it("ends an unused session at the idle timeout, long before the absolute one", async () => {
    const client = await createVerifiedAccount(t, "idle-unused@example.com");
    t.clock.advance(2 * HOUR + 1000);
    assert.equal((await client.get("/api/v1/session")).statusCode, 401);
  });

  it("ends a session at the absolute timeout however often it is used", async () => {
    const client = await createVerifiedAccount(t, "absolute@example.com");
    for (let i = 0; i < 4; i++) {
      t.clock.advance(1 * HOUR);
      assert.equal((await client.get("/api/v1/session")).statusCode, 200);
    }
    t.clock.advance(1 * HOUR + 1000);
    assert.equal((await client.get("/api/v1/session")).statusCode, 401);
  });

  it("'keep me signed in' lengthens both timeouts", async () => {
    // Remembered: idle 10 h, absolute 20 h (instead of 2 h and 5 h).
    await createVerifiedAccount(t, "remember@example.com");
    const client = new TestClient(t.app);
    const signin = await client.request("POST", "/api/v1/session", { json: { identifier: "remember@example.com", password: STRONG_PASSWORD, remember: true } });
    assert.equal(signin.json().session.remember, true);
    t.clock.advance(8 * HOUR);
    assert.equal((await client.get("/api/v1/session")).statusCode, 200, "8 h without use: past the normal idle and absolute timeouts");
    t.clock.advance(10 * HOUR + 1000);
    assert.equal((await client.get("/api/v1/session")).statusCode, 401, "10 h without use ends it, 18 h after sign-in (before the absolute timeout)");

    const busy = new TestClient(t.app);
    await busy.request("POST", "/api/v1/session", { json: { identifier: "remember@example.com", password: STRONG_PASSWORD, remember: true } });
    for (let i = 0; i < 4; i++) {
      t.clock.advance(4.5 * HOUR);
      assert.equal((await busy.get("/api/v1/session")).statusCode, 200, `${(i + 1) * 4.5} h after sign-in, used every 4.5 h`);
    }
    t.clock.advance(2 * HOUR + 1000);
    assert.equal((await busy.get("/api/v1/session")).statusCode, 401, "the absolute timeout of 20 h ends it however often it is used");
  });

  it("gives a new token at every sign-in and kills the session on sign-out everywhere", async () => {
    const client = await createVerifiedAccount(t, "out@example.com");
    const oldToken = client.cookies.get("latchkey_session");
    await client.request("POST", "/api/v1/session", { json: { identifier: "out@example.com", password: STRONG_PASSWORD } });
    assert.notEqual(client.cookies.get("latchkey_session"), oldToken);
    const copy = new TestClient(t.app);
    copy.cookies.set("latchkey_session", client.cookies.get("latchkey_session") as string);
    assert.equal((await client.request("DELETE", "/api/v1/session")).statusCode, 204);
    assert.equal((await copy.get("/api/v1/session")).statusCode, 401, "the old cookie no longer works anywhere");
  });

  it("lets an account end only its own sessions", async () => {
    const alice = await createVerifiedAccount(t, "alice@example.com");
    const bob = await createVerifiedAccount(t, "bob@example.com");
    const bobSession = (await bob.get("/api/v1/session")).json().session.id;
    const refused = await alice.request("DELETE", `/api/v1/sessions/${bobSession}`);
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.json().error.code, "SESSION_NOT_FOUND");
    assert.equal((await bob.get("/api/v1/session")).statusCode, 200);
    const own = (await alice.get("/api/v1/sessions")).json().sessions[0].id;
    const second = new TestClient(t.app);
    await second.request("POST", "/api/v1/session", { json: { identifier: "alice@example.com", password: STRONG_PASSWORD } });
    const secondId = (await second.get("/api/v1/session")).json().session.id;
    assert.equal((await alice.request("DELETE", `/api/v1/sessions/${secondId}`)).statusCode, 204);
    assert.equal((await second.get("/api/v1/session")).statusCode, 401);
    assert.ok(own);
  });

  it("refuses a forged or malformed session cookie", async () => {
    const client = new TestClient(t.app);
    for (const value of ["garbage", "a".repeat(20) + "." + "b".repeat(43), "x".repeat(5000)]) {
      client.cookies.set("latchkey_session", value);
      assert.equal((await client.get("/api/v1/session")).statusCode, 401);
    }
  });

  it("rehashes the password at sign-in when the hashing parameters change", async () => {
    await createVerifiedAccount(t, "rehash@example.com");
    const before = await t.deps.stores.accounts.getAccountByIdentifier("rehash@example.com");
    assert.match(before?.account.passwordHash ?? "", /m=1024,t=1/);
    const { createArgon2Hasher } = await import("../../src/accounts/password-hash.ts");
    const original = t.deps.hasher;
    t.deps.hasher = createArgon2Hasher({ memoryCost: 2048, timeCost: 1, parallelism: 1 });
    try {
      const client = new TestClient(t.app);
      assert.equal(
        (await client.request("POST", "/api/v1/session", { json: { identifier: "rehash@example.com", password: STRONG_PASSWORD } })).statusCode,
        200,
      );
    } finally {
      t.deps.hasher = original;
    }
    const after = await t.deps.stores.accounts.getAccountByIdentifier("rehash@example.com");
    assert.match(after?.account.passwordHash ?? "", /m=2048,t=1/);
  });
});
