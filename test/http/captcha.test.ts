// The security check over HTTP: challenges, picture and audio, the gate on sign-in and registration,
// single use, expiry, purpose and browser binding.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { verifyCAPTCHAAnswer } from "../../src/captcha/challenges.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, solveCAPTCHA, TestClient } from "../helpers/client.ts";

describe("CAPTCHA", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  async function failTimes(client: TestClient, identifier: string, times: number) {
    let last = await client.request("POST", "/api/v1/session", { json: { identifier, password: "wrong password entirely" } });
    for (let i = 1; i < times; i++) last = await client.request("POST", "/api/v1/session", { json: { identifier, password: "wrong password entirely" } });
    return last;
  }

  it("creates a challenge whose picture is a PNG and whose audio is the same WAV on every replay", async () => {
    const client = new TestClient(t.app);
    const created = await client.request("POST", "/api/v1/captcha", { json: { purpose: "signin" } });
    assert.equal(created.statusCode, 201);
    const challenge = created.json();
    assert.match(challenge.id, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(challenge.imageUrl, `/captcha/${challenge.id}.png`);
    assert.equal(challenge.audioUrl, `/captcha/${challenge.id}.wav`);
    assert.ok(Date.parse(challenge.expiresAt) - t.clock.now().getTime() === 600_000);
    const image = await client.get(challenge.imageUrl);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers["content-type"], "image/png");
    assert.deepEqual([...image.rawPayload.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    // Sent in parts (see encodePNGParts): the length announced is the file's, and the file ends with IEND.
    assert.equal(Number(image.headers["content-length"]), image.rawPayload.length);
    assert.equal(image.rawPayload.toString("latin1", image.rawPayload.length - 8, image.rawPayload.length - 4), "IEND");
    assert.equal(image.headers["cache-control"], "no-store");
    const audio1 = await client.get(challenge.audioUrl);
    const audio2 = await client.get(challenge.audioUrl);
    assert.equal(audio1.statusCode, 200);
    assert.equal(audio1.headers["content-type"], "audio/wav");
    assert.equal(audio1.rawPayload.subarray(0, 4).toString(), "RIFF");
    assert.ok(audio1.rawPayload.equals(audio2.rawPayload), "the same clip on replay");
    assert.equal((await client.get("/captcha/AAAAAAAAAAAAAAAAAAAA.png")).statusCode, 404);
    const badPurpose = await client.request("POST", "/api/v1/captcha", { json: { purpose: "anything" } });
    assert.equal(badPurpose.statusCode, 400);
    assert.equal(badPurpose.json().error.code, "VALIDATION_FAILED");
  });

  it("asks for the check after three failed sign-ins, for known and unknown identifiers alike", async () => {
    await createVerifiedAccount(t, "known@example.com");
    for (const identifier of ["known@example.com", "unknown@example.com"]) {
      const client = new TestClient(t.app);
      const second = await failTimes(client, identifier, 2);
      assert.equal(second.json().captcha, undefined);
      const third = await client.request("POST", "/api/v1/session", { json: { identifier, password: "wrong password entirely" } });
      assert.equal(third.statusCode, 401);
      assert.equal(third.json().error.code, "SIGNIN_FAILED");
      assert.ok(third.json().captcha?.id, "the third failure hands over the challenge to solve next");
      const fourth = await client.request("POST", "/api/v1/session", { json: { identifier, password: STRONG_PASSWORD } });
      assert.equal(fourth.statusCode, 401);
      assert.equal(fourth.json().error.code, "CAPTCHA_REQUIRED");
      assert.equal(fourth.json().error.field, "captcha");
      assert.ok(fourth.json().captcha.imageUrl);
    }
  });

  it("accepts the picture's text in any case, or the digits with spaces and hyphens, once", async () => {
    await createVerifiedAccount(t, "solver@example.com");
    const client = new TestClient(t.app);
    await failTimes(client, "solver@example.com", 3);
    const wrong = await client.request("POST", "/api/v1/session", {
      json: { identifier: "solver@example.com", password: STRONG_PASSWORD, captcha: { ...(await solveCAPTCHA(client, "signin")), answer: "NOPE12" } },
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.code, "CAPTCHA_INCORRECT");
    assert.ok(wrong.json().captcha.id, "a fresh challenge comes with the refusal");
    const fresh = wrong.json().captcha.id as string;
    const ok = await client.request("POST", "/api/v1/session", {
      json: { identifier: "solver@example.com", password: STRONG_PASSWORD, captcha: { id: fresh, answer: "123 45-67" } },
    });
    assert.equal(ok.statusCode, 200);
    // Success cleared the failures: the next wrong password is an ordinary failure without a check.
    const after = await new TestClient(t.app).request("POST", "/api/v1/session", {
      json: { identifier: "solver@example.com", password: "wrong password entirely" },
    });
    assert.equal(after.json().error.code, "SIGNIN_FAILED");
    assert.equal(after.json().captcha, undefined);
  });

  it("answers an empty answer with its own code and a fresh challenge, and spends the old one", async () => {
    await createVerifiedAccount(t, "empty@example.com");
    const client = new TestClient(t.app);
    await failTimes(client, "empty@example.com", 3);
    const challenge = await solveCAPTCHA(client, "signin");
    const empty = await client.request("POST", "/api/v1/session", {
      json: { identifier: "empty@example.com", password: STRONG_PASSWORD, captcha: { id: challenge.id, answer: " - " } },
    });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.code, "CAPTCHA_ANSWER_MISSING");
    assert.equal(empty.json().error.field, "captcha");
    assert.ok(empty.json().captcha.id && empty.json().captcha.id !== challenge.id, "a fresh challenge comes with it");
    const again = await client.request("POST", "/api/v1/session", { json: { identifier: "empty@example.com", password: STRONG_PASSWORD, captcha: challenge } });
    assert.equal(again.json().error.code, "CAPTCHA_EXPIRED", "the empty attempt spent the challenge");
  });

  it("spends a challenge on any attempt: a correct answer does not work twice, nor after a wrong one", async () => {
    const client = new TestClient(t.app);
    const binding = (id: string) => id;
    const one = await solveCAPTCHA(client, "signin");
    await failTimes(client, "twice@example.com", 3);
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "twice@example.com", password: "x-wrong-password-x", captcha: one } });
    assert.equal(first.json().error.code, "SIGNIN_FAILED", "the check passed, the password did not");
    const reused = await client.request("POST", "/api/v1/session", { json: { identifier: "twice@example.com", password: "x-wrong-password-x", captcha: one } });
    assert.equal(reused.json().error.code, "CAPTCHA_EXPIRED");
    assert.ok(binding(one.id));
  });

  it("refuses a challenge made for another purpose or another browser", async () => {
    const client = new TestClient(t.app);
    await failTimes(client, "bound@example.com", 3);
    const forRegistration = await solveCAPTCHA(client, "registration");
    const wrongPurpose = await client.request("POST", "/api/v1/session", {
      json: { identifier: "bound@example.com", password: STRONG_PASSWORD, captcha: forRegistration },
    });
    assert.equal(wrongPurpose.json().error.code, "CAPTCHA_EXPIRED");
    const other = new TestClient(t.app);
    const othersChallenge = await solveCAPTCHA(other, "signin");
    const wrongBrowser = await client.request("POST", "/api/v1/session", {
      json: { identifier: "bound@example.com", password: STRONG_PASSWORD, captcha: othersChallenge },
    });
    assert.equal(wrongBrowser.json().error.code, "CAPTCHA_EXPIRED");
  });

  it("expires a challenge after 10 minutes", async () => {
    const client = new TestClient(t.app);
    await failTimes(client, "late@example.com", 3);
    const challenge = await solveCAPTCHA(client, "signin");
    t.clock.advance(600_000 + 1000);
    const late = await client.request("POST", "/api/v1/session", { json: { identifier: "late@example.com", password: STRONG_PASSWORD, captcha: challenge } });
    assert.equal(late.json().error.code, "CAPTCHA_EXPIRED");
    assert.equal((await client.get(`/captcha/${challenge.id}.png`)).statusCode, 404);
  });

  it("lets exactly one of many concurrent answers win", async () => {
    const client = new TestClient(t.app);
    const challenge = await solveCAPTCHA(client, "signin");
    const binding = `b:${(await import("../../src/lib/crypto.ts")).sha256Hex(client.cookies.get("latchkey_browser") as string).slice(0, 32)}`;
    const verdicts = await Promise.all(
      Array.from({ length: 25 }, () => verifyCAPTCHAAnswer(t.deps, { id: challenge.id, answer: "TESTME", purpose: "signin", binding })),
    );
    assert.equal(verdicts.filter((v) => v === "correct").length, 1);
    assert.equal(verdicts.filter((v) => v === "expired").length, 24);
  });

  it("guards registration: no answer, no account", async () => {
    const client = new TestClient(t.app);
    const refused = await client.request("POST", "/api/v1/accounts", { json: { identifier: "robot@example.com", password: STRONG_PASSWORD } });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, "CAPTCHA_REQUIRED");
    assert.ok(refused.json().captcha.id);
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("robot@example.com"), null);
  });

  it("shows the check on the sign-in page after three failures, keeps the identifier, and lets the answer through", async () => {
    await createVerifiedAccount(t, "page@example.com");
    const browser = new TestClient(t.app);
    let location = "";
    for (let i = 0; i < 3; i++) {
      const failed = await browser.submitForm("/signin", "/signin", { identifier: "page@example.com", password: "wrong password entirely" });
      location = failed.headers.location as string;
    }
    const page = await browser.get(location);
    const html = page.body;
    assert.match(html, /<fieldset class="captcha" data-captcha>/);
    assert.match(
      html,
      /<img class="captcha-image" src="\/captcha\/[A-Za-z0-9_-]{20}\.png" width="240" height="80" alt="Security check picture: type the letters and digits it shows[^"]*audio/,
    );
    assert.match(html, /<a class="captcha-audio-link" href="\/captcha\/[A-Za-z0-9_-]{20}\.wav" data-captcha-audio>Hear the challenge<\/a>/);
    assert.match(html, /name="captchaAction" value="refresh"[^>]*>Try another</);
    assert.match(html, /name="captchaAnswer" autocomplete="off" autocapitalize="off" spellcheck="false"/);
    assert.match(html, /href="\/help\/security-check"/);
    assert.match(pageText(html), /Not case-sensitive/);
    assert.match(html, /value="page@example.com"/);
    assert.doesNotMatch(html, /<audio[^>]*autoplay/);
    assert.match(html, /<aside class="test-mode-banner" aria-label="Test mode">/);

    const hidden = hiddenInputsIn(html, "/signin");
    const refreshed = await browser.request("POST", "/signin", { form: { ...hidden, identifier: "page@example.com", password: "", captchaAction: "refresh" } });
    const refreshedPage = await browser.get(refreshed.headers.location as string);
    assert.notEqual(hiddenInputsIn(refreshedPage.body, "/signin").captchaId, hidden.captchaId, "Try another gives a new challenge");
    assert.match(refreshedPage.body, /id="captcha" name="captchaAnswer"[^>]*autofocus/, "focus goes to the new check");
    assert.equal((refreshedPage.body.match(/ autofocus/g) ?? []).length, 1, "and nowhere else");
    assert.match(refreshedPage.body, /value="page@example.com"/);

    const signedIn = await browser.request("POST", "/signin", {
      form: { ...hiddenInputsIn(refreshedPage.body, "/signin"), identifier: "page@example.com", password: STRONG_PASSWORD, captchaAnswer: "tEsTmE" },
    });
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, "/account");
  });

  it("shows a wrong answer's message next to a fresh check and never keeps the password", async () => {
    const browser = new TestClient(t.app);
    let location = "";
    for (let i = 0; i < 3; i++)
      location = (await browser.submitForm("/signin", "/signin", { identifier: "again@example.com", password: "wrong password entirely" })).headers
        .location as string;
    const failedPage = await browser.submitForm(location, "/signin", {
      identifier: "again@example.com",
      password: "secret-typed-here",
      captchaAnswer: "wrong",
    });
    const page = await browser.get(failedPage.headers.location as string);
    assert.match(pageText(page.body), /answer to the security check was not right/);
    assert.match(page.body, /id="captcha"[^>]*aria-invalid="true"/);
    assert.doesNotMatch(page.body, /secret-typed-here/);
    // Everything but the password is kept, and the page says that only the password must be typed again.
    assert.match(page.body, /id="identifier"[^>]*value="again@example.com"/);
    assert.match(pageText(page.body), /Type your password again/);
    assert.match(page.body, /id="password"[^>]*aria-describedby="[^"]*password-(hint|notice)/);
  });

  it("tells the person on a fresh sign-in page nothing about typing the password again", async () => {
    const page = await new TestClient(t.app).get("/signin");
    assert.doesNotMatch(pageText(page.body), /Type your password again/);
  });
});

describe("CAPTCHA picture per address", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_RATE_CAPTCHA_IMAGE: "5/1m" });
  });
  after(async () => {
    await t.close();
  });

  it("draws one challenge's picture 5 times a minute for one address, then answers 429 with Retry-After", async () => {
    const created = await t.app.inject({ method: "POST", url: "/api/v1/captcha", remoteAddress: "198.51.100.20", payload: { purpose: "signin" } });
    const url = created.json().imageUrl as string;
    const picture = (remoteAddress: string) => t.app.inject({ method: "GET", url, remoteAddress });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await picture("198.51.100.20")).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const refused = await picture("198.51.100.20");
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers["retry-after"]) > 0 && Number(refused.headers["retry-after"]) <= 60);
    assert.notEqual(refused.headers["content-type"], "image/png", "no picture was drawn");
    assert.equal((await picture("198.51.100.21")).statusCode, 200, "another address is not affected");
    t.clock.advance(61_000);
    assert.equal((await picture("198.51.100.20")).statusCode, 200, "the next minute draws again");
  });
});
