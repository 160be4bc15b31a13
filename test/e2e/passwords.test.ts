// In a real browser: resetting a forgotten password with the e-mailed link, and changing a known one
// (which ends the sessions in other browsers).
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  type BrowserSuite,
  browserSuiteSkip,
  capture,
  NEW_PASSWORD,
  navigateBy,
  outboxFiles,
  PASSWORD,
  startBrowserSuite,
  visibleText,
  waitForMessage,
} from "../helpers/browser.ts";

const ANSWER_LABEL = "Type the characters in the picture, or the 7 digits you hear";

async function signIn(page: Page, identifier: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("E-mail or mobile number").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
}

describe("passwords in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite();
    await suite.createAccount("margaret@example.com");
    await suite.createAccount("edsger@example.com");
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("resets a forgotten password with the e-mailed link, which leaves the address bar, and signs in with the new one", async () => {
    const page = await suite.newPage();
    await page.goto("/signin");
    await navigateBy(page, () => page.getByRole("button", { name: "Forgot your password?" }).click());
    assert.equal(new URL(page.url()).pathname, "/password/reset");
    await page.getByLabel("E-mail or mobile number").fill("margaret@example.com");
    await page.getByLabel(ANSWER_LABEL).fill("testme");
    const before = await outboxFiles(suite.outboxDir);
    await navigateBy(page, () => page.getByRole("button", { name: "Send reset instructions" }).click());
    assert.equal(new URL(page.url()).pathname, "/password/reset/sent");
    await page.getByRole("heading", { name: "Check your e-mail" }).waitFor();
    assert.match(await visibleText(page.getByRole("status")), /If an account uses margaret@example\.com, we have sent it a link/);

    const email = await waitForMessage(suite.outboxDir, "margaret@example.com", before);
    const link = /(http:\/\/\S+\/password\/reset\/confirm\?token=[\w-]+)/.exec(email)?.[1] ?? "";
    assert.ok(link.startsWith(`${suite.baseUrl}/`), `a link to this server in:\n${email}`);
    const token = new URL(link).searchParams.get("token") ?? "";
    await page.goto(link);
    assert.equal(new URL(page.url()).pathname, "/password/reset/confirm");
    assert.ok(!page.url().includes(token), `the token is out of the address bar: ${page.url()}`);
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await capture(page, "reset-confirm");

    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Type the new password again").fill(NEW_PASSWORD);
    await navigateBy(page, () => page.getByRole("button", { name: "Save new password" }).click());
    assert.equal(new URL(page.url()).search, "?done=password-reset");
    assert.match(await visibleText(page.getByRole("status")), /Your password has been changed/);

    // The old password no longer works; the new one does.
    await signIn(page, "margaret@example.com", PASSWORD);
    assert.equal(new URL(page.url()).pathname, "/signin");
    await page.getByRole("alert").waitFor();
    await signIn(page, "margaret@example.com", NEW_PASSWORD);
    assert.equal(new URL(page.url()).pathname, "/account");
    await page.getByText("This device").waitFor();

    // The link works once.
    const again = await suite.newPage();
    await again.goto(link);
    await again.getByRole("heading", { name: "This link has already been used" }).waitFor();
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("changes the password from the account page with the security check and signs out the other browser", async () => {
    const other = await suite.newPage();
    await signIn(other, "edsger@example.com", PASSWORD);
    assert.equal(new URL(other.url()).pathname, "/account");

    const page = await suite.newPage();
    await signIn(page, "edsger@example.com", PASSWORD);
    await page.getByText("This device").waitFor();
    await navigateBy(page, () => page.getByRole("link", { name: "Change your password" }).click());
    assert.equal(new URL(page.url()).pathname, "/account/password");
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Type the new password again").fill(NEW_PASSWORD);
    assert.equal(await page.getByLabel("Sign out other devices").isChecked(), true, "other devices are signed out by default");
    await page.getByLabel(ANSWER_LABEL).fill("1234567");
    await navigateBy(page, () => page.getByRole("button", { name: "Change password" }).click());
    assert.equal(new URL(page.url()).search, "?done=password-changed");
    assert.match(await visibleText(page.getByRole("status")), /Your password has been changed/);
    await page.getByText("This device").waitFor();

    await other.reload();
    assert.equal(new URL(other.url()).pathname, "/signin", "the other browser's session has ended");
    await signIn(other, "edsger@example.com", NEW_PASSWORD);
    assert.equal(new URL(other.url()).pathname, "/account");
    assert.deepEqual(suite.pageProblems(page), []);
    assert.deepEqual(suite.pageProblems(other), []);
  });
});
