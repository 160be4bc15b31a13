// Passkeys over HTTP with a software authenticator (test/helpers/webauthn.ts) playing the owner and an
// attacker: adding one needs a recent confirmation and an answer to this session's challenge, from this
// origin and RP ID, with user verification; signing in refuses the same faults, a disabled account and a
// removed passkey; the second step takes only the account's own passkey; and a signature counter that went
// backwards is recorded as a copied authenticator only when the key itself signed it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { TestClient } from "../helpers/client.ts";
import { createSoftPasskey, FLAG_UP, type SoftPasskey, strangerKey } from "../helpers/webauthn.ts";

const MINUTE = 60 * 1000;

async function accountIdOf(client: TestClient): Promise<string> {
  return (await client.get("/api/v1/session")).json().account.id as string;
}

/** Adds `passkey` to the signed-in account through the API; returns the answer. */
async function addPasskey(client: TestClient, passkey: SoftPasskey, overrides: Parameters<SoftPasskey["register"]>[1] = {}) {
  const options = await client.request("POST", "/api/v1/account/passkeys/options");
  assert.equal(options.statusCode, 200, options.body);
  const { challengeId, options: creation } = options.json();
  return client.request("POST", "/api/v1/account/passkeys", {
    json: { challengeId, response: passkey.register(creation.challenge, overrides), name: "Laptop" },
  });
}

/** "Sign in with a passkey" in a new browser; returns the answer and the browser. */
async function signInWithPasskey(t: TestApp, passkey: SoftPasskey, overrides: Parameters<SoftPasskey["assert"]>[1] = {}) {
  const browser = new TestClient(t.app);
  const options = await browser.request("POST", "/api/v1/session/passkey/options");
  assert.equal(options.statusCode, 200, options.body);
  const { challengeId, options: request } = options.json();
  const answer = await browser.request("POST", "/api/v1/session/passkey", { json: { challengeId, response: passkey.assert(request.challenge, overrides) } });
  return { answer, browser };
}

async function auditTypes(t: TestApp, accountId: string): Promise<string[]> {
  return (await t.deps.stores.audit.listEvents({ accountId, limit: 100 })).map((e) => e.type);
}

