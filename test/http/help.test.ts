// The help center over HTTP: the article list and search, article pages, the JSON API, and the "Was this
// information helpful?" feedback with and without JavaScript.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config/load.ts";
import { loadHelpLibrary } from "../../src/help/articles.ts";
import { helpVisitorId } from "../../src/help/feedback.ts";
import type { HelpFeedbackRecord } from "../../src/stores/types.ts";
import { createDeps } from "../../src/wiring.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, TestClient } from "../helpers/client.ts";

const THANKS_YES = "Thank you for your feedback.";
const THANKS_NO = "Thank you. We can't reply to individual answers, but we read every one and use them to improve this help.";

/** The opening tag of the element with `data-feedback-step="step"`. */
function stepTag(html: string, step: string): string {
  const match = new RegExp(`<(?:form|p)[^>]*data-feedback-step="${step}"[^>]*>`).exec(html);
  assert.ok(match, `the ${step} step is in the page`);
  return match[0];
}

function visibleSteps(html: string): string[] {
  return ["ask", "reason", "thanks"].filter((step) => !/\shidden(?=[\s>])/.test(stepTag(html, step)));
}

/** The script elements of a page, less the layout's own data block of texts for the page script (JSON, never run). */
function scriptTags(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]).filter((tag) => tag !== '<script type="application/json" id="page-texts">');
}

