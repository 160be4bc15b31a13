// In a real browser, with the keyboard alone: signing in through the security check, in a sensible focus
// order, with a visible focus indicator everywhere focus lands.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type BrowserSuite, browserSuiteSkip, capture, navigateBy, PASSWORD, startBrowserSuite, visibleText } from "../helpers/browser.ts";

interface Focused {
  /** "input#identifier", "a:Hear the challenge", "button:Sign in", "audio", … */
  name: string;
  focusVisible: boolean;
  outline: string;
  outlineWidth: number;
}

/** What has focus now, and how its focus indicator is drawn. */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { name: "body", focusVisible: false, outline: "", outlineWidth: 0 };
    const tag = el.tagName.toLowerCase();
    // The accessible name: an aria-label when there is one (the password button's "Show password"), else the text.
    const text = (el.getAttribute("aria-label") ?? el.textContent ?? "").replace(/\s+/g, " ").trim();
    const name =
      tag === "input" || tag === "textarea" ? `${tag}#${el.id}` : tag === "a" || tag === "button" ? `${tag}:${text}` : el.id ? `${tag}#${el.id}` : tag;
    const style = getComputedStyle(el);
    return {
      name,
      focusVisible: el.matches(":focus-visible"),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      outlineWidth: Number.parseFloat(style.outlineWidth),
    };
  });
}

describe("keyboard-only sign-in in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite();
    await suite.createAccount("alan@example.com");
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("signs in through the security check with Tab, typing, Enter and Space only", async () => {
    await suite.failSignins("alan@example.com", 3);
    const page = await suite.newPage();
    await page.goto("/signin");
    assert.equal((await focused(page)).name, "input#identifier", "the first field has focus on arrival");
    await page.keyboard.type("alan@example.com");
    await page.keyboard.press("Tab");
    assert.equal((await focused(page)).name, "input#password");
    await page.keyboard.type(PASSWORD);
    await navigateBy(page, () => page.keyboard.press("Enter"));

    // The check is required now: the error summary has focus, and the form shows the check.
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true);
    assert.match(await visibleText(page.locator(".error-summary")), /Please complete the security check/);

    /** Presses Tab until `name` has focus (at most `limit` times); returns every stop on the way. */
    const order: Focused[] = [];
    const tabTo = async (name: string, limit = 25, key = "Tab"): Promise<Focused> => {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press(key);
        const now = await focused(page);
        order.push(now);
        if (now.name === name) return now;
      }
      throw new Error(`${name} not reached with ${key}; focus went: ${order.map((f) => f.name).join(" → ")}`);
    };

    // Forward through the whole form without doing anything, to see the order.
    await tabTo("button:Sign in");
    const names = order.map((f) => f.name);
    const expected = [
      "input#identifier",
      "input#password",
      "button:Show password",
      "a:Hear the challenge",
      "button:Try another",
      "input#captcha",
      "a:Trouble with the security check?",
      "input#remember",
      "button:Sign in",
    ];
    const positions = expected.map((name) => names.indexOf(name));
    assert.ok(
      positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] as number))),
      `focus order: ${names.join(" → ")}`,
    );
    assert.deepEqual(names.slice(names.indexOf("input#identifier")), expected, "nothing else in between inside the form");

    // Every stop shows where focus is: :focus-visible matches and draws an outline at least 2 px wide.
    for (const stop of order) {
      assert.ok(stop.focusVisible, `${stop.name} matches :focus-visible`);
      assert.ok(stop.outlineWidth >= 2 && !stop.outline.startsWith("none"), `${stop.name} has a visible outline (${stop.outline})`);
    }

    // Back to the form's start to fill it in, then through the check by ear.
    order.length = 0;
    await tabTo("input#password", 25, "Shift+Tab");
    assert.equal(await page.locator("#identifier").inputValue(), "alan@example.com", "the identifier was kept");
    await page.keyboard.type(PASSWORD);
    await tabTo("a:Hear the challenge");
    await capture(page, "keyboard-hear-the-challenge");
    await page.keyboard.press("Enter");
    await page.locator("audio").waitFor();
    const player = await focused(page);
    assert.equal(player.name, "audio", "focus moves to the player");
    assert.ok(player.outlineWidth >= 2, `the player shows focus (${player.outline})`);
    const audio = page.locator("audio");
    // The Enter that asked for it started it; Space on the focused player pauses it.
    await page.waitForFunction(() => (document.querySelector("audio")?.currentTime ?? 0) > 0);
    await page.keyboard.press("Space");
    assert.equal(await audio.evaluate((a: HTMLAudioElement) => a.paused), true, "Space pauses it");

    await tabTo("input#captcha", 10);
    await page.keyboard.type("1234567");
    await tabTo("input#remember");
    await page.keyboard.press("Space");
    assert.equal(await page.locator("#remember").isChecked(), true, "Space ticks the box");
    await tabTo("button:Sign in");
    await capture(page, "keyboard-before-submit");
    await navigateBy(page, () => page.keyboard.press("Enter"));
    assert.equal(new URL(page.url()).pathname, "/account");
    await page.getByText("This device").waitFor();
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("offers a skip link as the first stop, which moves focus to the main content", async () => {
    const page = await suite.newPage();
    await page.goto("/help");
    await page.keyboard.press("Tab");
    const skip = await focused(page);
    assert.equal(skip.name, "a:Skip to content");
    assert.ok(skip.outlineWidth >= 2, skip.outline);
    assert.ok(await page.getByRole("link", { name: "Skip to content" }).isVisible(), "visible while focused");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => Boolean(document.activeElement?.closest("main")));
    assert.equal(next, true, "the next Tab lands inside the main content");
  });
});
