// Sign-in journeys without dead ends, driven like a browser without JavaScript: phone numbers without
// their `+`, e-mail typos caught before anything is sent, what each step carries over to the next, the
// hints password managers need, and the small things the account page and the start page say.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseIdentifier } from "../../src/lib/identifier-parsing.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfTokenIn, hiddenInputsIn, pageText, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";

const ROOT = new URL("../../", import.meta.url);

/** Every file people read: messages and pages in the code, the client script, the help and the docs. */
function shownFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(new URL(dir, ROOT), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|md)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) files.push(path);
    }
  };
  for (const dir of ["src", "content", "docs", "public"]) walk(dir);
  files.push("README.md");
  return files;
}

/** A phone number written with its country code: `+44 7400 123456`, `0049 1512 3456789`, `+1 (415) 555-0132`. */
const INTERNATIONAL_NUMBER = /(?<![\w+])(?:\+|00)[1-9][0-9]{0,2}(?:[ -]?(?:\([0-9]+\)|[0-9]+)){2,5}(?![\w])/g;

const THIEF_PASSWORD = "Thief-Chooses-This-Password-17";

/** Fills in the registration page as a person would; returns where it sends the browser. */
async function registerOnPage(browser: TestClient, identifier: string): Promise<string> {
  const fields = { identifier, password: STRONG_PASSWORD, password_confirm: STRONG_PASSWORD, captchaAnswer: "TESTME" };
  const registered = await browser.submitForm("/register", "/register", fields);
  return registered.headers.location as string;
}

