// An admin removes a person's second factors (the lost-phone case), from the account page and through the
// admin API: the admin's own password first, then passkeys, authenticator app and recovery codes go in one
// transaction, the audit trail names the admin, the owner is told, and the password alone signs in again.
// To anyone but an admin the API address does not exist.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateTOTPCode, totpStepAt } from "../../src/factors/totp.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, TestClient } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

const NOTICE_SUBJECT = "Your second factors have been removed";

describe("admins remove a person's second factors", () => {
  let t: TestApp;
  let admin: TestClient;
  let adminId: string;

  async function idOf(identifier: string): Promise<string> {
    const found = await t.deps.stores.accounts.getAccountByIdentifier(identifier);
    assert.ok(found, `account for ${identifier}`);
    return found.account.id;
  }

  /** A signed-in account with the authenticator app on (and its 10 recovery codes) and a passkey. */
  async function protectedAccount(identifier: string): Promise<{ client: TestClient; id: string }> {
    const client = await createVerifiedAccount(t, identifier);
    const id = await idOf(identifier);
    const setup = await client.request("POST", "/api/v1/account/totp");
    assert.equal(setup.statusCode, 201, setup.body);
    const code = generateTOTPCode(setup.json().secret as string, totpStepAt(t.clock.now()));
    assert.equal((await client.request("POST", "/api/v1/account/totp/confirm", { json: { code } })).statusCode, 200);
    // A passkey registered in a browser elsewhere; stored directly here.
    await t.deps.stores.factors.addPasskey({
      id: `pk-${id}`,
      accountId: id,
      credentialId: `cred-${id}`,
      publicKey: "AAAA",
      counter: 0,
      transports: ["internal"],
      deviceType: "singleDevice",
      backedUp: false,
      name: "Phone",
      createdAt: t.clock.now(),
      lastUsedAt: null,
    });
    return { client, id };
  }

  async function noticesTo(address: string): Promise<string[]> {
    await t.deps.tasks.settle();
    return (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(address)).map((e) => e.subject);
  }

  async function assertFactorsKept(id: string): Promise<void> {
    assert.ok(await t.deps.stores.factors.getTOTPFactor(id));
    assert.equal((await t.deps.stores.factors.listPasskeys(id)).length, 1);
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(id), 10);
  }

  before(async () => {
    t = await createTestApp();
    admin = await createVerifiedAccount(t, "support@example.com");
    adminId = await idOf("support@example.com");
    assert.equal(await t.deps.stores.accounts.grantAdmin(adminId, t.clock.now()), "changed");
  });
  after(async () => {
    await t.close();
  });

  it("from the account page: shown, confirmed with the admin's password, removed, recorded, notified", async () => {
    const { id } = await protectedAccount("lost-phone@example.com");
    const page = await admin.get(`/admin/accounts/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(pageText(page.body), /Second factors Authenticator app, 1 passkey, 10 recovery codes left/);
    assert.match(page.body, new RegExp(`href="/admin/accounts/${id}/remove-second-factors">Remove second factors</a>`));

    const url = `/admin/accounts/${id}/remove-second-factors`;
    const confirm = await admin.get(url);
    assert.equal(confirm.statusCode, 200);
    assert.match(pageText(confirm.body), /Their passkeys, authenticator app and recovery codes are removed/);
    assert.match(confirm.body, /id="password"/, "the admin's own password is asked for");
    const fields = hiddenInputsIn(confirm.body, url);

    const wrong = await admin.request("POST", url, { form: { ...fields, password: "not-the-admins-password" } });
    assert.match(wrong.headers.location as string, /\?flow=/);
    assert.match(pageText((await admin.get(wrong.headers.location as string)).body), /password/i);
    assert.equal((await admin.request("POST", url, { form: { password: STRONG_PASSWORD } })).statusCode, 403, "no form token, no change");
    await assertFactorsKept(id);

    const done = await admin.request("POST", url, { form: { ...fields, password: STRONG_PASSWORD } });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `/admin/accounts/${id}?done=remove-second-factors`);
    const after = await admin.get(done.headers.location as string);
    assert.match(pageText(after.body), /The account's second factors are removed\. Its owner has been told\./);
    assert.match(pageText(after.body), /Second factors None/);
    assert.doesNotMatch(after.body, new RegExp(`href="/admin/accounts/${id}/remove-second-factors"`), "no longer offered");

    assert.equal(await t.deps.stores.factors.getTOTPFactor(id), null);
    assert.deepEqual(await t.deps.stores.factors.listPasskeys(id), []);
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(id), 0);
    const [event] = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.second_factors_removed"], limit: 5 });
    assert.deepEqual(event?.detail, { admin: adminId, passkeys: 1, totp: true, recoveryCodes: 10 });
    assert.ok((await noticesTo("lost-phone@example.com")).includes(NOTICE_SUBJECT));

    // The owner's password alone signs in again, with no second step.
    const owner = new TestClient(t.app);
    const signin = await owner.request("POST", "/api/v1/session", { json: { identifier: "lost-phone@example.com", password: STRONG_PASSWORD } });
    assert.equal(signin.statusCode, 200, signin.body);
  });

  it("through the admin API: step-up, then removal; a second call changes nothing", async () => {
    const { id } = await protectedAccount("api-lost-phone@example.com");
    const url = `/api/v1/admin/accounts/${id}/remove-second-factors`;
    const missing = await admin.request("POST", url, { json: {} });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.code, "PASSWORD_INCORRECT");
    const wrong = await admin.request("POST", url, { json: { password: "not-the-admins-password" } });
    assert.equal(wrong.json().error.code, "PASSWORD_INCORRECT");
    await assertFactorsKept(id);
    assert.deepEqual(await noticesTo("api-lost-phone@example.com").then((s) => s.filter((x) => x === NOTICE_SUBJECT)), []);

    const done = await admin.request("POST", url, { json: { password: STRONG_PASSWORD } });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(done.json(), { changed: true });
    assert.equal(await t.deps.stores.factors.getTOTPFactor(id), null);
    assert.deepEqual(await t.deps.stores.factors.listPasskeys(id), []);
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(id), 0);
    const events = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.second_factors_removed"], limit: 5 });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.detail?.admin, adminId);
    assert.ok((await noticesTo("api-lost-phone@example.com")).includes(NOTICE_SUBJECT));

    const again = await admin.request("POST", url, { json: { password: STRONG_PASSWORD } });
    assert.deepEqual(again.json(), { changed: false });
    assert.equal((await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.second_factors_removed"], limit: 5 })).length, 1);
    const unknown = await admin.request("POST", "/api/v1/admin/accounts/no-such-account/remove-second-factors", { json: { password: STRONG_PASSWORD } });
    assert.equal(unknown.statusCode, 404);
    const badAction = await admin.request("POST", `/api/v1/admin/accounts/${id}/frobnicate`, { json: { password: STRONG_PASSWORD } });
    assert.equal(badAction.statusCode, 404);
  });

  it("to anyone but an admin the API address does not exist, whatever the body; nothing changes", async () => {
    const { client: member, id } = await protectedAccount("not-an-admin@example.com");
    const url = `/api/v1/admin/accounts/${id}/remove-second-factors`;
    for (const [who, client] of [
      ["anonymous", new TestClient(t.app)],
      ["member", member],
    ] as const) {
      const unknown = await client.request("POST", "/api/v1/no-such-thing", { json: { password: STRONG_PASSWORD } });
      const posted = await client.request("POST", url, { json: { password: STRONG_PASSWORD } });
      assert.equal(posted.statusCode, 404, who);
      assert.equal(posted.json().error.code, unknown.json().error.code, who);
      const malformed = await t.app.inject({
        method: "POST",
        url,
        payload: "{not json",
        headers: { "content-type": "application/json", cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      });
      assert.equal(malformed.statusCode, 404, `${who}: the admin check comes before the body is read`);
      assert.equal((await client.request("PUT", url, { json: {} })).statusCode, 404, who);
    }
    await assertFactorsKept(id);
  });
});
