// The security check in the page's language: the audio speaks the language the challenge was made in,
// every replay is the same clip whatever language the replay asks for, a page in another language gets a
// challenge in that language, and digits typed in Arabic-Indic or Eastern Arabic-Indic script count.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCAPTCHAAudio } from "../../src/captcha/audio.ts";
import { deriveCAPTCHAVoiceStyle } from "../../src/captcha/audio-style.ts";
import { loadedVoiceBanks } from "../../src/captcha/audio-voices.ts";
import { normalizeCAPTCHAAnswer, verifyCAPTCHAAnswer } from "../../src/captcha/challenges.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { sha256Hex, unsealJSON } from "../../src/lib/crypto.ts";
import { createSeededRandom } from "../../src/lib/random.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { TestClient } from "../helpers/client.ts";

describe("CAPTCHA audio in the page's language", () => {
  let t: TestApp;
  let banksAtStart: Locale[] = [];
  before(async () => {
    t = await createTestApp();
    banksAtStart = loadedVoiceBanks();
  });
  after(async () => {
    await t.close();
  });

  /** The clip a challenge must play in `locale`, rendered from its sealed seed and digits. */
  async function expectedClip(id: string, locale: Locale): Promise<Buffer> {
    const raw = await t.deps.stores.shortLived.get(`captcha:${id}`);
    assert.ok(raw, "the challenge is stored");
    const media = unsealJSON<{ digits: string; seed: string }>(t.deps.config.secret, "captcha", JSON.parse(raw).sealed);
    assert.ok(media);
    return createCAPTCHAAudio(media.digits, createSeededRandom(`audio:${media.seed}`), deriveCAPTCHAVoiceStyle(t.deps.config.secret), locale);
  }

  function audioIdIn(html: string): string {
    const id = /\/captcha\/([A-Za-z0-9_-]{20})\.wav/.exec(html)?.[1];
    assert.ok(id, "the page links to its audio");
    return id;
  }

  it("reads no voice bank at start-up", () => {
    assert.deepEqual(banksAtStart, []);
  });

  it("speaks a challenge made with Accept-Language de from the German bank, the same clip on every replay", async () => {
    const client = new TestClient(t.app, { "accept-language": "de-DE,de;q=0.9,en;q=0.5" });
    const created = await client.request("POST", "/api/v1/captcha", { json: { purpose: "signin" } });
    assert.equal(created.statusCode, 201);
    const { id, audioUrl } = created.json();
    const first = await client.get(audioUrl);
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers["content-type"], "audio/wav");
    assert.equal(first.headers["content-language"], "de");
    assert.ok(first.rawPayload.equals(await expectedClip(id, "de")), "built from the German recordings");
    assert.ok(!first.rawPayload.equals(await expectedClip(id, "en")), "not from the English ones");
    // Asked again in another language, the challenge still speaks German: one challenge, one clip.
    client.cookies.set("latchkey_lang", "ar");
    const replay = await client.get(audioUrl, { "accept-language": "fr" });
    assert.equal(replay.headers["content-language"], "de");
    assert.ok(replay.rawPayload.equals(first.rawPayload));
    assert.ok(loadedVoiceBanks().includes("de"));
    assert.ok(!loadedVoiceBanks().includes("fr"), "the French bank is not read until a French clip is made");
  });

  it("follows the language cookie over Accept-Language, and each shipped language has its own clip", async () => {
    for (const locale of ["en", "fr", "es", "ar"] as const) {
      const client = new TestClient(t.app, { "accept-language": "de" });
      client.cookies.set("latchkey_lang", locale);
      const created = await client.request("POST", "/api/v1/captcha", { json: { purpose: "registration" } });
      const audio = await client.get(created.json().audioUrl);
      assert.equal(audio.headers["content-language"], locale);
      assert.ok(audio.rawPayload.equals(await expectedClip(created.json().id, locale)), `built from the ${locale} recordings`);
    }
  });

  it("gives a page a new challenge in its language when the person switches languages, and keeps the old one's", async () => {
    const client = new TestClient(t.app, { "accept-language": "en" });
    const english = audioIdIn((await client.get("/password/reset")).body);
    assert.equal(audioIdIn((await client.get("/password/reset")).body), english, "a reload shows the same challenge");
    const german = audioIdIn((await client.get("/password/reset", { "accept-language": "de" })).body);
    assert.notEqual(german, english, "the German page draws a challenge that speaks German");
    assert.equal((await client.get(`/captcha/${german}.wav`)).headers["content-language"], "de");
    assert.equal(audioIdIn((await client.get("/password/reset", { "accept-language": "de" })).body), german, "and shows it again on reload");
    const old = await client.get(`/captcha/${english}.wav`, { "accept-language": "de" });
    assert.equal(old.headers["content-language"], "en", "the English challenge stays English");
  });

  it("hands a Spanish sign-in the security check in Spanish after three failures", async () => {
    const client = new TestClient(t.app, { "accept-language": "es-ES,es;q=0.9" });
    let last = await client.request("POST", "/api/v1/session", { json: { identifier: "nadie@example.com", password: "wrong password entirely" } });
    for (let i = 1; i < 3; i++) {
      last = await client.request("POST", "/api/v1/session", { json: { identifier: "nadie@example.com", password: "wrong password entirely" } });
    }
    assert.equal(last.json().error.code, "SIGNIN_FAILED");
    const audio = await client.get(last.json().captcha.audioUrl);
    assert.equal(audio.headers["content-language"], "es");
    const wrong = await client.request("POST", "/api/v1/session", {
      json: { identifier: "nadie@example.com", password: "wrong password entirely", captcha: { id: last.json().captcha.id, answer: "0000000" } },
    });
    assert.equal(wrong.json().error.code, "CAPTCHA_INCORRECT");
    assert.equal((await client.get(wrong.json().captcha.audioUrl)).headers["content-language"], "es", "and the next one too");
  });

  it("writes Arabic-Indic and Eastern Arabic-Indic digits as ASCII digits", () => {
    assert.equal(normalizeCAPTCHAAnswer("١٢٣٤٥٦٧"), "1234567");
    assert.equal(normalizeCAPTCHAAnswer("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
    assert.equal(normalizeCAPTCHAAnswer("٠١٢٣٤٥٦٧٨٩"), "0123456789");
    assert.equal(normalizeCAPTCHAAnswer("١٢٣، ٤٥-٦٧"), "1234567");
    assert.equal(normalizeCAPTCHAAnswer("１２３４５６７"), "1234567");
  });

  it("accepts the audio's digits typed in Arabic-Indic or Eastern Arabic-Indic digits, and refuses a wrong one", async () => {
    await createVerifiedAccount(t, "arabic@example.com");
    const client = new TestClient(t.app, { "accept-language": "ar" });
    for (let i = 0; i < 3; i++) {
      await client.request("POST", "/api/v1/session", { json: { identifier: "arabic@example.com", password: "wrong password entirely" } });
    }
    const challenge = async () => (await client.request("POST", "/api/v1/captcha", { json: { purpose: "signin" } })).json().id as string;
    // Test mode speaks 1234567.
    const wrong = await client.request("POST", "/api/v1/session", {
      json: { identifier: "arabic@example.com", password: STRONG_PASSWORD, captcha: { id: await challenge(), answer: "١٢٣٤٥٦٨" } },
    });
    assert.equal(wrong.json().error.code, "CAPTCHA_INCORRECT");
    const ok = await client.request("POST", "/api/v1/session", {
      json: { identifier: "arabic@example.com", password: STRONG_PASSWORD, captcha: { id: await challenge(), answer: "١٢٣ ٤٥٦٧" } },
    });
    assert.equal(ok.statusCode, 200);
    // Signed in now, so another browser tries the Eastern digits (Persian and Urdu keyboards type them).
    const other = new TestClient(t.app, { "accept-language": "ar" });
    const id = (await other.request("POST", "/api/v1/captcha", { json: { purpose: "signin" } })).json().id as string;
    const binding = `b:${sha256Hex(other.cookies.get("latchkey_browser") as string).slice(0, 32)}`;
    assert.equal(await verifyCAPTCHAAnswer(t.deps, { id, answer: "۱۲۳۴۵۶۷", purpose: "signin", binding }), "correct");
  });
});