describe("journeys", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("every example phone number shown anywhere is accepted", () => {
    const seen: string[] = [];
    for (const file of shownFiles()) {
      const text = readFileSync(new URL(file, ROOT), "utf8");
      for (const match of text.matchAll(INTERNATIONAL_NUMBER)) {
        const number = match[0];
        // Long digit runs (hashes, ids) and short ones (years, ports) are not phone numbers.
        const digits = number.replace(/\D/g, "");
        if (digits.length < 9 || digits.length > 15) continue;
        seen.push(`${file}: ${number}`);
        const parsed = parseIdentifier(number);
        assert.ok(parsed.ok, `${file} shows ${number}, which is refused with ${parsed.ok ? "" : parsed.code}`);
      }
    }
    // The example in every hint and message (one constant) and the help articles are among them.
    for (const expected of [
      "src/messages/identifiers.ts",
      "content/help/en/create-an-account.md",
      "content/help/en/problems-signing-in.md",
      "docs/errors.md",
    ]) {
      assert.ok(
        seen.some((s) => s.startsWith(expected)),
        `no example number found in ${expected}:\n${seen.join("\n")}`,
      );
    }
  });

  it("the sign-in page's hint shows the example number, and signing in with it is not refused as a format", async () => {
    const page = await new TestClient(t.app).get("/signin");
    const hint = /id="identifier-hint">([^<]+)</.exec(page.body)?.[1] ?? "";
    const example = /\+\d[\d ]+\d/.exec(hint)?.[0] ?? "";
    assert.ok(example, hint);
    const answer = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: example, password: "not-the-password-1" } });
    assert.equal(answer.json().error.code, "SIGNIN_FAILED", "a format error would name the example number itself");
  });

  it("accepts digits that start with a country code as if the + had been typed", async () => {
    const client = new TestClient(t.app);
    const registered = await client.request("POST", "/api/v1/accounts", {
      json: { identifier: "447400123456", password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client) },
    });
    assert.equal(registered.statusCode, 202, registered.body);
    const code = await latestCode(t.config.outboxDir, "+447400123456");
    const verified = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier: "44 7400 123456", code } });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().account.identifiers[0].value, "+447400123456");
    const signedIn = await client.request("POST", "/api/v1/session", { json: { identifier: "+44 7400 123456", password: STRONG_PASSWORD } });
    assert.equal(signedIn.statusCode, 200);
  });

  it("answers a national number with the countries it could belong to, as buttons that fill it in", async () => {
    const api = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "07400 123456", password: "whatever-it-is" } });
    assert.equal(api.statusCode, 400);
    assert.equal(api.json().error.code, "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE");
    assert.ok(
      api.json().choices.some((c: { value: string; label: string }) => c.value === "+447400123456" && c.label === "+44 7400 123456 (United Kingdom)"),
      api.body,
    );

    const browser = new TestClient(t.app);
    const failed = await browser.submitForm("/signin", "/signin", { identifier: "07400 123456", password: "whatever-it-is" });
    const page = await browser.get(failed.headers.location as string);
    assert.match(pageText(page.body), /Add your country code/);
    assert.match(page.body, /<button[^>]*type="submit" name="identifier_choice" value="\+447400123456"[^>]*>\+44 7400 123456 \(United Kingdom\)<\/button>/);
    // The button sends the form; with no password typed yet, the page comes back with the number filled in.
    const picked = await browser.request("POST", "/signin", {
      form: { ...hiddenInputsIn(page.body, "/signin"), identifier: "07400 123456", password: "", identifier_choice: "+447400123456" },
    });
    const refilled = await browser.get(picked.headers.location as string);
    assert.match(refilled.body, /id="identifier" name="identifier" type="text" value="\+447400123456"/);
    assert.doesNotMatch(refilled.body, /class="error-summary"/);
    assert.match(refilled.body, /id="password"[^>]* autofocus/);
  });

  it("with LATCHKEY_DEFAULT_REGION, national numbers are read in that country and two valid readings are asked about", async () => {
    const de = await createTestApp({ LATCHKEY_DEFAULT_REGION: "DE" });
    try {
      const client = new TestClient(de.app);
      const national = await client.request("POST", "/api/v1/accounts", {
        json: { identifier: "01512 3456789", password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client) },
      });
      assert.equal(national.statusCode, 202, national.body);
      assert.ok(await latestCode(de.config.outboxDir, "+4915123456789"));

      const ambiguous = await client.request("POST", "/api/v1/session", { json: { identifier: "15123456789", password: "whatever-it-is" } });
      assert.equal(ambiguous.statusCode, 400);
      assert.equal(ambiguous.json().error.code, "IDENTIFIER_PHONE_AMBIGUOUS");
      assert.deepEqual(
        ambiguous
          .json()
          .choices.map((c: { value: string }) => c.value)
          .sort(),
        ["+15123456789", "+4915123456789"],
      );
      const browser = new TestClient(de.app);
      const failed = await browser.submitForm("/signin", "/signin", { identifier: "15123456789", password: "whatever-it-is" });
      const page = await browser.get(failed.headers.location as string);
      assert.match(pageText(page.body), /Did you mean: \+1 512-345-6789 \(United States\)|Did you mean:/);
      assert.match(page.body, /value="\+4915123456789"[^>]*>\+49 1512 3456789 \(Germany\)</);
    } finally {
      await de.close();
    }
  });

  it("refuses an unknown LATCHKEY_DEFAULT_REGION at start-up", async () => {
    await assert.rejects(createTestApp({ LATCHKEY_DEFAULT_REGION: "XX" }), /LATCHKEY_DEFAULT_REGION/);
  });

  it("without JavaScript, a likely e-mail typo is asked about before anything is sent, keeping the rest of the form", async () => {
    const browser = new TestClient(t.app);
    const submitted = await browser.submitForm("/register", "/register", {
      identifier: "ada.typo@gmial.com",
      name: "Ada Typo",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    assert.equal(submitted.statusCode, 303);
    assert.match(submitted.headers.location as string, /^\/register\?flow=/);
    const sentTo = async (address: string) => (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(address)).length;
    assert.equal(await sentTo("ada.typo@"), 0, "nothing is sent before the answer");

    const step = await browser.get(submitted.headers.location as string);
    assert.match(pageText(step.body), /Check your e-mail address/);
    // The notice sits right under the address it is about.
    assert.match(
      step.body,
      /id="identifier"[^>]*value="ada.typo@gmial.com"[^>]*>\s*<div class="field-suggestion" id="identifier-suggestion" role="status">\s*<p>Did you mean <strong>ada.typo@gmail.com<\/strong>\?/,
    );
    assert.doesNotMatch(step.body, new RegExp(STRONG_PASSWORD), "the kept password is never in the page");

    const form = hiddenInputsIn(step.body, "/register");
    const chosen = await browser.request("POST", "/register", { form: { ...form, identifier: "ada.typo@gmial.com", address_choice: "suggested" } });
    assert.equal(chosen.statusCode, 303);
    assert.match(chosen.headers.location as string, /^\/verify\?flow=/, "the password, name and security check were kept");
    assert.ok(await latestCode(t.config.outboxDir, "ada.typo@gmail.com"));
    assert.equal(await sentTo("ada.typo@gmial.com"), 0);

    // The kept form is used once: the same answer again starts over.
    const again = await browser.request("POST", "/register", { form: { ...form, identifier: "ada.typo@gmial.com", address_choice: "suggested" } });
    assert.equal(again.headers.location, "/register");
  });

  it("keeping the address as typed goes ahead, and a suggestion already seen with the page script is not asked again", async () => {
    const browser = new TestClient(t.app);
    const kept = await browser.submitForm("/register", "/register", {
      identifier: "bob@example.con",
      identifier_confirmed: "bob@example.con",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    assert.match(kept.headers.location as string, /^\/verify\?flow=/);

    const suggestion = await new TestClient(t.app).request("POST", "/api/v1/identifiers/suggestion", { json: { identifier: "cy@hotmial.com" } });
    assert.deepEqual(suggestion.json(), { suggestion: "cy@hotmail.com" });
    const none = await new TestClient(t.app).request("POST", "/api/v1/identifiers/suggestion", { json: { identifier: "cy@example.org" } });
    assert.deepEqual(none.json(), { suggestion: null });
  });

  it("confirming in the browser that registered signs in; in another browser the password is typed with the code", async () => {
    const browser = new TestClient(t.app);
    const registered = await browser.submitForm("/register", "/register", {
      identifier: "dora@example.com",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    const verifyUrl = registered.headers.location as string;
    const code = await latestCode(t.config.outboxDir, "dora@example.com");

    // The flow id alone is worthless elsewhere: it is bound to the browser that registered.
    const other = new TestClient(t.app);
    const otherPage = await other.get("/verify");
    const elsewhere = await other.request("POST", "/verify", {
      form: {
        ...hiddenInputsIn(otherPage.body, "/verify"),
        flow: new URL(verifyUrl, "http://x").searchParams.get("flow") ?? "",
        identifier: "dora@example.com",
        code,
      },
    });
    assert.equal(elsewhere.statusCode, 303);
    assert.match(elsewhere.headers.location as string, /^\/verify\?flow=/);
    assert.equal(
      elsewhere.cookies.some((c) => c.name === "latchkey_session" && c.value !== ""),
      false,
      "not signed in",
    );
    const asked = await other.get(elsewhere.headers.location as string);
    assert.match(pageText(asked.body), /Enter the password you chose when you created the account/);
    assert.match(asked.body, /id="password" name="password" type="password"/);
    assert.equal((await t.deps.stores.accounts.getAccountByIdentifier("dora@example.com"))?.identifier.verifiedAt, null, "not confirmed yet");
    // With the password the code confirms there too, and signs that browser in.
    const withPassword = await other.submitForm(elsewhere.headers.location as string, "/verify", {
      identifier: "dora@example.com",
      code,
      password: STRONG_PASSWORD,
    });
    assert.equal(withPassword.headers.location, "/account?done=welcome");
    assert.equal((await other.get("/api/v1/session")).json().account.identifiers[0].value, "dora@example.com");

    const browser2 = new TestClient(t.app);
    const registered2 = await browser2.submitForm("/register", "/register", {
      identifier: "eve@example.com",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    const code2 = await latestCode(t.config.outboxDir, "eve@example.com");
    const confirmed = await browser2.submitForm(registered2.headers.location as string, "/verify", { identifier: "eve@example.com", code: code2 });
    assert.equal(confirmed.headers.location, "/account?done=welcome");
    const session = await browser2.get("/api/v1/session");
    assert.equal(session.statusCode, 200);
    assert.equal(session.json().account.identifiers[0].value, "eve@example.com");
  });

  it("a registration that replaced this browser's before its code was entered is not confirmed by this browser's code entry", async () => {
    const browser = new TestClient(t.app);
    const verifyUrl = await registerOnPage(browser, "fern@example.com");
    assert.match(verifyUrl, /^\/verify\?flow=/);
    // Someone else registers the same address with a password of their own: the newest code (the only one
    // that works now) is for their account.
    const thief = new TestClient(t.app);
    const theirs = await thief.request("POST", "/api/v1/accounts", {
      json: { identifier: "fern@example.com", password: THIEF_PASSWORD, captcha: await solveCAPTCHA(thief) },
    });
    assert.equal(theirs.statusCode, 202);
    const code = await latestCode(t.config.outboxDir, "fern@example.com");

    const confirmed = await browser.submitForm(verifyUrl, "/verify", { identifier: "fern@example.com", code });
    assert.equal(confirmed.statusCode, 303);
    const asked = confirmed.headers.location as string;
    assert.match(asked, /^\/verify\?flow=/, "asked for the password, not sent on");
    assert.match(pageText((await browser.get(asked)).body), /Enter the password you chose when you created the account/);
    // The password this browser chose is not the one of the account that replaced it.
    const own = await browser.submitForm(asked, "/verify", { identifier: "fern@example.com", code, password: STRONG_PASSWORD });
    assert.match(pageText((await browser.get(own.headers.location as string)).body), /That is not the password this account was created with/);
    assert.equal((await browser.get("/api/v1/session")).statusCode, 401, "not signed in to an account whose password this browser did not choose");
    await assertStillUnconfirmed("fern@example.com");
  });

  it("a sign-in that stops at an unconfirmed address signs in with the code, but a registration that replaced it is not confirmed", async () => {
    const api = new TestClient(t.app);
    for (const identifier of ["gail@example.com", "hank@example.com"]) {
      const r = await api.request("POST", "/api/v1/accounts", { json: { identifier, password: STRONG_PASSWORD, captcha: await solveCAPTCHA(api) } });
      assert.equal(r.statusCode, 202);
    }
    const signInAndConfirm = async (identifier: string, replace: boolean) => {
      const browser = new TestClient(t.app);
      const stopped = await browser.submitForm("/signin", "/signin", { identifier, password: STRONG_PASSWORD });
      const verifyUrl = stopped.headers.location as string;
      assert.match(verifyUrl, /^\/verify\?flow=/);
      if (replace) {
        const thief = new TestClient(t.app);
        const r = await thief.request("POST", "/api/v1/accounts", {
          json: { identifier, password: THIEF_PASSWORD, captcha: await solveCAPTCHA(thief) },
        });
        assert.equal(r.statusCode, 202);
      }
      const code = await latestCode(t.config.outboxDir, identifier);
      const confirmed = await browser.submitForm(verifyUrl, "/verify", { identifier, code });
      return { location: confirmed.headers.location as string, session: (await browser.get("/api/v1/session")).statusCode };
    };
    assert.deepEqual(await signInAndConfirm("gail@example.com", false), { location: "/account?done=welcome", session: 200 });
    const replaced = await signInAndConfirm("hank@example.com", true);
    assert.match(replaced.location, /^\/verify\?flow=/);
    assert.equal(replaced.session, 401);
    await assertStillUnconfirmed("hank@example.com");
  });

  /** The account someone else registered in place of the browser's stays unconfirmed: its password signs nobody in. */
  async function assertStillUnconfirmed(identifier: string): Promise<void> {
    assert.equal((await t.deps.stores.accounts.getAccountByIdentifier(identifier))?.identifier.verifiedAt, null, "their account stays unconfirmed");
    const theirs = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier, password: THIEF_PASSWORD } });
    assert.equal(theirs.statusCode, 403);
    assert.equal(theirs.json().error.code, "ACCOUNT_NOT_VERIFIED");
  }

  it("'Forgot your password?' carries the typed identifier in flow state, never in the address", async () => {
    const browser = new TestClient(t.app);
    const failed = await browser.submitForm("/signin", "/signin", { identifier: "frank@example.com", password: "wrong-password-1" });
    const page = await browser.get(failed.headers.location as string);
    const forgot = await browser.request("POST", "/signin/forgot", {
      form: { ...hiddenInputsIn(page.body, "/signin"), identifier: "frank@example.com", password: "" },
    });
    assert.equal(forgot.statusCode, 303);
    const location = forgot.headers.location as string;
    assert.match(location, /^\/password\/reset\?flow=[A-Za-z0-9_-]{20}$/);
    assert.doesNotMatch(location, /frank/);
    const reset = await browser.get(location);
    assert.match(reset.body, /id="identifier" name="identifier" type="text" value="frank@example.com"/);
    // Another browser with the same address sees an empty form.
    const other = await new TestClient(t.app).get(location);
    assert.doesNotMatch(other.body, /frank@example.com/);
  });

  it("a failed security check on sign-in says that only the password must be typed again", async () => {
    await createVerifiedAccount(t, "gina@example.com");
    for (let i = 0; i < 3; i++)
      await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "gina@example.com", password: `wrong-${i}-password` } });
    const browser = new TestClient(t.app);
    const failed = await browser.submitForm("/signin", "/signin", { identifier: "gina@example.com", password: STRONG_PASSWORD, captchaAnswer: "wrong" });
    const page = await browser.get(failed.headers.location as string);
    assert.match(pageText(page.body), /security check/);
    assert.match(
      page.body,
      /<p class="field-notice" id="password-notice">Type your password again: it is never kept when the security check has to be answered\. Everything else is as you left it\.<\/p>/,
    );
    assert.match(page.body, /id="password"[^>]*aria-describedby="password-notice"/);
    assert.match(page.body, /value="gina@example.com"/);
    // A plain wrong password gets no such notice.
    const plain = await browser.submitForm("/signin", "/signin", { identifier: "nobody-here@example.com", password: "wrong-password-2" });
    assert.doesNotMatch((await browser.get(plain.headers.location as string)).body, /field-notice/);
  });

  it("reset-by-link and change-password pages name the account in a hidden username field; code fields are one-time codes", async () => {
    const me = await createVerifiedAccount(t, "hana@example.com");
    const browser = new TestClient(t.app);
    await browser.submitForm("/password/reset", "/password/reset", { identifier: "hana@example.com", captchaAnswer: "TESTME" });
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("hana@example.com")).at(-1);
    const link = /\/password\/reset\/confirm\?token=[A-Za-z0-9_-]+/.exec(mail?.text ?? "")?.[0];
    assert.ok(link, mail?.text);
    const moved = await browser.get(link);
    const form = await browser.get(moved.headers.location as string);
    assert.match(form.body, /<input type="text" name="username" value="hana@example.com" autocomplete="username" hidden readonly tabindex="-1">/);
    assert.match(form.body, /autocomplete="new-password"/);

    const change = await me.get("/account/password");
    assert.match(change.body, /<input type="text" name="username" value="hana@example.com" autocomplete="username" hidden/);

    const codePages = [await browser.get("/verify"), await browser.get("/password/reset/confirm")];
    for (const page of codePages) {
      const codeInputs = [...page.body.matchAll(/<input[^>]*name="code"[^>]*>/g)].map((m) => m[0]);
      assert.ok(codeInputs.length > 0);
      for (const input of codeInputs) assert.match(input, /autocomplete="one-time-code"/);
    }
  });

  it("shows the number in full where the code went (not masked above the field), and no spam folder for a text message", async () => {
    const browser = new TestClient(t.app);
    const registered = await browser.submitForm("/register", "/register", {
      identifier: "+49 1512 3456788",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    const sms = pageText((await browser.get(registered.headers.location as string)).body);
    assert.match(sms, /We sent a 6-digit code by text message to \+49 1512 3456788/);
    assert.doesNotMatch(sms, /•/);
    assert.doesNotMatch(sms, /spam/i);
    assert.match(sms, /No text message\? Check the number above/);

    const mail = await browser.submitForm("/register", "/register", {
      identifier: "ivy@example.com",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TESTME",
    });
    assert.match(pageText((await new TestClient(t.app).get("/verify")).body), /spam/);
    assert.match(pageText((await browser.get(mail.headers.location as string)).body), /spam or junk folder/);
  });

  it("ending one other session is recorded as exactly that", async () => {
    const first = await createVerifiedAccount(t, "jack@example.com");
    const second = new TestClient(t.app);
    await second.request("POST", "/api/v1/session", { json: { identifier: "jack@example.com", password: STRONG_PASSWORD } });
    const sessions = (await first.get("/api/v1/sessions")).json().sessions as { id: string; current: boolean }[];
    const other = sessions.find((s) => !s.current);
    assert.ok(other);
    const account = await first.get("/account");
    const ended = await first.request("POST", `/account/sessions/${other.id}/revoke`, {
      form: { _csrf: csrfTokenIn(account.body, `/account/sessions/${other.id}/revoke`) },
    });
    assert.equal(ended.headers.location, "/account?done=session-ended");
    const page = pageText((await first.get("/account")).body);
    assert.match(page, /Signed out one other session/);
    assert.doesNotMatch(page, /Signed out of other sessions/);
  });

  it("the start page is a page, and the navigation marks where the person is", async () => {
    const visitor = new TestClient(t.app);
    const home = await visitor.get("/");
    assert.equal(home.statusCode, 200);
    assert.match(pageText(home.body), /Sign in to your account/);
    assert.match(home.body, /<a class="brand" href="\/" aria-current="page">/);
    const signin = await visitor.get("/signin");
    assert.match(signin.body, /<a href="\/signin" aria-current="page">Sign in<\/a>/);
    assert.equal((signin.body.match(/aria-current="page"/g) ?? []).length, 1);
    const help = await visitor.get("/help/problems-signing-in");
    assert.match(help.body, /<a href="\/help" aria-current="page">Help<\/a>/);
    const me = await createVerifiedAccount(t, "kim@example.com");
    const signedInHome = await me.get("/");
    assert.match(pageText(signedInHome.body), /You are signed in/);
  });
});

describe("session addresses and countries", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("lists each session's network address, and its country from the owner's offline table", async () => {
    const csv = join(t.dataDir, "ip-country.csv");
    writeFileSync(csv, "ip_start,ip_end,country\n10.0.0.0,10.255.255.255,FR\n127.0.0.0,127.255.255.255,DE\n2001:db8::,2001:db8::ffff,JP\n");
    const withTable = await createTestApp({ LATCHKEY_IP_COUNTRY_CSV: csv });
    try {
      const me = await createVerifiedAccount(withTable, "lou@example.com");
      const page = pageText((await me.get("/account")).body);
      assert.match(page, /from 127\.0\.0\.1 \(Germany\)/);
      const api = (await me.get("/api/v1/sessions")).json().sessions[0];
      assert.equal(api.ip, "127.0.0.1");
      assert.equal(api.country, "DE");
    } finally {
      await withTable.close();
    }
    // Without a table: the address, no country.
    const me = await createVerifiedAccount(t, "max@example.com");
    const page = pageText((await me.get("/account")).body);
    assert.match(page, /from 127\.0\.0\.1/);
    assert.doesNotMatch(page, /Germany/);
    await assert.rejects(createTestApp({ LATCHKEY_IP_COUNTRY_CSV: join(t.dataDir, "missing.csv") }), /LATCHKEY_IP_COUNTRY_CSV=".*missing\.csv": no such file/);
    // A folder is named as such at start, not met later as the system's EISDIR while the routes load.
    await assert.rejects(createTestApp({ LATCHKEY_IP_COUNTRY_CSV: t.dataDir }), /LATCHKEY_IP_COUNTRY_CSV=".*": not a file/);
  });
});
