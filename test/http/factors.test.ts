// Second factors, "confirm it's you" and account self-service through HTTP: the authenticator app set up
// and used once per code, recovery codes shown once and single use, passkey rename/remove on one's own
// account only, step-up on every change to what protects the account, and deleting one's account.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCAPTCHAChallenge } from "../../src/captcha/challenges.ts";
import { confirmTOTPSetup, startTOTPSetup } from "../../src/factors/account-security.ts";
import { secondFactorMethods, verifySecondFactor } from "../../src/factors/second-factor.ts";
import { generateTOTPCode, totpStepAt, unsealTOTPSecret } from "../../src/factors/totp.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, TestClient } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

const MINUTE = 60 * 1000;

async function accountIdOf(client: TestClient): Promise<string> {
  return (await client.get("/api/v1/session")).json().account.id as string;
}

/** Turns the authenticator app on through the API; returns its secret and the recovery codes shown. */
async function enableTOTP(t: TestApp, client: TestClient): Promise<{ secret: string; codes: string[] }> {
  const setup = await client.request("POST", "/api/v1/account/totp");
  assert.equal(setup.statusCode, 201, setup.body);
  const secret = setup.json().secret as string;
  const confirmed = await client.request("POST", "/api/v1/account/totp/confirm", { json: { code: generateTOTPCode(secret, totpStepAt(t.clock.now())) } });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  return { secret, codes: confirmed.json().recoveryCodes as string[] };
}

