// The server-rendered pages, driven like a browser without JavaScript: forms, CSRF tokens, POST → 303 → GET.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfTokenIn, pageText, TestClient } from "../helpers/client.ts";
import { latestCode } from "../helpers/outbox.ts";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("pages", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("sign-in page has the right fields, autocomplete hints, Caps Lock warning and links", async () => {
    const page = await new TestClient(t.app).get("/signin");
    assert.equal(page.statusCode, 200);
    assert.match(page.headers["content-type"] as string, /text\/html/);
    const html = page.body;
    assert.match(html, /<label for="identifier">E-mail or mobile number<\/label>/);
    assert.match(html, /id="identifier" name="identifier" type="text"[^>]*autocomplete="username webauthn"/);
    assert.match(html, /id="password" name="password" type="password" autocomplete="current-password"/);
    assert.match(html, /class="capslock-warning"[^>]*data-capslock-for="password"/);
    assert.match(html, /data-password-toggle="password"/);
    assert.match(html, /name="remember"/);
    assert.match(html, /formaction="\/signin\/forgot" formnovalidate>Forgot your password\?/);
    assert.match(html, /href="\/register"/);
    assert.match(html, /name="_csrf" value="[^"]+"/);
    assert.doesNotMatch(html, /<script>/, "no inline script");
    assert.equal(page.headers["cache-control"], "no-store");
    assert.match(page.headers["content-security-policy"] as string, /frame-ancestors 'none'/);
  });

  it("walks registration, confirmation, sign-in, the account page and sign-out without JavaScript", async () => {
    const browser = new TestClient(t.app, { "user-agent": FIREFOX });
    const registered = await browser.submitForm("/register", "/register", {
      identifier: "Ada@Example.com",
      name: "Ada Lovelace",
      password: STRONG_PASSWORD,
      password_confirm: STRONG_PASSWORD,
      captchaAnswer: "TestMe",
    });
    assert.equal(registered.statusCode, 303);
    const verifyUrl = registered.headers.location as string;
    assert.match(verifyUrl, /^\/verify\?flow=/);
    const verifyPage = await browser.get(verifyUrl);
    assert.match(pageText(verifyPage.body), /We sent a 6-digit code by e-mail to Ada@example\.com/);
    assert.match(verifyPage.body, /value="Ada@Example.com"/, "the identifier is kept");
    assert.match(verifyPage.body, /autocomplete="one-time-code"/);

    const code = await latestCode(t.config.outboxDir, "Ada@example.com");
    const confirmed = await browser.submitForm(verifyUrl, "/verify", { identifier: "Ada@Example.com", code });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, "/account?done=welcome", "the browser that registered is signed in");
    const welcome = await browser.get("/account?done=welcome");
    assert.match(pageText(welcome.body), /Your account is confirmed and you are signed in/);
    await browser.request("POST", "/signout", { form: { _csrf: csrfTokenIn(welcome.body, "/signout") } });

    const signedIn = await browser.submitForm("/signin", "/signin", { identifier: "ada@example.com", password: STRONG_PASSWORD, remember: "1" });
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, "/account");
    const cookie = signedIn.cookies.find((c) => c.name === "latchkey_session");
    assert.ok(cookie?.expires, "'Keep me signed in' makes the cookie persistent");

    const account = await browser.get("/account");
    assert.equal(account.statusCode, 200);
    const text = pageText(account.body);
    assert.match(text, /Hello, Ada Lovelace/);
    assert.match(text, /Ada@example\.com/);
    assert.match(text, /Firefox on Linux/);
    assert.match(text, /This device/);

    const signedOut = await browser.request("POST", "/signout", { form: { _csrf: csrfTokenIn(account.body, "/signout") } });
    assert.equal(signedOut.statusCode, 303);
    assert.equal(signedOut.headers.location, "/signin?done=signed-out");
    const afterwards = await browser.get("/account");
    assert.equal(afterwards.statusCode, 303);
    assert.equal(afterwards.headers.location, "/signin?return_to=%2Faccount");
  });

  it("shows the generic failure with a link to help, keeps the identifier and never the password", async () => {
    await createVerifiedAccount(t, "grace@example.com");
    const browser = new TestClient(t.app);
    const failed = await browser.submitForm("/signin", "/signin", { identifier: "grace@example.com", password: STRONG_PASSWORD.toUpperCase() });
    assert.equal(failed.statusCode, 303);
    assert.match(failed.headers.location as string, /^\/signin\?flow=/);
    const page = await browser.get(failed.headers.location as string);
    const text = pageText(page.body);
    assert.match(text, /The e-mail address, mobile number or password is not right/);
    assert.match(page.body, /href="\/help\/problems-signing-in"/);
    assert.match(page.body, /value="grace@example.com"/);
    assert.doesNotMatch(page.body, new RegExp(STRONG_PASSWORD.toUpperCase()));
    assert.match(page.body, /class="error-summary" role="alert"/);

    const unknown = await browser.submitForm("/signin", "/signin", { identifier: "nobody@example.com", password: STRONG_PASSWORD });
    const unknownPage = await browser.get(unknown.headers.location as string);
    const messageOf = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0];
    assert.equal(messageOf(unknownPage.body), messageOf(page.body), "the same message for an unknown account");
  });

  it("links format errors to the field and moves focus there", async () => {
    const browser = new TestClient(t.app);
    const failed = await browser.submitForm("/signin", "/signin", { identifier: "07700 900123", password: "whatever" });
    const page = await browser.get(failed.headers.location as string);
    assert.match(page.body, /<a href="#identifier">/);
    assert.match(page.body, /id="identifier-error"/);
    assert.match(page.body, /aria-describedby="identifier-hint identifier-error"/);
    assert.match(page.body, /aria-invalid="true" autofocus/);
    assert.match(pageText(page.body), /country code/);
  });

  it("refuses a form post without a valid CSRF token, and one from another site", async () => {
    const browser = new TestClient(t.app);
    await browser.get("/signin");
    const missing = await browser.request("POST", "/signin", { form: { identifier: "grace@example.com", password: STRONG_PASSWORD } });
    assert.equal(missing.statusCode, 403);
    assert.match(pageText(missing.body), /This form has expired/);
    const forged = await browser.request("POST", "/signin", { form: { _csrf: "forged", identifier: "grace@example.com", password: STRONG_PASSWORD } });
    assert.equal(forged.statusCode, 403);
    const page = await browser.get("/signin");
    const crossSite = await browser.request("POST", "/signin", {
      form: { _csrf: csrfTokenIn(page.body, "/signin"), identifier: "grace@example.com", password: STRONG_PASSWORD },
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(browser.cookies.has("latchkey_session"), false);
  });

  it("keeps the typed values and shows which password rule failed on registration", async () => {
    const browser = new TestClient(t.app);
    const failed = await browser.submitForm("/register", "/register", {
      identifier: "kim@example.com",
      name: "Kim",
      password: "password1",
      password_confirm: "password1",
      captchaAnswer: "testme",
    });
    const page = await browser.get(failed.headers.location as string);
    assert.match(pageText(page.body), /easy to guess/);
    assert.match(page.body, /value="kim@example.com"/);
    assert.match(page.body, /value="Kim"/);
    assert.match(page.body, /id="password"[^>]*data-strength-meter/);
    const mismatch = await browser.submitForm("/register", "/register", {
      identifier: "kim@example.com",
      password: STRONG_PASSWORD,
      password_confirm: `${STRONG_PASSWORD}x`,
      captchaAnswer: "testme",
    });
    const mismatchPage = await browser.get(mismatch.headers.location as string);
    assert.match(mismatchPage.body, /<a href="#password_confirm">/);
  });

  it("only returns to paths on our own site after sign-in", async () => {
    await createVerifiedAccount(t, "return@example.com");
    for (const [target, expected] of [
      ["/account?tab=1", "/account?tab=1"],
      ["//evil.example/x", "/account"],
      ["https://evil.example", "/account"],
    ] as const) {
      const browser = new TestClient(t.app);
      const page = await browser.get(`/signin?return_to=${encodeURIComponent(target)}`);
      const response = await browser.request("POST", "/signin", {
        form: { _csrf: csrfTokenIn(page.body, "/signin"), identifier: "return@example.com", password: STRONG_PASSWORD, return_to: target },
      });
      assert.equal(response.headers.location, expected, target);
    }
  });

  it("adds a second identifier after confirming it, and both sign in", async () => {
    const browser = await createVerifiedAccount(t, "two@example.com");
    const added = await browser.submitForm("/account", "/account/identifiers", { identifier: "+44 7911 123456" });
    assert.equal(added.statusCode, 303);
    const confirmPage = await browser.get(added.headers.location as string);
    assert.match(pageText(confirmPage.body), /by text message/);
    await t.deps.tasks.settle();
    const code = await latestCode(t.config.outboxDir, "+447911123456");
    const confirmed = await browser.request("POST", "/account/identifiers/verify", {
      form: { _csrf: csrfTokenIn(confirmPage.body, "/account/identifiers/verify"), identifier: "+44 7911 123456", code },
    });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, "/account?done=identifier-added");
    const other = new TestClient(t.app);
    const viaPhone = await other.request("POST", "/api/v1/session", { json: { identifier: "+447911123456", password: STRONG_PASSWORD } });
    assert.equal(viaPhone.statusCode, 200);
    const account = await browser.get("/account");
    assert.match(pageText(account.body), /\+44 7911 123456/);
  });

  it("lists sessions, signs out one and all others", async () => {
    const first = await createVerifiedAccount(t, "many@example.com");
    const second = new TestClient(t.app, { "user-agent": FIREFOX });
    await second.request("POST", "/api/v1/session", { json: { identifier: "many@example.com", password: STRONG_PASSWORD } });
    const third = new TestClient(t.app);
    await third.request("POST", "/api/v1/session", { json: { identifier: "many@example.com", password: STRONG_PASSWORD } });

    const list = await first.get("/api/v1/sessions");
    assert.equal(list.json().sessions.length, 3);
    assert.equal(list.json().sessions.filter((s: { current: boolean }) => s.current).length, 1);
    const secondId = (await second.get("/api/v1/session")).json().session.id;

    const account = await first.get("/account");
    const revoke = await first.request("POST", `/account/sessions/${secondId}/revoke`, {
      form: { _csrf: csrfTokenIn(account.body, `/account/sessions/${secondId}/revoke`) },
    });
    assert.equal(revoke.statusCode, 303);
    assert.equal((await second.get("/api/v1/session")).statusCode, 401);
    assert.equal((await third.get("/api/v1/session")).statusCode, 200);

    const again = await first.get("/account");
    const others = await first.request("POST", "/account/sessions/revoke-others", {
      form: { _csrf: csrfTokenIn(again.body, "/account/sessions/revoke-others") },
    });
    assert.equal(others.statusCode, 303);
    assert.equal((await third.get("/api/v1/session")).statusCode, 401);
    assert.equal((await first.get("/api/v1/session")).statusCode, 200);
  });

  it("answers unknown pages with a 404 page", async () => {
    const page = await new TestClient(t.app).get("/no-such-page");
    assert.equal(page.statusCode, 404);
    assert.match(pageText(page.body), /Page not found/);
  });
});
