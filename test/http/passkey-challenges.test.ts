// Passkey challenges: bound to the browser (or session) and account that asked, single use, and expired
// after 5 minutes. The browser side is in test/e2e/passkeys.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { finishPasskeyAuthentication, finishPasskeyRegistration, startPasskeyAuthentication, startPasskeyRegistration } from "../../src/factors/passkeys.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";

const ASSERTION = { id: "unknown-credential", rawId: "unknown-credential", type: "public-key", response: {} };

describe("passkey challenges", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("a challenge answers only the browser it was given to, once", async () => {
    const { challengeId } = await startPasskeyAuthentication(t.deps, { binding: "b:mine" });
    const stranger = await finishPasskeyAuthentication(t.deps, { binding: "b:theirs", challengeId, response: ASSERTION });
    assert.deepEqual(stranger, { ok: false, reason: "challenge" });
    const second = await startPasskeyAuthentication(t.deps, { binding: "b:mine" });
    const mine = await finishPasskeyAuthentication(t.deps, { binding: "b:mine", challengeId: second.challengeId, response: ASSERTION });
    assert.deepEqual(mine, { ok: false, reason: "unknown" }, "past the challenge: the passkey is what is missing");
    const again = await finishPasskeyAuthentication(t.deps, { binding: "b:mine", challengeId: second.challengeId, response: ASSERTION });
    assert.deepEqual(again, { ok: false, reason: "challenge" }, "used once");
  });

  it("a challenge for one account's confirmation is refused for another account, and expires after 5 minutes", async () => {
    const { challengeId } = await startPasskeyAuthentication(t.deps, { binding: "s:one", accountId: "account-a" });
    assert.deepEqual(await finishPasskeyAuthentication(t.deps, { binding: "s:one", challengeId, response: ASSERTION, accountId: "account-b" }), {
      ok: false,
      reason: "challenge",
    });
    const registration = await startPasskeyRegistration(t.deps, { accountId: "account-a", userName: "a@example.com", displayName: "A", binding: "s:one" });
    assert.equal(registration.options.authenticatorSelection?.userVerification, "required");
    assert.equal(registration.options.authenticatorSelection?.residentKey, "required");
    t.clock.advance(5 * 60 * 1000 + 1000);
    const late = await finishPasskeyRegistration(t.deps, {
      accountId: "account-a",
      binding: "s:one",
      challengeId: registration.challengeId,
      response: {},
      name: "Late",
    });
    assert.deepEqual(late, { ok: false, reason: "challenge" });
  });
});
