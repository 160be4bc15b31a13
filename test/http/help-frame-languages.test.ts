// The help center's own texts (list, search, article frame, feedback widget) in the page's language.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { pageText, TestClient } from "../helpers/client.ts";

describe("the help center in the person's language", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("shows the list, the search and its count in Spanish", async () => {
    const page = await new TestClient(t.app).get("/help?q=password", { "accept-language": "es" });
    assert.equal(page.statusCode, 200);
    const text = pageText(page.body);
    assert.match(text, /Buscar en la ayuda/);
    assert.match(text, /Resultados para «password»/);
    assert.match(text, /\d+ artículos? coincide/);
    assert.match(text, /Todos los artículos/);
  });

  it("shows the article frame and the feedback widget in Arabic, with the review date written the Arabic way", async () => {
    const page = await new TestClient(t.app).get("/help/problems-signing-in", { "accept-language": "ar" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="ar" dir="rtl">/);
    const text = pageText(page.body);
    assert.match(text, /هل كانت هذه المعلومات مفيدة؟/);
    assert.match(text, /آخر مراجعة: /);
    assert.match(page.body, /data-thanks-yes="شكرًا على رأيك\."/);
    assert.doesNotMatch(text, /Was this information helpful\?|Last reviewed/);
  });
});
