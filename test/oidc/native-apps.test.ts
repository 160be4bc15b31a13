// Native apps (RFC 8252) over real HTTP: a client registered with a reverse-domain redirect URI, as
// `latchkey clients add` accepts and docs/integrations.md describes, gets its code at that URI and
// redeems it; its loopback address matches on any port; addresses the provider would refuse beside such
// a URI are refused at registration instead of making the whole client unusable.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { checkNewClient } from "../../src/oidc/clients.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, pkceAuthorization, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const APP_URI = "com.example.notes:/oauth/callback";
const LOOPBACK_URI = "http://127.0.0.1/callback";

describe("native apps with a reverse-domain redirect URI", () => {
  let t: HTTPTestApp;
  let accountId: string;
  let config: client.Configuration;

  before(async () => {
    t = await startHTTPTestApp();
    accountId = await seedAccount(t, "ada@example.com");
    const notes = await addClient(t, { name: "Notes", redirectUris: [APP_URI, LOOPBACK_URI], isPublic: true, firstParty: true });
    config = await client.discovery(new URL(t.base), notes.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  async function authorize(redirectUri: string): Promise<{ callback: URL | null; verifier: string; state: string; status: number; body: string }> {
    const { url, verifier, state } = await pkceAuthorization(config, { redirectUri });
    const browser = new HTTPBrowser();
    let page = await browser.follow(url.href, t.base);
    if (page.url.startsWith(`${t.base}/signin`) && page.status === 200) page = await browser.signIn(page, t.base, "ada@example.com", PASSWORD);
    const callback = page.location && !page.location.startsWith(t.base) ? new URL(page.location) : null;
    return { callback, verifier, state, status: page.status, body: page.body };
  }

  it("sends the code to the app's own scheme and lets the app redeem it", async () => {
    const started = await authorize(APP_URI);
    assert.ok(started.callback, `expected a redirect to the app, got ${started.status}: ${started.body.slice(0, 300)}`);
    assert.equal(`${started.callback.protocol}${started.callback.pathname}`, APP_URI);
    const tokens = await client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
    assert.equal(tokens.claims()?.sub, accountId);
  });

  it("accepts the registered loopback address on the port the app listens on", async () => {
    const started = await authorize("http://127.0.0.1:53187/callback");
    assert.ok(started.callback, `expected a redirect to the app, got ${started.status}`);
    assert.equal(started.callback.origin, "http://127.0.0.1:53187");
    const tokens = await client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
    assert.equal(tokens.claims()?.sub, accountId);
    // Only the port is free: another path is still refused.
    const other = await authorize("http://127.0.0.1:53187/elsewhere");
    assert.equal(other.callback, null);
    assert.equal(other.status, 400);
  });

  it("refuses at registration the addresses a native app cannot have beside its scheme", () => {
    const input = { name: "Notes", postLogoutRedirectUris: [], isPublic: true, firstParty: false };
    assert.deepEqual(checkNewClient({ ...input, redirectUris: [APP_URI, LOOPBACK_URI, "http://[::1]/cb", "https://notes.example.com/cb"] }), []);
    const problems = checkNewClient({ ...input, redirectUris: [APP_URI, "http://notes.localhost/cb"], postLogoutRedirectUris: ["https://localhost/out"] });
    assert.equal(problems.length, 2, problems.join("; "));
    assert.match(problems[0] ?? "", /^--redirect-uri http:\/\/notes\.localhost\/cb must be http on localhost/);
    assert.match(problems[1] ?? "", /^--post-logout-redirect-uri https:\/\/localhost\/out must not be https on a loopback host/);
    // Without a reverse-domain scheme those are fine, as before.
    assert.deepEqual(checkNewClient({ ...input, redirectUris: ["http://notes.localhost/cb"], postLogoutRedirectUris: ["https://localhost/out"] }), []);
  });
});

// A desktop app registered with loopback redirect URIs only (RFC 8252 7.3): it listens on whatever port the
// system gives it, so a public client whose redirect URIs are all loopback http is a native app too.
describe("desktop apps with only loopback redirect URIs", () => {
  let t: HTTPTestApp;
  let accountId: string;
  let desktop: client.Configuration;
  let server: client.Configuration;
  const LOOPBACKS = ["http://127.0.0.1/callback", "http://[::1]/callback", "http://localhost/callback"] as const;

  before(async () => {
    t = await startHTTPTestApp();
    accountId = await seedAccount(t, "ada@example.com");
    const app = await addClient(t, { name: "Desktop", redirectUris: [...LOOPBACKS], isPublic: true, firstParty: true });
    desktop = await client.discovery(new URL(t.base), app.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    // A confidential client on loopback is a web server in development: its URI stays exact.
    const dev = await addClient(t, { name: "Dev server", redirectUris: ["http://localhost:8080/callback"], firstParty: true });
    server = await client.discovery(new URL(t.base), dev.id, dev.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  async function authorize(config: client.Configuration, redirectUri: string) {
    const { url, verifier, state } = await pkceAuthorization(config, { redirectUri, scope: "openid" });
    const browser = new HTTPBrowser();
    const signinPage = await browser.follow(url.href, t.base);
    const page =
      signinPage.url.startsWith(`${t.base}/signin`) && signinPage.status === 200
        ? await browser.signIn(signinPage, t.base, "ada@example.com", PASSWORD)
        : signinPage;
    const callback = page.location && !page.location.startsWith(t.base) ? new URL(page.location) : null;
    return { callback, verifier, state, status: page.status, signinPage };
  }

  it("sends the code to each registered loopback address on the port the app listens on", async () => {
    for (const [uri, port] of [
      [LOOPBACKS[0], 53187],
      [LOOPBACKS[1], 40123],
      [LOOPBACKS[2], 61000],
    ] as const) {
      const listening = new URL(uri);
      listening.port = String(port);
      const started = await authorize(desktop, listening.href);
      assert.ok(started.callback, `${listening.href}: expected a redirect to the app, got ${started.status}`);
      assert.equal(started.callback.origin, listening.origin);
      const tokens = await client.authorizationCodeGrant(desktop, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
      assert.equal(tokens.claims()?.sub, accountId);
      // The sign-in form's redirects end at the app's port, so its CSP form-action allows any port there.
      assert.match(
        String(started.signinPage.headers.get("content-security-policy")),
        new RegExp(`form-action 'self'[^;]* http://${listening.hostname.replace(/[[\].]/g, "\\$&")}:\\*`),
      );
    }
  });

  it("still refuses another path, another loopback host and a non-loopback host", async () => {
    for (const uri of ["http://127.0.0.1:53187/elsewhere", "http://127.0.0.2:53187/callback", "http://localhost.example.com:53187/callback"]) {
      const started = await authorize(desktop, uri);
      assert.equal(started.callback, null, uri);
      assert.equal(started.status, 400, uri);
    }
  });

  it("keeps matching a confidential client's loopback URI exactly, port included", async () => {
    const exact = await authorize(server, "http://localhost:8080/callback");
    assert.ok(exact.callback);
    const other = await authorize(server, "http://localhost:8081/callback");
    assert.equal(other.callback, null);
    assert.equal(other.status, 400);
  });
});
