// In a real browser: an authenticator app set up from the security page, then a sign-in with the password
// and the app's code (computed by Debian's oathtool, an independent implementation), which is the step
// after the password, not a session after the password alone.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, type BrowserSuite, browserSuiteSkip, navigateBy, PASSWORD, startBrowserSuite, visibleText } from "../helpers/browser.ts";
import { oathtoolCode } from "../helpers/oathtool.ts";

async function typePassword(page: Page, identifier: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("E-mail or mobile number").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
}

describe("password and authenticator-app sign-in in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite();
    await suite.createAccount("two-step@example.com");
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("sets up the app, then signs in with the password and the app's code", async () => {
    const page = await suite.newPage();
    await typePassword(page, "two-step@example.com");
    assert.equal(new URL(page.url()).pathname, "/account", "no second factor yet: the password alone signs in");

    await page.goto("/account/security");
    await navigateBy(page, () => page.getByRole("button", { name: "Set up an authenticator app" }).click());
    const secret = (await visibleText(page.locator("[data-totp-secret]"))).replace(/\s+/g, "");
    await page.getByLabel("Type the 6-digit code the app shows").fill(oathtoolCode(secret));
    await navigateBy(page, () => page.getByRole("button", { name: "Turn on" }).click());
    assert.equal(new URL(page.url()).pathname, "/account/security");
    assert.equal(await page.locator(".recovery-codes li").count(), 10, "the recovery codes are shown once");
    await page.reload();
    assert.equal(await page.locator(".recovery-codes li").count(), 0, "and not again");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign out", exact: true }).first().click());

    await typePassword(page, "two-step@example.com");
    assert.equal(new URL(page.url()).pathname, "/signin", "the password alone does not sign in any more");
    await page.getByRole("heading", { name: "One more step" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Problems signing in?" }).first().getAttribute("href"), "/help/passkeys-and-second-factors");
    await assertAccessible(page, "second-factor step");
    // The code that turned the app on is spent; the next step's code is accepted (one step either side).
    assert.equal(await page.getByLabel("Code from your authenticator app").isChecked(), true, "the app's code is the default choice");
    await page.getByLabel("Code", { exact: true }).fill(oathtoolCode(secret, 30));
    await navigateBy(page, () => page.getByRole("button", { name: "Continue" }).click());
    assert.equal(new URL(page.url()).pathname, "/account");
    assert.deepEqual(suite.pageProblems(page), []);
  });
});
