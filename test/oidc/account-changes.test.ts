// What applications hold after the account changes: tokens of a disabled or deleted account are inactive at
// introspection.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
/** What the application asks for: a refresh token too (offline_access needs prompt=consent). */
const AUTHORIZE = { redirect_uri: REDIRECT, scope: "openid email offline_access", prompt: "consent", code_challenge_method: "S256", state: "st" };

describe("applications' tokens after the account changes", () => {
  let t: HTTPTestApp;
  let config: client.Configuration;

  before(async () => {
    t = await startHTTPTestApp();
    const app = await addClient(t, { name: "Wiki", redirectUris: [REDIRECT], firstParty: true });
    config = await client.discovery(new URL(t.base), app.id, app.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  /** Signs `identifier` in to the application; returns its tokens (with a refresh token). */
  async function tokensFor(identifier: string, password = PASSWORD): Promise<client.TokenEndpointResponse> {
    const browser = new HTTPBrowser();
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    const url = client.buildAuthorizationUrl(config, { ...AUTHORIZE, code_challenge: challenge });
    const page = await browser.signIn(await browser.follow(url.href, t.base), t.base, identifier, password);
    assert.ok(page.location?.startsWith(REDIRECT), `ended at ${page.url}`);
    return client.authorizationCodeGrant(config, new URL(String(page.location)), { pkceCodeVerifier: verifier, expectedState: "st" });
  }
  const active = async (token: string): Promise<boolean> => (await client.tokenIntrospection(config, token)).active;

  it("introspection answers active:false for tokens of a disabled account and of a deleted one", async () => {
    const disabledId = await seedAccount(t, "dora@example.com");
    const deletedId = await seedAccount(t, "dan@example.com");
    const dora = await tokensFor("dora@example.com");
    const dan = await tokensFor("dan@example.com");
    assert.equal(await active(dora.access_token), true);
    // The store verbs alone (no grant removal): the provider itself must stop vouching for the account.
    await t.deps.stores.accounts.disableAccount(disabledId, t.clock.now());
    await t.deps.stores.accounts.deleteAccount(deletedId);
    for (const token of [dora.access_token, String(dora.refresh_token), dan.access_token, String(dan.refresh_token)])
      assert.equal(await active(token), false, "a resource server that introspects must stop accepting the token");
  });
});
