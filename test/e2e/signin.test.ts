// In a real browser: the sign-in page's Caps Lock warning, its one generic failure message, and the
// security check after repeated failures (picture, audio that plays, either answer, single use).
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type BrowserSuite, browserSuiteSkip, capture, navigateBy, PASSWORD, startBrowserSuite, visibleText } from "../helpers/browser.ts";

const ANSWER_LABEL = "Type the characters in the picture, or the 7 digits you hear";
const SIGNIN_FAILED = "The e-mail address, mobile number or password is not right. Passwords are case-sensitive: check Caps Lock.";

async function submitSignin(page: Page, identifier: string, password: string, captchaAnswer?: string): Promise<void> {
  await page.getByLabel("E-mail or mobile number").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (captchaAnswer !== undefined) await page.getByLabel(ANSWER_LABEL).fill(captchaAnswer);
  await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
}

/** The text of the error summary, without its heading and help links. */
async function errorMessages(page: Page): Promise<string> {
  return await visibleText(page.locator(".error-summary ul"));
}

describe("sign-in in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite();
    await suite.createAccount("linus@example.com");
    await suite.createAccount("ada@example.com");
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("shows and announces the Caps Lock warning while Caps Lock is on, and removes it when it is off", async (t) => {
    const page = await suite.newPage();
    await page.goto("/signin");
    const password = page.getByLabel("Password", { exact: true });
    const warning = page.locator("#password-capslock");
    const liveRegion = page.locator('body > div.visually-hidden[aria-live="polite"]');
    await password.focus();
    await page.keyboard.type("abc");
    assert.equal(await warning.isVisible(), false, "no warning while Caps Lock is off");

    // A real key through the DevTools protocol first. Headless Chromium (156) never reports the lock for
    // these: keyboard.down/press("CapsLock") and every `modifiers` bit of Input.dispatchKeyEvent leave
    // getModifierState("CapsLock") false (the protocol's modifiers carry only Alt, Ctrl, Meta and Shift).
    await page.keyboard.press("CapsLock");
    await page.keyboard.type("d");
    const realKeyReportsLock = await warning.isVisible();
    t.diagnostic(`a DevTools CapsLock key press ${realKeyReportsLock ? "turns" : "does not turn"} the lock on in this Chromium`);
    if (realKeyReportsLock) await page.keyboard.press("CapsLock");

    // So the lock state comes the one way Chromium accepts from outside the OS: a keyboard event created
    // with modifierCapsLock, dispatched on the focused field, which the page script reads like any other.
    const typeKey = (capsLock: boolean) =>
      password.evaluate((input, on) => {
        for (const type of ["keydown", "keyup"]) {
          input.dispatchEvent(new KeyboardEvent(type, { key: on ? "E" : "e", code: "KeyE", modifierCapsLock: on, bubbles: true }));
        }
      }, capsLock);

    await typeKey(true);
    await warning.waitFor({ state: "visible" });
    assert.equal(await visibleText(warning), "Caps Lock is on. Passwords are case-sensitive.");
    assert.match((await password.getAttribute("aria-describedby")) ?? "", /\bpassword-capslock\b/, "the field is described by the warning");
    await page.waitForFunction(() => document.querySelector('body > div.visually-hidden[aria-live="polite"]')?.textContent !== "");
    assert.equal(await liveRegion.textContent(), "Caps Lock is on. Passwords are case-sensitive.");
    await capture(page, "signin-capslock");

    // Leaving the field hides it; coming back with the lock still on shows it again.
    await page.getByLabel("E-mail or mobile number").focus();
    assert.equal(await warning.isVisible(), false);
    await password.focus();
    assert.equal(await warning.isVisible(), true);

    await typeKey(false);
    await warning.waitFor({ state: "hidden" });
    assert.doesNotMatch((await password.getAttribute("aria-describedby")) ?? "", /password-capslock/);
    await page.waitForFunction(() => document.querySelector('body > div.visually-hidden[aria-live="polite"]')?.textContent === "Caps Lock is off.");
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("answers a wrong password and an unknown account with the same message and a help link", async () => {
    const page = await suite.newPage();
    await page.goto("/signin");
    await submitSignin(page, "linus@example.com", "not-the-password");
    const summary = page.getByRole("alert");
    await summary.getByRole("heading", { name: "There is a problem" }).waitFor();
    assert.equal(await errorMessages(page), SIGNIN_FAILED);
    assert.equal(await summary.getByRole("link", { name: "Problems signing in?" }).getAttribute("href"), "/help/problems-signing-in");
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true, "focus moves to the summary");
    assert.equal(await page.getByLabel("E-mail or mobile number").inputValue(), "linus@example.com", "the identifier is kept");
    assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "", "the password is not sent back");
    assert.equal(await page.locator("fieldset.captcha").count(), 0, "no security check after one failure");
    await capture(page, "signin-failed");

    await submitSignin(page, "nobody-here@example.com", "not-the-password");
    assert.equal(await errorMessages(page), SIGNIN_FAILED, "an unknown account gets the very same message");
    await page.getByRole("alert").getByRole("link", { name: "Problems signing in?" }).waitFor();
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("asks for the security check after three failures; its audio plays; either answer works, once", async (t) => {
    const page = await suite.newPage();
    await page.goto("/signin");
    await submitSignin(page, "ada@example.com", "wrong-1");
    await submitSignin(page, "ada@example.com", "wrong-2");
    assert.equal(await page.locator("fieldset.captcha").count(), 0, "no check after two failures");
    await submitSignin(page, "ada@example.com", "wrong-3");
    assert.equal(await errorMessages(page), SIGNIN_FAILED);

    const check = page.getByRole("group", { name: "Security check" });
    await check.waitFor();
    const picture = check.getByRole("img", { name: /^Security check picture: type the letters and digits it shows/ });
    await picture.waitFor();
    assert.ok(await picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), "the picture loaded");
    await check.getByRole("button", { name: "Try another" }).waitFor();
    await check.getByRole("link", { name: "Trouble with the security check?" }).waitFor();
    await capture(page, "signin-check");

    // "Hear the challenge" puts a player in the page and starts it with that one press (no autoplay).
    await check.getByRole("link", { name: "Hear the challenge" }).click();
    const audio = check.locator("audio");
    await audio.waitFor();
    assert.equal(await check.getByRole("link", { name: "Hear the challenge" }).count(), 0, "the link gives way to the player");
    const state = await audio.evaluate((a: HTMLAudioElement) => ({ controls: a.controls, autoplay: a.autoplay, focused: document.activeElement === a }));
    assert.deepEqual(state, { controls: true, autoplay: false, focused: true });
    assert.equal(await audio.getAttribute("aria-label"), "Security check audio");
    // It plays without a second action, which also proves the WAV decodes in the browser.
    const played = await audio.evaluate(async (a: HTMLAudioElement) => {
      const started = Date.now();
      while (a.currentTime < 0.25 && Date.now() - started < 8000) await new Promise((resolve) => setTimeout(resolve, 50));
      a.pause();
      return { currentTime: a.currentTime, duration: a.duration, readyState: a.readyState, error: a.error?.message ?? null };
    });
    t.diagnostic(`audio: ${JSON.stringify(played)}`);
    assert.equal(played.error, null);
    assert.ok(played.currentTime >= 0.25, `playback advanced (${JSON.stringify(played)})`);
    assert.ok(played.readyState >= 2, `enough data to play (${JSON.stringify(played)})`);
    assert.ok(played.duration > 3 && played.duration < 30, `a clip of 7 digits (${played.duration} s)`);
    // "Play again" starts it from the beginning.
    await check.getByRole("button", { name: "Play again" }).click();
    await page.waitForFunction(() => {
      const a = document.querySelector("fieldset.captcha audio") as HTMLAudioElement | null;
      return a !== null && !a.paused && a.currentTime > 0 && a.currentTime < 2;
    });
    await audio.evaluate((a: HTMLAudioElement) => a.pause());
    await capture(page, "signin-check-audio");

    // Solved with the digits but a wrong password: the challenge is used up, and the answer brings a new one.
    const usedId = await page.locator('input[name="captchaId"]').inputValue();
    await submitSignin(page, "ada@example.com", "wrong-4", "1234567");
    assert.equal(await errorMessages(page), SIGNIN_FAILED);
    const nextId = await page.locator('input[name="captchaId"]').inputValue();
    assert.notEqual(nextId, usedId);
    // Back to the page with the used challenge: pages are no-store, so it is fetched again, with the
    // browser's unanswered challenge (the one just drawn), never the used one.
    await page.goBack({ waitUntil: "load" });
    const backId = await page.locator('input[name="captchaId"]').inputValue();
    assert.ok(backId !== usedId, "the back button never shows the used check");
    assert.equal(backId, nextId, "a reload shows the unanswered check again instead of drawing another");

    // The digits the audio speaks solve it.
    await submitSignin(page, "ada@example.com", PASSWORD, "1234567");
    assert.equal(new URL(page.url()).pathname, "/account");
    await page.getByText("This device").waitFor();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin\?done=signed-out$/);

    // Three more failures elsewhere; then a form that carries the challenge already used is refused with a fresh one.
    await suite.failSignins("ada@example.com", 3);
    await submitSignin(page, "ada@example.com", PASSWORD);
    assert.equal(await errorMessages(page), "Please complete the security check, so we know you're a person and not a program.");
    await page.locator('input[name="captchaId"]').evaluate((input: HTMLInputElement, id) => {
      input.value = id;
    }, usedId);
    await submitSignin(page, "ada@example.com", PASSWORD, "1234567");
    assert.equal(new URL(page.url()).pathname, "/signin", "a used challenge does not sign in");
    assert.equal(await errorMessages(page), "The security check had expired or was already used. Here is a new one.");
    const freshId = await page.locator('input[name="captchaId"]').inputValue();
    assert.notEqual(freshId, usedId, "a new challenge is shown");
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true);

    // The picture's text solves the new one.
    await submitSignin(page, "ada@example.com", PASSWORD, "TestMe");
    assert.equal(new URL(page.url()).pathname, "/account");
    assert.deepEqual(suite.pageProblems(page), []);
  });
});
