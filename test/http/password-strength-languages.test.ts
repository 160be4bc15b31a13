// The strength estimate in the page's language: the language's own words count as easy to guess (on top of
// the English and common ones), the advice comes in that language, and a language's dictionary is loaded
// only on its first estimate.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { estimatePasswordStrength, estimatePasswordStrengthNow, loadedStrengthLanguages } from "../../src/accounts/password-strength.ts";
import { SHIPPED_LOCALES } from "../../src/i18n/locales.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";

const require = createRequire(import.meta.url);
type Translations = { warnings: Record<string, string>; suggestions: Record<string, string> };
const translations = (name: string): Translations => (require(`@zxcvbn-ts/language-${name}`) as { translations: Translations }).translations;

describe("the strength estimate per language", () => {
  it("loads no language but English until a password is judged in it", () => {
    assert.deepEqual(loadedStrengthLanguages(), []);
    estimatePasswordStrengthNow("something", []);
    assert.deepEqual(loadedStrengthLanguages(), ["en"]);
    estimatePasswordStrengthNow("something", [], "es");
    assert.deepEqual(loadedStrengthLanguages().sort(), ["en", "es"]);
  });

  it("rates a German word common in German passwords as weak in German, not in English", () => {
    // "Schmetterling" (butterfly), "Schokolade" and "Geburtstag" (birthday) are in the German lists.
    for (const password of ["Schmetterling1", "Schokolade", "Geburtstag"]) {
      assert.ok(estimatePasswordStrengthNow(password, [], "de").score <= 1, `${password} in German`);
      assert.ok(estimatePasswordStrengthNow(password, [], "en").score >= 3, `${password} knows no German words in English`);
    }
    assert.ok(estimatePasswordStrengthNow("Contraseña1", [], "es").score <= 1, "and a Spanish one in Spanish");
  });

  it("still knows the common and English words in every language, and is never more lenient than English", () => {
    for (const locale of SHIPPED_LOCALES) {
      for (const password of ["password1", "sunflower77", "butterfly2020", "Basketball!", "qwertz123", "chocolate-cake", "Tortuga88", "Lieblingsmensch"]) {
        const english = estimatePasswordStrengthNow(password, [], "en").score;
        const local = estimatePasswordStrengthNow(password, [], locale).score;
        assert.ok(local <= english, `${password} scores ${local} in ${locale}, ${english} in English`);
        if (english <= 1) assert.ok(local <= 1, `${password} stays weak in ${locale}`);
      }
    }
  });

  it("gives its warning and suggestions in the language's own words", () => {
    const french = estimatePasswordStrengthNow("motdepasse", [], "fr");
    assert.equal(french.warning, translations("fr").warnings.common);
    assert.ok(french.suggestions.length > 0);
    const frenchSuggestions = Object.values(translations("fr").suggestions);
    for (const suggestion of french.suggestions) assert.ok(frenchSuggestions.includes(suggestion), suggestion);
    // The near-common warning of our own check comes in the language too.
    assert.equal(estimatePasswordStrengthNow("Passw0rd!!", [], "de").warning, translations("de").warnings.similarToCommon);
    assert.match(estimatePasswordStrengthNow("qwertzuiop", [], "ar").warning ?? "", /[\u0600-\u06FF]/, "Arabic advice in Arabic script");
  });

  it("answers from the worker thread in the language asked for, with every language loaded at once", async () => {
    // The worker's heap is bounded (64 MB): all five languages fit because they share the English lists.
    for (const locale of SHIPPED_LOCALES) {
      assert.deepEqual(
        await estimatePasswordStrength("Schmetterling1", ["ada@example.com"], locale),
        estimatePasswordStrengthNow("Schmetterling1", ["ada@example.com"], locale),
      );
    }
  });
});

describe("POST /api/v1/password-strength in the page's language", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  const estimate = async (client: TestClient, password: string) => {
    const response = await client.request("POST", "/api/v1/password-strength", { json: { password } });
    assert.equal(response.statusCode, 200);
    return response.json() as { score: number; acceptable: boolean; warning: string | null; suggestions: string[] };
  };

  it("gives French advice to a French page", async () => {
    const result = await estimate(new TestClient(t.app, { "accept-language": "fr-FR,fr;q=0.9" }), "motdepasse");
    assert.equal(result.acceptable, false);
    assert.equal(result.warning, translations("fr").warnings.common);
    assert.notEqual(result.warning, translations("en").warnings.common);
    const english = await estimate(new TestClient(t.app, { "accept-language": "en" }), "motdepasse");
    assert.equal(english.warning, translations("en").warnings.common);
  });

  it("refuses a common German word for a German page (chosen by the language cookie), and accepts it in English", async () => {
    const german = new TestClient(t.app, { "accept-language": "en" });
    german.cookies.set("latchkey_lang", "de");
    const refused = await estimate(german, "Schmetterling1");
    assert.ok(refused.score <= 1);
    assert.equal(refused.acceptable, false);
    assert.ok(refused.suggestions.every((s) => Object.values(translations("de").suggestions).includes(s)));
    const accepted = await estimate(new TestClient(t.app, { "accept-language": "en" }), "Schmetterling1");
    assert.equal(accepted.acceptable, true);
  });

  it("refuses a German page's registration with a common German word, and the fresh security check speaks German", async () => {
    const german = new TestClient(t.app, { "accept-language": "de" });
    const refused = await german.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(german), identifier: "lena@example.com", password: "Schmetterling1" },
    });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error.code, "PASSWORD_TOO_WEAK");
    const noCheck = await german.request("POST", "/api/v1/accounts", { json: { identifier: "lena@example.com", password: "Schmetterling1" } });
    assert.equal(noCheck.json().error.code, "CAPTCHA_REQUIRED");
    const audio = await german.get(noCheck.json().captcha.audioUrl);
    assert.equal(audio.headers["content-language"], "de", "the challenge handed back with the refusal speaks German");
    const english = new TestClient(t.app, { "accept-language": "en" });
    const accepted = await english.request("POST", "/api/v1/accounts", {
      json: { captcha: await solveCAPTCHA(english), identifier: "lena@example.com", password: "Schmetterling1" },
    });
    assert.equal(accepted.statusCode, 202);
  });
});