describe("second factors and step-up over HTTP", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("an authenticator app is set up with a first code, stored sealed, and brings 10 recovery codes once", async () => {
    const client = await createVerifiedAccount(t, "totp@example.com");
    const accountId = await accountIdOf(client);
    const setup = await client.request("POST", "/api/v1/account/totp");
    assert.equal(setup.statusCode, 201);
    const { secret, uri, qrCodeSvg } = setup.json();
    assert.match(uri, /^otpauth:\/\/totp\//);
    const label = decodeURIComponent(/^otpauth:\/\/totp\/([^?]+)/.exec(uri)?.[1] ?? "");
    assert.equal(label, "Latchkey:totp@example.com", "the app names the account by its address, as the set-up page does");
    assert.ok(!uri.includes(accountId), "never by its internal id");
    assert.match(qrCodeSvg, /^<svg/);
    const stored = await t.deps.stores.factors.getTOTPFactor(accountId);
    assert.ok(stored && !stored.secretSealed.includes(secret), "the secret is never stored readable");
    assert.equal(unsealTOTPSecret(t.deps, stored.secretSealed), secret);
    assert.deepEqual(await secondFactorMethods(t.deps, accountId), [], "not on before its first code");

    const wrong = await client.request("POST", "/api/v1/account/totp/confirm", { json: { code: "000000" } });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.code, "SECOND_FACTOR_INVALID");
    const code = generateTOTPCode(secret, totpStepAt(t.clock.now()));
    const confirmed = await client.request("POST", "/api/v1/account/totp/confirm", { json: { code } });
    assert.equal(confirmed.statusCode, 200);
    assert.equal(confirmed.json().recoveryCodes.length, 10);
    assert.deepEqual(await secondFactorMethods(t.deps, accountId), ["totp", "recovery_code"]);
    const again = await client.request("POST", "/api/v1/account/totp");
    assert.equal(again.json().error.code, "TOTP_ALREADY_ENABLED");

    // The code that confirmed the app is spent: it cannot be the second step as well.
    const reused = await verifySecondFactor(t.deps, accountId, { method: "totp", code, binding: "b:test" });
    assert.deepEqual(reused, { ok: false, reason: "invalid" });
    t.clock.advance(30 * 1000);
    const next = await verifySecondFactor(t.deps, accountId, { method: "totp", code: generateTOTPCode(secret, totpStepAt(t.clock.now())), binding: "b:test" });
    assert.deepEqual(next, { ok: true, method: "totp", amr: ["pwd", "otp", "mfa"] });

    await t.deps.tasks.settle();
    const subjects = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("totp@example.com")).map((e) => e.subject);
    assert.ok(subjects.includes("An authenticator app now protects your account"), subjects.join(" | "));
    const events = await t.deps.stores.audit.listEvents({ accountId, limit: 20 });
    assert.ok(events.some((e) => e.type === "totp.enabled"));
    assert.ok(events.some((e) => e.type === "recovery_codes.generated"));
  });

  it("recovery codes: each works once, use is recorded and notified, new ones kill the old ones", async () => {
    const client = await createVerifiedAccount(t, "recovery@example.com");
    const accountId = await accountIdOf(client);
    const { codes } = await enableTOTP(t, client);
    const first = codes[0] as string;
    assert.equal(
      (await verifySecondFactor(t.deps, accountId, { method: "recovery_code", code: first.toUpperCase(), binding: "b:r" })).ok,
      true,
      "case and dash do not matter",
    );
    assert.deepEqual(await verifySecondFactor(t.deps, accountId, { method: "recovery_code", code: first, binding: "b:r" }), { ok: false, reason: "invalid" });
    await t.deps.tasks.settle();
    const notices = (await readEmails(t.config.outboxDir)).filter(
      (e) => e.to.includes("recovery@example.com") && e.subject.startsWith("A recovery code was used"),
    );
    assert.equal(notices.length, 1);
    assert.match(notices[0]?.text ?? "", /9 unused recovery codes left/);

    const regenerated = await client.request("POST", "/api/v1/account/recovery-codes");
    assert.equal(regenerated.statusCode, 201);
    assert.equal(regenerated.json().recoveryCodes.length, 10);
    assert.deepEqual(
      await verifySecondFactor(t.deps, accountId, { method: "recovery_code", code: codes[1] as string, binding: "b:r" }),
      { ok: false, reason: "invalid" },
      "old codes die",
    );
    const events = await t.deps.stores.audit.listEvents({ accountId, limit: 20 });
    assert.ok(events.some((e) => e.type === "recovery_code.used"));
  });

  it("changes to what protects the account need a confirmation within the window; password, code or recovery code confirm", async () => {
    const client = await createVerifiedAccount(t, "stepup@example.com");
    const { secret, codes } = await enableTOTP(t, client);
    t.clock.advance(11 * MINUTE);
    for (const [method, url] of [
      ["POST", "/api/v1/account/recovery-codes"],
      ["DELETE", "/api/v1/account/totp"],
      ["POST", "/api/v1/account/passkeys/options"],
      ["DELETE", "/api/v1/sessions"],
      ["DELETE", "/api/v1/account"],
    ] as const) {
      const refused = await client.request(method, url);
      assert.equal(refused.statusCode, 403, `${method} ${url}`);
      assert.equal(refused.json().error.code, "STEP_UP_REQUIRED");
    }
    const wrong = await client.request("POST", "/api/v1/account/confirm", { json: { password: "not my password" } });
    assert.equal(wrong.json().error.code, "SECOND_FACTOR_INVALID");
    assert.equal((await client.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } })).statusCode, 204);
    assert.equal((await client.request("DELETE", "/api/v1/sessions")).statusCode, 200, "sign out other sessions after confirming");

    t.clock.advance(11 * MINUTE);
    assert.equal(
      (await client.request("POST", "/api/v1/account/confirm", { json: { code: generateTOTPCode(secret, totpStepAt(t.clock.now())) } })).statusCode,
      204,
    );
    assert.equal((await client.request("POST", "/api/v1/account/recovery-codes")).statusCode, 201);
    t.clock.advance(11 * MINUTE);
    const oldCode = await client.request("POST", "/api/v1/account/confirm", { json: { code: codes[0] as string } });
    assert.equal(oldCode.json().error.code, "SECOND_FACTOR_INVALID", "a recovery code replaced meanwhile");
  });

  it("wrong confirmations count like sign-in failures: the security check after 3", async () => {
    const client = await createVerifiedAccount(t, "stepup-throttle@example.com");
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.request("POST", "/api/v1/account/confirm", { json: { password: `wrong ${i}` } })).json().error.code, "SECOND_FACTOR_INVALID");
    }
    const fourth = await client.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } });
    assert.equal(fourth.statusCode, 401);
    assert.equal(fourth.json().error.code, "CAPTCHA_REQUIRED");
  });

  it("a confirmation page takes a page post that needs it, and comes back", async () => {
    const client = await createVerifiedAccount(t, "stepup-page@example.com");
    t.clock.advance(11 * MINUTE);
    const page = await client.get("/account/security");
    assert.equal(page.statusCode, 200);
    const inputs = hiddenInputsIn(page.body, "/account/security/recovery-codes");
    const sent = await client.request("POST", "/account/security/recovery-codes", { form: inputs });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, "/account/confirm?return_to=%2Faccount%2Fsecurity");
    const confirm = await client.get(sent.headers.location as string);
    assert.match(pageText(confirm.body), /Confirm it's you/);
    const confirmed = await client.request("POST", "/account/confirm", {
      form: { ...hiddenInputsIn(confirm.body, "/account/confirm"), password: STRONG_PASSWORD },
    });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, "/account/security");
    const made = await client.submitForm("/account/security", "/account/security/recovery-codes", {});
    assert.equal(made.statusCode, 303);
    const shown = await client.get(made.headers.location as string);
    const codes = [...shown.body.matchAll(/<li><code>([a-z0-9-]{11})<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10, "shown on the page once");
    const reloaded = await client.get(made.headers.location as string);
    assert.equal([...reloaded.body.matchAll(/<li><code>/g)].length, 0, "and never again");
  });

  it("passkeys can be renamed (any time) and removed (after confirming) only on their own account", async () => {
    const owner = await createVerifiedAccount(t, "pk-owner@example.com");
    const stranger = await createVerifiedAccount(t, "pk-stranger@example.com");
    const ownerId = await accountIdOf(owner);
    await t.deps.stores.factors.addPasskey({
      id: "pk-http-1",
      accountId: ownerId,
      credentialId: "cred-http-1",
      publicKey: "AA",
      counter: 0,
      transports: [],
      deviceType: "singleDevice",
      backedUp: false,
      name: "Key",
      createdAt: t.clock.now(),
      lastUsedAt: null,
    });
    assert.equal((await stranger.request("PATCH", "/api/v1/account/passkeys/pk-http-1", { json: { name: "Mine" } })).json().error.code, "PASSKEY_NOT_FOUND");
    assert.equal(
      (await owner.request("PATCH", "/api/v1/account/passkeys/pk-http-1", { json: { name: "x".repeat(65) } })).json().error.code,
      "PASSKEY_NAME_INVALID",
    );
    assert.equal((await owner.request("PATCH", "/api/v1/account/passkeys/pk-http-1", { json: { name: "  Yubi   key " } })).statusCode, 204);
    const listed = (await owner.get("/api/v1/account/security")).json();
    assert.equal(listed.passkeys[0].name, "Yubi key");
    assert.equal((await stranger.request("DELETE", "/api/v1/account/passkeys/pk-http-1")).statusCode, 404);
    t.clock.advance(11 * MINUTE);
    assert.equal((await owner.request("DELETE", "/api/v1/account/passkeys/pk-http-1")).json().error.code, "STEP_UP_REQUIRED");
    await owner.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } });
    assert.equal((await owner.request("DELETE", "/api/v1/account/passkeys/pk-http-1")).statusCode, 204);
    assert.equal((await owner.get("/api/v1/account/security")).json().passkeys.length, 0);
    await t.deps.tasks.settle();
    assert.ok(
      (await readEmails(t.config.outboxDir)).some((e) => e.to.includes("pk-owner@example.com") && e.subject === "A passkey was removed from your account"),
    );
  });

  it("signing out other sessions from the account page asks for a confirmation once the window has passed", async () => {
    const client = await createVerifiedAccount(t, "others@example.com");
    const other = await client.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "others@example.com", password: STRONG_PASSWORD } });
    assert.equal(other.statusCode, 200, "a second session of the account");
    t.clock.advance(11 * MINUTE);
    const asked = await client.submitForm("/account", "/account/sessions/revoke-others", {});
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, "/account/confirm?return_to=%2Faccount");
    const accountId = await accountIdOf(client);
    assert.equal((await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now())).length > 1, true, "nothing ended yet");
    const confirm = await client.get(asked.headers.location as string);
    await client.request("POST", "/account/confirm", { form: { ...hiddenInputsIn(confirm.body, "/account/confirm"), password: STRONG_PASSWORD } });
    const ended = await client.submitForm("/account", "/account/sessions/revoke-others", {});
    assert.equal(ended.headers.location, "/account?done=others-ended");
    assert.equal((await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now())).length, 1);
  });

  it("ending one other session asks for a confirmation once the window has passed; ending one's own does not", async () => {
    const client = await createVerifiedAccount(t, "one-other@example.com");
    const owner = new TestClient(t.app);
    assert.equal(
      (await owner.request("POST", "/api/v1/session", { json: { identifier: "one-other@example.com", password: STRONG_PASSWORD } })).statusCode,
      200,
    );
    const ownerId = (await owner.get("/api/v1/session")).json().session.id as string;
    t.clock.advance(11 * MINUTE);
    const api = await client.request("DELETE", `/api/v1/sessions/${ownerId}`);
    assert.equal(api.statusCode, 403);
    assert.equal(api.json().error.code, "STEP_UP_REQUIRED");
    const unknown = await client.request("DELETE", "/api/v1/sessions/no-such-session-id-00");
    assert.equal(unknown.json().error.code, "STEP_UP_REQUIRED", "the same answer for an id that is not the account's");
    const page = await client.submitForm("/account", `/account/sessions/${ownerId}/revoke`, {});
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/account/confirm?return_to=%2Faccount");
    assert.equal((await owner.get("/api/v1/session")).statusCode, 200, "the owner's session lives on");

    assert.equal((await owner.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } })).statusCode, 204);
    assert.equal((await owner.request("DELETE", `/api/v1/sessions/${(await client.get("/api/v1/session")).json().session.id}`)).statusCode, 204);
    assert.equal((await client.get("/api/v1/session")).statusCode, 401, "a confirmed session ends another");
    t.clock.advance(11 * MINUTE);
    const form = hiddenInputsIn((await owner.get("/account")).body, "/account/identifiers");
    const own = await owner.request("POST", `/account/sessions/${ownerId}/revoke`, { form });
    assert.equal(own.headers.location, "/signin?done=signed-out", "signing oneself out needs no confirmation");
    assert.equal((await owner.get("/api/v1/session")).statusCode, 401);
  });

  it("a code of the secret shown never turns on another secret, even when the set-up is started again while it is checked", async () => {
    const client = await createVerifiedAccount(t, "restart-setup@example.com");
    const accountId = await accountIdOf(client);
    const shown = await startTOTPSetup(t.deps, { accountId, label: "restart" });
    const read = await t.deps.stores.factors.getTOTPFactor(accountId);
    // Another tab starts the set-up again between the read of the pending secret and its confirmation.
    const other = await startTOTPSetup(t.deps, { accountId, label: "restart" });
    const staleRead = { ...t.deps, stores: { ...t.deps.stores, factors: { ...t.deps.stores.factors, getTOTPFactor: async () => read } } };
    await assert.rejects(
      confirmTOTPSetup(staleRead, {
        accountId,
        session: { id: "s" },
        code: generateTOTPCode(shown.secret, totpStepAt(t.clock.now())),
        context: { ip: null, userAgent: null },
      }),
      (error: { code?: string }) => error.code === "TOTP_NOT_SET_UP",
    );
    const stored = await t.deps.stores.factors.getTOTPFactor(accountId);
    assert.equal(stored?.confirmedAt, null, "the secret the person never saw is not turned on");
    assert.equal(unsealTOTPSecret(t.deps, stored?.secretSealed ?? ""), other.secret);
    assert.deepEqual(await secondFactorMethods(t.deps, accountId), []);
  });

  it("turning the only second factor off and on again brings new recovery codes; the old ones stay dead", async () => {
    const client = await createVerifiedAccount(t, "off-and-on@example.com");
    const accountId = await accountIdOf(client);
    const { codes: old } = await enableTOTP(t, client);
    assert.equal((await client.request("DELETE", "/api/v1/account/totp")).statusCode, 204);
    assert.deepEqual(await secondFactorMethods(t.deps, accountId), [], "the password alone signs in now");
    t.clock.advance(30 * 1000);
    const { codes: fresh } = await enableTOTP(t, client);
    assert.equal(fresh?.length, 10, "the new first factor shows new codes");
    assert.deepEqual(await verifySecondFactor(t.deps, accountId, { method: "recovery_code", code: old[0] as string, binding: "b:o" }), {
      ok: false,
      reason: "invalid",
    });
    assert.equal((await verifySecondFactor(t.deps, accountId, { method: "recovery_code", code: fresh[0] as string, binding: "b:o" })).ok, true);
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(accountId), 9);
  });

  it("an authenticator-app set-up left open is neither shown again nor finished from a session outside the window", async () => {
    const owner = await createVerifiedAccount(t, "open-setup@example.com");
    const accountId = await accountIdOf(owner);
    const started = await owner.request("POST", "/api/v1/account/totp");
    assert.equal(started.statusCode, 201);
    const secret = started.json().secret as string;
    // The owner walks away; whoever holds the session cookie comes back after the window.
    t.clock.advance(11 * MINUTE);
    const shown = await owner.get("/account/security/totp");
    assert.equal(shown.statusCode, 303);
    assert.equal(shown.headers.location, "/account/confirm?return_to=%2Faccount%2Fsecurity%2Ftotp");
    assert.ok(!shown.body.includes(secret.slice(0, 4)), "the secret is not in the answer");
    const code = generateTOTPCode(secret, totpStepAt(t.clock.now()));
    const api = await owner.request("POST", "/api/v1/account/totp/confirm", { json: { code } });
    assert.equal(api.statusCode, 403);
    assert.equal(api.json().error.code, "STEP_UP_REQUIRED");
    assert.equal(api.json().recoveryCodes, undefined);
    const form = await owner.submitForm("/account/security", "/account/security/totp", {});
    assert.equal(form.headers.location, "/account/confirm?return_to=%2Faccount%2Fsecurity", "the page's own forms ask first");
    const page = await owner.request("POST", "/account/security/totp/confirm", {
      form: { ...hiddenInputsIn((await owner.get("/account/security")).body, "/account/name"), code },
    });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/account/confirm?return_to=%2Faccount%2Fsecurity%2Ftotp");
    assert.equal((await t.deps.stores.factors.getTOTPFactor(accountId))?.confirmedAt, null, "still not on");
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(accountId), 0, "no recovery codes were made");
    const confirmedUntil = (await owner.get("/api/v1/account/security")).json().confirmedUntil as string;
    assert.ok(new Date(confirmedUntil) < t.clock.now(), "the session did not become confirmed");
    assert.equal((await owner.request("DELETE", "/api/v1/sessions")).statusCode, 403);

    // Once confirmed, the owner finishes where they left off.
    assert.equal((await owner.request("POST", "/api/v1/account/confirm", { json: { password: STRONG_PASSWORD } })).statusCode, 204);
    const again = await owner.get("/account/security/totp");
    assert.equal(again.statusCode, 200);
    assert.match(again.body, new RegExp(secret.slice(0, 4)));
    const on = await owner.request("POST", "/api/v1/account/totp/confirm", { json: { code: generateTOTPCode(secret, totpStepAt(t.clock.now())) } });
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json().recoveryCodes.length, 10);
  });

  it("the display name is changed from the page and the API; too long is refused", async () => {
    const client = await createVerifiedAccount(t, "name@example.com");
    const renamed = await client.request("PATCH", "/api/v1/account", { json: { name: "  Ada   Lovelace " } });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().account.name, "Ada Lovelace");
    assert.equal((await client.request("PATCH", "/api/v1/account", { json: { name: "x".repeat(101) } })).json().error.code, "NAME_TOO_LONG");
    const page = await client.submitForm("/account/security", "/account/name", { name: "Grace" });
    assert.equal(page.headers.location, "/account/security?done=name-saved");
    assert.equal((await client.get("/api/v1/session")).json().account.name, "Grace");
  });

  it("deleting one's account removes everything, frees the address for a new registration and says goodbye", async () => {
    const client = await createVerifiedAccount(t, "leaving@example.com");
    const accountId = await accountIdOf(client);
    await enableTOTP(t, client);
    t.clock.advance(11 * MINUTE);
    const asked = await client.get("/account/delete");
    assert.equal(asked.statusCode, 303, "the delete page itself asks for a confirmation first");
    assert.equal(asked.headers.location, "/account/confirm?return_to=%2Faccount%2Fdelete");
    const confirm = await client.get(asked.headers.location as string);
    await client.request("POST", "/account/confirm", { form: { ...hiddenInputsIn(confirm.body, "/account/confirm"), password: STRONG_PASSWORD } });
    const unticked = await client.submitForm("/account/delete", "/account/delete", {});
    assert.match(unticked.headers.location as string, /^\/account\/delete\?flow=/);
    assert.ok(await t.deps.stores.accounts.getAccountById(accountId), "nothing deleted without the box ticked");
    const deleted = await client.submitForm("/account/delete", "/account/delete", { confirm: "1" });
    assert.equal(deleted.headers.location, "/goodbye");
    assert.equal(await t.deps.stores.accounts.getAccountById(accountId), null);
    assert.equal(await t.deps.stores.factors.getTOTPFactor(accountId), null);
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(accountId), 0);
    assert.equal((await client.get("/api/v1/session")).statusCode, 401);
    await t.deps.tasks.settle();
    assert.ok(
      (await readEmails(t.config.outboxDir)).some((e) => e.to.includes("leaving@example.com") && e.subject === "Your Latchkey account has been deleted"),
    );
    const again = await createVerifiedAccount(t, "leaving@example.com");
    assert.notEqual(await accountIdOf(again), accountId, "the address is free for a new account");
  });

  it("ten wrong codes pause codes for the account (SECOND_FACTOR_LOCKED), even with the security check solved", async () => {
    const client = await createVerifiedAccount(t, "locked@example.com");
    const accountId = await accountIdOf(client);
    await enableTOTP(t, client);
    const reasons: string[] = [];
    for (let i = 0; i < 10; i++) {
      const challenge = await createCAPTCHAChallenge(t.deps, { purpose: "signin", binding: "b:lock" });
      const result = await verifySecondFactor(t.deps, accountId, {
        method: "totp",
        code: "000000",
        binding: "b:lock",
        captcha: { id: challenge.id, answer: "testme" },
      });
      reasons.push(result.ok ? "ok" : result.reason);
    }
    assert.deepEqual(reasons, [...Array(9).fill("invalid"), "locked"]);
    const api = await client.request("POST", "/api/v1/account/confirm", { json: { code: "000000" } });
    assert.equal(api.statusCode, 429);
    assert.equal(api.json().error.code, "SECOND_FACTOR_LOCKED");
    assert.ok(Number(api.headers["retry-after"]) > 0);
  });

  it("passkey sign-in with an unknown or foreign challenge is refused (PASSKEY_FAILED); confirming an app never set up is TOTP_NOT_SET_UP", async () => {
    const client = await createVerifiedAccount(t, "nopasskey@example.com");
    const options = await client.request("POST", "/api/v1/session/passkey/options");
    assert.equal(options.statusCode, 200);
    assert.equal(options.json().options.userVerification, "required");
    const other = await createVerifiedAccount(t, "nopasskey-2@example.com");
    const foreign = await other.request("POST", "/api/v1/session/passkey", {
      json: { challengeId: options.json().challengeId, response: { id: "x", type: "public-key" } },
    });
    assert.equal(foreign.statusCode, 400);
    assert.equal(foreign.json().error.code, "PASSKEY_FAILED");
    const used = await client.request("POST", "/api/v1/session/passkey", { json: { challengeId: options.json().challengeId, response: { id: "x" } } });
    assert.equal(used.json().error.code, "PASSKEY_FAILED", "the challenge died with the first attempt, whoever made it");
    const notSetUp = await client.request("POST", "/api/v1/account/totp/confirm", { json: { code: "123456" } });
    assert.equal(notSetUp.statusCode, 409);
    assert.equal(notSetUp.json().error.code, "TOTP_NOT_SET_UP");
  });

  it("the API deletes the account after a confirmation", async () => {
    const client = await createVerifiedAccount(t, "leaving-api@example.com");
    const accountId = await accountIdOf(client);
    assert.equal((await client.request("DELETE", "/api/v1/account")).statusCode, 204, "signing in just now counts as a confirmation");
    assert.equal(await t.deps.stores.accounts.getAccountById(accountId), null);
  });
});