describe("help center", () => {
  let t: TestApp;
  let addresses = 0;
  before(async () => {
    // Each test browser gets its own client address (through the trusted proxy header), so the feedback
    // limit of one test does not spill into another.
    t = await createTestApp({ LATCHKEY_TRUST_PROXY: "127.0.0.1" });
  });
  after(async () => {
    await t.close();
  });

  const browser = (): TestClient => new TestClient(t.app, { "x-forwarded-for": `198.51.100.${++addresses}` });

  async function storedAnswer(client: TestClient, slug: string): Promise<HelpFeedbackRecord | null> {
    const cookie = client.cookies.get("latchkey_browser");
    assert.ok(cookie, "the browser has its anonymous id cookie");
    return t.deps.stores.helpFeedback.getFeedback(slug, helpVisitorId(t.deps, cookie));
  }

  async function views(slug: string): Promise<number> {
    return (await t.deps.stores.helpFeedback.summarizeFeedback()).find((s) => s.slug === slug)?.views ?? 0;
  }

  it("/help lists every article and has a search box", async () => {
    const page = await browser().get("/help");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form class="search-form" method="get" action="\/help" role="search">/);
    assert.match(page.body, /<input class="input" type="search" id="help-search" name="q"/);
    for (const slug of ["problems-signing-in", "reset-your-password", "security-check", "create-an-account", "account-security"]) {
      assert.match(page.body, new RegExp(`<a href="/help/${slug}">`), slug);
    }
    assert.doesNotMatch(page.body, /<mark>/);
  });

  it("/help?q= shows the matching articles with the matched words marked, and escapes the query", async () => {
    const page = await browser().get(`/help?q=${encodeURIComponent("caps lock")}`);
    assert.equal(page.statusCode, 200);
    const results = page.body.slice(page.body.indexOf('id="results-title"'), page.body.indexOf('id="all-articles-title"'));
    assert.match(results, /<a href="\/help\/problems-signing-in">Problems signing in<\/a>/);
    assert.match(results, /<mark>Caps<\/mark> <mark>Lock<\/mark>/i);
    assert.match(page.body, /value="caps lock"/, "the search box keeps the query");

    const hostile = await browser().get(`/help?q=${encodeURIComponent('"><script>alert(1)</script> password')}`);
    assert.equal(hostile.statusCode, 200);
    assert.doesNotMatch(hostile.body, /<script>alert/);
    assert.match(hostile.body, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; password/);
    assert.deepEqual(scriptTags(hostile.body), ['<script src="/assets/app.js" defer type="module">']);

    const nothing = await browser().get("/help?q=zzzyqx");
    assert.match(pageText(nothing.body), /No articles match your search/);
  });

  it("an article page shows the article, when it was reviewed, related articles and the feedback widget", async () => {
    const page = await browser().get("/help/problems-signing-in");
    assert.equal(page.statusCode, 200);
    const html = page.body;
    assert.match(html, /<h1 id="article-title">Problems signing in<\/h1>/);
    assert.match(html, /Last reviewed <time datetime="2026-11-26">26 November 2026<\/time>/);
    assert.match(html, /<h2 id="related-title">Related articles<\/h2>/);
    for (const slug of ["reset-your-password", "security-check", "create-an-account", "account-security"]) {
      assert.match(html.slice(html.indexOf('id="related-title"')), new RegExp(`<a href="/help/${slug}">`));
    }
    assert.match(
      html,
      /<section class="feedback" id="feedback" data-feedback data-slug="problems-signing-in" data-thanks-yes="Thank you for your feedback\." data-thanks-no="[^"]+" aria-labelledby="feedback-title">/,
    );
    assert.match(html, /<h2 id="feedback-title">Was this information helpful\?<\/h2>/);
    assert.match(html, /<button class="button button--secondary" type="submit" name="helpful" value="yes">Yes<\/button>/);
    assert.match(html, /<button class="button button--secondary" type="submit" name="helpful" value="no">No<\/button>/);
    assert.match(html, /<legend>Please select what best describes the information<\/legend>/);
    for (const [value, label] of [
      ["confusing", "Confusing or hard to follow"],
      ["didnt_answer", "Didn&#39;t answer my question"],
      ["inaccurate", "Inaccurate or out of date"],
      ["too_long", "Too long"],
      ["other", "Something else"],
    ]) {
      assert.match(html, new RegExp(`<input type="radio" id="reason-${value}" name="reason" value="${value}"><label for="reason-${value}">${label}</label>`));
    }
    assert.match(html, /<textarea class="input" id="feedback-comment" name="comment" maxlength="1000" rows="4">/);
    assert.match(html, /<div class="visually-hidden" aria-live="polite" data-feedback-live><\/div>/);
    assert.deepEqual(visibleSteps(html), ["ask"]);
    assert.match(stepTag(html, "thanks"), /tabindex="-1"/);
    assert.equal(hiddenInputsIn(html, "/help/problems-signing-in/feedback")._csrf?.length ? "token" : "", "token");
    assert.deepEqual(scriptTags(html), ['<script src="/assets/app.js" defer type="module">'], "no script but the site's own");
    assert.doesNotMatch(html, /\sstyle=/, "no inline styles");
  });

  it("unknown articles answer 404 on the page and in the API", async () => {
    const page = await browser().get("/help/no-such-article");
    assert.equal(page.statusCode, 404);
    assert.match(page.headers["content-type"] as string, /text\/html/);
    const api = await browser().get("/api/v1/help/articles/no-such-article");
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, "NOT_FOUND");
    const post = await browser().request("POST", "/api/v1/help/articles/no-such-article/feedback", { json: { helpful: true } });
    assert.equal(post.statusCode, 404);
    assert.equal(post.json().error.code, "NOT_FOUND");
  });

  it("the API lists the articles and returns one with its HTML, version and related articles", async () => {
    const list = await browser().get("/api/v1/help/articles");
    assert.equal(list.statusCode, 200);
    const articles = list.json().articles as Array<{ slug: string; title: string; url: string; version: string; reviewed: string }>;
    assert.equal(articles.length, 6);
    const first = articles[0];
    assert.equal(first?.slug, "problems-signing-in");
    assert.equal(first?.url, "/help/problems-signing-in");
    assert.match(first?.version ?? "", /^[0-9a-f]{12}$/);

    const one = await browser().get("/api/v1/help/articles/reset-your-password");
    assert.equal(one.statusCode, 200);
    const article = one.json().article;
    assert.equal(article.title, "Reset your password");
    assert.match(article.html, /<h2 id="/);
    assert.ok(article.related.length > 0);
    assert.ok(article.related.every((r: { url: string }) => r.url.startsWith("/help/")));

    const search = await browser().get("/api/v1/help/articles?q=caps%20lock");
    assert.equal(search.json().articles[0].slug, "problems-signing-in");
    assert.match(search.json().articles[0].snippetHtml, /<mark>/);
  });

  it("counts a view once per browser and article a day, not for the pages a feedback answer leads to", async () => {
    const before = await views("account-security");
    const reader = browser();
    await reader.get("/help/account-security");
    await reader.get("/help/account-security");
    assert.equal(await views("account-security"), before + 1, "a browser's second reading the same day is not counted");
    await browser().get("/help/account-security");
    assert.equal(await views("account-security"), before + 2, "another browser is");
    t.clock.advance(24 * 3600 * 1000);
    const next = browser();
    await next.submitForm("/help/account-security", "/help/account-security/feedback", { helpful: "yes" });
    await next.get("/help/account-security?feedback=thanks");
    assert.equal(await views("account-security"), before + 3, "only the page the form was read from");
  });

  it("without JavaScript, Yes leads to a thank-you and is stored with the article's version", async () => {
    const reader = browser();
    const answered = await reader.submitForm("/help/security-check", "/help/security-check/feedback", { helpful: "yes" });
    assert.equal(answered.statusCode, 303);
    assert.equal(answered.headers.location, "/help/security-check?feedback=thanks#feedback");
    const thanks = await reader.get("/help/security-check?feedback=thanks");
    assert.deepEqual(visibleSteps(thanks.body), ["thanks"]);
    assert.match(thanks.body, new RegExp(`data-feedback-step="thanks" tabindex="-1">${THANKS_YES}</p>`));
    assert.match(thanks.body, /<a href="\/help\/security-check\?feedback=change#feedback">Change your answer<\/a>/);

    const stored = await storedAnswer(reader, "security-check");
    assert.equal(stored?.helpful, true);
    assert.equal(stored?.reason, null);
    assert.equal(stored?.comment, null);
    assert.equal(stored?.articleVersion, loadHelpLibrary().get("security-check")?.version);
  });

  it("without JavaScript, No shows the reasons, and sending them shows the thank-you for a No", async () => {
    const reader = browser();
    const no = await reader.submitForm("/help/reset-your-password", "/help/reset-your-password/feedback", { helpful: "no" });
    assert.equal(no.statusCode, 303);
    assert.equal(no.headers.location, "/help/reset-your-password?feedback=reason#feedback");
    assert.equal((await storedAnswer(reader, "reset-your-password"))?.helpful, false, "the No counts before a reason is given");

    const reasonPage = await reader.get("/help/reset-your-password?feedback=reason");
    assert.deepEqual(visibleSteps(reasonPage.body), ["reason"]);
    const reasonForm = reasonPage.body.slice(reasonPage.body.indexOf('data-feedback-step="reason"'));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(reasonForm)?.[1];
    assert.ok(csrf);
    assert.match(reasonForm, /<input type="hidden" name="helpful" value="no">/);

    const sent = await reader.request("POST", "/help/reset-your-password/feedback", {
      form: { _csrf: csrf, helpful: "no", reason: "didnt_answer", comment: "  My code never\r\narrived.\u0007  " },
    });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, "/help/reset-your-password?feedback=thanks#feedback");
    const thanks = await reader.get("/help/reset-your-password?feedback=thanks");
    assert.deepEqual(visibleSteps(thanks.body), ["thanks"]);
    assert.match(pageText(thanks.body), new RegExp(THANKS_NO.replace(/[.?]/g, "\\$&")));

    const stored = await storedAnswer(reader, "reset-your-password");
    assert.equal(stored?.helpful, false);
    assert.equal(stored?.reason, "didnt_answer");
    assert.equal(stored?.comment, "My code never\narrived.", "trimmed, line breaks kept, control characters removed");

    const again = await reader.get("/help/reset-your-password?feedback=change");
    assert.deepEqual(visibleSteps(again.body), ["ask"]);
    assert.match(pageText(again.body), /You answered “No” before/);
  });

  it("without JavaScript, sending the reason step with nothing chosen still thanks the reader", async () => {
    const reader = browser();
    await reader.submitForm("/help/create-an-account", "/help/create-an-account/feedback", { helpful: "no" });
    const page = await reader.get("/help/create-an-account?feedback=reason");
    const csrf = hiddenInputsIn(page.body, "/help/create-an-account/feedback")._csrf as string;
    const sent = await reader.request("POST", "/help/create-an-account/feedback", { form: { _csrf: csrf, helpful: "no", comment: "" } });
    assert.equal(sent.headers.location, "/help/create-an-account?feedback=thanks#feedback");
    const stored = await storedAnswer(reader, "create-an-account");
    assert.equal(stored?.helpful, false);
    assert.equal(stored?.reason, null);
  });

  it("without JavaScript, a refused reason or comment shows the reason step again with the error and the text kept", async () => {
    const reader = browser();
    const page = await reader.get("/help/problems-signing-in");
    const csrf = hiddenInputsIn(page.body, "/help/problems-signing-in/feedback")._csrf as string;
    const tooLong = "<b>x</b>".repeat(126);
    const refused = await reader.request("POST", "/help/problems-signing-in/feedback", {
      form: { _csrf: csrf, helpful: "no", reason: "confusing", comment: tooLong },
    });
    assert.equal(refused.statusCode, 303);
    const location = refused.headers.location as string;
    assert.match(location, /^\/help\/problems-signing-in\?feedback=reason&flow=[A-Za-z0-9_-]{20}#feedback$/);
    const shown = await reader.get(location.replace(/#.*$/, ""));
    assert.deepEqual(visibleSteps(shown.body), ["reason"]);
    assert.match(pageText(shown.body), /Your comment can be at most 1,000 characters long/);
    assert.match(shown.body, /aria-invalid="true" aria-describedby="feedback-comment-error">(&lt;b&gt;x&lt;\/b&gt;)+<\/textarea>/);
    assert.match(shown.body, /id="reason-confusing" name="reason" value="confusing" checked>/);
    assert.equal(await storedAnswer(reader, "problems-signing-in"), null, "nothing was stored");

    const badReason = await reader.request("POST", "/help/problems-signing-in/feedback", {
      form: { _csrf: csrf, helpful: "no", reason: "boring", comment: "" },
    });
    const badPage = await reader.get((badReason.headers.location as string).replace(/#.*$/, ""));
    assert.match(pageText(badPage.body), /Choose one of the reasons in the list/);
    assert.equal(await storedAnswer(reader, "problems-signing-in"), null);
  });

  it("without JavaScript, a refused comment with characters outside the BMP is kept without a broken character", async () => {
    const reader = browser();
    const page = await reader.get("/help/problems-signing-in");
    const csrf = hiddenInputsIn(page.body, "/help/problems-signing-in/feedback")._csrf as string;
    // 2,401 code units: a cut by units at the kept length would fall inside an emoji.
    const typed = `a${"😀".repeat(1200)}`;
    const refused = await reader.request("POST", "/help/problems-signing-in/feedback", {
      form: { _csrf: csrf, helpful: "no", reason: "other", comment: typed },
    });
    assert.equal(refused.statusCode, 303);
    const shown = await reader.get((refused.headers.location as string).replace(/#.*$/, ""));
    assert.match(pageText(shown.body), /Your comment can be at most 1,000 characters long/);
    const kept = /aria-describedby="feedback-comment-error">([^<]*)<\/textarea>/.exec(shown.body)?.[1] ?? "";
    assert.ok(kept.length > 0, "the comment is kept");
    assert.ok(!kept.includes("\ufffd"), "no replacement character");
    assert.ok(typed.startsWith(kept), "what is kept is the start of what was typed");
  });

  it("the page form needs its CSRF token", async () => {
    const reader = browser();
    await reader.get("/help/security-check");
    const refused = await reader.request("POST", "/help/security-check/feedback", { form: { helpful: "yes" } });
    assert.equal(refused.statusCode, 403);
    assert.match(pageText(refused.body), /This form has expired/);
    const forged = await reader.request("POST", "/help/security-check/feedback", { form: { _csrf: "forged", helpful: "yes" } });
    assert.equal(forged.statusCode, 403);
    assert.equal(await storedAnswer(reader, "security-check"), null);
  });

  it("with JavaScript, the API stores the answer and answers 201", async () => {
    const reader = browser();
    await reader.get("/help/security-check");
    const yes = await reader.request("POST", "/api/v1/help/articles/security-check/feedback", {
      json: { helpful: false },
      headers: { "sec-fetch-site": "same-origin" },
    });
    assert.equal(yes.statusCode, 201);
    assert.deepEqual(yes.json(), { feedback: "saved" });
    const detailed = await reader.request("POST", "/api/v1/help/articles/security-check/feedback", {
      json: { helpful: false, reason: "too_long", comment: "Shorter, please." },
      headers: { "sec-fetch-site": "same-origin" },
    });
    assert.equal(detailed.statusCode, 201);
    const stored = await storedAnswer(reader, "security-check");
    assert.equal(stored?.helpful, false);
    assert.equal(stored?.reason, "too_long");
    assert.equal(stored?.comment, "Shorter, please.");
    assert.equal(stored?.articleVersion, loadHelpLibrary().get("security-check")?.version);
  });

  it("keeps one answer per visitor and article: a second answer replaces the first, another browser adds its own", async () => {
    const slug = "account-security";
    const count = async () => (await t.deps.stores.helpFeedback.listFeedback()).filter((f) => f.slug === slug).length;
    const start = await count();
    const reader = browser();
    await reader.get(`/help/${slug}`);
    assert.equal((await reader.request("POST", `/api/v1/help/articles/${slug}/feedback`, { json: { helpful: true } })).statusCode, 201);
    assert.equal(await count(), start + 1);
    assert.equal((await reader.request("POST", `/api/v1/help/articles/${slug}/feedback`, { json: { helpful: false, reason: "inaccurate" } })).statusCode, 201);
    assert.equal(await count(), start + 1, "the second answer replaced the first");
    assert.equal((await storedAnswer(reader, slug))?.reason, "inaccurate");
    // The page form and the API are the same visitor.
    await reader.submitForm(`/help/${slug}`, `/help/${slug}/feedback`, { helpful: "yes" });
    assert.equal(await count(), start + 1);
    assert.equal((await storedAnswer(reader, slug))?.helpful, true);

    const other = browser();
    await other.get(`/help/${slug}`);
    await other.request("POST", `/api/v1/help/articles/${slug}/feedback`, { json: { helpful: true } });
    assert.equal(await count(), start + 2);
  });

  it("the API refuses a bad reason, a reason with Yes, a comment over 1,000 characters and unknown fields", async () => {
    const reader = browser();
    const post = (json: unknown) => reader.request("POST", "/api/v1/help/articles/security-check/feedback", { json });
    const badReason = await post({ helpful: false, reason: "boring" });
    assert.equal(badReason.statusCode, 400);
    assert.equal(badReason.json().error.field, "reason");
    const yesWithReason = await post({ helpful: true, reason: "confusing" });
    assert.equal(yesWithReason.statusCode, 400);
    assert.equal(yesWithReason.json().error.code, "FEEDBACK_REASON_INVALID");
    const tooLong = await post({ helpful: false, comment: "x".repeat(1001) });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json().error.field, "comment");
    assert.equal((await post({ helpful: false, comment: "x".repeat(1000) })).statusCode, 201, "1,000 characters are fine");
    const extra = await post({ helpful: true, email: "someone@example.com" });
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().error.code, "VALIDATION_FAILED");
    assert.equal((await post({ helpful: "yes" })).statusCode, 400);
    assert.equal((await post({})).statusCode, 400);
  });

  it("the API checks the reason and the comment as the page does: the same codes, characters counted after clean-up", async () => {
    const reader = browser();
    const post = (json: unknown) => reader.request("POST", "/api/v1/help/articles/security-check/feedback", { json });
    const badReason = await post({ helpful: false, reason: "boring" });
    assert.equal(badReason.statusCode, 400);
    assert.deepEqual([badReason.json().error.code, badReason.json().error.field], ["FEEDBACK_REASON_INVALID", "reason"]);
    const tooLong = await post({ helpful: false, comment: "x".repeat(1001) });
    assert.equal(tooLong.statusCode, 400);
    assert.deepEqual([tooLong.json().error.code, tooLong.json().error.field], ["FEEDBACK_COMMENT_TOO_LONG", "comment"]);
    // A textarea's trailing line break and surrounding spaces are not part of the comment.
    const padded = await post({ helpful: false, reason: "other", comment: `  ${"x".repeat(1000)}\r\n` });
    assert.equal(padded.statusCode, 201, padded.body);
    const stored = await storedAnswer(reader, "security-check");
    assert.equal(stored?.comment, "x".repeat(1000));
    const huge = await post({ helpful: false, comment: "x".repeat(4001) });
    assert.equal(huge.statusCode, 400);
    assert.equal(huge.json().error.field, "comment");
  });

  it("the API refuses answers sent by another site's pages", async () => {
    const reader = browser();
    const crossSite = await reader.request("POST", "/api/v1/help/articles/security-check/feedback", {
      json: { helpful: true },
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(crossSite.json().error.code, "ORIGIN_REJECTED");
  });
});

describe("help feedback limit", () => {
  let t: TestApp;
  before(async () => {
    // The production allowance, which the test environment otherwise lifts.
    t = await createTestApp({ LATCHKEY_RATE_FEEDBACK: "20/1h" });
  });
  after(async () => {
    await t.close();
  });

  it("allows 20 answers an hour from one address, then answers 429 with Retry-After on the API and the page", async () => {
    const reader = new TestClient(t.app);
    for (let i = 0; i < 20; i++) {
      const ok = await reader.request("POST", "/api/v1/help/articles/security-check/feedback", { json: { helpful: i % 2 === 0 } });
      assert.equal(ok.statusCode, 201, `answer ${i + 1}`);
    }
    const limited = await reader.request("POST", "/api/v1/help/articles/security-check/feedback", { json: { helpful: true } });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, "RATE_LIMITED");
    const retryAfter = Number(limited.headers["retry-after"]);
    assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`);

    const page = await reader.submitForm("/help/security-check", "/help/security-check/feedback", { helpful: "yes" });
    assert.equal(page.statusCode, 429);
    assert.ok(Number(page.headers["retry-after"]) > 0);

    t.clock.advance(3600_000);
    const later = await reader.request("POST", "/api/v1/help/articles/security-check/feedback", { json: { helpful: true } });
    assert.equal(later.statusCode, 201, "a new hour, a new allowance");
  });
});

describe("help articles from hostile Markdown", () => {
  let dir: string;
  let close: () => Promise<void>;
  let client: TestClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-help-"));
    const content = join(dir, "content");
    const data = join(dir, "data");
    mkdirSync(join(content, "en"), { recursive: true });
    writeFileSync(
      join(content, "en", "hostile.md"),
      [
        "---",
        'title: "<script>alert(1)</script> Title"',
        "summary: <img src=x onerror=alert(1)>",
        "related: []",
        "reviewed: 2026-01-02",
        "---",
        "",
        "<script>alert(2)</script>",
        "",
        '<img src="x" onerror="alert(3)">',
        "",
        "[click](javascript:alert(4)) and [data](data:text/html;base64,PHNjcmlwdD4=)",
        "",
        '<a href="javascript:alert(5)">raw link</a>',
        "",
      ].join("\n"),
    );
    const deps = await createDeps(loadConfig(testEnv(data)), { logger: { info() {}, warn() {}, error() {} } });
    const app = await buildApp(deps, { logger: false, helpLibrary: loadHelpLibrary(content) });
    await app.ready();
    client = new TestClient(app);
    close = async () => {
      await app.close();
      await deps.stores.close();
    };
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an article page holds no script, event handler or javascript: link from the article", async () => {
    for (const url of ["/help/hostile", "/help", "/help?q=click"]) {
      const page = await client.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.deepEqual(scriptTags(page.body), ['<script src="/assets/app.js" defer type="module">'], url);
      assert.doesNotMatch(page.body, /<img src="x"/i, url);
      assert.doesNotMatch(page.body, /<[^>]*\son[a-z]+=/i, url);
      assert.doesNotMatch(page.body, /href="(?:javascript|data):/i, url);
    }
    const page = await client.get("/help/hostile");
    assert.match(page.body, /&lt;script&gt;alert\(2\)&lt;\/script&gt;/, "raw HTML is shown as text");
  });
});
