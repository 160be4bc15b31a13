// Languages in a real browser: Arabic pages run right to left, fit a 360 px screen without sideways
// scrolling and pass axe; German follows Accept-Language; the language menu works with JavaScript off.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type BrowserSuite, browserSuiteSkip, capture, checkAccessibility, navigateBy, startBrowserSuite } from "../helpers/browser.ts";

const PHONE = { width: 360, height: 780 };

describe("languages in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
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

  it("Arabic pages are right to left, fit 360 px without sideways scrolling, and pass axe", async () => {
    const page = await suite.newPage({ viewport: PHONE, locale: "ar", extraHTTPHeaders: { "accept-language": "ar" } });
    const problems: string[] = [];
    for (const [path, heading] of [
      ["/signin", "تسجيل الدخول"],
      ["/register", "إنشاء حساب"],
      ["/password/reset", "إعادة تعيين كلمة المرور"],
    ] as const) {
      await page.goto(path);
      const shown = await page.evaluate(() => {
        const h1 = document.querySelector("h1");
        // The box of the heading's text (the element itself is as wide as the column).
        const range = document.createRange();
        if (h1) range.selectNodeContents(h1);
        const box = h1 ? range.getBoundingClientRect() : undefined;
        return {
          lang: document.documentElement.lang,
          dir: document.documentElement.dir,
          direction: getComputedStyle(document.body).direction,
          scrollWidth: document.documentElement.scrollWidth,
          heading: h1?.textContent ?? "",
          // In right-to-left text the heading starts at the right: its right edge is nearer the screen's edge than its left.
          headingHugsRight: box ? window.innerWidth - box.right < box.left : false,
        };
      });
      assert.equal(shown.lang, "ar", path);
      assert.equal(shown.dir, "rtl", path);
      assert.equal(shown.direction, "rtl", path);
      assert.equal(shown.heading, heading, path);
      assert.ok(shown.headingHugsRight, `${path}: the heading starts at the right`);
      if (shown.scrollWidth > PHONE.width) problems.push(`${path}: ${shown.scrollWidth} px wide at ${PHONE.width} px`);
      const report = await checkAccessibility(page);
      if (report.blocking) problems.push(`${path}: axe found serious or critical violations:\n${report.blocking}`);
      await capture(page, `ar${path.replaceAll("/", "-")}-360`);
    }
    assert.deepEqual(problems, []);
    // The page script's own words (the audio player of the security check) are in Arabic too.
    await page.getByRole("link", { name: "استمع إلى التحدي" }).click();
    await page.getByRole("button", { name: "إعادة التشغيل" }).waitFor();
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("Accept-Language de gives German pages with lang=de", async () => {
    const page = await suite.newPage({ locale: "de-DE", extraHTTPHeaders: { "accept-language": "de-DE,de;q=0.9" } });
    await page.goto("/signin");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "de");
    await page.getByRole("heading", { name: "Anmelden", level: 1 }).waitFor();
    await page.getByLabel("E-Mail-Adresse oder Handynummer").waitFor();
  });

  it("the language menu works with JavaScript off and stays on the same page", async () => {
    const page = await suite.newPage({ javaScriptEnabled: false });
    await page.goto("/password/reset");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    await page.getByLabel("Language", { exact: true }).selectOption("fr");
    await navigateBy(page, () => page.getByRole("button", { name: "Change language" }).click());
    assert.equal(new URL(page.url()).pathname, "/password/reset");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "fr");
    await page.getByRole("heading", { name: "Réinitialiser votre mot de passe", level: 1 }).waitFor();
    // The choice is remembered on the next page too, and can be changed back the same way.
    await page.goto("/signin");
    await page.getByRole("heading", { name: "Se connecter", level: 1 }).waitFor();
    await page.getByLabel("Langue", { exact: true }).selectOption("ar");
    await navigateBy(page, () => page.getByRole("button", { name: "Changer de langue" }).click());
    assert.equal(await page.evaluate(() => document.documentElement.dir), "rtl");
  });
});
