// What outside attack testing found, each held to: the error page's back link, the order of checks in
// the SMS reset step, refused paths in our error shape, database file modes, resets of disabled accounts,
// and ending another account's session from the account page.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateId } from "../../src/lib/crypto.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfTokenIn, hiddenInputsIn, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";

const NEW_PASSWORD = "Lantern-Orchard-Velvet-Comet-9";

/** A GET whose path is sent exactly as written (fetch would resolve the dot segments first). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, headers: { accept: "text/html" } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("attack findings", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  async function requestReset(client: TestClient, identifier: string): Promise<void> {
    const r = await client.request("POST", "/api/v1/password-resets", { json: { identifier, captcha: await solveCAPTCHA(client, "password_reset") } });
    assert.equal(r.statusCode, 202, r.body);
    await t.deps.tasks.settle();
  }

  it("the error page's back link never points at another host", async () => {
    for (const url of ["//evil.example/x", "//evil.example", "/..//evil.example/x", "/%2F%2Fevil.example"]) {
      const r = await t.app.inject({ method: "POST", url, headers: { accept: "text/html" } });
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${url}: ${r.statusCode}`);
      assert.doesNotMatch(r.body, /href="\/\/evil/, url);
      assert.doesNotMatch(r.body, /href="[^"]*(:\/\/|\\)/, url);
    }
    // A form on our own site still gets its way back.
    const own = await t.app.inject({ method: "POST", url: "/password/reset", headers: { accept: "text/html" }, payload: {} });
    assert.match(own.body, /href="\/password\/reset"/);
  });

  it("the SMS reset step checks the code before anything about the account", async () => {
    const phone = "+447911200300";
    await createVerifiedAccount(t, phone, STRONG_PASSWORD, phone);
    const found = await t.deps.stores.accounts.getAccountByIdentifier(phone);
    assert.ok(found);
    const email = "hidden-second@example.com";
    await t.deps.stores.accounts.addVerifiedIdentifier(
      found.account.id,
      { id: generateId(t.deps.random), kind: "email", value: email, display: email },
      t.clock.now(),
    );
    const client = new TestClient(t.app);
    await requestReset(client, phone);
    const code = await latestCode(t.config.outboxDir, phone);
    const wrong = code === "000000" ? "000001" : "000000";

    // A password containing an address on the account, and one containing an address that is not:
    // both answers speak only of the code, and both cost a try.
    const onAccount = await client.request("POST", "/api/v1/password-resets/complete", {
      json: { identifier: phone, code: wrong, password: `Quiet-${email}-71` },
    });
    const notOnAccount = await client.request("POST", "/api/v1/password-resets/complete", {
      json: { identifier: phone, code: wrong, password: "Quiet-someone-else@example.com-71" },
    });
    assert.equal(onAccount.json().error.code, "RESET_CODE_INVALID");
    assert.equal(notOnAccount.json().error.code, "RESET_CODE_INVALID");
    assert.equal(
      (await t.deps.stores.passwordResets.takeResetCodeAttempt(phone, t.clock.now()))?.attemptsLeft,
      2,
      "five tries, two guesses and this one taken",
    );

    // With the right code the password rules apply, and a refused password leaves the code usable.
    const refused = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code, password: `Quiet-${email}-71` } });
    assert.equal(refused.json().error.code, "PASSWORD_CONTAINS_IDENTIFIER");
    const done = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code, password: NEW_PASSWORD } });
    assert.equal(done.statusCode, 204, done.body);
  });

  it("a path that climbs out of the assets folder is a 404 in our shape, not a 500", async () => {
    // Over a real socket: inject() would tidy the dot segments away before the router saw them.
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (t.app.server.address() as AddressInfo).port;
    for (const path of ["/assets/../package.json", "/assets/%2e%2e/package.json", "/assets/..%2f..%2fpackage.json"]) {
      const r = await rawGet(port, path);
      assert.equal(r.status, 404, `${path}: ${r.status}`);
      assert.match(r.body, /Page not found/, path);
      assert.doesNotMatch(r.body, /"name":\s*"latchkey"/);
    }
  });

  it("answers the router's own errors in our error shape", async () => {
    const badURL = await t.app.inject({ method: "GET", url: "/api/v1/help/articles/%E0%A4%A" });
    assert.equal(badURL.statusCode, 400, badURL.body);
    assert.equal(badURL.json().error.code, "VALIDATION_FAILED");
    assert.equal(badURL.json().code, undefined, "not Fastify's FST_ERR_BAD_URL body");
    const longParam = await t.app.inject({ method: "GET", url: `/api/v1/help/articles/${"a".repeat(300)}` });
    assert.equal(longParam.statusCode, 404, longParam.body);
    assert.equal(longParam.json().error.code, "NOT_FOUND");
    const page = await t.app.inject({ method: "GET", url: "/help/%E0%A4%A", headers: { accept: "text/html" } });
    assert.equal(page.statusCode, 400);
    assert.match(page.headers["content-type"] as string, /text\/html/);
  });

  it("keeps the SQLite database and its -wal and -shm files readable by their owner only", () => {
    assert.equal(t.config.database.kind, "sqlite");
    const file = t.config.database.kind === "sqlite" ? t.config.database.file : "";
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      assert.equal(statSync(path).mode & 0o777, 0o600, `${path} is ${(statSync(path).mode & 0o777).toString(8)}`);
    }
    assert.equal(join(t.dataDir, "x").startsWith(t.dataDir), true);
  });

  it("a reset link or code sent before the account was disabled no longer resets it", async () => {
    await createVerifiedAccount(t, "soon-disabled@example.com");
    const client = new TestClient(t.app);
    await requestReset(client, "soon-disabled@example.com");
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("soon-disabled@example.com") && e.subject === "Reset your password").at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;
    const phone = "+447911200301";
    await createVerifiedAccount(t, phone, STRONG_PASSWORD, phone);
    await requestReset(client, phone);
    const code = await latestCode(t.config.outboxDir, phone);

    for (const value of ["soon-disabled@example.com", phone]) {
      const found = await t.deps.stores.accounts.getAccountByIdentifier(value);
      assert.ok(found && (await t.deps.stores.accounts.setAccountDisabled(found.account.id, t.clock.now())));
    }
    const byLink = await client.request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } });
    assert.equal(byLink.statusCode, 400);
    assert.equal(byLink.json().error.code, "RESET_TOKEN_INVALID");
    const byCode = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code, password: NEW_PASSWORD } });
    assert.equal(byCode.statusCode, 400);
    assert.equal(byCode.json().error.code, "RESET_CODE_EXPIRED");
    for (const value of ["soon-disabled@example.com", phone]) {
      const found = await t.deps.stores.accounts.getAccountByIdentifier(value);
      assert.ok(found && (await t.deps.hasher.verifyPasswordHash(found.account.passwordHash, STRONG_PASSWORD)), `${value}: the password is unchanged`);
    }
  });

  it("ending another account's session from the account page is refused, and that session lives on", async () => {
    const mine = await createVerifiedAccount(t, "page-owner@example.com");
    const theirs = await createVerifiedAccount(t, "page-stranger@example.com");
    const theirId = (await theirs.get("/api/v1/session")).json().session.id as string;
    const page = await mine.get("/account");
    const csrf = csrfTokenIn(page.body, "/signout");
    const r = await mine.request("POST", `/account/sessions/${theirId}/revoke`, { form: { _csrf: csrf }, headers: { accept: "text/html" } });
    assert.equal(r.statusCode, 404);
    assert.doesNotMatch(r.body, /signed out/i);
    assert.match(r.body, /That session does not exist or has already ended/);
    assert.equal((await theirs.get("/api/v1/session")).statusCode, 200);
    assert.equal((await mine.get("/api/v1/session")).statusCode, 200);
  });
});

describe("security checks drawn by pages", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_RATE_CAPTCHA: "30/1m" });
  });
  after(async () => {
    await t.close();
  });

  const challengeIdIn = (html: string): string | undefined => /name="captchaId" value="([A-Za-z0-9_-]{20})"/.exec(html)?.[1];

  it("a reload shows the page's unanswered challenge again instead of drawing another", async () => {
    const browser = new TestClient(t.app);
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const page = await browser.get("/password/reset");
      assert.equal(page.statusCode, 200);
      ids.add(challengeIdIn(page.body) as string);
    }
    assert.equal(ids.size, 1, "forty reloads, one challenge");
    // "Try another" still draws a new one.
    const page = await browser.get("/password/reset");
    const another = await browser.request("POST", "/password/reset", { form: { ...hiddenInputsIn(page.body, "/password/reset"), captchaAction: "refresh" } });
    const next = await browser.get(another.headers.location as string);
    assert.notEqual(challengeIdIn(next.body), [...ids][0]);
  });

  it("every challenge a page draws counts against the address's allowance for new challenges", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      // A new browser each time (no cookies), so nothing can be reused.
      const path = ["/password/reset", "/register"][i % 2] as string;
      statuses.push((await t.app.inject({ method: "GET", url: path, remoteAddress: "198.51.100.60" })).statusCode);
    }
    assert.deepEqual(statuses, [...Array(30).fill(200), 429]);
    const api = await t.app.inject({ method: "POST", url: "/api/v1/captcha", remoteAddress: "198.51.100.60", payload: { purpose: "registration" } });
    assert.equal(api.statusCode, 429, "the API's limit is the same allowance");
    assert.equal(api.json().error.code, "RATE_LIMITED");
    assert.equal((await t.app.inject({ method: "GET", url: "/register", remoteAddress: "198.51.100.61" })).statusCode, 200, "another address is not affected");
  });
});
