// Authorization and sign-out requests sent by form POST (OpenID Connect Core 3.1.2.1, RP-Initiated Logout 2),
// over real HTTP: from a page of another site in Chromium, where the POST carries none of Latchkey's Lax
// cookies, and by plain HTTP. The person signs in (or, signed in already, goes straight through) and the
// application gets a code it can redeem.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { type Browser, chromium } from "playwright-core";
import { escapeHtml } from "../../src/lib/html.ts";
import { browserSuiteSkip, CHROMIUM_PATH } from "../helpers/browser.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, pkceAuthorization, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

/** A relying party on another site (localhost, where Latchkey is 127.0.0.1) whose page posts the request form. */
interface RelyingParty {
  origin: string;
  /** The form fields its page posts to `action`. */
  setForm(action: string, fields: Record<string, string>): void;
  close(): Promise<void>;
}

async function startRelyingParty(): Promise<RelyingParty> {
  let action = "";
  let fields: Record<string, string> = {};
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    response.setHeader("content-type", "text/html; charset=utf-8");
    if (path === "/start") {
      const inputs = Object.entries(fields)
        .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
        .join("");
      response.end(
        `<!doctype html><title>App</title><form method="post" action="${escapeHtml(action)}">${inputs}</form><script>document.forms[0].submit()</script>`,
      );
      return;
    }
    response.end("<!doctype html><title>Back at the app</title><p>Back at the app</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    setForm(to, values) {
      action = to;
      fields = values;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("authorization and sign-out requests sent by form POST", () => {
  let t: HTTPTestApp;
  let rp: RelyingParty;
  let accountId: string;
  let config: client.Configuration;
  let redirectUri: string;

  before(async () => {
    t = await startHTTPTestApp();
    rp = await startRelyingParty();
    redirectUri = `${rp.origin}/cb`;
    accountId = await seedAccount(t, "ada@example.com");
    const app = await addClient(t, { name: "Notes", redirectUris: [redirectUri], postLogoutRedirectUris: [`${rp.origin}/bye`] });
    config = await client.discovery(new URL(t.base), app.id, app.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await rp.close();
    await t.close();
  });

  async function authorizationForm(): Promise<{ fields: Record<string, string>; verifier: string; state: string }> {
    const { url, verifier, state } = await pkceAuthorization(config, { redirectUri });
    return { fields: Object.fromEntries(url.searchParams), verifier, state };
  }

  async function redeem(callback: string, verifier: string, state: string): Promise<string> {
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier, expectedState: state });
    return String(tokens.claims()?.sub);
  }

  /** The POST as a page of another site sends it: no Latchkey cookie, cross-site. */
  async function postCrossSite(url: string, fields: Record<string, string>): Promise<Response> {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: rp.origin, "sec-fetch-site": "cross-site" },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    });
  }

  it("over HTTP: a POST to /oidc/auth leads through sign-in, and straight through when signed in, to a code the app redeems", async () => {
    const browser = new HTTPBrowser();
    const first = await authorizationForm();
    const posted = await postCrossSite(`${t.base}/oidc/auth`, first.fields);
    assert.equal(posted.status, 303, await posted.text());
    const signin = await browser.follow(new URL(String(posted.headers.get("location")), t.base).href, t.base);
    assert.match(signin.url, /\/signin\?return_to=/);
    const back = await browser.signIn(signin, t.base, "ada@example.com", PASSWORD);
    assert.ok(back.location?.startsWith(`${redirectUri}?`), `ended at ${back.url} -> ${back.location}`);
    assert.equal(await redeem(String(back.location), first.verifier, first.state), accountId);

    const second = await authorizationForm();
    const again = await postCrossSite(`${t.base}/oidc/auth`, second.fields);
    assert.equal(again.status, 303);
    const straight = await browser.follow(new URL(String(again.headers.get("location")), t.base).href, t.base);
    assert.ok(straight.location?.startsWith(`${redirectUri}?`), `signed in already: ended at ${straight.url} -> ${straight.location}`);
    assert.equal(await redeem(String(straight.location), second.verifier, second.state), accountId);
  });

  it("over HTTP: a POST to /oidc/session/end asks the person to sign out, as the GET does", async () => {
    const browser = new HTTPBrowser();
    const first = await authorizationForm();
    const signin = await browser.follow(client.buildAuthorizationUrl(config, first.fields).href, t.base);
    await browser.signIn(signin, t.base, "ada@example.com", PASSWORD);
    const posted = await postCrossSite(`${t.base}/oidc/session/end`, { client_id: config.clientMetadata().client_id, state: "s1" });
    assert.equal(posted.status, 303, await posted.text());
    const question = await browser.follow(new URL(String(posted.headers.get("location")), t.base).href, t.base);
    assert.equal(question.status, 200);
    assert.match(question.body, /<h1>Sign out\?<\/h1>/);
    assert.match(question.body, /action="[^"]*\/oidc\/session\/end\/confirm"/);
  });

  describe("in Chromium, from a page of another site", { skip: browserSuiteSkip() }, () => {
    let chromiumBrowser: Browser;
    before(async () => {
      chromiumBrowser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    });
    after(async () => chromiumBrowser?.close());

    it("the app's auto-submitted form leads through sign-in back to the app with a code, and straight through once signed in", async () => {
      const context = await chromiumBrowser.newContext();
      context.setDefaultTimeout(15_000);
      try {
        const page = await context.newPage();
        const seen: string[] = [];
        page.on("framenavigated", (frame) => {
          if (frame === page.mainFrame()) seen.push(frame.url());
        });
        const first = await authorizationForm();
        rp.setForm(`${t.base}/oidc/auth`, first.fields);
        await page.goto(`${rp.origin}/start`);
        await page.waitForURL(/\/signin\?/);
        await page.getByLabel("E-mail or mobile number").fill("ada@example.com");
        await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
        await page.getByRole("button", { name: "Sign in", exact: true }).click();
        await page.waitForURL((url) => url.href.startsWith(`${redirectUri}?`));
        assert.equal(await redeem(page.url(), first.verifier, first.state), accountId);

        seen.length = 0;
        const second = await authorizationForm();
        rp.setForm(`${t.base}/oidc/auth`, second.fields);
        await page.goto(`${rp.origin}/start`);
        await page.waitForURL((url) => url.href.startsWith(`${redirectUri}?`));
        assert.ok(!seen.some((url) => url.includes("/signin")), `no sign-in page on the way: ${seen.join(" ")}`);
        assert.equal(await redeem(page.url(), second.verifier, second.state), accountId);
      } finally {
        await context.close();
      }
    });
  });
});
