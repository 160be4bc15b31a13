// The help center in the reader's language: articles, the note on an article shown in English, the
// language of each answer, and search, over HTTP.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { Deps } from "../../src/deps.ts";
import { loadHelpLibrary } from "../../src/help/articles.ts";
import { helpVisitorId } from "../../src/help/feedback.ts";
import { createDeps } from "../../src/wiring.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { TestClient } from "../helpers/client.ts";

/** The opening tag of the page's `<article>`. */
function articleTag(html: string): string {
  const match = /<article\b[^>]*>/.exec(html);
  assert.ok(match, "the page has an article");
  return match[0];
}

function htmlLang(html: string): string {
  return /<html lang="([^"]+)"/.exec(html)?.[1] ?? "";
}

async function answerOf(deps: Deps, client: TestClient, slug: string) {
  const cookie = client.cookies.get("latchkey_browser");
  assert.ok(cookie);
  return deps.stores.helpFeedback.getFeedback(slug, helpVisitorId(deps, cookie));
}

describe("help articles in the shipped languages", () => {
  let t: TestApp;
  let addresses = 0;
  before(async () => {
    t = await createTestApp({ LATCHKEY_TRUST_PROXY: "127.0.0.1" });
  });
  after(async () => {
    await t.close();
  });
  const browser = (language: string): TestClient => new TestClient(t.app, { "x-forwarded-for": `198.51.100.${++addresses}`, "accept-language": language });

  it('a browser preferring German gets the German article, marked lang="de", without a note', async () => {
    const page = await browser("de-DE,de;q=0.9,en;q=0.5").get("/help/reset-your-password");
    assert.equal(page.statusCode, 200);
    assert.equal(htmlLang(page.body), "de");
    assert.equal(articleTag(page.body), '<article class="help-article" aria-labelledby="article-title" lang="de" dir="ltr">');
    assert.match(page.body, /<h1 id="article-title">Passwort zurücksetzen<\/h1>/);
    assert.match(page.body, /<h2 id="wenn-die-nachricht-nicht-ankommt">/);
    assert.doesNotMatch(page.body, /role="note"/);
  });

  it("French and Spanish readers get their articles; the list and related articles are in their language", async () => {
    const french = await browser("fr").get("/help/security-check");
    assert.match(articleTag(french.body), /lang="fr"/);
    assert.match(french.body, /<h1 id="article-title">La vérification de sécurité<\/h1>/);
    const spanish = await browser("es").get("/help");
    assert.match(spanish.body, /<a href="\/help\/create-an-account">Crear una cuenta<\/a>/);
    assert.doesNotMatch(spanish.body, /\(in English\)|\(en inglés\)/, "nothing is marked as English");
  });

  it("the JSON API answers in the negotiated language and says which", async () => {
    const response = await browser("de").get("/api/v1/help/articles/account-security");
    assert.equal(response.statusCode, 200);
    const { article } = JSON.parse(response.body);
    assert.equal(article.locale, "de");
    assert.equal(article.title, "Schützen Sie Ihr Konto");
    assert.ok(article.related.every((r: { locale: string }) => r.locale === "de"));
  });

  it("an answer keeps the language of the article shown, with that article's version", async () => {
    const reader = browser("fr");
    const response = await reader.submitForm("/help/create-an-account", "/help/create-an-account/feedback", { helpful: "yes" });
    assert.equal(response.statusCode, 303);
    const stored = await answerOf(t.deps, reader, "create-an-account");
    assert.equal(stored?.locale, "fr");
    assert.equal(stored?.articleVersion, loadHelpLibrary().get("create-an-account", "fr")?.version);
    const summary = (await t.deps.stores.helpFeedback.summarizeFeedback({ locale: "fr" })).find((s) => s.slug === "create-an-account");
    assert.deepEqual(summary?.locales, [{ locale: "fr", views: 1, yes: 1, no: 0 }], "the view was counted in French too");
  });

  it("help search reads German and French queries with their own rules and finds the right article", async () => {
    const german = JSON.parse((await browser("de").get("/api/v1/help/articles?q=Passwörter%20zurücksetzen")).body);
    assert.equal(german.articles[0]?.slug, "reset-your-password");
    assert.equal(german.articles[0]?.locale, "de");
    const french = JSON.parse((await browser("fr").get(`/api/v1/help/articles?q=${encodeURIComponent("l'écran de vérification de sécurité")}`)).body);
    assert.equal(french.articles[0]?.slug, "security-check");
    const page = await browser("es").get(`/help?q=${encodeURIComponent("contraseñas")}`);
    assert.match(page.body, /<mark>contraseña/i);
  });
});

