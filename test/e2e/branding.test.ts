// In a real browser, a branded installation: the owner's name, logo and colours on every main page, and the
// word "Latchkey" nowhere, neither on the pages nor in the e-mail that confirmed the account.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { BRANDED_ENV, writeBrandingDir, writeBrandTemplates } from "../helpers/branding.ts";
import {
  assertAccessible,
  type BrowserSuite,
  browserSuiteSkip,
  navigateBy,
  PASSWORD,
  saveViewportScreenshot,
  startBrowserSuite,
  startLatchkeyServer,
} from "../helpers/browser.ts";

const PRIMARY = "rgb(138, 28, 75)"; // #8a1c4b
const ACCENT = "rgb(179, 89, 0)"; // #b35900
const ACCOUNT = "reader@example.com";

describe("a branded site in the browser", { skip: browserSuiteSkip(), timeout: 240_000 }, () => {
  let suite: BrowserSuite;
  let brandingDir: string;
  before(async () => {
    brandingDir = mkdtempSync(join(tmpdir(), "latchkey-e2e-brand-"));
    writeBrandingDir(brandingDir);
    writeBrandTemplates(brandingDir);
    suite = await startBrowserSuite({ ...BRANDED_ENV, LATCHKEY_BRANDING_DIR: brandingDir });
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
    rmSync(brandingDir, { recursive: true, force: true });
  });

  /** The owner's name in the title and header, the logo loaded, the owner's colours applied, no "Latchkey". */
  async function assertBranded(page: Page, label: string): Promise<void> {
    assert.match(await page.title(), / · Harbour Books$/, `${label}: title`);
    const brand = page.locator("header .brand");
    assert.equal((await brand.textContent())?.trim(), "Harbour Books", `${label}: header`);
    const logo = brand.locator("img.brand-logo");
    assert.match((await logo.getAttribute("src")) ?? "", /^\/assets\/brand\/[0-9a-f]{16}\/logo\.svg$/, `${label}: logo`);
    assert.ok(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), `${label}: the logo loaded`);
    const stripe = await page.locator("header.site-header").evaluate((el) => getComputedStyle(el).borderTopColor);
    assert.equal(stripe, ACCENT, `${label}: the accent colour above the header`);
    const primary = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--accent").trim());
    assert.equal(primary, "#8a1c4b", `${label}: the primary colour`);
    assert.match(
      (await page.locator("footer").textContent()) ?? "",
      /Privacy.*Terms of use.*Contact Harbour Books support: help@harbour-books\.example/s,
      `${label}: footer`,
    );
    const html = await page.content();
    assert.doesNotMatch(html, /Latchkey/, `${label}: the page's HTML names the product`);
    assert.doesNotMatch(await page.evaluate(() => document.body.textContent ?? ""), /Latchkey/i, `${label}: the text of the page names the product`);
  }

  it("sign-in, registration, reset, help and the error page carry the owner's brand and never say Latchkey", async () => {
    const page = await suite.newPage();
    for (const path of ["/", "/signin", "/register", "/password/reset", "/help", "/help/problems-signing-in", "/help/security-check", "/no-such-page"]) {
      const answer = await page.goto(path);
      assert.equal(answer?.status(), path === "/no-such-page" ? 404 : 200, path);
      await assertBranded(page, path);
    }
    await page.goto("/signin");
    const button = page.getByRole("button", { name: "Sign in", exact: true });
    assert.equal(await button.evaluate((el) => getComputedStyle(el).backgroundColor), PRIMARY, "buttons in the primary colour");
    await assertAccessible(page, "the branded sign-in page");
    assert.deepEqual(suite.pageProblems(page), []);

    // No dark colours are configured: the dark scheme keeps its own, never the light ones checked against white.
    const dark = await suite.newPage({ colorScheme: "dark" });
    await dark.goto("/signin");
    assert.equal(await dark.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()), "#8cc4ff");
    assert.equal(
      await dark
        .locator("header .brand")
        .textContent()
        .then((t) => t?.trim()),
      "Harbour Books",
    );
  });

  it("saves the README's screenshot of the branded sign-in page, as a real deployment shows it", async (t) => {
    // Without CAPTCHA test mode, so the picture does not carry the test-mode banner.
    const plain = await startLatchkeyServer({ ...BRANDED_ENV, LATCHKEY_BRANDING_DIR: brandingDir, LATCHKEY_CAPTCHA_TEST_MODE: "0" });
    try {
      const page = await suite.newPage({ baseURL: plain.baseUrl, viewport: { width: 1024, height: 720 } });
      await page.goto("/signin");
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      assert.equal(await page.locator(".test-mode-banner").count(), 0);
      await assertBranded(page, "the screenshot's sign-in page");
      const written = await saveViewportScreenshot(page, "docs/screenshots/signin-branded.png");
      t.diagnostic(written ? "docs/screenshots/signin-branded.png written" : "docs/screenshots/signin-branded.png unchanged");
    } finally {
      await plain.stop();
    }
  });

  it("the account page after signing in is branded too, and the confirmation e-mail never said Latchkey", async () => {
    await suite.createAccount(ACCOUNT);
    const page = await suite.newPage();
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill(ACCOUNT);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    assert.equal(new URL(page.url()).pathname, "/account");
    await assertBranded(page, "/account");
    for (const path of ["/account/password"]) {
      await page.goto(path);
      await assertBranded(page, path);
    }
    const emails = readdirSync(suite.outboxDir).filter((name) => name.endsWith(".eml"));
    assert.ok(emails.length > 0);
    for (const name of emails) {
      const raw = readFileSync(join(suite.outboxDir, name), "utf8");
      assert.match(raw, /^From: Harbour Books <no-reply@localhost>$/m, `${name}: sent under the site's name`);
      assert.match(raw, /Subject: Your Harbour Books code: \d{6}/, `${name}: the owner's template`);
      assert.doesNotMatch(raw, /Latchkey/, `${name}: no word of the product`);
    }
    assert.deepEqual(suite.pageProblems(page), []);
  });
});
