// axe-core (WCAG 2.1 A and AA) on every page in a real browser, with screenshots at 1280 px and at 320 px
// (where nothing may scroll sideways), and the README's screenshot of the sign-in page.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  type BrowserSuite,
  browserSuiteSkip,
  capture,
  checkAccessibility,
  navigateBy,
  outboxFiles,
  PASSWORD,
  saveViewportScreenshot,
  startBrowserSuite,
  startLatchkeyServer,
  waitForCode,
  waitForMessage,
} from "../helpers/browser.ts";

const ANSWER_LABEL = "Type the characters in the picture, or the 7 digits you hear";
const NARROW = { width: 320, height: 800 };
const WIDE = { width: 1280, height: 800 };

describe("accessibility in the browser", { skip: browserSuiteSkip(), timeout: 240_000 }, () => {
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

  it("every page has no serious or critical axe violations and fits 320 px without sideways scrolling", async (t) => {
    const problems: string[] = [];
    const checked: string[] = [];
    /** axe on the page as it is, a full screenshot, then the same at 320 px wide. */
    const checkPage = async (page: Page, name: string): Promise<void> => {
      checked.push(name);
      const report = await checkAccessibility(page);
      if (report.blocking) problems.push(`${name} (${page.url()}): axe found serious or critical violations:\n${report.blocking}`);
      if (report.minor.length > 0) t.diagnostic(`${name}: minor or moderate axe findings: ${report.minor.join(", ")}`);
      await capture(page, name);
      await page.setViewportSize(NARROW);
      const overflow = await page.evaluate(() => {
        const width = document.documentElement.scrollWidth;
        const culprits = [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && el.getClientRects().length > 0)
          .slice(0, 5)
          .map(
            (el) =>
              `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`,
          );
        return { width, culprits };
      });
      if (overflow.width > NARROW.width) problems.push(`${name}: ${overflow.width} px wide at 320 px (sticking out: ${overflow.culprits.join(", ")})`);
      // Narrow layouts change what scrolls and what wraps, so axe looks again.
      const narrow = await checkAccessibility(page);
      if (narrow.blocking) problems.push(`${name} at 320 px (${page.url()}): axe found serious or critical violations:\n${narrow.blocking}`);
      await capture(page, `${name}-320`);
      await page.setViewportSize(WIDE);
    };

    const page = await suite.newPage();
    await page.goto("/");
    await checkPage(page, "home");
    const response = await page.goto("/signin");
    assert.equal(response?.status(), 200);
    await checkPage(page, "signin");

    // The sign-in page with its error summary and the security check (after three failures).
    for (let i = 1; i <= 3; i++) {
      await page.getByLabel("E-mail or mobile number").fill("not-yet@example.com");
      await page.getByLabel("Password", { exact: true }).fill(`wrong-${i}`);
      await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    }
    await page.getByRole("group", { name: "Security check" }).waitFor();
    await checkPage(page, "signin-check");

    // Registration, confirmation, the account page, the password change and the admin page.
    await page.goto("/register");
    await checkPage(page, "register");
    await page.getByLabel("E-mail or mobile number").fill("barbara@example.com");
    await page.getByLabel("Your name (optional)").fill("Barbara Liskov");
    await page.getByLabel("Choose a password").fill(PASSWORD);
    await page.getByLabel("Type the password again").fill(PASSWORD);
    await page.getByLabel(ANSWER_LABEL).fill("testme");
    const beforeCode = await outboxFiles(suite.outboxDir);
    await navigateBy(page, () => page.getByRole("button", { name: "Create account" }).click());
    await checkPage(page, "verify");
    await page.getByLabel("Confirmation code").fill(await waitForCode(suite.outboxDir, "barbara@example.com", beforeCode));
    await navigateBy(page, () => page.getByRole("button", { name: "Confirm" }).click());
    // Confirmed in the browser that registered: signed in and on the account page.
    assert.equal(new URL(page.url()).pathname, "/account");
    await checkPage(page, "account");
    suite.cli(["accounts", "grant-admin", "barbara@example.com"]);
    await page.goto("/");
    await checkPage(page, "home-signed-in");
    await page.goto("/account/password");
    await checkPage(page, "password-change");
    await page.goto("/admin/help-feedback");
    await page.getByRole("heading", { level: 1, name: "Help feedback" }).waitFor();
    await checkPage(page, "admin");
    // The admin console: accounts (list and search), one account, a confirmation with step-up, security events.
    await page.goto("/admin/accounts");
    await checkPage(page, "admin-accounts");
    await page.goto("/admin/accounts?q=BARBARA%40example.com");
    await checkPage(page, "admin-accounts-search");
    await navigateBy(page, () => page.getByRole("region", { name: "Found" }).getByRole("link", { name: "barbara@example.com" }).click());
    await checkPage(page, "admin-account");
    await navigateBy(page, () => page.getByRole("link", { name: "Sign out everywhere" }).click());
    await checkPage(page, "admin-confirm");
    await page.getByLabel("Your password").fill("not the password");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign out everywhere" }).click());
    await page.getByRole("alert").waitFor();
    await checkPage(page, "admin-confirm-error");
    await page.goto("/admin/events");
    await checkPage(page, "admin-events");
    await page.goto("/admin/events?ip=nonsense&type=signin.failed");
    await checkPage(page, "admin-events-filtered");
    await page.goto("/admin/apps");
    await checkPage(page, "admin-apps");

    // The help center and an unknown page.
    await page.goto("/help");
    await checkPage(page, "help");
    await page.goto("/help?q=password");
    await checkPage(page, "help-search");
    await page.goto("/help/problems-signing-in");
    await checkPage(page, "help-article");
    const missing = await page.goto("/no-such-page");
    assert.equal(missing?.status(), 404);
    await checkPage(page, "not-found");

    // Resetting the password: request, "check your e-mail", and the page the link opens.
    await navigateBy(page, () => page.getByRole("button", { name: "Sign out", exact: true }).click());
    await page.goto("/password/reset");
    await checkPage(page, "reset-request");
    await page.getByLabel("E-mail or mobile number").fill("barbara@example.com");
    await page.getByLabel(ANSWER_LABEL).fill("testme");
    const beforeLink = await outboxFiles(suite.outboxDir);
    await navigateBy(page, () => page.getByRole("button", { name: "Send reset instructions" }).click());
    await checkPage(page, "reset-sent");
    const email = await waitForMessage(suite.outboxDir, "barbara@example.com", beforeLink);
    const link = /(http:\/\/\S+\/password\/reset\/confirm\?token=[\w-]+)/.exec(email)?.[1];
    assert.ok(link, email);
    await page.goto(link);
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await checkPage(page, "reset-confirm");

    // The dark colour scheme (prefers-color-scheme) has colours of its own: contrast is checked again.
    await page.emulateMedia({ colorScheme: "dark" });
    for (const [name, url] of [
      ["reset-confirm-dark", ""],
      ["signin-dark", "/signin"],
      ["register-dark", "/register"],
      ["reset-request-dark", "/password/reset"],
      ["help-article-dark", "/help/problems-signing-in"],
    ] as const) {
      if (url) await page.goto(url);
      checked.push(name);
      const report = await checkAccessibility(page);
      if (report.blocking) problems.push(`${name} (${page.url()}): axe found serious or critical violations:\n${report.blocking}`);
      await capture(page, name);
    }

    t.diagnostic(`checked ${checked.length} pages: ${checked.join(", ")}`);
    assert.deepEqual(suite.pageProblems(page), []);
    assert.equal(problems.length, 0, `\n${problems.join("\n\n")}`);
  });

  it("saves the README's screenshot of the sign-in page, as a real deployment shows it", async (t) => {
    // Without CAPTCHA test mode, so the picture does not carry the test-mode banner.
    const plain = await startLatchkeyServer({ LATCHKEY_CAPTCHA_TEST_MODE: "0" });
    try {
      const page = await suite.newPage({ baseURL: plain.baseUrl, viewport: WIDE });
      await page.goto("/signin");
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      assert.equal(await page.locator(".test-mode-banner").count(), 0);
      await capture(page, "readme-signin");
      const written = await saveViewportScreenshot(page, "docs/screenshots/signin.png");
      t.diagnostic(written ? "docs/screenshots/signin.png written" : "docs/screenshots/signin.png unchanged");
    } finally {
      await plain.stop();
    }
  });
});
