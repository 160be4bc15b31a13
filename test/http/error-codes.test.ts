// Provokes the error codes that only a few paths can reach, and checks what the person is told: the code
// for the API, the catalogue's message on pages.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { messageForError } from "../../src/messages/errors.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { pageText, TestClient } from "../helpers/client.ts";

describe("rarely reached error codes", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  it("IDENTIFIER_LAST_ONE, IDENTIFIER_NOT_FOUND and IDENTIFIER_ALREADY_YOURS through the API", async () => {
    const mine = await createVerifiedAccount(t, "codes-owner@example.com");
    await createVerifiedAccount(t, "codes-other@example.com");
    const own = await t.deps.stores.accounts.getAccountByIdentifier("codes-owner@example.com");
    const theirs = await t.deps.stores.accounts.getAccountByIdentifier("codes-other@example.com");
    assert.ok(own && theirs);

    const last = await mine.request("DELETE", `/api/v1/account/identifiers/${own.identifier.id}`);
    assert.equal(last.statusCode, 409);
    assert.equal(last.json().error.code, "IDENTIFIER_LAST_ONE");
    assert.ok(await t.deps.stores.accounts.getAccountByIdentifier("codes-owner@example.com"), "still there");

    for (const id of [theirs.identifier.id, "AAAAAAAAAAAAAAAAAAAA"]) {
      const missing = await mine.request("DELETE", `/api/v1/account/identifiers/${id}`);
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, "IDENTIFIER_NOT_FOUND");
    }
    assert.ok(await t.deps.stores.accounts.getAccountByIdentifier("codes-other@example.com"), "another account's identifier is untouched");

    const again = await mine.request("POST", "/api/v1/account/identifiers", { json: { identifier: "Codes-Owner@Example.com" } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, "IDENTIFIER_ALREADY_YOURS");
    assert.equal(again.json().error.field, "identifier");
  });

  it("NAME_TOO_LONG when registering with a name over 100 characters", async () => {
    const client = new TestClient(t.app);
    const r = await client.request("POST", "/api/v1/accounts", {
      json: { identifier: "long-name@example.com", password: STRONG_PASSWORD, name: "N".repeat(101) },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "NAME_TOO_LONG");
    assert.equal(r.json().error.field, "name");
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("long-name@example.com"), null, "nothing stored");
  });

  it("PASSWORD_MISMATCH when the two password fields of the registration page differ", async () => {
    const browser = new TestClient(t.app);
    const posted = await browser.submitForm("/register", "/register", {
      identifier: "mismatch@example.com",
      password: STRONG_PASSWORD,
      password_confirm: `${STRONG_PASSWORD}x`,
    });
    assert.equal(posted.statusCode, 303);
    const page = await browser.get(posted.headers.location as string);
    assert.ok(pageText(page.body).includes(messageForError("PASSWORD_MISMATCH")), "the page says the passwords differ");
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("mismatch@example.com"), null, "nothing stored");
  });

  it("CSRF_INVALID for a page form posted without its token, with the message that the form expired", async () => {
    const browser = new TestClient(t.app);
    await browser.get("/signin");
    const r = await browser.request("POST", "/signin", { form: { identifier: "someone@example.com", password: STRONG_PASSWORD, _csrf: "forged" } });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /This form has expired/);
    assert.ok(pageText(r.body).includes(messageForError("CSRF_INVALID")));
  });

  it("INTERNAL with a request id when something unexpected fails, and the detail stays out of the answer", async () => {
    const accounts = t.deps.stores.accounts;
    const original = accounts.getAccountByIdentifier;
    accounts.getAccountByIdentifier = async () => {
      throw new Error("disk on fire at /var/lib/secret-path");
    };
    try {
      const api = await t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "someone@example.com", password: STRONG_PASSWORD } });
      assert.equal(api.statusCode, 500);
      assert.equal(api.json().error.code, "INTERNAL");
      assert.match(api.json().error.requestId, /^[0-9a-f]{16}$/);
      assert.doesNotMatch(api.body, /disk on fire|secret-path/);
      const browser = new TestClient(t.app);
      const page = await browser.submitForm("/signin", "/signin", { identifier: "someone@example.com", password: STRONG_PASSWORD });
      assert.equal(page.statusCode, 500);
      assert.match(page.body, /Something went wrong/);
      assert.doesNotMatch(page.body, /disk on fire|secret-path/);
    } finally {
      accounts.getAccountByIdentifier = original;
    }
  });
});
