// Adding or removing an e-mail address or mobile number needs a recent confirmation ("confirm it's you"):
// a page goes to the confirmation page and comes back; the API answers 403 STEP_UP_REQUIRED. Nothing is
// sent to the new identifier before that.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfTokenIn, hiddenInputsIn } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

const MINUTE = 60 * 1000;

describe("step-up on adding and removing identifiers", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("a page adding an address after the window goes to the confirmation page and back; no code is sent before", async () => {
    const client = await createVerifiedAccount(t, "stepup-owner@example.com");
    t.clock.advance(11 * MINUTE);
    const asked = await client.submitForm("/account", "/account/identifiers", { identifier: "stepup-new@example.com" });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, "/account/confirm?return_to=%2Faccount");
    await t.deps.tasks.settle();
    assert.ok(!(await readEmails(t.config.outboxDir)).some((e) => e.to.includes("stepup-new@example.com")), "nothing sent before the confirmation");

    const confirm = await client.get(asked.headers.location as string);
    const confirmed = await client.request("POST", "/account/confirm", {
      form: { ...hiddenInputsIn(confirm.body, "/account/confirm"), password: STRONG_PASSWORD },
    });
    assert.equal(confirmed.headers.location, "/account");
    const added = await client.submitForm("/account", "/account/identifiers", { identifier: "stepup-new@example.com" });
    assert.match(added.headers.location as string, /^\/account\/identifiers\/verify\?flow=/);
  });

  it("'send a new code' after the window goes to the confirmation page too: a stale session cannot add its own address through it", async () => {
    const client = await createVerifiedAccount(t, "stepup-resend@example.com");
    // Within the window the page's resend works as before.
    const started = await client.submitForm("/account", "/account/identifiers", { identifier: "stepup-resend-new@example.com" });
    const flowPage = started.headers.location as string;
    assert.match(flowPage, /^\/account\/identifiers\/verify\?flow=/);
    const resent = await client.submitForm(flowPage, "/account/identifiers/verify/resend", { identifier: "stepup-resend-new@example.com" });
    assert.match(resent.headers.location as string, /^\/account\/identifiers\/verify\?flow=/);

    t.clock.advance(11 * MINUTE);
    const page = await client.get("/account");
    const csrf = csrfTokenIn(page.body, "/signout");
    const asked = await client.request("POST", "/account/identifiers/verify/resend", {
      form: { _csrf: csrf, identifier: "stepup-thief@example.com" },
      headers: { accept: "text/html" },
    });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, "/account/confirm?return_to=%2Faccount");
    await t.deps.tasks.settle();
    assert.ok(!(await readEmails(t.config.outboxDir)).some((e) => e.to.includes("stepup-thief@example.com")), "no code sent");
    const found = await t.deps.stores.accounts.getAccountByIdentifier("stepup-resend@example.com");
    assert.deepEqual(
      found?.identifiers.map((i) => i.value),
      ["stepup-resend@example.com"],
    );
  });

  it("the API answers 403 STEP_UP_REQUIRED for adding and removing after the window, and goes on once confirmed", async () => {
    const client = await createVerifiedAccount(t, "stepup-api@example.com");
    const identifiers = (await client.get("/api/v1/session")).json().account.identifiers as Array<{ id: string }>;
    t.clock.advance(11 * MINUTE);
    const add = await client.request("POST", "/api/v1/account/identifiers", { json: { identifier: "stepup-api-new@example.com" } });
    assert.equal(add.statusCode, 403);
    assert.equal(add.json().error.code, "STEP_UP_REQUIRED");
    const remove = await client.request("DELETE", `/api/v1/account/identifiers/${identifiers[0]?.id}`);
    assert.equal(remove.statusCode, 403);
    assert.equal(remove.json().error.code, "STEP_UP_REQUIRED");
    const confirmed = await client.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } });
    assert.equal(confirmed.statusCode, 204);
    const again = await client.request("POST", "/api/v1/account/identifiers", { json: { identifier: "stepup-api-new@example.com" } });
    assert.equal(again.statusCode, 202, again.body);
  });
});
