// Password reset by e-mail link and by SMS code, and password change, through real SMTP and the outbox.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { removeIdentifier } from "../../src/account-page/identifiers.ts";
import { generateId } from "../../src/lib/crypto.ts";
import type { Stores } from "../../src/stores/types.ts";
import { createVerifiedAccount, STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode, readEmails, readSMS } from "../helpers/outbox.ts";
import { startSMTPServer, type TestSMTPServer } from "../helpers/smtp.ts";

const NEW_PASSWORD = "Lantern-Orchard-Velvet-Comet-9";

describe("password reset by e-mail over SMTP", () => {
  let smtp: TestSMTPServer;
  let t: TestApp;
  before(async () => {
    smtp = await startSMTPServer();
    t = await createTestApp({ LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const linkIn = (text: string) => /(http:\/\/localhost:3000\/password\/reset\/confirm\?token=[A-Za-z0-9_-]+)/.exec(text)?.[1];

  it("follows the link from a real e-mail, takes the token out of the address, ends every session and notifies", async () => {
    const oldSession = await seedVerifiedAccount(t, "reset@example.com");
    const browser = new TestClient(t.app);
    const requested = await browser.submitForm("/password/reset", "/password/reset", { identifier: "reset@example.com", captchaAnswer: "TESTME" });
    assert.equal(requested.statusCode, 303);
    assert.match(requested.headers.location as string, /^\/password\/reset\/sent\?flow=/);
    const sent = await browser.get(requested.headers.location as string);
    assert.match(pageText(sent.body), /If an account uses reset@example\.com ?, we have sent it a link/);
    await t.deps.tasks.settle();
    const mail = smtp.received.find((m) => m.to.includes("reset@example.com") && m.subject === "Reset your password");
    assert.ok(mail, "the reset e-mail went through SMTP");
    const link = linkIn(mail.text);
    assert.ok(link, "the link is printed as text and built from the base URL");

    const opened = await browser.get(link.replace("http://localhost:3000", ""));
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers["referrer-policy"], "no-referrer");
    const location = opened.headers.location as string;
    assert.match(location, /^\/password\/reset\/confirm\?flow=/);
    assert.doesNotMatch(location, /token/);
    const form = await browser.get(location);
    assert.equal(form.headers["referrer-policy"], "no-referrer");
    assert.match(form.body, /autocomplete="new-password"/);
    assert.match(form.body, /data-capslock-for="password"/);
    assert.doesNotMatch(form.body, new RegExp(link.split("token=")[1] as string), "the token is not in the page");

    const done = await browser.request("POST", "/password/reset/confirm", {
      form: { ...hiddenInputsIn(form.body, "/password/reset/confirm"), password: NEW_PASSWORD, password_confirm: NEW_PASSWORD },
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/signin?done=password-reset");
    assert.equal((await oldSession.get("/api/v1/session")).statusCode, 401, "the old session ended");
    const signin = new TestClient(t.app);
    assert.equal((await signin.request("POST", "/api/v1/session", { json: { identifier: "reset@example.com", password: NEW_PASSWORD } })).statusCode, 200);
    assert.equal((await signin.request("POST", "/api/v1/session", { json: { identifier: "reset@example.com", password: STRONG_PASSWORD } })).statusCode, 401);
    await t.deps.tasks.settle();
    const notice = smtp.received.find((m) => m.to.includes("reset@example.com") && m.subject === "Your password was changed");
    assert.ok(notice);
    assert.match(notice.text, /If this wasn't you/);

    const reused = await browser.get(link.replace("http://localhost:3000", ""));
    assert.match(pageText(reused.body), /This link has already been used/);
    assert.match(reused.body, /href="\/password\/reset"/);
  });

  it("says in plain words when a link is mangled or expired", async () => {
    await seedVerifiedAccount(t, "expire@example.com");
    const browser = new TestClient(t.app);
    const mangled = await browser.get("/password/reset/confirm?token=abc");
    assert.match(pageText(mangled.body), /This link is not valid/);
    await browser.request("POST", "/api/v1/password-resets", {
      json: { identifier: "expire@example.com", captcha: await solveCAPTCHA(browser, "password_reset") },
    });
    await t.deps.tasks.settle();
    const link = linkIn(smtp.received.filter((m) => m.to.includes("expire@example.com")).at(-1)?.text ?? "") as string;
    t.clock.advance(30 * 60 * 1000 + 1000);
    const expired = await browser.get(link.replace("http://localhost:3000", ""));
    assert.match(pageText(expired.body), /This link has expired/);
    const api = await browser.request("POST", "/api/v1/password-resets/complete", { json: { token: link.split("token=")[1], password: NEW_PASSWORD } });
    assert.equal(api.statusCode, 400);
    assert.equal(api.json().error.code, "RESET_TOKEN_EXPIRED");
  });

  it("builds links from the base URL, never from the Host header", async () => {
    await seedVerifiedAccount(t, "host@example.com");
    const browser = new TestClient(t.app, { host: "evil.example" });
    await browser.request("POST", "/api/v1/password-resets", {
      json: { identifier: "host@example.com", captcha: await solveCAPTCHA(browser, "password_reset") },
    });
    await t.deps.tasks.settle();
    const mail = smtp.received.filter((m) => m.to.includes("host@example.com")).at(-1);
    assert.match(mail?.text ?? "", /http:\/\/localhost:3000\/password\/reset\/confirm\?token=/);
    assert.doesNotMatch(mail?.text ?? "", /evil\.example/);
  });
});

/** Wraps every store method to count calls, so two requests can be compared for the work they did. */
function countingStores(stores: Stores): { stores: Stores; calls: string[] } {
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}`);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  return {
    calls,
    stores: {
      ...stores,
      accounts: wrap("accounts", stores.accounts),
      sessions: wrap("sessions", stores.sessions),
      verifications: wrap("verifications", stores.verifications),
      passwordResets: wrap("passwordResets", stores.passwordResets),
      shortLived: wrap("shortLived", stores.shortLived),
    },
  };
}

describe("password reset by SMS code, and enumeration", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  async function requestReset(client: TestClient, identifier: string) {
    return client.request("POST", "/api/v1/password-resets", { json: { identifier, captcha: await solveCAPTCHA(client, "password_reset") } });
  }

  it("resets with the code from the SMS; the page says where to type it", async () => {
    const old = await createVerifiedAccount(t, "+44 7911 123456", STRONG_PASSWORD, "+447911123456");
    const browser = new TestClient(t.app);
    const requested = await browser.submitForm("/password/reset", "/password/reset", { identifier: "+44 7911 123456", captchaAnswer: "1234567" });
    assert.match(requested.headers.location as string, /^\/password\/reset\/confirm\?flow=/);
    const page = await browser.get(requested.headers.location as string);
    assert.match(pageText(page.body), /we have sent it a 6-digit code by text message\. Type it below/);
    await t.deps.tasks.settle();
    const sms = readSMS(t.config.outboxDir)
      .filter((s) => s.to === "+447911123456")
      .at(-1);
    assert.match(sms?.body ?? "", /is your Latchkey password reset code/);
    const code = await latestCode(t.config.outboxDir, "+447911123456");
    const done = await browser.request("POST", "/password/reset/confirm", {
      form: {
        ...hiddenInputsIn(page.body, "/password/reset/confirm"),
        identifier: "+44 7911 123456",
        code,
        password: NEW_PASSWORD,
        password_confirm: NEW_PASSWORD,
      },
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/signin?done=password-reset");
    assert.equal((await old.get("/api/v1/session")).statusCode, 401);
    assert.equal(
      (await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "+447911123456", password: NEW_PASSWORD } })).statusCode,
      200,
    );
  });

  it("takes the SMS code typed in Arabic-Indic or Eastern Arabic-Indic digits, as an Arabic keyboard writes it", async () => {
    for (const [phone, zero] of [
      ["+4915112345678", 0x0660],
      ["+61412345678", 0x06f0],
    ] as const) {
      await createVerifiedAccount(t, phone);
      const client = new TestClient(t.app, { "accept-language": "ar" });
      await requestReset(client, phone);
      await t.deps.tasks.settle();
      const code = await latestCode(t.config.outboxDir, phone);
      const typed = [...code].map((d) => String.fromCharCode(zero + Number(d))).join("");
      const done = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code: typed, password: NEW_PASSWORD } });
      assert.equal(done.statusCode, 204, done.body);
      assert.equal((await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: phone, password: NEW_PASSWORD } })).statusCode, 200);
    }
  });

  it("ends a code after five wrong tries", async () => {
    await createVerifiedAccount(t, "+33 6 12 34 56 78", STRONG_PASSWORD, "+33612345678");
    const client = new TestClient(t.app);
    await requestReset(client, "+33612345678");
    await t.deps.tasks.settle();
    const code = await latestCode(t.config.outboxDir, "+33612345678");
    const wrong = code === "000000" ? "111111" : "000000";
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: "+33612345678", code: wrong, password: NEW_PASSWORD } });
      codes.push(r.json().error.code);
    }
    assert.deepEqual(codes, ["RESET_CODE_INVALID", "RESET_CODE_INVALID", "RESET_CODE_INVALID", "RESET_CODE_INVALID", "RESET_CODE_EXPIRED"]);
    const right = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: "+33612345678", code, password: NEW_PASSWORD } });
    assert.equal(right.json().error.code, "RESET_CODE_EXPIRED");
  });

  it("expires a code after 10 minutes", async () => {
    await createVerifiedAccount(t, "+34 612 34 56 78", STRONG_PASSWORD, "+34612345678");
    const client = new TestClient(t.app);
    await requestReset(client, "+34612345678");
    await t.deps.tasks.settle();
    const code = await latestCode(t.config.outboxDir, "+34612345678");
    t.clock.advance(10 * 60 * 1000 + 1000);
    const late = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: "+34612345678", code, password: NEW_PASSWORD } });
    assert.equal(late.json().error.code, "RESET_CODE_EXPIRED");
  });

  it("answers known and unknown identifiers byte for byte alike, with the same store and hash work, and sends nothing for the unknown", async () => {
    await createVerifiedAccount(t, "known-reset@example.com");
    const original = t.deps.stores;
    const counted = countingStores(original);
    let hashes = 0;
    const hasher = t.deps.hasher;
    t.deps.hasher = {
      ...hasher,
      hashPassword: (p) => {
        hashes++;
        return hasher.hashPassword(p);
      },
      verifyPasswordHash: (h, p) => {
        hashes++;
        return hasher.verifyPasswordHash(h, p);
      },
      verifyDummyPassword: (p) => {
        hashes++;
        return hasher.verifyDummyPassword(p);
      },
    };
    const emailsBefore = (await readEmails(t.config.outboxDir)).length;
    try {
      const runs: Array<{ body: string; status: number; calls: string[]; hashes: number; headers: string }> = [];
      for (const identifier of ["known-reset@example.com", "unknown-reset@example.com"]) {
        const client = new TestClient(t.app);
        const captcha = await solveCAPTCHA(client, "password_reset");
        t.deps.stores = counted.stores;
        counted.calls.length = 0;
        hashes = 0;
        const response = await client.request("POST", "/api/v1/password-resets", { json: { identifier, captcha } });
        t.deps.stores = original;
        const headers = Object.keys(response.headers)
          .filter((h) => h !== "date" && h !== "set-cookie")
          .sort()
          .join(",");
        runs.push({ body: response.body, status: response.statusCode, calls: [...counted.calls], hashes, headers });
      }
      const [known, unknown] = runs as [(typeof runs)[0], (typeof runs)[0]];
      assert.equal(known.status, 202);
      assert.equal(known.body, '{"reset":"sent"}');
      assert.equal(known.body, unknown.body);
      assert.equal(known.status, unknown.status);
      assert.equal(known.headers, unknown.headers);
      assert.deepEqual(known.calls, unknown.calls, "the same store operations in the same order");
      assert.equal(known.hashes, unknown.hashes);
    } finally {
      t.deps.stores = original;
      t.deps.hasher = hasher;
    }
    await t.deps.tasks.settle();
    const sent = (await readEmails(t.config.outboxDir)).slice(emailsBefore);
    assert.equal(sent.filter((e) => e.to.includes("known-reset@example.com")).length, 1);
    assert.equal(sent.filter((e) => e.to.includes("unknown-reset@example.com")).length, 0);
  });

  it("limits reset messages to 3 per 15 minutes per identifier, with the wait", async () => {
    const client = new TestClient(t.app);
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 4; i++) {
      const r = await requestReset(client, "limit-reset@example.com");
      statuses.push(r.statusCode);
      if (r.statusCode === 429) {
        assert.equal(r.json().error.code, "SEND_LIMITED");
        retryAfter = Number(r.headers["retry-after"]);
      }
    }
    assert.deepEqual(statuses, [202, 202, 202, 429]);
    assert.ok(retryAfter > 0 && retryAfter <= 900);
  });

  it("refuses line breaks in the identifier with a 400", async () => {
    const client = new TestClient(t.app);
    const r = await requestReset(client, "a@example.com\r\nBcc: everyone@example.com");
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "IDENTIFIER_INVALID_CHARACTERS");
  });

  it("moves focus to the new check after 'Try another' on the reset page", async () => {
    const browser = new TestClient(t.app);
    const page = await browser.get("/password/reset");
    const refreshed = await browser.request("POST", "/password/reset", {
      form: { ...hiddenInputsIn(page.body, "/password/reset"), identifier: "x@example.com", captchaAction: "refresh" },
    });
    const again = await browser.get(refreshed.headers.location as string);
    assert.match(again.body, /value="x@example.com"/);
    assert.match(again.body, /name="captchaAnswer"[^>]*autofocus/);
    assert.equal((again.body.match(/ autofocus/g) ?? []).length, 1);
  });

  it("needs the security check", async () => {
    const r = await new TestClient(t.app).request("POST", "/api/v1/password-resets", { json: { identifier: "a@example.com" } });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().error.code, "CAPTCHA_REQUIRED");
  });

  it("lets exactly one of many concurrent completions of a link or a code win", async () => {
    await createVerifiedAccount(t, "race-reset@example.com");
    const client = new TestClient(t.app);
    await requestReset(client, "race-reset@example.com");
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("race-reset@example.com")).at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.app.inject({ method: "POST", url: "/api/v1/password-resets/complete", payload: { token, password: `${NEW_PASSWORD}-${i}` } }),
      ),
    );
    assert.equal(results.filter((r) => r.statusCode === 204).length, 1);
    assert.ok(results.filter((r) => r.statusCode !== 204).every((r) => r.json().error.code === "RESET_TOKEN_USED"));

    await createVerifiedAccount(t, "+49 1512 7654321", STRONG_PASSWORD, "+4915127654321");
    await requestReset(client, "+4915127654321");
    await t.deps.tasks.settle();
    const code = await latestCode(t.config.outboxDir, "+4915127654321");
    const codeResults = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.app.inject({ method: "POST", url: "/api/v1/password-resets/complete", payload: { identifier: "+4915127654321", code, password: NEW_PASSWORD } }),
      ),
    );
    assert.equal(codeResults.filter((r) => r.statusCode === 204).length, 1);
  });

  it("runs a link's page step once: of concurrent submissions of its form one changes the password, the others and a replay see a used link", async () => {
    await createVerifiedAccount(t, "race-page@example.com");
    const browser = new TestClient(t.app);
    await requestReset(browser, "race-page@example.com");
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("race-page@example.com")).at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;
    const opened = await browser.get(`/password/reset/confirm?token=${token}`);
    const form = await browser.get(opened.headers.location as string);
    const hidden = hiddenInputsIn(form.body, "/password/reset/confirm");
    assert.ok(hidden.flow, "the form names its flow");
    const fields = { ...hidden, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD };
    const original = t.deps.hasher;
    const resets = t.deps.stores.passwordResets;
    let hashes = 0;
    let lookups = 0;
    t.deps.hasher = {
      ...original,
      hashPassword: (p) => {
        hashes++;
        return original.hashPassword(p);
      },
    };
    t.deps.stores.passwordResets = {
      ...resets,
      getPasswordResetBySecret: (hash) => {
        lookups++;
        return resets.getPasswordResetBySecret(hash);
      },
    };
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => browser.request("POST", "/password/reset/confirm", { form: fields })));
      assert.equal(results.filter((r) => r.statusCode === 303 && r.headers.location === "/signin?done=password-reset").length, 1);
      const refused = results.filter((r) => r.statusCode !== 303);
      assert.equal(refused.length, 7);
      for (const r of refused) {
        assert.equal(r.statusCode, 400);
        assert.match(pageText(r.body), /This link has already been used/);
      }
      // The step is claimed before the work: only the winner looked the token up and hashed a password.
      assert.equal(lookups, 1);
      assert.equal(hashes, 1);
      const replay = await browser.request("POST", "/password/reset/confirm", { form: fields });
      assert.equal(replay.statusCode, 400);
      assert.match(pageText(replay.body), /This link has already been used/);
      assert.equal(lookups, 1, "a replay does no work either");
    } finally {
      t.deps.hasher = original;
      t.deps.stores.passwordResets = resets;
    }
  });

  it("kills every other pending reset and clears sign-in failures, so a locked-out person can always reset", async () => {
    const owner = await createVerifiedAccount(t, "both@example.com");
    const addPage = await owner.get("/account");
    await owner.request("POST", "/account/identifiers", { form: { ...hiddenInputsIn(addPage.body, "/account/identifiers"), identifier: "+31 6 12345678" } });
    await t.deps.tasks.settle();
    const addCode = await latestCode(t.config.outboxDir, "+31612345678");
    const confirmPage = await owner.get("/account");
    await owner.request("POST", "/account/identifiers/verify", {
      form: { _csrf: hiddenInputsIn(confirmPage.body, "/account/identifiers")._csrf as string, identifier: "+31612345678", code: addCode },
    });

    const attacker = new TestClient(t.app);
    for (let i = 0; i < 3; i++) await attacker.request("POST", "/api/v1/session", { json: { identifier: "both@example.com", password: "guess guess guess" } });
    const locked = await attacker.request("POST", "/api/v1/session", { json: { identifier: "both@example.com", password: STRONG_PASSWORD } });
    assert.equal(locked.json().error.code, "CAPTCHA_REQUIRED");

    const client = new TestClient(t.app);
    await requestReset(client, "+31612345678");
    await requestReset(client, "both@example.com");
    await t.deps.tasks.settle();
    const smsCode = await latestCode(t.config.outboxDir, "+31612345678");
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("both@example.com") && e.subject === "Reset your password").at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;
    assert.equal((await client.request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } })).statusCode, 204);
    const stale = await client.request("POST", "/api/v1/password-resets/complete", {
      json: { identifier: "+31612345678", code: smsCode, password: NEW_PASSWORD },
    });
    assert.equal(stale.statusCode, 400, "the SMS code died with the completed reset");
    const free = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "both@example.com", password: NEW_PASSWORD } });
    assert.equal(free.statusCode, 200, "no security check needed any more: failures were cleared");
    await t.deps.tasks.settle();
    const notices = readSMS(t.config.outboxDir).filter((s) => s.to === "+31612345678" && /password was just changed/.test(s.body));
    assert.equal(notices.length, 1, "every confirmed identifier is told");
  });

  it("a link or code sent to an address or number removed from the account since no longer resets it", async () => {
    const owner = await createVerifiedAccount(t, "keeps-one@example.com");
    const found = await t.deps.stores.accounts.getAccountByIdentifier("keeps-one@example.com");
    assert.ok(found);
    const phone = "+31612345679";
    const oldEmail = "old-mailbox@example.com";
    const added = [];
    for (const value of [phone, oldEmail]) {
      const record = await t.deps.stores.accounts.addVerifiedIdentifier(
        found.account.id,
        { id: generateId(t.deps.random), kind: value.startsWith("+") ? "phone" : "email", value, display: value },
        t.clock.now(),
      );
      assert.ok(record);
      added.push(record);
    }
    const client = new TestClient(t.app);
    await requestReset(client, phone);
    await requestReset(client, oldEmail);
    await t.deps.tasks.settle();
    const code = await latestCode(t.config.outboxDir, phone);
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(oldEmail) && e.subject === "Reset your password").at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;

    // The owner shuts out the lost number and mailbox; whoever holds them now has the code and the link.
    for (const record of added) await removeIdentifier(t.deps, found.account.id, record.id);
    const byCode = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code, password: NEW_PASSWORD } });
    assert.equal(byCode.statusCode, 400);
    assert.equal(byCode.json().error.code, "RESET_CODE_EXPIRED");
    const byLink = await client.request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } });
    assert.equal(byLink.statusCode, 400);
    assert.equal(byLink.json().error.code, "RESET_TOKEN_INVALID");
    const after = await t.deps.stores.accounts.getAccountById(found.account.id);
    assert.ok(after && (await t.deps.hasher.verifyPasswordHash(after.passwordHash, STRONG_PASSWORD)), "the password is unchanged");
    assert.equal((await owner.get("/api/v1/session")).statusCode, 200, "the owner stays signed in");
  });

  it("a link sent to an address that another account has since taken resets neither account", async () => {
    await createVerifiedAccount(t, "gave-it-up@example.com");
    const found = await t.deps.stores.accounts.getAccountByIdentifier("gave-it-up@example.com");
    assert.ok(found);
    const passedOn = "passed-on@example.com";
    const record = await t.deps.stores.accounts.addVerifiedIdentifier(
      found.account.id,
      { id: generateId(t.deps.random), kind: "email", value: passedOn, display: passedOn },
      t.clock.now(),
    );
    assert.ok(record);
    const client = new TestClient(t.app);
    await requestReset(client, passedOn);
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(passedOn) && e.subject === "Reset your password").at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;

    // The owner removes the address and someone else registers it: the link still names the first account.
    await removeIdentifier(t.deps, found.account.id, record.id);
    const newcomer = await createVerifiedAccount(t, passedOn);
    const byLink = await client.request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } });
    assert.equal(byLink.statusCode, 400);
    assert.equal(byLink.json().error.code, "RESET_TOKEN_INVALID");
    for (const value of ["gave-it-up@example.com", passedOn]) {
      const account = (await t.deps.stores.accounts.getAccountByIdentifier(value))?.account;
      assert.ok(account && (await t.deps.hasher.verifyPasswordHash(account.passwordHash, STRONG_PASSWORD)), `the password of ${value} is unchanged`);
    }
    assert.equal((await newcomer.get("/api/v1/session")).statusCode, 200, "the newcomer stays signed in");
  });
});

describe("password change", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  it("changes the password through the API with the security check: new token here, other sessions end, notice sent", async () => {
    const me = await createVerifiedAccount(t, "change@example.com");
    const other = new TestClient(t.app);
    await other.request("POST", "/api/v1/session", { json: { identifier: "change@example.com", password: STRONG_PASSWORD } });
    const oldToken = me.cookies.get("latchkey_session") as string;
    const withoutCheck = await me.request("PUT", "/api/v1/password", { json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD } });
    assert.equal(withoutCheck.json().error.code, "CAPTCHA_REQUIRED");
    const changed = await me.request("PUT", "/api/v1/password", {
      json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, captcha: await solveCAPTCHA(me, "password_change") },
    });
    assert.equal(changed.statusCode, 204);
    assert.notEqual(me.cookies.get("latchkey_session"), oldToken, "a new session token for this browser");
    assert.equal((await me.get("/api/v1/session")).statusCode, 200);
    const stolen = new TestClient(t.app);
    stolen.cookies.set("latchkey_session", oldToken);
    assert.equal((await stolen.get("/api/v1/session")).statusCode, 401, "the old token is dead");
    assert.equal((await other.get("/api/v1/session")).statusCode, 401, "other devices are signed out");
    await t.deps.tasks.settle();
    const notice = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("change@example.com") && e.subject === "Your password was changed");
    assert.equal(notice.length, 1);
  });

  it("keeps other devices signed in when asked, and counts a wrong current password as a failed sign-in", async () => {
    const me = await createVerifiedAccount(t, "keep@example.com");
    const other = new TestClient(t.app);
    await other.request("POST", "/api/v1/session", { json: { identifier: "keep@example.com", password: STRONG_PASSWORD } });
    for (let i = 0; i < 3; i++) {
      const wrong = await me.request("PUT", "/api/v1/password", {
        json: { currentPassword: "not my password", newPassword: NEW_PASSWORD, captcha: await solveCAPTCHA(me, "password_change") },
      });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().error.code, "PASSWORD_INCORRECT");
      assert.equal(wrong.json().error.field, "currentPassword");
    }
    const signin = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "keep@example.com", password: STRONG_PASSWORD } });
    assert.equal(signin.json().error.code, "CAPTCHA_REQUIRED", "three wrong current passwords count like failed sign-ins");
    const ok = await me.request("PUT", "/api/v1/password", {
      json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, signOutOthers: false, captcha: await solveCAPTCHA(me, "password_change") },
    });
    assert.equal(ok.statusCode, 204);
    assert.equal((await other.get("/api/v1/session")).statusCode, 200);
  });

  it("changes the password from the account page", async () => {
    const me = await createVerifiedAccount(t, "page-change@example.com");
    const account = await me.get("/account");
    assert.match(account.body, /href="\/account\/password"/);
    const page = await me.get("/account/password");
    assert.match(page.body, /autocomplete="current-password"/);
    assert.match(page.body, /id="signOutOthers" name="signOutOthers" value="1" checked/);
    assert.match(page.body, /<fieldset class="captcha"/);
    const weak = await me.request("POST", "/account/password", {
      form: {
        ...hiddenInputsIn(page.body, "/account/password"),
        currentPassword: STRONG_PASSWORD,
        newPassword: "password1",
        newPassword_confirm: "password1",
        signOutOthers: "1",
        captchaAnswer: "testme",
      },
    });
    const weakPage = await me.get(weak.headers.location as string);
    assert.match(weakPage.body, /<a href="#newPassword">/);
    const done = await me.request("POST", "/account/password", {
      form: {
        ...hiddenInputsIn(weakPage.body, "/account/password"),
        currentPassword: STRONG_PASSWORD,
        newPassword: NEW_PASSWORD,
        newPassword_confirm: NEW_PASSWORD,
        signOutOthers: "1",
        captchaAnswer: "testme",
      },
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/account?done=password-changed");
    const after = await me.get("/account?done=password-changed");
    assert.match(pageText(after.body), /Your password has been changed/);
  });
});
