// Confirming a registration, end to end over HTTP with the messages going through a real SMTP server: what
// someone who knows only an address learns from the confirmation calls and pages (nothing), and who can
// confirm an account (only whoever chose its password: a registration made first by someone else with the
// owner's address is never confirmed by the owner's click on the link).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, TestClient } from "../helpers/client.ts";
import { startSMTPServer, type TestSMTPServer } from "../helpers/smtp.ts";

const ATTACKER_PASSWORD = "Attacker-Picked-This-Passphrase-93";
const OWNER_PASSWORD = "Owner-Chose-Another-Passphrase-61";

describe("confirming a registration", () => {
  let smtp: TestSMTPServer;
  let t: TestApp;
  before(async () => {
    smtp = await startSMTPServer();
    t = await createTestApp({
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
      LATCHKEY_SMTP_URL: smtp.url,
      LATCHKEY_MAIL_FROM: "Latchkey <no-reply@latchkey.test>",
    });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  /** The code and the link (as a path on this server) of the newest confirmation mail to `to`. */
  function confirmationMailTo(to: string): { code: string; link: string } {
    const mail = smtp.latestTo(to);
    assert.ok(mail, `a message to ${to} went through the SMTP server`);
    assert.match(mail.subject, /is your confirmation code/);
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    const link = /http:\/\/localhost:3000(\/verify\?[^\s>\]]+)/.exec(mail.text)?.[1];
    assert.ok(code && link, "the mail has a code and a link");
    return { code, link };
  }

  async function registerByAPI(client: TestClient, identifier: string, password: string): Promise<void> {
    const r = await client.request("POST", "/api/v1/accounts", { json: { identifier, password } });
    assert.equal(r.statusCode, 202, r.body);
  }

  async function registerOnPage(browser: TestClient, identifier: string, password: string): Promise<string> {
    const r = await browser.submitForm("/register", "/register", { identifier, password, password_confirm: password });
    assert.equal(r.statusCode, 303);
    assert.match(r.headers.location as string, /^\/verify\?flow=/);
    return r.headers.location as string;
  }

  /** What the page at `url` says in its error messages. */
  async function errorsOn(browser: TestClient, url: string): Promise<string> {
    const page = await browser.get(url);
    return [...page.body.matchAll(/<p class="field-error"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => pageText(m[1] ?? "").trim()).join(" | ");
  }

  async function verifiedAt(identifier: string): Promise<Date | null | undefined> {
    return (await t.deps.stores.accounts.getAccountByIdentifier(identifier))?.identifier.verifiedAt;
  }

  it("a wrong code answers alike for a waiting registration, one out of tries, a confirmed account and an unknown address", async () => {
    await registerByAPI(new TestClient(t.app), "waiting@example.com", STRONG_PASSWORD);
    await registerByAPI(new TestClient(t.app), "worn-out@example.com", STRONG_PASSWORD);
    await seedVerifiedAccount(t, "confirmed@example.com");
    const codes = new Set([confirmationMailTo("waiting@example.com").code, confirmationMailTo("worn-out@example.com").code]);
    const wrong = ["000000", "111111", "222222"].find((c) => !codes.has(c)) as string;

    const stranger = new TestClient(t.app);
    const guess = (identifier: string) => stranger.request("POST", "/api/v1/accounts/verify", { json: { identifier, code: wrong } });
    for (let i = 0; i < 5; i++) await guess("worn-out@example.com");

    const answers = [];
    for (const identifier of ["waiting@example.com", "worn-out@example.com", "confirmed@example.com", "unknown@example.com"]) {
      const r = await guess(identifier);
      answers.push({ status: r.statusCode, body: r.body, retryAfter: r.headers["retry-after"] });
    }
    assert.equal(answers[0]?.status, 400);
    assert.equal(JSON.parse(answers[0]?.body ?? "{}").error.code, "VERIFICATION_CODE_INVALID");
    for (const a of answers.slice(1)) assert.deepEqual(a, answers[0], "status, body and headers are the same");

    // The pages answer alike too: the same redirect and the same message.
    const shown = [];
    for (const identifier of ["waiting@example.com", "worn-out@example.com", "confirmed@example.com", "unknown@example.com"]) {
      const posted = await stranger.submitForm("/verify", "/verify", { identifier, code: wrong });
      assert.equal(posted.statusCode, 303);
      assert.match(posted.headers.location as string, /^\/verify\?flow=[^&]+$/);
      shown.push(await errorsOn(stranger, posted.headers.location as string));
    }
    assert.match(shown[0] ?? "", /That code is not right, or it can no longer be used/);
    assert.deepEqual(new Set(shown).size, 1, shown.join("\n"));
    // The waiting registration still works for its owner.
    assert.equal(await verifiedAt("waiting@example.com"), null);
  });

  it("only the right code of a confirmation that expired or ran out of tries is told so", async () => {
    const client = new TestClient(t.app);
    await registerByAPI(client, "late@example.com", STRONG_PASSWORD);
    const { code } = confirmationMailTo("late@example.com");
    const wrong = code === "000000" ? "111111" : "000000";
    t.clock.advance(10 * 60 * 1000 + 1000);
    const late = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "late@example.com", code } });
    assert.equal(late.statusCode, 400);
    assert.equal(late.json().error.code, "VERIFICATION_CODE_EXPIRED");
    const wrongLate = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "late@example.com", code: wrong } });
    assert.equal(wrongLate.json().error.code, "VERIFICATION_CODE_INVALID");
  });

  it("the code page after registering a taken address looks like the one after a new address", async () => {
    await seedVerifiedAccount(t, "owned@example.com");
    const pageAfter = async (identifier: string) => {
      const browser = new TestClient(t.app);
      const page = await browser.get(await registerOnPage(browser, identifier, STRONG_PASSWORD));
      return pageText(page.body).replace(identifier, "ADDRESS");
    };
    const taken = await pageAfter("owned@example.com");
    const fresh = await pageAfter("brand-new@example.com");
    assert.equal(taken, fresh);
    assert.doesNotMatch(taken, /Your password/, "neither asks for the password: both browsers chose it");
  });

  it("someone who registered the address first cannot have its owner confirm their account from the link in the mail", async () => {
    const attacker = new TestClient(t.app);
    await registerByAPI(attacker, "victim@example.com", ATTACKER_PASSWORD);
    const { code, link } = confirmationMailTo("victim@example.com");

    // The owner opens the link from the mail: the code is filled in, and the page asks for the password.
    const owner = new TestClient(t.app);
    const opened = await owner.get(link);
    assert.match(opened.body, /id="code" name="code" type="text" value="\d{6}"/);
    assert.match(opened.body, /id="password" name="password" type="password"/);
    const plain = await owner.submitForm(link, "/verify", { identifier: "victim@example.com", code });
    assert.equal(plain.statusCode, 303);
    assert.match(plain.headers.location as string, /^\/verify\?flow=/);
    assert.match(await errorsOn(owner, plain.headers.location as string), /Enter the password you chose when you created the account/);
    const guessed = await owner.submitForm(link, "/verify", { identifier: "victim@example.com", code, password: OWNER_PASSWORD });
    assert.match(await errorsOn(owner, guessed.headers.location as string), /That is not the password this account was created with/);
    // The same through the API, from any client.
    const api = await owner.request("POST", "/api/v1/accounts/verify", { json: { identifier: "victim@example.com", code } });
    assert.equal(api.statusCode, 400);
    assert.deepEqual([api.json().error.code, api.json().error.field], ["REGISTRATION_PASSWORD_REQUIRED", "password"]);
    assert.equal((await owner.get("/api/v1/session")).statusCode, 401);

    // Nothing was confirmed: the password the attacker chose signs nobody in.
    assert.equal(await verifiedAt("victim@example.com"), null);
    const theirs = await attacker.request("POST", "/api/v1/session", { json: { identifier: "victim@example.com", password: ATTACKER_PASSWORD } });
    assert.equal(theirs.statusCode, 403);
    assert.equal(theirs.json().error.code, "ACCOUNT_NOT_VERIFIED");

    // The owner registers the address in turn: that replaces the attacker's account, and the owner's code
    // confirms it with the owner's password.
    const verifyUrl = await registerOnPage(owner, "victim@example.com", OWNER_PASSWORD);
    const mine = confirmationMailTo("victim@example.com").code;
    const confirmed = await owner.submitForm(verifyUrl, "/verify", { identifier: "victim@example.com", code: mine });
    assert.equal(confirmed.headers.location, "/account?done=welcome");
    assert.ok((await verifiedAt("victim@example.com")) instanceof Date);
    const again = await attacker.request("POST", "/api/v1/session", { json: { identifier: "victim@example.com", password: ATTACKER_PASSWORD } });
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().error.code, "SIGNIN_FAILED");
    assert.equal(
      (await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "victim@example.com", password: OWNER_PASSWORD } })).statusCode,
      200,
    );
  });

  it("whoever registered confirms from the link with the code alone in the same browser, and with the password anywhere else", async () => {
    // The same browser, without the page's flow (the link opened from the mail): the code is enough.
    const laptop = new TestClient(t.app);
    await registerOnPage(laptop, "same-browser@example.com", STRONG_PASSWORD);
    const same = confirmationMailTo("same-browser@example.com");
    const fromLink = await laptop.submitForm(same.link, "/verify", { identifier: "same-browser@example.com", code: same.code });
    assert.equal(fromLink.headers.location, "/account?done=welcome");
    assert.equal((await laptop.get("/api/v1/session")).statusCode, 200);

    // Another device: the password typed with the code confirms and signs in there.
    await registerOnPage(new TestClient(t.app), "other-device@example.com", STRONG_PASSWORD);
    const other = confirmationMailTo("other-device@example.com");
    const phone = new TestClient(t.app);
    const page = await phone.get(other.link);
    const withPassword = await phone.request("POST", "/verify", {
      form: { ...hiddenInputsIn(page.body, "/verify"), identifier: "other-device@example.com", code: other.code, password: STRONG_PASSWORD },
    });
    assert.equal(withPassword.headers.location, "/account?done=welcome");
    assert.equal((await phone.get("/api/v1/session")).json().account.identifiers[0].value, "other-device@example.com");

    // The API: the client that registered (its cookies) needs no password; one without cookies sends it.
    const app = new TestClient(t.app);
    await registerByAPI(app, "api-client@example.com", STRONG_PASSWORD);
    assert.equal(
      (
        await app.request("POST", "/api/v1/accounts/verify", {
          json: { identifier: "api-client@example.com", code: confirmationMailTo("api-client@example.com").code },
        })
      ).statusCode,
      200,
    );
    await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "server-side@example.com", password: STRONG_PASSWORD } });
    const serverCode = confirmationMailTo("server-side@example.com").code;
    const verify = (password?: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/accounts/verify",
        payload: { identifier: "server-side@example.com", code: serverCode, ...(password === undefined ? {} : { password }) },
      });
    assert.equal((await verify()).json().error.code, "REGISTRATION_PASSWORD_REQUIRED");
    assert.equal((await verify("Not-The-Chosen-Passphrase-55")).json().error.code, "REGISTRATION_PASSWORD_INCORRECT");
    const right = await verify(STRONG_PASSWORD);
    assert.equal(right.statusCode, 200, right.body);
    assert.equal(right.json().account.identifiers[0].verified, true);
  });

  it("takes the code typed on an Arabic keyboard", async () => {
    const app = new TestClient(t.app);
    await registerByAPI(app, "arabic-keyboard@example.com", STRONG_PASSWORD);
    const { code } = confirmationMailTo("arabic-keyboard@example.com");
    const typed = code.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    const verified = await app.request("POST", "/api/v1/accounts/verify", { json: { identifier: "arabic-keyboard@example.com", code: typed } });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.ok(await verifiedAt("arabic-keyboard@example.com"));
  });

  it("a refused password uses one of the code's five tries, not the code", async () => {
    await registerByAPI(new TestClient(t.app), "five-tries@example.com", STRONG_PASSWORD);
    const { code } = confirmationMailTo("five-tries@example.com");
    const verify = (password: string) =>
      t.app.inject({ method: "POST", url: "/api/v1/accounts/verify", payload: { identifier: "five-tries@example.com", code, password } });
    for (let i = 0; i < 4; i++) assert.equal((await verify(`Wrong-Passphrase-Number-${i}`)).json().error.code, "REGISTRATION_PASSWORD_INCORRECT");
    assert.equal((await verify(STRONG_PASSWORD)).statusCode, 200, "the fifth try, with the right password");

    await registerByAPI(new TestClient(t.app), "no-tries@example.com", STRONG_PASSWORD);
    const spent = confirmationMailTo("no-tries@example.com").code;
    const attempt = (password: string) =>
      t.app.inject({ method: "POST", url: "/api/v1/accounts/verify", payload: { identifier: "no-tries@example.com", code: spent, password } });
    for (let i = 0; i < 5; i++) await attempt(`Wrong-Passphrase-Number-${i}`);
    const last = await attempt(STRONG_PASSWORD);
    assert.equal(last.json().error.code, "VERIFICATION_CODE_EXPIRED", "out of tries: ask for a new code");
    assert.equal(await verifiedAt("no-tries@example.com"), null);
  });
});
