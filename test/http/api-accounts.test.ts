// The JSON API for registration, verification, sign-in and sessions, end to end through app.inject().
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode, readEmails, readSMS } from "../helpers/outbox.ts";

describe("accounts API", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("registers by e-mail, confirms with the code from the outbox, and signs in case-insensitively", async () => {
    const client = new TestClient(t.app);
    const registered = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "Ada@Example.com", password: STRONG_PASSWORD, name: "Ada" },
    });
    assert.equal(registered.statusCode, 202);
    assert.deepEqual(registered.json(), { verification: "sent" });

    const emails = await readEmails(t.config.outboxDir);
    const message = emails.find((e) => e.to.includes("Ada@example.com"));
    assert.ok(message, "the code went to the address as typed (domain lower-cased)");
    assert.match(message.text, /\b\d{6}\b/);
    assert.match(message.text, /http:\/\/localhost:3000\/verify\?identifier=/, "the link uses the base URL");
    assert.doesNotMatch(message.html, /<img/i, "no tracking pixels");

    // Before confirming, the correct password gets ACCOUNT_NOT_VERIFIED and a wrong one the generic failure.
    const early = await client.request("POST", "/api/v1/session", { json: { identifier: "ada@example.com", password: STRONG_PASSWORD } });
    assert.equal(early.statusCode, 403);
    assert.equal(early.json().error.code, "ACCOUNT_NOT_VERIFIED");
    const earlyWrong = await client.request("POST", "/api/v1/session", { json: { identifier: "ada@example.com", password: "not-the-password-at-all" } });
    assert.equal(earlyWrong.statusCode, 401);
    assert.equal(earlyWrong.json().error.code, "SIGNIN_FAILED");

    const code = await latestCode(t.config.outboxDir, "Ada@example.com");
    const verified = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "ADA@example.COM", code } });
    assert.equal(verified.statusCode, 200);
    const account = verified.json().account;
    assert.equal(account.name, "Ada");
    assert.deepEqual(
      account.identifiers.map((i: { kind: string; value: string; verified: boolean }) => [i.kind, i.value, i.verified]),
      [["email", "ada@example.com", true]],
    );
    assert.equal(account.passwordHash, undefined);

    const signin = await client.request("POST", "/api/v1/session", { json: { identifier: "ada@example.com", password: STRONG_PASSWORD } });
    assert.equal(signin.statusCode, 200);
    assert.equal(signin.json().account.id, account.id);
    // The account's identifiers come with the answer, read in the same query as the account.
    assert.deepEqual(
      signin.json().account.identifiers.map((i: { value: string; verified: boolean }) => [i.value, i.verified]),
      [["ada@example.com", true]],
    );
    assert.ok(Date.parse(signin.json().session.expiresAt) > Date.now());
    const cookie = signin.cookies.find((c) => c.name === "latchkey_session");
    assert.ok(cookie?.httpOnly, "session cookie is HttpOnly");
    assert.equal(cookie?.sameSite, "Lax");
    assert.equal(cookie?.expires, undefined, "without 'keep me signed in' the cookie ends with the browser");

    const me = await client.get("/api/v1/session");
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().account.id, account.id);
  });

  it("registers a mobile number and signs in with another spelling of it; the code arrives by SMS", async () => {
    const client = new TestClient(t.app);
    const registered = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "+49 1512 3456789", password: STRONG_PASSWORD },
    });
    assert.equal(registered.statusCode, 202);
    const sms = readSMS(t.config.outboxDir).filter((s) => s.to === "+4915123456789");
    assert.equal(sms.length, 1);
    assert.match(sms[0]?.body ?? "", /^\d{6} is your Latchkey confirmation code/);
    const code = await latestCode(t.config.outboxDir, "+4915123456789");
    assert.equal((await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "+4915123456789", code } })).statusCode, 200);
    const signin = await client.request("POST", "/api/v1/session", { json: { identifier: "0049 1512 345-6789", password: STRONG_PASSWORD } });
    assert.equal(signin.statusCode, 200);
    assert.equal(signin.json().account.identifiers[0].value, "+4915123456789");
  });

  it("answers a wrong-case password exactly like an unknown account", async () => {
    await createVerifiedAccount(t, "grace@example.com");
    const client = new TestClient(t.app);
    const upper = await client.request("POST", "/api/v1/session", { json: { identifier: "grace@example.com", password: STRONG_PASSWORD.toUpperCase() } });
    const unknown = await client.request("POST", "/api/v1/session", { json: { identifier: "nobody@example.com", password: STRONG_PASSWORD } });
    assert.equal(upper.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(upper.body, unknown.body, "byte-identical bodies");
    assert.equal(upper.json().error.code, "SIGNIN_FAILED");
    assert.equal(
      upper.cookies.some((c) => c.name === "latchkey_session"),
      false,
    );
  });

  it("answers registration of a taken identifier like a new one and sends the owner a notice instead of a code", async () => {
    await createVerifiedAccount(t, "taken@example.com");
    const before = (await readEmails(t.config.outboxDir)).length;
    const client = new TestClient(t.app);
    const again = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "TAKEN@example.com", password: "another strong passphrase here" },
    });
    const fresh = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "fresh@example.com", password: "another strong passphrase here" },
    });
    assert.equal(again.statusCode, 202);
    assert.equal(again.body, fresh.body);
    const emails = (await readEmails(t.config.outboxDir)).slice(before);
    const notice = emails.find((e) => e.to.includes("taken@example.com"));
    assert.ok(notice);
    assert.match(notice.subject, /Someone tried to create an account/);
    assert.doesNotMatch(notice.text, /\b\d{6}\b/, "no code in the notice");
    // The original password still works; the attempt changed nothing.
    const signin = await client.request("POST", "/api/v1/session", { json: { identifier: "taken@example.com", password: STRONG_PASSWORD } });
    assert.equal(signin.statusCode, 200);
  });

  it("lets a new registration replace an abandoned unconfirmed one", async () => {
    const squatter = new TestClient(t.app);
    assert.equal(
      (
        await squatter.request("POST", "/api/v1/accounts", {
          json: { captcha: await solveCAPTCHA(squatter), identifier: "victim@example.com", password: "squatter owns this passphrase" },
        })
      ).statusCode,
      202,
    );
    const owner = new TestClient(t.app);
    assert.equal(
      (
        await owner.request("POST", "/api/v1/accounts", {
          json: { captcha: await solveCAPTCHA(owner), identifier: "victim@example.com", password: STRONG_PASSWORD },
        })
      ).statusCode,
      202,
    );
    const code = await latestCode(t.config.outboxDir, "victim@example.com");
    assert.equal((await owner.request("POST", "/api/v1/accounts/verify", { json: { identifier: "victim@example.com", code } })).statusCode, 200);
    assert.equal((await owner.request("POST", "/api/v1/session", { json: { identifier: "victim@example.com", password: STRONG_PASSWORD } })).statusCode, 200);
    assert.equal(
      (await squatter.request("POST", "/api/v1/session", { json: { identifier: "victim@example.com", password: "squatter owns this passphrase" } })).statusCode,
      401,
    );
  });

  it("gives specific format errors with field identifier", async () => {
    const client = new TestClient(t.app);
    const cases: Array<[string, string]> = [
      ["ada.example.com", "IDENTIFIER_EMAIL_MISSING_AT"],
      ["@example.com", "IDENTIFIER_EMAIL_MISSING_LOCAL"],
      ["ada@", "IDENTIFIER_EMAIL_MISSING_DOMAIN"],
      ["ada@example", "IDENTIFIER_EMAIL_DOMAIN_NO_DOT"],
      ["ada lovelace@example.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
      ["01512 3456789", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
      ["+49 12", "IDENTIFIER_PHONE_INVALID"],
      ["", "IDENTIFIER_REQUIRED"],
      ["ada@example.com\r\nBcc: x@evil.example", "IDENTIFIER_INVALID_CHARACTERS"],
    ];
    for (const [identifier, code] of cases) {
      for (const url of ["/api/v1/accounts", "/api/v1/session"]) {
        const response = await client.request("POST", url, { json: { identifier, password: STRONG_PASSWORD } });
        assert.equal(response.statusCode, 400, `${url} ${identifier}`);
        assert.equal(response.json().error.code, code, `${url} ${JSON.stringify(identifier)}`);
        assert.equal(response.json().error.field, "identifier");
        assert.ok(response.json().error.message.length > 10);
      }
    }
    const missing = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "01512 3456789", password: STRONG_PASSWORD },
    });
    assert.match(missing.json().error.message, /\+44|0044/, "the message shows an example with a country code");
  });

  it("suggests a likely fix for a mistyped domain without blocking", async () => {
    const client = new TestClient(t.app);
    const response = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "ada@gmial.com", password: STRONG_PASSWORD },
    });
    assert.equal(response.statusCode, 202);
    assert.equal(response.json().suggestion, "ada@gmail.com");
  });

  it("refuses weak or short passwords with a helpful message and stores nothing", async () => {
    const client = new TestClient(t.app);
    const cases: Array<[string, string]> = [
      ["short", "PASSWORD_TOO_SHORT"],
      ["password123", "PASSWORD_TOO_WEAK"],
      ["x".repeat(129), "PASSWORD_TOO_LONG"],
      ["weakling@example.com-is-me", "PASSWORD_CONTAINS_IDENTIFIER"],
    ];
    for (const [password, code] of cases) {
      const response = await client.request("POST", "/api/v1/accounts", {
        json: { captcha: await solveCAPTCHA(client), identifier: "weakling@example.com", password },
      });
      assert.equal(response.statusCode, 400, password);
      assert.equal(response.json().error.code, code, password);
      assert.equal(response.json().error.field, "password");
      assert.doesNotMatch(response.json().error.message, /must contain a symbol/i);
    }
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("weakling@example.com"), null);
  });

  it("refuses unknown fields, wrong types and missing fields with VALIDATION_FAILED", async () => {
    const client = new TestClient(t.app);
    const bodies: unknown[] = [
      { identifier: "a@example.com", password: STRONG_PASSWORD, admin: true },
      { identifier: 42, password: STRONG_PASSWORD },
      { identifier: "a@example.com" },
      [],
      "text",
    ];
    for (const json of bodies) {
      const response = await client.request("POST", "/api/v1/accounts", { json });
      assert.equal(response.statusCode, 400, JSON.stringify(json));
      assert.equal(response.json().error.code, "VALIDATION_FAILED");
    }
    const broken = await t.app.inject({ method: "POST", url: "/api/v1/session", headers: { "content-type": "application/json" }, payload: "{not json" });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error.code, "VALIDATION_FAILED");
    const huge = await client.request("POST", "/api/v1/session", { json: { identifier: "a@example.com", password: "x".repeat(100_000) } });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, "PAYLOAD_TOO_LARGE");
  });

  it("answers a 10 kB password with the ordinary failure", async () => {
    const client = new TestClient(t.app);
    const response = await client.request("POST", "/api/v1/session", { json: { identifier: "grace@example.com", password: "p".repeat(10_000) } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, "SIGNIN_FAILED");
  });

  it("counts wrong codes: five wrong tries end a code, and only the right code is then told it expired", async () => {
    const client = new TestClient(t.app);
    await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "tries@example.com", password: STRONG_PASSWORD },
    });
    const code = await latestCode(t.config.outboxDir, "tries@example.com");
    const wrong = code === "000000" ? "111111" : "000000";
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "tries@example.com", code: wrong } });
      assert.equal(r.statusCode, 400);
      codes.push(r.json().error.code);
    }
    // A wrong code says the same whether tries remain or not: that a code is waiting is no one else's business.
    assert.deepEqual(codes, Array(5).fill("VERIFICATION_CODE_INVALID"));
    const sixth = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "tries@example.com", code: wrong } });
    assert.equal(sixth.json().error.code, "VERIFICATION_CODE_INVALID");
    const right = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "tries@example.com", code } });
    assert.equal(right.statusCode, 400, "the right code no longer works");
    assert.equal(right.json().error.code, "VERIFICATION_CODE_EXPIRED");
  });

  it("expires codes after 10 minutes and a resent code replaces the old one", async () => {
    const client = new TestClient(t.app);
    await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "slow@example.com", password: STRONG_PASSWORD },
    });
    const first = await latestCode(t.config.outboxDir, "slow@example.com");
    t.clock.advance(10 * 60 * 1000 + 1000);
    const late = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "slow@example.com", code: first } });
    assert.equal(late.json().error.code, "VERIFICATION_CODE_EXPIRED");
    const resent = await client.request("POST", "/api/v1/accounts/verify/resend", { json: { identifier: "slow@example.com" } });
    assert.equal(resent.statusCode, 202);
    // The new code is made and sent in the background.
    await t.deps.tasks.settle();
    const second = await latestCode(t.config.outboxDir, "slow@example.com");
    if (second !== first) {
      const old = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "slow@example.com", code: first } });
      assert.equal(old.statusCode, 400);
    }
    const ok = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "slow@example.com", code: second } });
    assert.equal(ok.statusCode, 200);
  });

  it("limits messages to one identifier: 3 per 15 minutes", async () => {
    const client = new TestClient(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await client.request("POST", "/api/v1/accounts", {
        json: { captcha: await solveCAPTCHA(client), identifier: "flood@example.com", password: STRONG_PASSWORD },
      });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) {
        assert.equal(r.json().error.code, "SEND_LIMITED");
        assert.ok(Number(r.headers["retry-after"]) > 0);
      }
    }
    assert.deepEqual(statuses, [202, 202, 202, 429]);
    t.clock.advance(15 * 60 * 1000 + 1000);
    assert.equal(
      (
        await client.request("POST", "/api/v1/accounts", {
          json: { captcha: await solveCAPTCHA(client), identifier: "flood@example.com", password: STRONG_PASSWORD },
        })
      ).statusCode,
      202,
    );
  });

  it("counts sub-addresses of one mailbox (name+tag@) as one for the send limits", async () => {
    const client = new TestClient(t.app);
    const statuses: number[] = [];
    for (const identifier of ["inbox@example.com", "inbox+1@example.com", "Inbox+2@example.com", "inbox+3@example.com"]) {
      const r = await client.request("POST", "/api/v1/accounts", { json: { captcha: await solveCAPTCHA(client), identifier, password: STRONG_PASSWORD } });
      statuses.push(r.statusCode);
    }
    assert.deepEqual(statuses, [202, 202, 202, 429], "a fourth message to the same inbox within 15 minutes is refused");
    const other = await client.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(client), identifier: "inbox2@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(other.statusCode, 202, "another mailbox has its own allowance");
  });

  it("refuses cross-site browser requests with cookies", async () => {
    const client = new TestClient(t.app);
    const crossSite = await client.request("POST", "/api/v1/session", {
      json: { identifier: "grace@example.com", password: STRONG_PASSWORD },
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(crossSite.json().error.code, "ORIGIN_REJECTED");
    const wrongOrigin = await client.request("DELETE", "/api/v1/session", { headers: { origin: "https://evil.example" } });
    assert.equal(wrongOrigin.statusCode, 403);
    const sameOrigin = await client.request("POST", "/api/v1/session", {
      json: { identifier: "grace@example.com", password: STRONG_PASSWORD },
      headers: { origin: "http://localhost:3000", "sec-fetch-site": "same-origin" },
    });
    assert.equal(sameOrigin.statusCode, 200);
  });

  it("answers unknown API routes with the error shape", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/nothing-here" });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(Object.keys(response.json().error).sort(), ["code", "message"]);
    assert.equal(response.json().error.code, "NOT_FOUND");
  });

  it("estimates password strength for the meter", async () => {
    const weak = await t.app.inject({ method: "POST", url: "/api/v1/password-strength", payload: { password: "password1" } });
    assert.equal(weak.statusCode, 200);
    assert.equal(weak.json().acceptable, false);
    const strong = await t.app.inject({ method: "POST", url: "/api/v1/password-strength", payload: { password: STRONG_PASSWORD } });
    assert.equal(strong.json().acceptable, true);
    assert.ok(strong.json().score >= 3);
  });
});
