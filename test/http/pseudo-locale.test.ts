// No text a person reads is left outside the catalogues: with every message wrapped in ⟦…⟧ (the pseudo
// locale), every page is drawn, signed out and signed in, with errors and on error pages, and any visible
// text outside the markers is reported. The site's name, what the person typed and language names are data,
// and so is what the pages mark as data: dates and times in <time datetime>, numbers in <data value> (or, in
// a chart, an element with its data-value), code in <code>, names, addresses and user agents isolated in
// <bdi>, and the help articles' own words (their text, titles and summaries come from content/help/<locale>/,
// which the help language tests cover).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadHelpLibrary } from "../../src/help/articles.ts";
import { setPseudoLocalization } from "../../src/i18n/catalogue.ts";
import { LOCALE_NAMES } from "../../src/i18n/locales.ts";
import { seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { TestClient } from "../helpers/client.ts";

const HELP_TITLES = loadHelpLibrary()
  .list("en")
  .flatMap((a) => [a.title, a.summary]);
const DATA = ["Latchkey", "pseudo@example.com", "wrong@example", "+44 7400 123456", ...Object.values(LOCALE_NAMES), ...HELP_TITLES];

/** The visible text of a page, and the attributes people read (alt, aria-label, title, placeholder), outside ⟦…⟧. */
export function textOutsideMarkers(page: string): string[] {
  const withoutCode = page
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<(code|bdi)>[\s\S]*?<\/\1>/g, " ")
    .replace(/<time datetime="[^"]*">[^<]*<\/time>/g, " ")
    .replace(/<data value="[^"]*">[^<]*<\/data>/g, " ")
    .replace(/<(\w+)\s[^>]*\bdata-value="[^"]*"[^>]*>[^<]*<\/\1>/g, " ")
    .replace(/<article class="help-article"[\s\S]*?<\/article>/g, " ");
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
    const id: string = (await signedIn.get("/api/v1/session")).json().account.id;
    await t.deps.stores.accounts.setAccountAdmin(id, true, t.clock.now());
    await t.deps.stores.oidcClients.createClient({
      id: "pseudo-app",
      name: "Pseudo app",
      secretHash: null,
      authMethod: "none",
      redirectUris: ["https://app.example/callback"],
      postLogoutRedirectUris: [],
      firstParty: false,
      createdAt: t.clock.now(),
    });
    const found: Record<string, string[]> = {};
    for (const path of [
      "/account",
      "/account/security",
      "/account/delete",
      "/help",
      "/help/problems-signing-in",
      "/admin",
      "/admin/accounts",
      "/admin/accounts?done=disable",
      `/admin/accounts/${id}`,
      `/admin/accounts/${id}?done=remove-second-factors`,
      `/admin/accounts/${id}/disable`,
      `/admin/accounts/${id}/remove-second-factors`,
      "/admin/events",
      "/admin/events?ip=not-an-address&from=yesterday&type=nonsense",
      "/admin/apps",
      "/admin/help-feedback",
    ]) {
      const leftovers = textOutsideMarkers((await signedIn.get(path)).body);
      if (leftovers.length > 0) found[path] = [...new Set(leftovers)].slice(0, 12);
    }
    assert.deepEqual(found, {}, "text on these pages is not from a catalogue yet");
  });
});
