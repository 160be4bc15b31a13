// In a real browser: creating an account by e-mail and by mobile number, confirming it with the code from
// the outbox, signing in and out.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type BrowserSuite, browserSuiteSkip, capture, outboxFiles, PASSWORD, startBrowserSuite, visibleText, waitForCode } from "../helpers/browser.ts";

describe("registration in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite();
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("registers by e-mail with the security check, confirms with the e-mailed code, signs in and out", async () => {
    const page = await suite.newPage();
    await page.goto("/register");
    await capture(page, "register");
    await page.getByLabel("E-mail or mobile number").fill("Grace@Example.com");
    await page.getByLabel("Your name (optional)").fill("Grace Hopper");
    await page.getByLabel("Choose a password").fill(PASSWORD);
    await page.getByLabel("Type the password again").fill(PASSWORD);
    // The picture's text: test mode draws TESTME on every challenge.
    await page.getByLabel("Type the characters in the picture, or the 7 digits you hear").fill("testme");
    const before = await outboxFiles(suite.outboxDir);
    await page.getByRole("button", { name: "Create account" }).click();

    await page.waitForURL(/\/verify\?flow=/);
    await assert.doesNotReject(page.getByRole("heading", { name: "Confirm your account" }).waitFor());
    assert.match(await visibleText(page.getByRole("status").first()), /We sent a 6-digit code by e-mail to Grace@example\.com/);
    await capture(page, "verify");
    const code = await waitForCode(suite.outboxDir, "Grace@example.com", before);
    assert.equal(await page.getByLabel("E-mail or mobile number").inputValue(), "Grace@Example.com", "the identifier is kept");
    await page.getByLabel("Confirmation code").fill(code);
    await page.getByRole("button", { name: "Confirm" }).click();

    // Confirmed in the browser that chose the password: signed in straight away.
    await page.waitForURL(/\/account\?done=welcome$/);
    assert.match(await visibleText(page.getByRole("status").first()), /Your account is confirmed and you are signed in/);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin\?done=signed-out$/);
    await page.getByLabel("E-mail or mobile number").fill("grace@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await page.waitForURL(/\/account$/);
    await page.getByRole("heading", { name: "Hello, Grace Hopper" }).waitFor();
    await page.getByText("This device").waitFor();
    assert.match(await visibleText(page.locator("#identifiers-title + p + ul")), /Grace@example\.com/);
    await capture(page, "account");

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin\?done=signed-out$/);
    assert.match(await visibleText(page.getByRole("status")), /You have signed out/);
    await page.goto("/account");
    assert.match(page.url(), /\/signin/, "the account page needs a session again");
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("registers by mobile number with the texted code and signs in with another spelling of it", async () => {
    const page = await suite.newPage();
    await page.goto("/register");
    await page.getByLabel("E-mail or mobile number").fill("+44 7911 123456");
    await page.getByLabel("Choose a password").fill(PASSWORD);
    await page.getByLabel("Type the password again").fill(PASSWORD);
    await page.getByLabel("Type the characters in the picture, or the 7 digits you hear").fill("TESTME");
    const before = await outboxFiles(suite.outboxDir);
    await page.getByRole("button", { name: "Create account" }).click();

    await page.waitForURL(/\/verify\?flow=/);
    assert.match(await visibleText(page.getByRole("status").first()), /We sent a 6-digit code by text message to/);
    await capture(page, "verify-sms");
    const code = await waitForCode(suite.outboxDir, "+447911123456", before);
    await page.getByLabel("Confirmation code").fill(code);
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/account\?done=welcome$/);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin\?done=signed-out$/);

    await page.getByLabel("E-mail or mobile number").fill("0044 7911 123456");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/account$/);
    await page.getByText("This device").waitFor();
    assert.match(await visibleText(page.locator("#identifiers-title + p + ul")), /\+44 7911 123456/);
    assert.deepEqual(suite.pageProblems(page), []);
  });
});
