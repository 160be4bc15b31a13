// The second-factor state of the sign-in flow over HTTP: after the right password an account with an
// authenticator app gets no session until a code (computed here by Debian's oathtool) or a recovery code
// follows; wrong codes are refused and counted; a completed step cannot be replayed; the JSON API answers
// 401 SECOND_FACTOR_REQUIRED with the methods and a flow id, then signs in; a password reset keeps the factor;
// a step begun with a password changed or reset since cannot be finished.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { createArgon2Hasher } from "../../src/accounts/password-hash.ts";
import { generateTOTPCode, totpStepAt } from "../../src/factors/totp.ts";
import { createVerifiedAccount, STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

const NEW_PASSWORD = "Another-Long-Password-For-Reset-77";

/** The code an independent implementation computes for `secret` at `at`. */
export function oathtoolCode(secret: string, at: Date): string {
  const when = `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return execFileSync("oathtool", ["--totp", "-b", secret, "--now", when], { encoding: "utf8" }).trim();
}

/** Turns the authenticator app on through the API; returns its secret and the recovery codes shown. */
export async function enableTOTP(t: TestApp, client: TestClient): Promise<{ secret: string; codes: string[] }> {
  const setup = await client.request("POST", "/api/v1/account/totp");
  assert.equal(setup.statusCode, 201, setup.body);
  const secret = setup.json().secret as string;
  const confirmed = await client.request("POST", "/api/v1/account/totp/confirm", { json: { code: generateTOTPCode(secret, totpStepAt(t.clock.now())) } });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  // The code that turned the app on is spent: sign-ins in the tests use the next step's.
  t.clock.advance(30 * 1000);
  return { secret, codes: confirmed.json().recoveryCodes as string[] };
}

/** Signs in with the password on the page; returns the client and the second-factor page's address. */
async function passwordOnPage(t: TestApp, identifier: string, password = STRONG_PASSWORD): Promise<{ browser: TestClient; page: string }> {
  const browser = new TestClient(t.app);
  const posted = await browser.submitForm("/signin", "/signin", { identifier, password });
  assert.equal(posted.statusCode, 303);
  const page = posted.headers.location as string;
  assert.match(page, /^\/signin\?flow=[A-Za-z0-9_-]{20}$/, "the flow moves to its second-factor state, shown by /signin");
  return { browser, page };
}

describe("the second-factor state of sign-in", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("after the right password there is no session until the authenticator-app code, then amr pwd+otp+mfa", async () => {
    const owner = await createVerifiedAccount(t, "two-step@example.com");
    const { secret } = await enableTOTP(t, owner);
    const { browser, page } = await passwordOnPage(t, "two-step@example.com");
    assert.equal((await browser.get("/api/v1/session")).statusCode, 401, "no session after the password alone");
    const shown = await browser.get(page);
    assert.equal(shown.statusCode, 200);
    const text = pageText(shown.body);
    assert.match(text, /One more step/);
    assert.match(text, /Code from your authenticator app/);
    assert.match(text, /A recovery code/);
    assert.match(shown.body, /href="\/help\/passkeys-and-second-factors"[^>]*>Problems signing in\?/);
    assert.equal((await browser.get("/help/passkeys-and-second-factors")).statusCode, 200, "the help article exists");

    const wrong = await browser.request("POST", "/signin/second-factor", {
      form: { ...hiddenInputsIn(shown.body, "/signin/second-factor"), method: "totp", code: "000000" },
    });
    assert.equal(wrong.statusCode, 303);
    const again = await browser.get(wrong.headers.location as string);
    assert.match(pageText(again.body), /That code is not right/);
    assert.equal((await browser.get("/api/v1/session")).statusCode, 401);

    const code = oathtoolCode(secret, t.clock.now());
    const done = await browser.request("POST", "/signin/second-factor", {
      form: { ...hiddenInputsIn(again.body, "/signin/second-factor"), method: "totp", code },
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/account");
    const session = await browser.get("/api/v1/session");
    assert.equal(session.statusCode, 200);
    const stored = await t.deps.stores.sessions.getSession(session.json().session.id);
    assert.deepEqual(stored?.amr, ["pwd", "otp", "mfa"]);
    const events = await t.deps.stores.audit.listEvents({ accountId: session.json().account.id, limit: 10 });
    assert.ok(
      events.some((e) => e.type === "second_factor.failed"),
      "the wrong code is recorded",
    );
  });

  it("a recovery code finishes the step once; the completed step cannot be replayed, even with another valid code", async () => {
    const owner = await createVerifiedAccount(t, "recovery-signin@example.com");
    const { secret, codes } = await enableTOTP(t, owner);
    const { browser, page } = await passwordOnPage(t, "recovery-signin@example.com");
    const shown = await browser.get(page);
    const form = hiddenInputsIn(shown.body, "/signin/second-factor");
    assert.match(shown.body, /type="radio" id="method-recovery_code" name="method" value="recovery_code"/, "the person picks the kind of code");
    const recoveryForm = { ...form, method: "recovery_code", code: codes[0] as string };
    const done = await browser.request("POST", "/signin/second-factor", { form: recoveryForm });
    assert.equal(done.headers.location, "/account");
    const first = await browser.get("/api/v1/session");
    assert.equal(first.statusCode, 200);
    assert.deepEqual((await t.deps.stores.sessions.getSession(first.json().session.id))?.amr, ["pwd", "otp", "mfa"]);

    // The same flow posted again, with a fresh and valid app code: refused without checking it.
    const replay = new TestClient(t.app);
    // The same browser without its new session (as if the session cookie had been lost or the post repeated).
    for (const [k, v] of browser.cookies) if (!k.includes("session")) replay.cookies.set(k, v);
    const replayed = await replay.request("POST", "/signin/second-factor", { form: { ...form, method: "totp", code: oathtoolCode(secret, t.clock.now()) } });
    assert.equal(replayed.statusCode, 303);
    assert.equal((await replay.get("/api/v1/session")).statusCode, 401, "a completed step gives no second session");
    assert.match(pageText((await replay.get(replayed.headers.location as string)).body), /This sign-in has expired or was already finished/);
    const sessions = await t.deps.stores.sessions.listSessionsOfAccount(first.json().account.id, t.clock.now());
    assert.equal(sessions.length, 2, "the owner's session and the recovery-code one, nothing more");
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(first.json().account.id), 9);
  });

  it("the API answers 401 SECOND_FACTOR_REQUIRED with the methods and a flow, then signs in with the code", async () => {
    const owner = await createVerifiedAccount(t, "api-two-step@example.com");
    const { secret } = await enableTOTP(t, owner);
    const client = new TestClient(t.app);
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "api-two-step@example.com", password: STRONG_PASSWORD } });
    assert.equal(first.statusCode, 401);
    const body = first.json();
    assert.equal(body.error.code, "SECOND_FACTOR_REQUIRED");
    assert.deepEqual(body.methods, ["totp", "recovery_code"]);
    assert.match(body.flow, /^[A-Za-z0-9_-]{20}$/);
    assert.ok(!first.headers["set-cookie"]?.toString().includes("latchkey_session"), "no session cookie yet");

    const wrong = await client.request("POST", "/api/v1/session/second-factor", { json: { flow: body.flow, method: "totp", code: "000000" } });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.code, "SECOND_FACTOR_INVALID");
    assert.equal(wrong.json().flow, body.flow, "the same flow stays open for another try");

    const other = new TestClient(t.app);
    const stolen = await other.request("POST", "/api/v1/session/second-factor", {
      json: { flow: body.flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(stolen.statusCode, 401);
    assert.equal(stolen.json().error.code, "SIGNIN_FLOW_EXPIRED", "another browser cannot use the flow");

    const done = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow: body.flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.match(JSON.stringify(done.json().account), /api-two-step@example\.com/);
    assert.equal((await client.get("/api/v1/session")).statusCode, 200);

    const replay = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow: body.flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().error.code, "SIGNIN_FLOW_EXPIRED");
  });

  it("wrong codes bring the security check after 3 (API: CAPTCHA_REQUIRED with a challenge and the same flow), then the right code signs in", async () => {
    const owner = await createVerifiedAccount(t, "captcha-step@example.com");
    const { secret } = await enableTOTP(t, owner);
    const client = new TestClient(t.app);
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "captcha-step@example.com", password: STRONG_PASSWORD } });
    const flow = first.json().flow as string;
    for (let i = 0; i < 3; i++) {
      const wrong = await client.request("POST", "/api/v1/session/second-factor", { json: { flow, method: "totp", code: "000000" } });
      assert.equal(wrong.json().error.code, "SECOND_FACTOR_INVALID");
    }
    const checked = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(checked.statusCode, 401);
    assert.equal(checked.json().error.code, "CAPTCHA_REQUIRED");
    assert.equal(checked.json().flow, flow);
    const captcha = { id: checked.json().captcha.id as string, answer: "testme" };
    const done = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow, method: "totp", code: oathtoolCode(secret, t.clock.now()), captcha },
    });
    assert.equal(done.statusCode, 200, done.body);
  });

  it("takes the authenticator-app code and a recovery code typed on an Arabic keyboard or in full-width characters", async () => {
    const owner = await createVerifiedAccount(t, "arabic-digits@example.com");
    const { secret, codes } = await enableTOTP(t, owner);
    const arabic = (text: string, zero: number): string => text.replace(/\d/g, (d) => String.fromCharCode(zero + Number(d)));
    const fullWidth = (text: string): string => text.replace(/[0-9a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const secondStep = async (method: string, code: string) => {
      const client = new TestClient(t.app);
      const first = await client.request("POST", "/api/v1/session", { json: { identifier: "arabic-digits@example.com", password: STRONG_PASSWORD } });
      assert.equal(first.json().error.code, "SECOND_FACTOR_REQUIRED");
      return client.request("POST", "/api/v1/session/second-factor", { json: { flow: first.json().flow, method, code } });
    };
    const appCode = oathtoolCode(secret, t.clock.now());
    const withArabicIndic = await secondStep("totp", arabic(appCode, 0x0660));
    assert.equal(withArabicIndic.statusCode, 200, withArabicIndic.body);
    t.clock.advance(30 * 1000);
    const withEastern = await secondStep("totp", arabic(oathtoolCode(secret, t.clock.now()), 0x06f0));
    assert.equal(withEastern.statusCode, 200, withEastern.body);
    const withRecovery = await secondStep("recovery_code", fullWidth(arabic(codes[0] as string, 0x0660)));
    assert.equal(withRecovery.statusCode, 200, withRecovery.body);
  });

  it("an account without a second factor still signs in with the password alone (amr pwd)", async () => {
    await createVerifiedAccount(t, "one-step@example.com");
    const client = new TestClient(t.app);
    const signedIn = await client.request("POST", "/api/v1/session", { json: { identifier: "one-step@example.com", password: STRONG_PASSWORD } });
    assert.equal(signedIn.statusCode, 200);
    assert.deepEqual((await t.deps.stores.sessions.getSession(signedIn.json().session.id))?.amr, ["pwd"]);
  });

  it("a password change keeps what the session proved: the new session of a two-step sign-in is still amr pwd+otp+mfa", async () => {
    const owner = await createVerifiedAccount(t, "change-keeps-otp@example.com");
    const { secret } = await enableTOTP(t, owner);
    const client = new TestClient(t.app);
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "change-keeps-otp@example.com", password: STRONG_PASSWORD } });
    assert.equal(first.json().error.code, "SECOND_FACTOR_REQUIRED");
    const done = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow: first.json().flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(done.statusCode, 200, done.body);
    const before = (await client.get("/api/v1/session")).json().session.id as string;
    const changed = await client.request("PUT", "/api/v1/password", {
      json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, captcha: await solveCAPTCHA(client, "password_change") },
    });
    assert.equal(changed.statusCode, 204, changed.body);
    const after = (await client.get("/api/v1/session")).json().session.id as string;
    assert.notEqual(after, before, "a new session for this browser");
    // Applications that ask for two factors must not send the person through the second step again.
    assert.deepEqual((await t.deps.stores.sessions.getSession(after))?.amr, ["pwd", "otp", "mfa"]);
  });

  it("a password reset does not remove the second factor: the next sign-in still asks for it", async () => {
    const owner = await createVerifiedAccount(t, "reset-keeps@example.com");
    const accountId = (await owner.get("/api/v1/session")).json().account.id as string;
    await enableTOTP(t, owner);
    const client = new TestClient(t.app);
    const asked = await client.request("POST", "/api/v1/password-resets", {
      json: { identifier: "reset-keeps@example.com", captcha: await solveCAPTCHA(client, "password_reset") },
    });
    assert.equal(asked.statusCode, 202);
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("reset-keeps@example.com")).find((e) => /token=/.test(e.text));
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")?.[1];
    assert.ok(token, "the reset link arrived");
    const reset = await client.request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } });
    assert.equal(reset.statusCode, 204, reset.body);
    const signin = await client.request("POST", "/api/v1/session", { json: { identifier: "reset-keeps@example.com", password: NEW_PASSWORD } });
    assert.equal(signin.statusCode, 401);
    assert.equal(signin.json().error.code, "SECOND_FACTOR_REQUIRED");
    assert.ok(await t.deps.stores.factors.getTOTPFactor(accountId));
  });

  it("a password reset does not clear the second-factor throttle: a pause reached before it still holds after it", async () => {
    const owner = await createVerifiedAccount(t, "reset-throttle@example.com");
    const { secret } = await enableTOTP(t, owner);
    const client = new TestClient(t.app);
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "reset-throttle@example.com", password: STRONG_PASSWORD } });
    const flow = first.json().flow as string;
    // Wrong codes until the pause, solving the security check whenever it is due.
    let captcha: { id: string; answer: string } | undefined;
    let last = "";
    for (let i = 0; i < 30 && last !== "SECOND_FACTOR_LOCKED"; i++) {
      const wrong = await client.request("POST", "/api/v1/session/second-factor", {
        json: { flow, method: "totp", code: "000000", ...(captcha ? { captcha } : {}) },
      });
      last = wrong.json().error.code as string;
      captcha = last === "CAPTCHA_REQUIRED" ? { id: wrong.json().captcha.id as string, answer: "testme" } : undefined;
    }
    assert.equal(last, "SECOND_FACTOR_LOCKED");
    // Whoever holds the mailbox completes a reset, hoping for a fresh allowance of guesses.
    const asked = await client.request("POST", "/api/v1/password-resets", {
      json: { identifier: "reset-throttle@example.com", captcha: await solveCAPTCHA(client, "password_reset") },
    });
    assert.equal(asked.statusCode, 202);
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("reset-throttle@example.com")).find((e) => /token=/.test(e.text));
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")?.[1];
    assert.ok(token, "the reset link arrived");
    assert.equal((await client.request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } })).statusCode, 204);
    const again = await client.request("POST", "/api/v1/session", { json: { identifier: "reset-throttle@example.com", password: NEW_PASSWORD } });
    assert.equal(again.json().error.code, "SECOND_FACTOR_REQUIRED", "the password counters did clear: the new password is accepted");
    const code = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow: again.json().flow as string, method: "totp", code: oathtoolCode(secret, t.clock.now()), captcha: await solveCAPTCHA(client, "signin") },
    });
    assert.equal(code.statusCode, 429, code.body);
    assert.equal(code.json().error.code, "SECOND_FACTOR_LOCKED", "even the right code waits for the pause");
    assert.ok(Number(code.headers["retry-after"]) > 0);
    assert.equal((await client.get("/api/v1/session")).statusCode, 401, "no session");
  });

  it("a second step begun with a password the owner has since changed or reset is not finished, even with a right code, which stays unspent", async () => {
    const owner = await createVerifiedAccount(t, "stale-step@example.com");
    const accountId = (await owner.get("/api/v1/session")).json().account.id as string;
    const { secret, codes } = await enableTOTP(t, owner);
    // Whoever learned the password reaches the second step and waits there for a code.
    const intruder = new TestClient(t.app);
    const begun = await intruder.request("POST", "/api/v1/session", { json: { identifier: "stale-step@example.com", password: STRONG_PASSWORD } });
    assert.equal(begun.json().error.code, "SECOND_FACTOR_REQUIRED");
    const wrong = await intruder.request("POST", "/api/v1/session/second-factor", { json: { flow: begun.json().flow, method: "totp", code: "000000" } });
    assert.equal(wrong.json().error.code, "SECOND_FACTOR_INVALID", "a wrong code keeps the step open");
    // The owner changes the password.
    const changed = await owner.request("PUT", "/api/v1/password", {
      json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, captcha: await solveCAPTCHA(owner, "password_change") },
    });
    assert.equal(changed.statusCode, 204, changed.body);
    const late = await intruder.request("POST", "/api/v1/session/second-factor", {
      json: { flow: begun.json().flow, method: "recovery_code", code: codes[0] as string },
    });
    assert.equal(late.statusCode, 401, late.body);
    assert.equal(late.json().error.code, "SIGNIN_FLOW_EXPIRED");
    assert.equal((await intruder.get("/api/v1/session")).statusCode, 401, "no session");
    assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(accountId), 10, "the recovery code was not spent");

    // The same on the page, after a reset: the step begun with the password before it is gone.
    const browser = new TestClient(t.app);
    const posted = await browser.submitForm("/signin", "/signin", { identifier: "stale-step@example.com", password: NEW_PASSWORD });
    const page = posted.headers.location as string;
    assert.match(page, /^\/signin\?flow=/);
    const asked = await owner.request("POST", "/api/v1/password-resets", {
      json: { identifier: "stale-step@example.com", captcha: await solveCAPTCHA(owner, "password_reset") },
    });
    assert.equal(asked.statusCode, 202);
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("stale-step@example.com")).find((e) => /token=/.test(e.text));
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")?.[1];
    assert.ok(token, "the reset link arrived");
    assert.equal((await owner.request("POST", "/api/v1/password-resets/complete", { json: { token, password: STRONG_PASSWORD } })).statusCode, 204);
    const form = hiddenInputsIn((await browser.get(page)).body, "/signin/second-factor");
    const submitted = await browser.request("POST", "/signin/second-factor", { form: { ...form, code: oathtoolCode(secret, t.clock.now()) } });
    assert.equal(submitted.statusCode, 303);
    assert.match(submitted.headers.location as string, /^\/signin\?flow=/, "back to the password");
    assert.match(pageText((await browser.get(submitted.headers.location as string)).body), /start again|sign in again/i);
    assert.equal((await browser.get("/api/v1/session")).statusCode, 401, "no session");

    // A step begun with the current password finishes with the same code, which was not spent above.
    const fresh = new TestClient(t.app);
    const again = await fresh.request("POST", "/api/v1/session", { json: { identifier: "stale-step@example.com", password: STRONG_PASSWORD } });
    const done = await fresh.request("POST", "/api/v1/session/second-factor", {
      json: { flow: again.json().flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(done.statusCode, 200, done.body);
  });

  it("a password whose stored hash is renewed at the first step (new hashing parameters) still finishes the second step", async () => {
    const owner = await seedVerifiedAccount(t, "rehashed-step@example.com");
    const { secret } = await enableTOTP(t, owner);
    const found = await t.deps.stores.accounts.getAccountByIdentifier("rehashed-step@example.com");
    assert.ok(found);
    const older = await createArgon2Hasher({ memoryCost: 2048, timeCost: 1, parallelism: 1 }).hashPassword(STRONG_PASSWORD);
    assert.ok(await t.deps.stores.accounts.replacePasswordHash(found.account.id, found.account.passwordHash, older, t.clock.now()));
    assert.ok(t.deps.hasher.needsRehash(older));
    const client = new TestClient(t.app);
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "rehashed-step@example.com", password: STRONG_PASSWORD } });
    assert.equal(first.json().error.code, "SECOND_FACTOR_REQUIRED");
    assert.notEqual((await t.deps.stores.accounts.getAccountById(found.account.id))?.passwordHash, older, "renewed at the password step");
    const done = await client.request("POST", "/api/v1/session/second-factor", {
      json: { flow: first.json().flow, method: "totp", code: oathtoolCode(secret, t.clock.now()) },
    });
    assert.equal(done.statusCode, 200, done.body);
  });
});