describe("passkeys over HTTP", () => {
  let t: TestApp;
  let origin: string;
  before(async () => {
    t = await createTestApp();
    origin = t.config.baseOrigin;
  });
  after(async () => {
    await t.close();
  });

  it("a passkey is added only within the confirmation window, by this session's challenge, from this origin and RP ID, with user verification", async () => {
    const client = await createVerifiedAccount(t, "add-passkey@example.com");
    const accountId = await accountIdOf(client);
    const passkey = createSoftPasskey(origin);

    t.clock.advance(11 * MINUTE);
    const stale = await client.request("POST", "/api/v1/account/passkeys/options");
    assert.equal(stale.statusCode, 403);
    assert.equal(stale.json().error.code, "STEP_UP_REQUIRED");
    assert.equal((await client.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } })).statusCode, 204);

    for (const [fault, overrides] of [
      ["another origin", { origin: "https://evil.example" }],
      ["another RP ID", { rpId: "evil.example" }],
      ["no user verification", { flags: FLAG_UP }],
    ] as const) {
      const refused = await addPasskey(client, passkey, overrides);
      assert.equal(refused.statusCode, 400, fault);
      assert.equal(refused.json().error.code, "PASSKEY_FAILED", fault);
    }
    // Another session's challenge answered here.
    const other = await createVerifiedAccount(t, "add-passkey-other@example.com");
    const theirs = (await other.request("POST", "/api/v1/account/passkeys/options")).json();
    const foreign = await client.request("POST", "/api/v1/account/passkeys", {
      json: { challengeId: theirs.challengeId, response: passkey.register(theirs.options.challenge), name: "Laptop" },
    });
    assert.equal(foreign.json().error.code, "PASSKEY_FAILED");
    assert.deepEqual(await t.deps.stores.factors.listPasskeys(accountId), [], "nothing was added");

    const options = (await client.request("POST", "/api/v1/account/passkeys/options")).json();
    const response = passkey.register(options.options.challenge);
    const added = await client.request("POST", "/api/v1/account/passkeys", { json: { challengeId: options.challengeId, response, name: "Laptop" } });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json().recoveryCodes.length, 10, "the first second factor brings recovery codes");
    const again = await client.request("POST", "/api/v1/account/passkeys", { json: { challengeId: options.challengeId, response, name: "Laptop" } });
    assert.equal(again.json().error.code, "PASSKEY_FAILED", "a challenge answers once");

    // A challenge asked for within the window is not answered after it.
    const late = (await client.request("POST", "/api/v1/account/passkeys/options")).json();
    t.clock.advance(11 * MINUTE);
    const second = createSoftPasskey(origin);
    const refused = await client.request("POST", "/api/v1/account/passkeys", {
      json: { challengeId: late.challengeId, response: second.register(late.options.challenge), name: "Phone" },
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "STEP_UP_REQUIRED");
    assert.equal((await t.deps.stores.factors.listPasskeys(accountId)).length, 1);
  });

  it("a passkey sign-in is refused from another origin or RP ID, without user verification, unsigned by the key, for a disabled account and once removed", async () => {
    const client = await createVerifiedAccount(t, "use-passkey@example.com");
    const accountId = await accountIdOf(client);
    const passkey = createSoftPasskey(origin);
    assert.equal((await addPasskey(client, passkey)).statusCode, 201);

    for (const [fault, overrides] of [
      ["another origin", { origin: "https://evil.example" }],
      ["another RP ID", { rpId: "evil.example" }],
      ["no user verification", { flags: FLAG_UP }],
      ["not signed by the key", { signingKey: strangerKey() }],
    ] as const) {
      const { answer, browser } = await signInWithPasskey(t, passkey, overrides);
      assert.equal(answer.statusCode, 400, fault);
      assert.equal(answer.json().error.code, "PASSKEY_FAILED", fault);
      assert.equal((await browser.get("/api/v1/session")).statusCode, 401, fault);
    }
    const { answer, browser } = await signInWithPasskey(t, passkey);
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal((await browser.get("/api/v1/session")).statusCode, 200);

    assert.equal(await t.deps.stores.accounts.disableAccount(accountId, t.clock.now()), "changed");
    assert.equal((await signInWithPasskey(t, passkey)).answer.json().error.code, "PASSKEY_FAILED", "a disabled account");
    assert.equal(await t.deps.stores.accounts.enableAccount(accountId, t.clock.now()), "changed");

    const { answer: viaPasskey, browser: owner } = await signInWithPasskey(t, passkey);
    assert.equal(viaPasskey.statusCode, 200);
    const [stored] = await t.deps.stores.factors.listPasskeys(accountId);
    assert.ok(stored);
    assert.equal((await owner.request("DELETE", `/api/v1/account/passkeys/${stored.id}`)).statusCode, 204);
    assert.equal((await signInWithPasskey(t, passkey)).answer.json().error.code, "PASSKEY_FAILED", "a removed passkey");
  });

  it("the second step takes only a passkey of the account whose password was right", async () => {
    const owner = await createVerifiedAccount(t, "step-passkey@example.com");
    const mine = createSoftPasskey(origin);
    assert.equal((await addPasskey(owner, mine)).statusCode, 201);
    const intruder = await createVerifiedAccount(t, "step-passkey-intruder@example.com");
    const theirs = createSoftPasskey(origin);
    assert.equal((await addPasskey(intruder, theirs)).statusCode, 201);

    const browser = new TestClient(t.app);
    const first = await browser.request("POST", "/api/v1/session", { json: { identifier: "step-passkey@example.com", password: STRONG_PASSWORD } });
    assert.equal(first.json().error.code, "SECOND_FACTOR_REQUIRED");
    const flow = first.json().flow as string;
    const askFor = async () => (await browser.request("POST", "/api/v1/session/second-factor/passkey/options", { json: { flow } })).json();
    const options = await askFor();
    assert.deepEqual(
      options.options.allowCredentials.map((c: { id: string }) => c.id),
      [mine.id],
      "only the account's own passkeys are offered",
    );
    const wrong = await browser.request("POST", "/api/v1/session/second-factor", {
      json: { flow, method: "passkey", challengeId: options.challengeId, response: theirs.assert(options.options.challenge) },
    });
    assert.equal(wrong.json().error.code, "PASSKEY_FAILED", "another account's passkey");
    const next = await askFor();
    const done = await browser.request("POST", "/api/v1/session/second-factor", {
      json: { flow, method: "passkey", challengeId: next.challengeId, response: mine.assert(next.options.challenge) },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual((await t.deps.stores.sessions.getSession(done.json().session.id))?.amr, ["pwd", "hwk", "mfa"]);
  });

  it("a counter that went backwards is recorded as a copied passkey only when the key signed it; a forged assertion leaves no false alarm", async () => {
    const client = await createVerifiedAccount(t, "counter@example.com");
    const accountId = await accountIdOf(client);
    const passkey = createSoftPasskey(origin, { counting: true });
    assert.equal((await addPasskey(client, passkey)).statusCode, 201);
    assert.equal((await signInWithPasskey(t, passkey)).answer.statusCode, 200);
    assert.equal(passkey.counter, 2);

    // Someone who knows only the credential id sends an assertion with a lower counter, signed by another key.
    const forged = await signInWithPasskey(t, passkey, { counter: 1, signingKey: strangerKey() });
    assert.equal(forged.answer.json().error.code, "PASSKEY_FAILED");
    assert.ok(!(await auditTypes(t, accountId)).includes("passkey.counter_regression"), "no copied-passkey alarm from an unsigned assertion");
    const activity = await client.get("/account");
    assert.doesNotMatch(activity.body, /looks copied/, "nothing shown to the owner");

    // A copy of the key that kept an old counter: refused and recorded.
    const copied = await signInWithPasskey(t, passkey, { counter: 2 });
    assert.equal(copied.answer.json().error.code, "PASSKEY_FAILED");
    assert.equal((await copied.browser.get("/api/v1/session")).statusCode, 401);
    const events = await t.deps.stores.audit.listEvents({ accountId, limit: 100 });
    const regression = events.find((e) => e.type === "passkey.counter_regression");
    assert.ok(regression, "recorded");
    assert.equal(regression.detail?.stored, 2);
    assert.match((await client.get("/account")).body, /looks copied/);

    // The original goes on counting.
    assert.equal((await signInWithPasskey(t, passkey, { counter: 3 })).answer.statusCode, 200);
  });
});