describe("the first second factor ends the account's other password-only sessions", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("turning on the authenticator app ends the other password sessions and upgrades the current one (amr, confirmation)", async () => {
    const owner = await createVerifiedAccount(t, "first-factor@example.com");
    const accountId = await accountIdOf(owner);
    const elsewhere = new TestClient(t.app);
    assert.equal(
      (await elsewhere.request("POST", "/api/v1/session", { json: { identifier: "first-factor@example.com", password: STRONG_PASSWORD } })).statusCode,
      200,
    );
    const bystander = await createVerifiedAccount(t, "first-factor-bystander@example.com");
    const currentId = (await owner.get("/api/v1/session")).json().session.id as string;
    t.clock.advance(MINUTE);
    const before = await t.deps.stores.sessions.getSession(currentId);
    assert.deepEqual(before?.amr, ["pwd"]);

    await enableTOTP(t, owner);

    assert.equal((await elsewhere.get("/api/v1/session")).statusCode, 401, "the other password-only session ended");
    assert.equal((await owner.get("/api/v1/session")).statusCode, 200, "the session that turned the app on is kept");
    assert.equal((await bystander.get("/api/v1/session")).statusCode, 200, "another account's sessions are untouched");
    const sessions = await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now());
    assert.deepEqual(
      sessions.map((s) => s.id),
      [currentId],
    );
    assert.deepEqual(sessions[0]?.amr, ["pwd", "otp", "mfa"], "the kept session proved the app's code");
    assert.equal(Math.floor((sessions[0]?.confirmedAt?.getTime() ?? 0) / 1000), Math.floor(t.clock.now().getTime() / 1000), "and counts as confirmed now");
    const events = await t.deps.stores.audit.listEvents({ accountId, limit: 20 });
    const revoked = events.find((e) => e.type === "sessions.revoked");
    assert.deepEqual(revoked?.detail, { count: 1, reason: "second_factor_added", apps: 0 });
    await t.deps.tasks.settle();
    const subjects = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("first-factor@example.com")).map((e) => e.subject);
    assert.ok(subjects.includes("An authenticator app now protects your account"), subjects.join(" | "));
  });

  it("a factor added beside an existing one leaves other sessions alone", async () => {
    const owner = await createVerifiedAccount(t, "second-factor-added@example.com");
    const accountId = await accountIdOf(owner);
    const elsewhere = new TestClient(t.app);
    assert.equal(
      (await elsewhere.request("POST", "/api/v1/session", { json: { identifier: "second-factor-added@example.com", password: STRONG_PASSWORD } })).statusCode,
      200,
    );
    // The account already has a passkey (registered through the browser elsewhere; stored directly here).
    await t.deps.stores.factors.addPasskey({
      id: "pk-existing",
      accountId,
      credentialId: "cred-existing",
      publicKey: "AAAA",
      counter: 0,
      transports: ["internal"],
      deviceType: "singleDevice",
      backedUp: false,
      name: "Laptop",
      createdAt: t.clock.now(),
      lastUsedAt: null,
    });
    await enableTOTP(t, owner);
    assert.equal((await elsewhere.get("/api/v1/session")).statusCode, 200);
    assert.equal((await t.deps.stores.audit.listEvents({ accountId, limit: 20 })).filter((e) => e.type === "sessions.revoked").length, 0);
  });
});
