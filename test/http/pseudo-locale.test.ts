// No text a person reads is left outside the catalogues: with every message wrapped in ⟦…⟧ (the pseudo
// locale), every page is drawn, signed out and signed in, with errors and on error pages, and any visible
// text outside the markers is reported. The site's name, what the person typed and language names are data.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setPseudoLocalization } from "../../src/i18n/catalogue.ts";
import { LOCALE_NAMES } from "../../src/i18n/locales.ts";
import { seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { TestClient } from "../helpers/client.ts";

const DATA = ["Latchkey", "pseudo@example.com", "wrong@example", "+44 7400 123456", ...Object.values(LOCALE_NAMES)];

/** The visible text of a page, and the attributes people read (alt, aria-label, title, placeholder), outside ⟦…⟧. */
export function textOutsideMarkers(page: string): string[] {
  const withoutCode = page
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<code>[\s\S]*?<\/code>/g, " ");
  const attributes = [...withoutCode.matchAll(/\s(?:alt|aria-label|title|placeholder)="([^"]*)"/g)].map((m) => m[1] ?? "");
  const text = withoutCode.replace(/<[^>]+>/g, " ");
  const leftovers: string[] = [];
  for (const chunk of [text, ...attributes]) {
    let rest = chunk
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
    for (const data of DATA) rest = rest.split(data).join(" ");
    // Innermost markers first, so a sentence with a link inside it ("⟦Or … ⟦continue⟧.⟧") goes whole.
    for (let previous = ""; previous !== rest; ) {
      previous = rest;
      rest = rest.replace(/⟦[^⟦⟧]*⟧/g, " ");
    }
    for (const word of rest.split(/[\s·.,:;!?()\-–—/|]+/)) if (/[\p{L}\p{N}]/u.test(word)) leftovers.push(word);
  }
  return leftovers;
}

describe("pseudo-locale: every text comes from a catalogue", () => {
  let t: TestApp;
  let signedIn: TestClient;
  before(async () => {
    t = await createTestApp();
    signedIn = await seedVerifiedAccount(t, "pseudo@example.com");
    setPseudoLocalization(true);
  });
  after(async () => {
    setPseudoLocalization(false);
    await t.close();
  });

  async function follow(client: TestClient, response: { statusCode: number; headers: Record<string, unknown>; body: string }): Promise<string> {
    return response.statusCode === 303 ? (await client.get(String(response.headers.location))).body : response.body;
  }

  /** The pages of sign-in, registration, reset, password change, the start page and the error page. */
  async function corePages(): Promise<Record<string, string>> {
    const anonymous = new TestClient(t.app);
    const pages: Record<string, string> = {};
    for (const path of [
      "/",
      "/signin",
      "/register",
      "/verify",
      "/password/reset",
      "/password/reset/confirm",
      "/password/reset/confirm?token=nonsense",
      "/no/such/page",
    ])
      pages[`GET ${path}`] = (await anonymous.get(path)).body;
    pages["sign-in refused"] = await follow(
      anonymous,
      await anonymous.submitForm("/signin", "/signin", { identifier: "pseudo@example.com", password: "not the password" }),
    );
    pages["sign-in malformed"] = await follow(anonymous, await anonymous.submitForm("/signin", "/signin", { identifier: "wrong@example", password: "x" }));
    pages["registration refused"] = await follow(
      anonymous,
      await anonymous.submitForm("/register", "/register", { identifier: "wrong@example", name: "", password: "short", password_confirm: "other" }),
    );
    pages["reset refused"] = await follow(anonymous, await anonymous.submitForm("/password/reset", "/password/reset", { identifier: "", captchaAnswer: "" }));
    pages["reset sent"] = await follow(
      anonymous,
      await anonymous.submitForm("/password/reset", "/password/reset", { identifier: "pseudo@example.com", captchaAnswer: "testme" }),
    );
    pages["form expired"] = (await anonymous.request("POST", "/signin", { form: { identifier: "x", password: "y" } })).body;
    pages["GET / signed in"] = (await signedIn.get("/")).body;
    pages["GET /account/password"] = (await signedIn.get("/account/password")).body;
    pages["password change refused"] = await follow(
      signedIn,
      await signedIn.submitForm("/account/password", "/account/password", {
        currentPassword: "nope",
        newPassword: "x",
        newPassword_confirm: "y",
        captchaAnswer: "testme",
      }),
    );
    return pages;
  }

  it("sign-in, registration, reset, password change, the start page and error pages", async () => {
    const found: Record<string, string[]> = {};
    for (const [name, page] of Object.entries(await corePages())) {
      assert.match(page, /⟦/, `${name} was drawn with the pseudo locale`);
      const leftovers = textOutsideMarkers(page);
      if (leftovers.length > 0) found[name] = leftovers;
    }
    assert.deepEqual(found, {});
  });

  it("the other pages: account, security, help, admin", async () => {
    await t.deps.stores.accounts.setAccountAdmin((await signedIn.get("/api/v1/session")).json().account.id, true, t.clock.now());
    const found: Record<string, string[]> = {};
    for (const path of [
      "/account",
      "/account/security",
      "/account/delete",
      "/help",
      "/help/problems-signing-in",
      "/admin",
      "/admin/accounts",
      "/admin/events",
      "/admin/apps",
      "/admin/help-feedback",
    ]) {
      const leftovers = textOutsideMarkers((await signedIn.get(path)).body);
      if (leftovers.length > 0) found[path] = [...new Set(leftovers)].slice(0, 12);
    }
    assert.deepEqual(found, {}, "text on these pages is not from a catalogue yet");
  });
});
