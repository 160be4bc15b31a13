// A sign-in with the right password that stops at an unconfirmed address: the code step it hands over to is
// bound to the pending account whose password was checked, even when a registration of the same address
// replaces that account while the sign-in is still answering.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Mailer } from "../../src/delivery/types.ts";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode } from "../helpers/outbox.ts";

const THIEF_PASSWORD = "Thief-Chooses-This-Password-17";

for (const backend of allBackends()) {
  describe(`a sign-in that stops at an unconfirmed address: ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(await backend.freshAppEnv());
    });
    after(async () => t?.close());

    /** Registers `identifier` through the JSON API from a browser of its own; returns the pending account's id. */
    async function registerPending(identifier: string, password: string): Promise<string> {
      const client = new TestClient(t.app);
      const registered = await client.request("POST", "/api/v1/accounts", { json: { identifier, password, captcha: await solveCAPTCHA(client) } });
      assert.equal(registered.statusCode, 202);
      const found = await t.deps.stores.accounts.getAccountByIdentifier(identifier);
      assert.ok(found, "a pending account holds the identifier");
      return found.account.id;
    }

    /**
     * Signs in on the page with the right password while `meanwhile` runs once, right after the sign-in has
     * sent its new code and before its answer is complete: between the password check and the code step.
     */
    async function signInStoppingAt(browser: TestClient, identifier: string, meanwhile?: () => Promise<void>): Promise<string> {
      const mailer = t.deps.mailer;
      let pending = meanwhile;
      t.deps.mailer = {
        ...mailer,
        sendEmail: async (message) => {
          await mailer.sendEmail(message);
          const run = pending;
          pending = undefined;
          if (run) await run();
        },
      } satisfies Mailer;
      try {
        const stopped = await browser.submitForm("/signin", "/signin", { identifier, password: STRONG_PASSWORD });
        assert.equal(stopped.statusCode, 303);
        assert.equal(pending, undefined, "the replacement ran during the sign-in");
        const verifyUrl = stopped.headers.location as string;
        assert.match(verifyUrl, /^\/verify\?flow=/, "on to the code step");
        return verifyUrl;
      } finally {
        t.deps.mailer = mailer;
      }
    }

    it("a correct code signs in the browser that typed the pending account's password", async () => {
      await registerPending("ivy@example.com", STRONG_PASSWORD);
      const browser = new TestClient(t.app);
      const verifyUrl = await signInStoppingAt(browser, "ivy@example.com");
      const code = await latestCode(t.config.outboxDir, "ivy@example.com");
      const confirmed = await browser.submitForm(verifyUrl, "/verify", { identifier: "ivy@example.com", code });
      assert.equal(confirmed.headers.location, "/account?done=welcome");
      assert.equal((await browser.get("/api/v1/session")).json().account.identifiers[0].value, "ivy@example.com");
    });

    it("a registration that replaces the account between the password check and the code step is not bound to this browser", async () => {
      const mine = await registerPending("jude@example.com", STRONG_PASSWORD);
      let theirs = "";
      const browser = new TestClient(t.app);
      // Someone registers the same address with a password of their own while the sign-in is answering: their
      // account replaces the pending one, and the newest code (the one that works now) is for theirs.
      const verifyUrl = await signInStoppingAt(browser, "jude@example.com", async () => {
        theirs = await registerPending("jude@example.com", THIEF_PASSWORD);
      });
      assert.notEqual(theirs, mine, "the pending account was replaced");

      const code = await latestCode(t.config.outboxDir, "jude@example.com");
      const entered = await browser.submitForm(verifyUrl, "/verify", { identifier: "jude@example.com", code });
      assert.equal(entered.statusCode, 303);
      assert.notEqual(entered.headers.location, "/account?done=welcome");
      assert.equal(
        entered.cookies.some((c) => c.name === "latchkey_session" && c.value !== ""),
        false,
        "no session in an account whose password this browser never typed",
      );
      assert.equal((await browser.get("/api/v1/session")).statusCode, 401);
      const events = await t.deps.stores.audit.searchEvents({ accountId: theirs, types: ["signin.succeeded"], limit: 10 });
      assert.deepEqual(events, [], "nobody was signed in to the replacement account");
    });

    it("the JSON API's answer names no account", async () => {
      const accountId = await registerPending("kit@example.com", STRONG_PASSWORD);
      const answer = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "kit@example.com", password: STRONG_PASSWORD } });
      assert.equal(answer.statusCode, 403);
      assert.deepEqual(Object.keys(answer.json()), ["error"]);
      assert.equal(answer.json().error.code, "ACCOUNT_NOT_VERIFIED");
      assert.equal(answer.json().error.field, "identifier");
      assert.ok(!answer.body.includes(accountId), "the account's id stays on the server");
    });
  });
}
