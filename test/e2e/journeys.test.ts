// In a real browser: what a new user sees on the way in. The e-mail typo suggestion next to the address
// before anything is sent, the countries offered for a number without its country code, "Forgot your
// password?" keeping the address, and the admin report's table and charts on a phone.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import {
  type BrowserSuite,
  browserSuiteSkip,
  capture,
  navigateBy,
  outboxFiles,
  PASSWORD,
  startBrowserSuite,
  visibleText,
  waitForCode,
} from "../helpers/browser.ts";

const ANSWER_LABEL = "Type the characters in the picture, or the 7 digits you hear";
const PHONE = { width: 375, height: 740 };

describe("sign-in journeys in the browser", { skip: browserSuiteSkip(), timeout: 240_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite();
    await suite.createAccount("olga@example.com");
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("suggests the corrected address next to the field as the person leaves it, then signs in after the code", async () => {
    const page = await suite.newPage();
    await page.goto("/register");
    const field = page.getByLabel("E-mail or mobile number");
    await field.fill("pat.lee@gmial.com");
    await page.getByLabel("Your name (optional)").focus();
    const suggestion = page.locator("#identifier-suggestion");
    await suggestion.waitFor({ state: "visible" });
    assert.equal(await visibleText(suggestion.locator("p")), "Did you mean pat.lee@gmail.com?");
    assert.equal(await suggestion.getAttribute("role"), "status");
    // Next to the address it is about: directly after the input, and named in its description.
    assert.equal(await field.evaluate((input) => input.nextElementSibling?.id), "identifier-suggestion");
    assert.match((await field.getAttribute("aria-describedby")) ?? "", /identifier-suggestion/);
    await capture(page, "journeys-email-suggestion");
    await page.getByRole("button", { name: "Use pat.lee@gmail.com" }).click();
    assert.equal(await field.inputValue(), "pat.lee@gmail.com");
    assert.equal(await suggestion.isVisible(), false);

    await page.getByLabel("Choose a password").fill(PASSWORD);
    await page.getByLabel("Type the password again").fill(PASSWORD);
    await page.getByLabel(ANSWER_LABEL).fill("testme");
    const before = await outboxFiles(suite.outboxDir);
    await navigateBy(page, () => page.getByRole("button", { name: "Create account" }).click());
    assert.equal(new URL(page.url()).pathname, "/verify", "no confirmation step after the suggestion was taken");
    assert.match(await visibleText(page.getByRole("status").first()), /We sent a 6-digit code by e-mail to pat\.lee@gmail\.com/);
    const code = await waitForCode(suite.outboxDir, "pat.lee@gmail.com", before);
    await page.getByLabel("Confirmation code").fill(code);
    await navigateBy(page, () => page.getByRole("button", { name: "Confirm" }).click());
    assert.equal(new URL(page.url()).pathname, "/account", "the browser that registered is signed in");
    assert.match(await visibleText(page.getByRole("status").first()), /Your account is confirmed and you are signed in/);
    assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), "Account");
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("without JavaScript, the address check is a step of its own that keeps the password", async () => {
    const page = await suite.newPage({ javaScriptEnabled: false });
    await page.goto("/register");
    await page.getByLabel("E-mail or mobile number").fill("quinn@hotmial.com");
    await page.getByLabel("Choose a password").fill(PASSWORD);
    await page.getByLabel("Type the password again").fill(PASSWORD);
    await page.getByLabel(ANSWER_LABEL).fill("testme");
    await navigateBy(page, () => page.getByRole("button", { name: "Create account" }).click());
    await page.getByRole("heading", { name: "Check your e-mail address" }).waitFor();
    assert.match(await visibleText(page.locator("#identifier-suggestion")), /Did you mean quinn@hotmail\.com\?/);
    await capture(page, "journeys-email-check-step");
    await navigateBy(page, () => page.getByRole("button", { name: "Use quinn@hotmail.com" }).click());
    assert.equal(new URL(page.url()).pathname, "/verify");
    assert.match(await visibleText(page.getByRole("status").first()), /quinn@hotmail\.com/);
  });

  it("offers the countries for a number without its country code, and a click fills it in", async () => {
    const page = await suite.newPage();
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill("07400 123456");
    await page.getByLabel("Password", { exact: true }).fill("whatever-it-is");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    const choice = page.getByRole("button", { name: "+44 7400 123456 (United Kingdom)" });
    await choice.waitFor();
    assert.match(await visibleText(page.locator("#identifier-choices")), /Or choose your country:/);
    await capture(page, "journeys-phone-choices");
    await choice.click();
    assert.equal(await page.getByLabel("E-mail or mobile number").inputValue(), "+447400123456");
    assert.equal(await page.locator("#identifier-choices").count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "password", "the password is next");
    assert.match(new URL(page.url()).search, /^\?flow=/, "filled in place, no page load");
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("'Forgot your password?' after a failed sign-in opens the reset form with the address, kept out of the URL", async () => {
    const page = await suite.newPage();
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill("olga@example.com");
    await page.getByLabel("Password", { exact: true }).fill("not-her-password");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    await page.locator(".error-summary").waitFor();
    await navigateBy(page, () => page.getByRole("button", { name: "Forgot your password?" }).click());
    assert.equal(new URL(page.url()).pathname, "/password/reset");
    assert.doesNotMatch(page.url(), /olga/);
    assert.equal(await page.getByLabel("E-mail or mobile number").inputValue(), "olga@example.com");
  });

  it("on a phone, the admin report's table says it scrolls and the chart labels are at least 12 px", async () => {
    await suite.createAccount("root@example.com");
    const granted = suite.cli(["accounts", "grant-admin", "root@example.com"]);
    assert.match(granted, /^root@example\.com is now an admin/, "grant-admin names the account by its identifier");
    const page = await suite.newPage({ viewport: PHONE });
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill("root@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    await page.goto("/admin/help-feedback");
    const hint = page.locator(".table-scroll-hint");
    assert.equal(await hint.isVisible(), true);
    assert.match(await visibleText(hint), /Scroll the table sideways/);
    const region = page.getByRole("region", { name: /Articles/ });
    const sizes = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, tab: el.tabIndex }));
    assert.ok(sizes.scroll > sizes.client, `the table scrolls inside its region (${JSON.stringify(sizes)})`);
    assert.equal(sizes.tab, 0, "reachable by keyboard to scroll");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "the page itself does not scroll sideways");
    const smallest = await page.evaluate(() => {
      let min = Number.POSITIVE_INFINITY;
      for (const text of document.querySelectorAll(".chart svg text")) {
        const svg = text.closest("svg") as SVGSVGElement;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        min = Math.min(min, Number(text.getAttribute("font-size")) * scale);
      }
      return min;
    });
    assert.ok(smallest >= 12, `chart labels are drawn at ${smallest.toFixed(1)} px`);
    await capture(page, "journeys-admin-phone");
    const wide = await suite.newPage();
    await wide.goto("/signin");
    await wide.getByLabel("E-mail or mobile number").fill("root@example.com");
    await wide.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(wide, () => wide.getByRole("button", { name: "Sign in", exact: true }).click());
    await wide.goto("/admin/help-feedback");
    assert.equal(await wide.locator(".table-scroll-hint").isVisible(), false, "no hint where every column fits");
  });
});
