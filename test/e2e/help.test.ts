// In a real browser: from a failed sign-in to the help article, "Was this information helpful?" answered
// with JavaScript (inline) and without it (pages), and the answers on the admin page.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { assertAccessible, type BrowserSuite, browserSuiteSkip, capture, navigateBy, PASSWORD, startBrowserSuite, visibleText } from "../helpers/browser.ts";

const THANKS_NO = "Thank you. We can't reply to individual answers, but we read every one and use them to improve this help.";
const THANKS_YES = "Thank you for your feedback.";
const COMMENT = "I never got the reset e-mail, and the article does not say what to do then.";

describe("help feedback and the admin page in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
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

  it("answers No with a reason and a comment inline, Yes without JavaScript, and an admin sees both", async () => {
    // With JavaScript: a failed sign-in leads to the article.
    const page = await suite.newPage();
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill("someone@example.com");
    await page.getByLabel("Password", { exact: true }).fill("not-my-password");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    await navigateBy(page, () => page.getByRole("alert").getByRole("link", { name: "Problems signing in?" }).click());
    assert.equal(new URL(page.url()).pathname, "/help/problems-signing-in");
    await page.getByRole("heading", { level: 1, name: "Problems signing in" }).waitFor();
    const articleUrl = page.url();

    const widget = page.getByRole("region", { name: "Was this information helpful?" });
    await widget.getByRole("button", { name: "No" }).click();
    const reasons = widget.getByRole("group", { name: "Please select what best describes the information" });
    await reasons.waitFor();
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), "reason", "focus moves to the first choice");
    await reasons.getByLabel("Didn't answer my question").check();
    await widget.getByLabel("Anything else? (optional)").fill(COMMENT);
    await capture(page, "help-feedback-reason");
    await assertAccessible(page, "the reason step");
    await widget.getByRole("button", { name: "Send" }).click();

    const thanks = widget.locator('[data-feedback-step="thanks"]');
    await thanks.waitFor({ state: "visible" });
    assert.equal(await visibleText(thanks), THANKS_NO);
    assert.equal(await thanks.evaluate((el) => document.activeElement === el), true, "focus moves to the thanks");
    await page.waitForFunction((text) => document.querySelector("[data-feedback-live]")?.textContent === text, THANKS_NO);
    assert.equal(page.url(), articleUrl, "answered without leaving the page");
    assert.equal(await widget.locator("form:visible").count(), 0);
    await capture(page, "help-feedback-thanks");
    await assertAccessible(page, "the thanks step");
    assert.deepEqual(suite.pageProblems(page), []);

    // Without JavaScript: the same widget through ordinary form posts.
    const plain = await suite.newPage({ javaScriptEnabled: false });
    await plain.goto("/help/problems-signing-in");
    await navigateBy(plain, () => plain.getByRole("region", { name: "Was this information helpful?" }).getByRole("button", { name: "Yes" }).click());
    const after = new URL(plain.url());
    assert.equal(after.pathname, "/help/problems-signing-in");
    assert.equal(after.search, "?feedback=thanks");
    assert.equal(await visibleText(plain.locator('[data-feedback-step="thanks"]')), THANKS_YES);
    await plain.getByRole("link", { name: "Change your answer" }).waitFor();
    await capture(plain, "help-feedback-thanks-nojs");

    // An admin (granted with the CLI) sees both answers, the reason and the comment.
    await suite.createAccount("admin@example.com");
    suite.cli(["accounts", "grant-admin", "admin@example.com"]);
    const admin = await suite.newPage();
    await admin.goto("/signin");
    await admin.getByLabel("E-mail or mobile number").fill("admin@example.com");
    await admin.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(admin, () => admin.getByRole("button", { name: "Sign in", exact: true }).click());
    await navigateBy(admin, () => admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click());
    assert.equal(new URL(admin.url()).pathname, "/admin/accounts");
    await navigateBy(admin, () => admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Help feedback" }).click());
    assert.equal(new URL(admin.url()).pathname, "/admin/help-feedback");
    await admin.getByRole("heading", { level: 1, name: "Help feedback" }).waitFor();
    const row = admin.locator('tr[data-slug="problems-signing-in"]');
    const cells = (await row.locator("td").allInnerTexts()).map((c) => c.trim());
    // Views, Yes, No, Helpful, Top reason, yes/no by language.
    assert.deepEqual(cells.slice(1), ["1", "1", "50%", "Didn't answer my question", "en 1/1"], `row: ${cells.join(" | ")}`);
    assert.ok(Number(cells[0]) >= 2, `both visits counted as views (${cells[0]})`);
    await admin.getByText(COMMENT).waitFor();
    await capture(admin, "admin");
    await assertAccessible(admin, "the admin page with answers");
    assert.deepEqual(suite.pageProblems(admin), []);
  });
});