describe("help articles missing in a language", () => {
  let dir: string;
  let deps: Deps;
  let close: () => Promise<void>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let addresses = 0;
  const front = (title: string, related: string) => `---\ntitle: ${title}\nsummary: ${title}.\nrelated: [${related}]\nreviewed: 2026-12-01\n---\n\n`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-help-languages-"));
    const content = join(dir, "content");
    mkdirSync(join(content, "en"), { recursive: true });
    mkdirSync(join(content, "de"));
    writeFileSync(join(content, "en", "cookies.md"), `${front("Cookies and your browser", "lost-keys")}## Clearing cookies\n\nCookies keep you signed in.\n`);
    writeFileSync(join(content, "en", "lost-keys.md"), `${front("Lost keys", "cookies")}## What to do\n\nTell us which key you lost.\n`);
    writeFileSync(join(content, "de", "cookies.md"), `${front("Cookies und Ihr Browser", "lost-keys")}## Cookies löschen\n\nCookies halten Sie angemeldet.\n`);
    deps = await createDeps(loadConfig(testEnv(join(dir, "data"), { LATCHKEY_TRUST_PROXY: "127.0.0.1" })), { logger: { info() {}, warn() {}, error() {} } });
    app = await buildApp(deps, { logger: false, helpLibrary: loadHelpLibrary(content) });
    await app.ready();
    close = async () => {
      await app.close();
      await deps.stores.close();
    };
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });
  const browser = (language: string): TestClient => new TestClient(app, { "x-forwarded-for": `203.0.113.${++addresses}`, "accept-language": language });

  it('serves the English article inside the German page, with a German note and lang="en" on the article', async () => {
    const page = await browser("de").get("/help/lost-keys");
    assert.equal(page.statusCode, 200);
    assert.equal(htmlLang(page.body), "de");
    assert.equal(articleTag(page.body), '<article class="help-article" aria-labelledby="article-title" lang="en" dir="ltr">');
    assert.match(
      page.body,
      /<div class="notice notice--info" role="note"><p>Diesen Artikel gibt es noch nicht auf Deutsch; hier lesen Sie ihn auf Englisch\.<\/p><\/div>/,
    );
    // The related article is German, and marked as such no more than the page is.
    assert.match(page.body, /<li><a href="\/help\/cookies">Cookies und Ihr Browser<\/a><p>/);
  });

  it("a language without any folder falls back per article too, with the note in that language", async () => {
    const page = await browser("fr").get("/help/cookies");
    assert.match(articleTag(page.body), /lang="en"/);
    assert.match(page.body, /Cet article n’est pas encore disponible en français ; le voici en anglais\./);
    const arabic = await browser("ar").get("/help/cookies");
    assert.match(arabic.body, /<html lang="ar" dir="rtl">/);
    assert.match(articleTag(arabic.body), /lang="en" dir="ltr"/, "English text inside a right-to-left page runs left to right");
  });

  it("the German list marks the article shown in English", async () => {
    const page = await browser("de").get("/help");
    assert.match(page.body, /<a href="\/help\/lost-keys" lang="en" dir="ltr">Lost keys<\/a> <span class="field-hint">\(auf Englisch\)<\/span>/);
    assert.match(page.body, /<a href="\/help\/cookies">Cookies und Ihr Browser<\/a><p>/);
  });

  it("German search finds German articles and English ones where German has none", async () => {
    const german = JSON.parse((await browser("de").get("/api/v1/help/articles?q=Cookies%20l%C3%B6schen")).body);
    assert.deepEqual(
      german.articles.map((a: { slug: string; locale: string }) => [a.slug, a.locale]),
      [["cookies", "de"]],
    );
    const fallback = JSON.parse((await browser("de").get("/api/v1/help/articles?q=key")).body);
    assert.deepEqual(
      fallback.articles.map((a: { slug: string; locale: string }) => [a.slug, a.locale]),
      [["lost-keys", "en"]],
    );
  });

  it("an answer about the English stand-in is stored as English", async () => {
    const reader = browser("de");
    await reader.get("/help/lost-keys");
    const response = await reader.request("POST", "/api/v1/help/articles/lost-keys/feedback", { json: { helpful: false, reason: "other" } });
    assert.equal(response.statusCode, 201);
    assert.equal((await answerOf(deps, reader, "lost-keys"))?.locale, "en");
    const german = browser("de");
    await german.request("POST", "/api/v1/help/articles/cookies/feedback", { json: { helpful: true } });
    assert.equal((await answerOf(deps, german, "cookies"))?.locale, "de");
  });
});
