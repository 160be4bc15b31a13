// Which language a page is in, and the language menu: Accept-Language, the menu's cookie, the saved choice of
// a signed-in person, LATCHKEY_LOCALES, and the API's error messages in the negotiated language.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, TestClient } from "../helpers/client.ts";

function langOf(html: string): { lang: string | undefined; dir: string | undefined } {
  const match = /<html lang="([^"]*)" dir="([^"]*)">/.exec(html);
  return { lang: match?.[1], dir: match?.[2] };
}

/** The language the menu shows as selected. */
function selectedInMenu(html: string): string | undefined {
  const menu = html.split('<form class="language-menu"')[1]?.split("</form>")[0] ?? "";
  return /<option value="([a-z]+)"[^>]* selected>/.exec(menu)?.[1];
}

describe("languages", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it("Accept-Language picks the page's language, <html lang dir> and the menu's selection follow", async () => {
    const de = await new TestClient(t.app, { "accept-language": "de-CH, de;q=0.9, en;q=0.5" }).get("/signin");
    assert.equal(de.statusCode, 200);
    assert.deepEqual(langOf(de.body), { lang: "de", dir: "ltr" });
    assert.equal(selectedInMenu(de.body), "de");
    const ar = await new TestClient(t.app, { "accept-language": "ar-EG" }).get("/signin");
    assert.deepEqual(langOf(ar.body), { lang: "ar", dir: "rtl" });
    const none = await new TestClient(t.app).get("/signin");
    assert.deepEqual(langOf(none.body), { lang: "en", dir: "ltr" });
  });

  it("pages, titles, form errors and error pages are in the negotiated language", async () => {
    const de = new TestClient(t.app, { "accept-language": "de" });
    const signin = await de.get("/signin");
    assert.match(signin.body, /<title>Anmelden · Latchkey<\/title>/);
    assert.match(signin.body, /<label for="identifier">E-Mail-Adresse oder Handynummer<\/label>/);
    assert.match(signin.body, /<label for="language-menu-locale">Sprache<\/label>/);
    const refused = await de.submitForm("/signin", "/signin", { identifier: "niemand@example.com", password: "falsch-falsch" });
    const again = await de.get(String(refused.headers.location));
    assert.match(again.body, /<h2 id="error-summary-title">Es gibt ein Problem<\/h2>/);
    assert.match(again.body, /E-Mail-Adresse, Handynummer oder Passwort stimmen nicht\./);
    const missing = await new TestClient(t.app, { "accept-language": "fr" }).get("/no/such/page");
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /<h1>Page introuvable<\/h1>/);
    const arabic = await new TestClient(t.app, { "accept-language": "ar" }).get("/register");
    assert.match(arabic.body, /<h1>إنشاء حساب<\/h1>/);
  });

  it("the numbers offered for a number without its country code name the country in the page's language", async () => {
    const de = new TestClient(t.app, { "accept-language": "de" });
    const refused = await de.submitForm("/signin", "/signin", { identifier: "07400 123456", password: "was-auch-immer" });
    const page = await de.get(String(refused.headers.location));
    assert.match(page.body, /<p class="field-hint" id="identifier-choices-prompt">Oder wählen Sie Ihr Land:<\/p>/);
    assert.match(page.body, />\+44 7400 123456 \(Vereinigtes Königreich\)<\/button>/);
  });

  it("the API keeps its error code and gives the message in the negotiated language", async () => {
    const body = { identifier: "niemand@example.com", password: "falsch-falsch" };
    const english = await new TestClient(t.app).request("POST", "/api/v1/session", { json: body });
    const german = await new TestClient(t.app, { "accept-language": "de" }).request("POST", "/api/v1/session", { json: body });
    assert.equal(german.statusCode, english.statusCode);
    assert.equal(german.json().error.code, "SIGNIN_FAILED");
    assert.equal(german.json().error.code, english.json().error.code);
    assert.match(english.json().error.message, /^The e-mail address, mobile number or password is not right\./);
    assert.match(german.json().error.message, /^E-Mail-Adresse, Handynummer oder Passwort stimmen nicht\./);
    const spanish = await new TestClient(t.app, { "accept-language": "es" }).request("GET", "/api/v1/session");
    assert.deepEqual(spanish.json().error, { code: "UNAUTHENTICATED", message: "Inicia sesión para continuar." });
  });

  it("the menu is a form that works without script: it sets the cookie for a year and comes back to the page", async () => {
    const client = new TestClient(t.app, { "accept-language": "de" });
    const page = await client.get("/password/reset?x=1");
    const form = hiddenInputsIn(page.body, "/language");
    assert.equal(form.return_to, "/password/reset?x=1");
    assert.ok(form._csrf, "the form carries the CSRF token");
    assert.match(page.body, /<select [^>]*name="locale"/);
    assert.match(page.body, /<option value="ar" lang="ar" dir="rtl">العربية<\/option>/);

    const chosen = await client.request("POST", "/language", { form: { ...form, locale: "fr" } });
    assert.equal(chosen.statusCode, 303);
    assert.equal(chosen.headers.location, "/password/reset?x=1");
    const cookie = (chosen.cookies as Array<{ name: string; value: string; maxAge?: number; sameSite?: string; path?: string }>).find(
      (c) => c.name === "latchkey_lang",
    );
    assert.equal(cookie?.value, "fr");
    assert.equal(cookie?.maxAge, 365 * 24 * 60 * 60);
    assert.equal(cookie?.sameSite, "Lax");
    assert.equal(cookie?.path, "/");
    assert.equal(langOf((await client.get("/password/reset")).body).lang, "fr", "the cookie beats Accept-Language");
  });

  it("refuses a post without the form's CSRF token, from another site, or naming a language not offered", async () => {
    const client = new TestClient(t.app);
    const page = await client.get("/signin");
    const form = hiddenInputsIn(page.body, "/language");
    const noToken = await client.request("POST", "/language", { form: { locale: "de", return_to: "/" } });
    assert.equal(noToken.statusCode, 403);
    assert.equal(client.cookies.get("latchkey_lang"), undefined);
    const crossSite = await client.request("POST", "/language", { form: { ...form, locale: "de" }, headers: { "sec-fetch-site": "cross-site" } });
    assert.equal(crossSite.statusCode, 403);
    const unknown = await client.request("POST", "/language", { form: { ...form, locale: "xx" } });
    assert.equal(unknown.statusCode, 400);
    const oversized = await client.request("POST", "/language", { form: { ...form, locale: "de", return_to: `/${"a".repeat(600)}` } });
    assert.equal(oversized.statusCode, 400);
    assert.equal(client.cookies.get("latchkey_lang"), undefined);
  });

  it("never redirects to another site", async () => {
    const client = new TestClient(t.app);
    const form = hiddenInputsIn((await client.get("/signin")).body, "/language");
    for (const target of ["//evil.example/", "https://evil.example/", "/\\evil.example", "/..//evil.example"]) {
      const chosen = await client.request("POST", "/language", { form: { ...form, locale: "es", return_to: target } });
      assert.equal(chosen.statusCode, 303);
      assert.equal(chosen.headers.location, "/", target);
    }
  });

  it("a signed-in person's choice is saved on the account: it beats Accept-Language on another browser, not that browser's cookie", async () => {
    const client = await seedVerifiedAccount(t, "lang-saved@example.com");
    const form = hiddenInputsIn((await client.get("/account")).body, "/language");
    assert.equal((await client.request("POST", "/language", { form: { ...form, locale: "es" } })).statusCode, 303);
    const accountId = (await client.get("/api/v1/session")).json().account.id;
    assert.equal((await t.deps.stores.accounts.getAccountById(accountId))?.locale, "es");

    // The same account on a browser that prefers German and has never used the menu.
    const other = new TestClient(t.app, { "accept-language": "de" });
    for (const [name, value] of client.cookies) if (name !== "latchkey_lang") other.cookies.set(name, value);
    assert.equal(langOf((await other.get("/account")).body).lang, "es", "the account's language beats Accept-Language");
    other.cookies.set("latchkey_lang", "ar");
    assert.equal(langOf((await other.get("/account")).body).lang, "ar", "this browser's cookie beats the account's language");
    // Signed out, the account's choice no longer applies.
    const signedOut = new TestClient(t.app, { "accept-language": "de" });
    assert.equal(langOf((await signedOut.get("/signin")).body).lang, "de");
  });

  it("PUT /api/v1/account/locale saves or forgets the language; GET /api/v1/locales lists what is offered", async () => {
    const anonymous = new TestClient(t.app);
    const refused = await anonymous.request("PUT", "/api/v1/account/locale", { json: { locale: "de" } });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, "UNAUTHENTICATED");

    const client = await seedVerifiedAccount(t, "lang-api@example.com");
    assert.deepEqual((await client.get("/api/v1/account/locale")).json(), { locale: null });
    const saved = await client.request("PUT", "/api/v1/account/locale", { json: { locale: "ar" } });
    assert.equal(saved.statusCode, 200);
    assert.deepEqual(saved.json(), { locale: "ar" });
    assert.equal(langOf((await client.get("/account")).body).dir, "rtl");
    const unknown = await client.request("PUT", "/api/v1/account/locale", { json: { locale: "klingon" } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.field, "locale");
    const tooLong = await client.request("PUT", "/api/v1/account/locale", { json: { locale: "d".repeat(17) } });
    assert.equal(tooLong.statusCode, 400);
    assert.equal((await client.request("PUT", "/api/v1/account/locale", { json: { locale: null } })).statusCode, 200);
    assert.deepEqual((await client.get("/api/v1/account/locale")).json(), { locale: null });

    const locales = (await new TestClient(t.app, { "accept-language": "fr" }).get("/api/v1/locales")).json();
    assert.deepEqual(
      locales.locales.map((l: { locale: string }) => l.locale),
      ["en", "de", "fr", "es", "ar"],
    );
    assert.equal(locales.current, "fr");
    assert.equal(locales.default, "en");
  });
});

describe("a single offered language (LATCHKEY_LOCALES=en)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_LOCALES: "en" });
  });
  after(async () => t.close());

  it("hides the menu and ignores Accept-Language and the cookie", async () => {
    const client = new TestClient(t.app, { "accept-language": "de" });
    client.cookies.set("latchkey_lang", "fr");
    const page = await client.get("/signin");
    assert.equal(langOf(page.body).lang, "en");
    assert.doesNotMatch(page.body, /language-menu|action="\/language"/);
  });
});
