// A host whose forward-auth rule ends in +mfa, in Chromium through Debian's nginx (the documented server
// block) and Caddy: an account with an authenticator app (turned on through the API, codes from oathtool)
// opens the app, signs in with its password and its code on Latchkey, and the browser follows the
// second-factor form's redirect back to the app (the page's CSP form-action must allow the app's origin),
// where the app sees the account's Remote-* headers. An account without a second factor is stopped on
// Latchkey's page saying the host asks for one, whose link leads to its security page; once an
// authenticator app is turned on there, the same browser reaches the app.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { CADDY, NGINX, spawnCaddy, spawnNginx } from "../helpers/forward-auth-proxies.ts";
import { FORWARD_AUTH_PASSWORD, openPage, type ProxyPlace, proxySuiteSkip, signInOnPage, useForwardAuthStack } from "../helpers/forward-auth-stack.ts";
import { oathtoolCode } from "../helpers/oathtool.ts";

/** Signs in through Latchkey's JSON API and turns on an authenticator app; the account's id and the app's secret. */
async function turnOnAuthenticatorApp(latchkeyOrigin: string, identifier: string): Promise<{ accountId: string; secret: string }> {
  const signedIn = await fetch(`${latchkeyOrigin}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier, password: FORWARD_AUTH_PASSWORD }),
  });
  assert.equal(signedIn.status, 200, await signedIn.clone().text());
  const accountId = ((await signedIn.json()) as { account: { id: string } }).account.id;
  const cookie = signedIn.headers
    .getSetCookie()
    .find((c) => c.startsWith("latchkey_session="))
    ?.split(";")[0];
  assert.ok(cookie, "a session cookie");
  const started = await fetch(`${latchkeyOrigin}/api/v1/account/totp`, { method: "POST", headers: { cookie } });
  assert.equal(started.status, 201, await started.clone().text());
  const { secret } = (await started.json()) as { secret: string };
  const confirmed = await fetch(`${latchkeyOrigin}/api/v1/account/totp/confirm`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ code: oathtoolCode(secret) }),
  });
  assert.equal(confirmed.status, 200, await confirmed.text());
  return { accountId, secret };
}

/** Types the authenticator app's code on Latchkey's second-factor step; resolves at a URL matching `next`. */
async function enterAppCode(page: Page, secret: string, next: string | RegExp): Promise<void> {
  await page.getByRole("heading", { name: "One more step" }).waitFor();
  assert.equal(await page.getByLabel("Code from your authenticator app").isChecked(), true);
  // The code that turned the app on is spent; the next step's code is accepted (one step either side).
  await page.getByLabel("Code", { exact: true }).fill(oathtoolCode(secret, 30));
  await Promise.all([page.waitForURL(next, { timeout: 10_000 }), page.getByRole("button", { name: "Continue" }).click()]);
}

interface Proxy {
  name: string;
  path: string;
  debianPackage: string;
  latchkeyBehindProxy: boolean;
  spawnProxy(place: ProxyPlace): ChildProcess;
}

const PROXIES: Proxy[] = [
  { name: "nginx", path: NGINX, debianPackage: "nginx", latchkeyBehindProxy: false, spawnProxy: spawnNginx },
  { name: "caddy", path: CADDY, debianPackage: "caddy", latchkeyBehindProxy: true, spawnProxy: spawnCaddy },
];

for (const proxy of PROXIES) {
  describe(`${proxy.name} in front of an app whose rule is signed-in+mfa`, { skip: proxySuiteSkip(proxy.path, proxy.debianPackage), timeout: 120_000 }, () => {
    const stack = useForwardAuthStack({
      name: `${proxy.name}-mfa`,
      latchkeyBehindProxy: proxy.latchkeyBehindProxy,
      accounts: [
        { identifier: "tia@example.com", name: "Tia" },
        { identifier: "noel@example.com", name: "Noel" },
      ],
      env: { LATCHKEY_FORWARD_AUTH_RULES: "app.latchkey.test=signed-in+mfa" },
      spawnProxy: proxy.spawnProxy,
    });

    it("asks an account with an authenticator app for its code and brings it back to the app with its identity", async () => {
      const { appOrigin, authOrigin, latchkeyOrigin } = stack();
      const { accountId, secret } = await turnOnAuthenticatorApp(latchkeyOrigin, "tia@example.com");
      const { context, page } = await openPage(stack());
      // Report what the browser refused (a CSP violation shows up here) when the app is not reached.
      const console: string[] = [];
      page.on("console", (message) => console.push(message.text()));
      const asked = `${appOrigin}/admin/reports?year=2026&q=a%20b`;
      await page.goto(asked);
      const signin = new URL(page.url());
      assert.equal(`${signin.origin}${signin.pathname}`, `${authOrigin}/signin`, `landed on ${page.url()}`);
      assert.equal(signin.searchParams.get("return_to"), asked);

      await signInOnPage(page, "tia@example.com", /\/signin\?flow=/);
      await enterAppCode(page, secret, `${appOrigin}/**`).catch((error: Error) => {
        throw new Error(`stayed at ${page.url()}: ${error.message}\n${console.join("\n")}`);
      });
      assert.equal(page.url(), asked);
      assert.equal(await page.locator("#path").textContent(), "/admin/reports?year=2026&q=a%20b");
      assert.equal(await page.locator("#user").textContent(), accountId, "the app sees the account's id in Remote-User");
      assert.equal(await page.locator("#email").textContent(), "tia@example.com");

      // The session now has two factors: the app lets the browser straight in.
      await page.goto(`${appOrigin}/other`);
      assert.equal(page.url(), `${appOrigin}/other`);
      assert.equal(await page.locator("#user").textContent(), accountId);
      await context.close();
    });

    it("stops an account without a second factor on Latchkey's page, whose link leads to its security page", async () => {
      const { appOrigin, authOrigin } = stack();
      const { context, page } = await openPage(stack());
      const asked = `${appOrigin}/admin/reports?year=2026`;
      await page.goto(asked);
      assert.equal(new URL(page.url()).origin, authOrigin, `landed on ${page.url()}`);
      const [refusal] = await Promise.all([
        page.waitForResponse((response) => response.url().startsWith(`${authOrigin}/authz/step-up`)),
        signInOnPage(page, "noel@example.com", `${authOrigin}/authz/step-up?**`),
      ]);
      assert.equal(refusal.status(), 403);
      assert.equal(new URL(page.url()).searchParams.get("return_to"), asked);
      assert.equal(await page.locator("#user").count(), 0, "the app was never reached");
      const appHost = new URL(appOrigin).host;
      await page.getByRole("heading", { name: `${appHost} asks for a second factor` }).waitFor();
      assert.match(String(await page.textContent("main")), /noel@example\.com/);

      const link = page.getByRole("link", { name: "Add a passkey or an authenticator app on your security page" });
      await Promise.all([page.waitForURL(`${authOrigin}/account/security`), link.click()]);
      await page.getByRole("button", { name: "Set up an authenticator app" }).waitFor();

      // As the page says: with an authenticator app turned on there, the app lets this browser in.
      await Promise.all([page.waitForURL(/\/account\/security\/totp/), page.getByRole("button", { name: "Set up an authenticator app" }).click()]);
      const secret = String(await page.locator("[data-totp-secret]").textContent()).replace(/\s+/g, "");
      await page.getByLabel("Type the 6-digit code the app shows").fill(oathtoolCode(secret));
      await Promise.all([page.waitForURL((url) => url.pathname === "/account/security"), page.getByRole("button", { name: "Turn on" }).click()]);
      await page.goto(asked);
      assert.equal(page.url(), asked);
      assert.equal(await page.locator("#email").textContent(), "noel@example.com");
      await context.close();
    });
  });
}
