// Token introspection over real HTTP with openid-client: a client learns about the tokens issued to it and
// nothing about another application's, unless it is registered as a resource server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { checkNewClient } from "../../src/oidc/clients.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, pkceAuthorization, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";

describe("token introspection", () => {
  let t: HTTPTestApp;
  let accountId: string;
  let wiki: client.Configuration;
  let photos: client.Configuration;
  let api: client.Configuration;

  async function configFor(c: { id: string; secret: string | null }): Promise<client.Configuration> {
    return client.discovery(new URL(t.base), c.id, c.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  }

  before(async () => {
    t = await startHTTPTestApp();
    accountId = await seedAccount(t, "ada@example.com");
    wiki = await configFor(await addClient(t, { name: "Wiki", redirectUris: [REDIRECT], firstParty: true }));
    // Another application, third-party or not: a client like any other.
    photos = await configFor(await addClient(t, { name: "Photo Printer", redirectUris: ["http://127.0.0.1:9/photos"], firstParty: false }));
    // An API that accepts the wiki's tokens, registered without a redirect URI.
    api = await configFor(await addClient(t, { name: "Wiki API", redirectUris: [], resourceServer: true }));
  });
  after(async () => t.close());

  async function wikiTokens(): Promise<client.TokenEndpointResponse> {
    const browser = new HTTPBrowser();
    const { url, verifier } = await pkceAuthorization(wiki, { redirectUri: REDIRECT, scope: "openid email offline_access", prompt: "consent", state: "st" });
    const page = await browser.signIn(await browser.follow(url.href, t.base), t.base, "ada@example.com", PASSWORD);
    assert.ok(page.location?.startsWith(REDIRECT), `ended at ${page.url}`);
    return client.authorizationCodeGrant(wiki, new URL(String(page.location)), { pkceCodeVerifier: verifier, expectedState: "st" });
  }

  it("tells a client about its own tokens", async () => {
    const tokens = await wikiTokens();
    for (const token of [tokens.access_token, String(tokens.refresh_token)]) {
      const answer = await client.tokenIntrospection(wiki, token);
      assert.equal(answer.active, true);
      assert.equal(answer.sub, accountId);
    }
  });

  it("answers active:false, and nothing else, to another application asking about the wiki's tokens", async () => {
    const tokens = await wikiTokens();
    for (const token of [tokens.access_token, String(tokens.refresh_token)]) {
      const answer = await client.tokenIntrospection(photos, token);
      assert.deepEqual({ ...answer }, { active: false });
    }
    // The token itself is untouched: its own client still sees it active.
    assert.equal((await client.tokenIntrospection(wiki, tokens.access_token)).active, true);
  });

  it("tells a resource server about another client's tokens", async () => {
    const tokens = await wikiTokens();
    const answer = await client.tokenIntrospection(api, tokens.access_token);
    assert.equal(answer.active, true);
    assert.equal(answer.sub, accountId);
    assert.equal(answer.client_id, (wiki.clientMetadata() as { client_id: string }).client_id);
    assert.match(String(answer.scope), /\bemail\b/);
  });

  it("registers a resource server only with a secret, and without a redirect URI only as one", () => {
    const input = { name: "API", redirectUris: [], postLogoutRedirectUris: [], firstParty: false };
    assert.deepEqual(checkNewClient({ ...input, isPublic: false, resourceServer: true }), []);
    assert.match(checkNewClient({ ...input, isPublic: true, resourceServer: true }).join("; "), /--resource-server needs a secret/);
    assert.match(checkNewClient({ ...input, isPublic: false }).join("; "), /at least one --redirect-uri/);
  });
});
