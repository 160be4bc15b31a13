// LATCHKEY_SMS_COUNTRIES: only numbers of the listed countries are sent text messages. Registering or adding
// another country's number is refused by format, before any account is looked up; a number already on an
// account still signs in, and a reset to it sends nothing and answers as every reset does.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createVerifiedAccount, STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { pageText, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { readSMS } from "../helpers/outbox.ts";

const UK = "+44 7400 123456";
const UK_E164 = "+447400123456";
const FRANCE = "+33 6 12 34 56 78";
const FRANCE_E164 = "+33612345678";

describe("LATCHKEY_SMS_COUNTRIES=GB", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_SMS_COUNTRIES: "GB" });
  });
  after(async () => {
    await t.close();
  });

  const textsTo = async (e164: string): Promise<number> => {
    await t.deps.tasks.settle();
    return readSMS(t.config.outboxDir).filter((s) => s.to === e164).length;
  };

  it("registration with a French mobile number answers PHONE_COUNTRY_NOT_SUPPORTED, sends no text and stores no account (API)", async () => {
    const client = new TestClient(t.app);
    const r = await client.request("POST", "/api/v1/accounts", {
      json: { identifier: FRANCE, password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client, "registration") },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "PHONE_COUNTRY_NOT_SUPPORTED");
    assert.equal(r.json().error.field, "identifier");
    assert.match(r.json().error.message, /cannot send text messages to numbers in that country.*e-mail address/);
    assert.equal(await textsTo(FRANCE_E164), 0, "no text");
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier(FRANCE_E164), null, "no account");

    const resend = await client.request("POST", "/api/v1/accounts/verify/resend", { json: { identifier: FRANCE } });
    assert.equal(resend.statusCode, 400);
    assert.equal(resend.json().error.code, "PHONE_COUNTRY_NOT_SUPPORTED");
    assert.equal(await textsTo(FRANCE_E164), 0, "no text on a resend either");
  });

  it("the registration page shows the message in the person's language next to the number, and sends nothing", async () => {
    const browser = new TestClient(t.app, { "accept-language": "fr" });
    const posted = await browser.submitForm("/register", "/register", {
      identifier: FRANCE,
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    assert.equal(posted.statusCode, 303);
    assert.match(posted.headers.location as string, /^\/register\?flow=/);
    const page = await browser.get(posted.headers.location as string);
    assert.match(pageText(page.body), /Nous ne pouvons pas envoyer de SMS aux numéros de ce pays/);
    assert.equal(await textsTo(FRANCE_E164), 0);
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier(FRANCE_E164), null);
  });

  it("a UK number registers as before, and a satellite number (+881) is refused", async () => {
    const client = await createVerifiedAccount(t, UK, STRONG_PASSWORD, UK_E164);
    assert.equal((await client.request("GET", "/api/v1/session")).statusCode, 200);
    assert.ok(await t.deps.stores.accounts.getAccountByIdentifier(UK_E164));
    assert.ok((await textsTo(UK_E164)) >= 1, "the code went out by text");

    const anonymous = new TestClient(t.app);
    const satellite = await anonymous.request("POST", "/api/v1/accounts", {
      json: { identifier: "+881 6 1234 5678", password: STRONG_PASSWORD, captcha: await solveCAPTCHA(anonymous, "registration") },
    });
    assert.equal(satellite.statusCode, 400);
    assert.equal(satellite.json().error.code, "PHONE_COUNTRY_NOT_SUPPORTED");
    assert.equal(await textsTo("+881612345678"), 0);
  });

  it("adding a French number to an account is refused on the account page and in the API; e-mail addresses are unaffected", async () => {
    const owner = await createVerifiedAccount(t, "adds-numbers@example.com");

    const api = await owner.request("POST", "/api/v1/account/identifiers", { json: { identifier: FRANCE } });
    assert.equal(api.statusCode, 400);
    assert.equal(api.json().error.code, "PHONE_COUNTRY_NOT_SUPPORTED");
    assert.equal(api.json().error.field, "identifier");

    const form = await owner.submitForm("/account", "/account/identifiers", { identifier: FRANCE });
    assert.equal(form.statusCode, 303);
    const page = await owner.get(form.headers.location as string);
    assert.match(pageText(page.body), /We cannot send text messages to numbers in that country/);

    assert.equal(await textsTo(FRANCE_E164), 0, "no code went out");
    const own = await t.deps.stores.accounts.getAccountByIdentifier("adds-numbers@example.com");
    assert.ok(own);
    assert.deepEqual(
      (await t.deps.stores.accounts.listIdentifiers(own.account.id)).map((i) => i.value),
      ["adds-numbers@example.com"],
    );

    const email = await owner.request("POST", "/api/v1/account/identifiers", { json: { identifier: "second@example.com" } });
    assert.equal(email.statusCode, 202);
  });

  it("an account's French number from before the list still signs in; its reset answers 202 like any other and sends no text", async () => {
    await seedVerifiedAccount(t, FRANCE, STRONG_PASSWORD);
    const signin = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: FRANCE, password: STRONG_PASSWORD } });
    assert.equal(signin.statusCode, 200, "signing in sends no text and still works");

    const reset = async (identifier: string) => {
      const client = new TestClient(t.app);
      return client.request("POST", "/api/v1/password-resets", { json: { identifier, captcha: await solveCAPTCHA(client, "password_reset") } });
    };
    const known = await reset(FRANCE);
    const unknown = await reset("+33 6 98 76 54 32");
    const ukUnknown = await reset("+44 7400 654321");
    assert.equal(known.statusCode, 202);
    assert.equal(known.body, unknown.body, "the same answer as for a number without an account");
    assert.equal(known.body, ukUnknown.body, "the same answer as for a number of a listed country");

    // The page answers as for any number: on to the code entry.
    const resetPage = async (identifier: string) => {
      const browser = new TestClient(t.app);
      const posted = await browser.submitForm("/password/reset", "/password/reset", { identifier, captchaAnswer: "TESTME" });
      assert.equal(posted.statusCode, 303);
      assert.match(posted.headers.location as string, /^\/password\/reset\/confirm\?flow=/);
      return pageText((await browser.get(posted.headers.location as string)).body).replace(/\+\d[\d ]+/g, "NUMBER");
    };
    assert.equal(await resetPage(FRANCE), await resetPage("+44 7400 654321"));

    assert.equal(await textsTo(FRANCE_E164), 0, "no reset code was texted");
  });

  it("a UK account's reset is still texted", async () => {
    await seedVerifiedAccount(t, "+44 7400 222333", STRONG_PASSWORD);
    const client = new TestClient(t.app);
    const r = await client.request("POST", "/api/v1/password-resets", {
      json: { identifier: "+44 7400 222333", captcha: await solveCAPTCHA(client, "password_reset") },
    });
    assert.equal(r.statusCode, 202);
    assert.equal(await textsTo("+447400222333"), 1);
  });
});

describe("LATCHKEY_SMS_COUNTRIES at start-up", () => {
  it("refuses an unknown country code, naming the setting, and the command exits 78", async () => {
    await assert.rejects(createTestApp({ LATCHKEY_SMS_COUNTRIES: "GB,XX" }), /LATCHKEY_SMS_COUNTRIES: "XX"/);
    const dataDir = mkdtempSync(join(tmpdir(), "latchkey-sms-countries-"));
    try {
      const bin = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));
      const started = spawnSync(process.execPath, [bin, "migrate"], {
        env: { ...(process.env as Record<string, string>), ...testEnv(dataDir), LATCHKEY_SMS_COUNTRIES: "XX" },
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(started.status, 78);
      assert.match(started.stderr, /LATCHKEY_SMS_COUNTRIES/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("unset, every country's mobile numbers are texted as before", async () => {
    const t = await createTestApp();
    try {
      await createVerifiedAccount(t, FRANCE, STRONG_PASSWORD, FRANCE_E164);
      assert.ok(await t.deps.stores.accounts.getAccountByIdentifier(FRANCE_E164));
    } finally {
      await t.close();
    }
  });
});
