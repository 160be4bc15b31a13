// The admin console in a real browser, by keyboard where a person would type: find an account by a
// differently spelled address, disable it through the confirmation page (step-up with the admin's own
// password), see its owner signed out, and narrow the security events to that account's failed sign-ins.
// Every page is checked with axe, and at 360 px nothing scrolls sideways.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, type BrowserSuite, browserSuiteSkip, capture, navigateBy, PASSWORD, startBrowserSuite, visibleText } from "../helpers/browser.ts";

async function signIn(page: Page, identifier: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("E-mail or mobile number").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
  assert.equal(new URL(page.url()).pathname, "/account");
}

async function assertFits(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 360, height: 780 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${name}: ${width} px wide at 360 px`);
  await assertAccessible(page, `${name} at 360 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("admin console in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
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

  it("finds an account, disables it after confirming with the admin's password, and shows its events", async () => {
    await suite.createAccount("boss@example.com");
    suite.cli(["accounts", "grant-admin", "boss@example.com"]);
    await suite.createAccount("Linus.Torvalds@example.com");
    await suite.failSignins("linus.torvalds@example.com", 2);
    const owner = await suite.newPage();
    await signIn(owner, "linus.torvalds@example.com");

    const admin = await suite.newPage();
    await signIn(admin, "boss@example.com");
    await navigateBy(admin, () => admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click());
    assert.equal(new URL(admin.url()).pathname, "/admin/accounts");
    await assertAccessible(admin, "accounts");
    await assertFits(admin, "accounts");

    // Search by keyboard, with the address spelled differently from how it was registered.
    const search = admin.getByLabel("E-mail address, mobile number or account id");
    await search.focus();
    await admin.keyboard.type("LINUS.TORVALDS@EXAMPLE.COM");
    await navigateBy(admin, () => admin.keyboard.press("Enter"));
    const found = admin.getByRole("region", { name: "Found" });
    await navigateBy(admin, () => found.getByRole("link", { name: "Linus.Torvalds@example.com" }).click());
    await admin.getByRole("heading", { level: 1, name: /Linus\.Torvalds@example\.com/ }).waitFor();
    assert.match(await visibleText(admin.getByRole("region", { name: "Sessions" })), /127\.0\.0\.1/);
    assert.match(await visibleText(admin.getByRole("region", { name: "Recent security events" })), /Failed sign-in attempt/);
    await capture(admin, "admin-account");
    await assertAccessible(admin, "account");
    await assertFits(admin, "account");

    // Disable: the confirmation says what happens and wants the admin's own password.
    await navigateBy(admin, () => admin.getByRole("link", { name: "Disable account" }).click());
    await admin.getByRole("heading", { level: 1, name: /Disable account: Linus\.Torvalds@example\.com\?/ }).waitFor();
    assert.match(await visibleText(admin.locator("main")), /They are signed out everywhere/);
    await admin.getByLabel("Your password").fill("this is not it");
    await navigateBy(admin, () => admin.getByRole("button", { name: "Disable account" }).click());
    const alert = admin.getByRole("alert");
    assert.match(await visibleText(alert), /Your current password is not right/);
    await assertAccessible(admin, "confirmation with an error");
    await assertFits(admin, "confirmation");
    // The error summary links to the field; the admin types the password and presses Enter.
    await alert.getByRole("link").click();
    assert.equal(await admin.evaluate(() => document.activeElement?.id), "password");
    await admin.keyboard.type(PASSWORD);
    await navigateBy(admin, () => admin.keyboard.press("Enter"));
    assert.match(await visibleText(admin.getByRole("status")), /The account is disabled and signed out everywhere/);
    assert.match(await visibleText(admin.getByRole("heading", { level: 1 })), /Disabled/);
    await capture(admin, "admin-account-disabled");

    // The owner's next page is the sign-in page.
    await owner.goto("/account");
    assert.equal(new URL(owner.url()).pathname, "/signin");

    // Security events: the account's failed sign-ins, then the CSV link keeps the filters.
    await navigateBy(admin, () => admin.getByRole("link", { name: "Every event of this account" }).click());
    await admin.getByLabel("Type").selectOption("signin.failed");
    await navigateBy(admin, () => admin.getByRole("button", { name: "Show events" }).click());
    const rows = admin.locator('tr[data-event-type="signin.failed"]');
    assert.equal(await rows.count(), 2);
    assert.equal(await admin.locator("tr[data-event-type]").count(), 2);
    const csv = await admin.getByRole("link", { name: "Download these events (CSV)" }).getAttribute("href");
    assert.match(csv ?? "", /^\/admin\/events\.csv\?type=signin\.failed&account=/);
    assert.equal(await admin.locator('figure[data-series="signin.failed"] svg[role="img"]').count(), 1);
    await capture(admin, "admin-events");
    await assertAccessible(admin, "events");
    await assertFits(admin, "events");
    assert.deepEqual(suite.pageProblems(admin), []);
  });
});
