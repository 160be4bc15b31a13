// Forward-auth hosts whose rule ends in +mfa, over real HTTP: a session signed in with the password alone
// is sent to Latchkey's step-up (the second-factor step of sign-in, no password again) and comes back to the
// app; an account without a second factor gets a page saying how to add one, in every language; a rule
// that keeps the account out is answered first; hosts without +mfa are unchanged.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseForwardAuthRules } from "../../src/config/forward-auth-rules.ts";
import { generateTOTPCode, totpStepAt } from "../../src/factors/totp.ts";
import { translator } from "../../src/i18n/catalogue.ts";
import { seedTOTPFactor } from "../helpers/accounts.ts";
import { hiddenInputsIn, pageText } from "../helpers/client.ts";
import { HTTPBrowser, type HTTPTestApp, PASSWORD, type Page, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const forwarded = (host: string, uri = "/page?x=1") => ({ "x-forwarded-proto": "https", "x-forwarded-host": host, "x-forwarded-uri": uri });

describe("LATCHKEY_FORWARD_AUTH_RULES with +mfa", () => {
  it("reads +mfa after any access, and refuses other suffixes", () => {
    const { rules, problems } = parseForwardAuthRules("admin.example.com=admins+mfa; wiki.example.com=groups:admins+mfa; *.example.com=signed-in");
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rules.map((r) => [r.access.kind, r.twoFactors]),
      [
        ["admins", true],
        ["groups", true],
        ["signed-in", false],
      ],
    );
    const bad = parseForwardAuthRules("a.example.com=admins+otp; b.example.com=+mfa; c.example.com=mfa");
    assert.equal(bad.rules.length, 0);
    assert.equal(bad.problems.length, 3);
    assert.match(bad.problems[0] ?? "", /optionally followed by \+mfa/);
  });
});

describe("forward-auth to a host that wants two factors", () => {
  let t: HTTPTestApp;
  before(async () => {
    t = await startHTTPTestApp({
      LATCHKEY_TRUST_PROXY: "127.0.0.1",
      LATCHKEY_ALLOWED_RETURN_HOSTS: "*.example.com",
      LATCHKEY_FORWARD_AUTH_RULES: "admin.example.com=admins+mfa; tools.example.com=signed-in+mfa",
    });
  });
  after(async () => t.close());

  async function signedIn(identifier: string): Promise<HTTPBrowser> {
    const browser = new HTTPBrowser();
    const form = await browser.follow(`${t.base}/signin`, t.base);
    const done = await browser.signIn(form, t.base, identifier, PASSWORD);
    assert.equal(new URL(done.url).pathname, "/account", `${done.status} ${done.url}`);
    return browser;
  }

  const check = (browser: HTTPBrowser, endpoint: string, host: string, headers: Record<string, string> = {}): Promise<Page> =>
    browser.request(`${t.base}/api/v1/authz/${endpoint}`, { headers: { ...forwarded(host), ...headers } });

  it("a password-only session steps up with its second factor and comes back to the app", async () => {
    const accountId = await seedAccount(t, "stepup@example.com");
    const browser = await signedIn("stepup@example.com");
    const secret = await seedTOTPFactor(t, accountId);

    const traefik = await check(browser, "forward-auth", "tools.example.com");
    assert.equal(traefik.status, 302);
    const stepUp = new URL(String(traefik.location));
    assert.equal(`${stepUp.origin}${stepUp.pathname}`, `${t.base}/authz/step-up`);
    assert.equal(stepUp.searchParams.get("return_to"), "https://tools.example.com/page?x=1");
    assert.equal(traefik.headers.get("remote-user"), null);
    const nginx = await check(browser, "auth-request", "tools.example.com");
    assert.equal(nginx.status, 401);
    assert.equal(JSON.parse(nginx.body).error.code, "SECOND_FACTOR_REQUIRED");
    assert.equal(nginx.location, traefik.location, "nginx's 401 handler sends the browser to the same step-up");

    const page = await browser.follow(stepUp.href, t.base);
    assert.match(page.url, /\/signin\?flow=[A-Za-z0-9_-]+$/, `ended at ${page.status} ${page.url}`);
    assert.match(page.body, /Code from your authenticator app/);
    assert.doesNotMatch(page.body, /type="password"/, "no new sign-in: the password is not asked again");
    // The form's redirect ends at the app: the page's form-action must allow it or a browser stops there.
    assert.match(String(page.headers.get("content-security-policy")), /form-action 'self' https:\/\/tools\.example\.com[ ;]/);
    const done = await browser.follow(`${t.base}/signin/second-factor`, t.base, {
      form: { ...hiddenInputsIn(page.body, "/signin/second-factor"), method: "totp", code: generateTOTPCode(secret, totpStepAt(t.clock.now())) },
    });
    assert.equal(done.location, "https://tools.example.com/page?x=1", `${done.status} ${done.url}`);
    const ok = await check(browser, "forward-auth", "tools.example.com");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("remote-user"), accountId);
    assert.equal((await check(browser, "auth-request", "tools.example.com")).status, 200);
    // Already two factors: the step-up page sends straight back.
    assert.equal((await browser.request(stepUp.href)).location, "https://tools.example.com/page?x=1");
  });

  it("an account without a second factor gets a page saying how to add one, in every language", async () => {
    await seedAccount(t, "nofactor@example.com");
    const browser = await signedIn("nofactor@example.com");
    const traefik = await check(browser, "forward-auth", "tools.example.com");
    assert.equal(traefik.status, 302);
    for (const locale of ["en", "de", "fr", "es", "ar"] as const) {
      const shown = await browser.request(String(traefik.location), { headers: { "accept-language": locale } });
      assert.equal(shown.status, 403, locale);
      const tr = translator(locale);
      const text = pageText(shown.body);
      assert.ok(text.includes(tr("oidc.secondFactorMissingTitle", { host: "tools.example.com" })), `${locale}: ${text}`);
      assert.ok(text.includes(tr("oidc.secondFactorMissingAdviceLink")), locale);
      assert.match(shown.body, /href="\/account\/security"/);
      assert.match(shown.body, new RegExp(`<html lang="${locale}"`));
    }
    assert.equal((await check(browser, "forward-auth", "tools.example.com")).status, 302, "still not let through");
  });

  it("the access rule is answered first; hosts without +mfa and unknown return targets are unchanged", async () => {
    await seedAccount(t, "plain@example.com");
    const browser = await signedIn("plain@example.com");
    // Not an admin: told there is no access, not asked for a second factor that would not help.
    const denied = await check(browser, "forward-auth", "admin.example.com");
    assert.equal(denied.status, 403);
    assert.match(pageText(denied.body), /You don't have access to admin\.example\.com/);
    assert.equal((await check(browser, "auth-request", "admin.example.com")).status, 403);
    const other = await check(browser, "forward-auth", "wiki.example.com");
    assert.equal(other.status, 200);
    // The step-up page is no open redirect, and sends someone not signed in to sign-in.
    const evil = await browser.request(`${t.base}/authz/step-up?return_to=${encodeURIComponent("https://evil.test/")}`);
    assert.equal(evil.status, 403, "no second factor: the page, for Latchkey's own account page");
    const anonymous = await new HTTPBrowser().request(`${t.base}/authz/step-up?return_to=${encodeURIComponent("https://tools.example.com/a")}`);
    assert.equal(anonymous.status, 303);
    assert.equal(new URL(String(anonymous.location)).searchParams.get("return_to"), "https://tools.example.com/a");
  });
});
