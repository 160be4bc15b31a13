// Single sign-on follows the browser's current Latchkey session: what the ID token says about the sign-in
// (auth_time, amr, acr) is that session's, never an earlier sign-in's that the provider's cookie remembers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "jose";
import * as client from "openid-client";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";

describe("single sign-on after signing in again", () => {
  let t: HTTPTestApp;
  let config: client.Configuration;

  before(async () => {
    t = await startHTTPTestApp();
    await seedAccount(t, "sam@example.com");
    const app = await addClient(t, { name: "Wiki", redirectUris: [REDIRECT], firstParty: true });
    config = await client.discovery(new URL(t.base), app.id, app.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  /** Authorizes in `browser` (signing in when asked); returns the ID token's claims. */
  async function idTokenClaims(browser: HTTPBrowser): Promise<Record<string, unknown>> {
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: "openid", code_challenge: challenge, code_challenge_method: "S256" });
    let page = await browser.follow(url.href, t.base);
    if (page.url.startsWith(`${t.base}/signin`)) page = await browser.signIn(page, t.base, "sam@example.com", PASSWORD);
    assert.ok(page.location?.startsWith(REDIRECT), `ended at ${page.url}`);
    const tokens = await client.authorizationCodeGrant(config, new URL(String(page.location)), { pkceCodeVerifier: verifier });
    return decodeJwt(String(tokens.id_token));
  }

  it("a new Latchkey sign-in in the same browser gives the application its auth_time, not the old one", async () => {
    const browser = new HTTPBrowser();
    const first = await idTokenClaims(browser);
    await browser.request(`${t.base}/api/v1/session`, { method: "DELETE", headers: { origin: t.base, "sec-fetch-site": "same-origin" } });
    assert.equal((await browser.request(`${t.base}/api/v1/session`)).status, 401, "signed out of Latchkey");
    t.clock.advance(600_000);
    // Signed in again on Latchkey's own page, not through the application.
    const signin = await browser.follow(`${t.base}/signin`, t.base);
    await browser.signIn(signin, t.base, "sam@example.com", PASSWORD);
    const second = await idTokenClaims(browser);
    const session = await browser.request(`${t.base}/api/v1/session`);
    assert.equal(session.status, 200);
    assert.equal(second.auth_time, (first.auth_time as number) + 600, "auth_time is the second sign-in's");
  });
});
