// Adding or removing an e-mail address or mobile number tells the account's confirmed addresses and numbers,
// the removed one included: a new one can reset the password, so a change made from a stolen or borrowed
// session must not go unnoticed by the owner.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";

const ADDED = "A new e-mail address or mobile number was added to your account";
const REMOVED = "An e-mail address or mobile number was removed from your account";

describe("notices when an identifier is added or removed", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  async function subjectsTo(address: string): Promise<string[]> {
    await t.deps.tasks.settle();
    return (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(address)).map((e) => e.subject);
  }

  it("the addresses already on the account hear of a new one; the new one gets only its own message", async () => {
    const client = await createVerifiedAccount(t, "notice-owner@example.com");
    const started = await client.request("POST", "/api/v1/account/identifiers", { json: { identifier: "notice-thief@example.com" } });
    assert.equal(started.statusCode, 202);
    await t.deps.tasks.settle();
    assert.ok(!(await subjectsTo("notice-owner@example.com")).includes(ADDED), "nothing before the code is confirmed");
    const code = await latestCode(t.config.outboxDir, "notice-thief@example.com");
    const confirmed = await client.request("POST", "/api/v1/account/identifiers/verify", { json: { identifier: "notice-thief@example.com", code } });
    assert.equal(confirmed.statusCode, 201, confirmed.body);
    assert.deepEqual(
      (await subjectsTo("notice-owner@example.com")).filter((s) => s === ADDED),
      [ADDED],
    );
    assert.ok(!(await subjectsTo("notice-thief@example.com")).includes(ADDED));
  });

  it("removing an address tells it and the ones left", async () => {
    const client = await createVerifiedAccount(t, "notice-keep@example.com");
    await client.request("POST", "/api/v1/account/identifiers", { json: { identifier: "notice-second@example.com" } });
    await t.deps.tasks.settle();
    const code = await latestCode(t.config.outboxDir, "notice-second@example.com");
    assert.equal(
      (await client.request("POST", "/api/v1/account/identifiers/verify", { json: { identifier: "notice-second@example.com", code } })).statusCode,
      201,
    );
    const identifiers = (await client.get("/api/v1/session")).json().account.identifiers as Array<{ id: string; value: string }>;
    const owners = identifiers.find((i) => i.value === "notice-keep@example.com");
    const removed = await client.request("DELETE", `/api/v1/account/identifiers/${owners?.id}`);
    assert.equal(removed.statusCode, 204);
    assert.deepEqual(
      (await subjectsTo("notice-keep@example.com")).filter((s) => s === REMOVED),
      [REMOVED],
    );
    assert.deepEqual(
      (await subjectsTo("notice-second@example.com")).filter((s) => s === REMOVED),
      [REMOVED],
    );
    // A refused removal (the last one) tells nobody.
    const second = identifiers.find((i) => i.value === "notice-second@example.com");
    assert.equal((await client.request("DELETE", `/api/v1/account/identifiers/${second?.id}`)).statusCode, 409);
    assert.equal((await subjectsTo("notice-second@example.com")).filter((s) => s === REMOVED).length, 1);
  });
});
