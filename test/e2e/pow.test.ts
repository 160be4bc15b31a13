// In a real browser with proof of work on: the sign-in page's worker solves the puzzle and the sign-in
// succeeds without any security check; the same page with JavaScript off asks for the security check.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type BrowserSuite, browserSuiteSkip, navigateBy, PASSWORD, startBrowserSuite } from "../helpers/browser.ts";

describe("proof of work in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite({ LATCHKEY_POW: "1", LATCHKEY_POW_DIFFICULTY: "12" });
    suite.cli(["accounts", "create", "--identifier", "grace@example.com"], `${PASSWORD}\n`);
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("the page's worker solves the puzzle and the sign-in goes through", async () => {
    const page = await suite.newPage();
    const asked: unknown[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/api/v1/pow")) asked.push(request.postDataJSON());
    });
    await page.goto("/signin");
    await page.waitForSelector("#signin-form[data-pow-ready='1']", { timeout: 60_000 });
    assert.match(await page.locator("input[name=powNonce]").inputValue(), /^[0-9a-z]+$/);
    await page.getByLabel("E-mail or mobile number").fill("grace@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    assert.equal(new URL(page.url()).pathname, "/account");
    // The first puzzle was asked before anything was typed; the one sent names the identifier typed.
    assert.deepEqual(asked, [{ purpose: "signin" }, { purpose: "signin", identifier: "grace@example.com" }]);
    assert.equal(await page.locator("fieldset.captcha, img[src^='/captcha/']").count(), 0);
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("without JavaScript the page falls back to the picture check, and then signs in", async () => {
    const page = await suite.newPage({ javaScriptEnabled: false });
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill("grace@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    assert.equal(new URL(page.url()).pathname, "/signin");
    assert.equal(await page.locator("img[src^='/captcha/']").count(), 1);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Type the characters in the picture, or the 7 digits you hear").fill("TESTME");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    assert.equal(new URL(page.url()).pathname, "/account");
  });
});
