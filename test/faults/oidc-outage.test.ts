// The OpenID Connect endpoints when storage refuses writes but still answers reads (a SQLite file whose
// write lock another process holds): the provider's session, saved after its own error handler has run, must
// not turn the answer into a bare 500. Browsers get a page that says to try again, applications 503 with
// Retry-After, and the same sign-in completes once the lock is gone.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { pageText } from "../helpers/client.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";

/** Runs `body` while another connection holds the SQLite write lock. */
async function whileLocked<T>(t: HTTPTestApp, body: () => Promise<T>): Promise<T> {
  const other = new SQLite(join(t.dataDir, "latchkey.db"));
  other.exec("begin exclusive");
  try {
    return await body();
  } finally {
    other.exec("rollback");
    other.close();
  }
}

describe("OpenID Connect while the SQLite database cannot be written", () => {
  let t: HTTPTestApp;
  let authorizeURL: string;
  const browser = new HTTPBrowser();

  before(async () => {
    t = await startHTTPTestApp();
    await seedAccount(t, "ada@example.com");
    const app = await addClient(t, { name: "Wiki", redirectUris: [REDIRECT], firstParty: true });
    const query = new URLSearchParams({
      client_id: app.id,
      response_type: "code",
      redirect_uri: REDIRECT,
      scope: "openid email",
      state: "s1",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    authorizeURL = `${t.base}/oidc/auth?${query}`;
    // The provider is built (and its first signing key written) on first use: before the lock.
    assert.equal((await fetch(`${t.base}/.well-known/openid-configuration`)).status, 200);
    const signin = await browser.follow(`${t.base}/signin`, t.base);
    await browser.signIn(signin, t.base, "ada@example.com", PASSWORD);
    // A first authorization gives the browser a provider session, which the provider saves again on every request.
    const first = await browser.follow(authorizeURL, t.base);
    assert.ok(first.location?.startsWith(REDIRECT), `the first authorization ends at the application: ${first.status} ${first.location}`);
  });
  after(async () => t?.close());

  it("answers the authorization request of a browser signed in to the provider with a 503 page, and completes it once writes work again", async () => {
    const page = await whileLocked(t, () => browser.request(authorizeURL, { headers: { accept: "text/html" } }));
    assert.equal(page.status, 503);
    assert.equal(page.headers.get("retry-after"), "5");
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(pageText(page.body), /briefly unavailable.*try again in a minute/);
    assert.match(page.body, /<code>server_error<\/code>/);

    const done = await browser.follow(authorizeURL, t.base);
    assert.equal(done.status, 303);
    const callback = new URL(done.location ?? "");
    assert.equal(callback.origin + callback.pathname, REDIRECT);
    assert.ok(callback.searchParams.get("code"), "the application gets its code");
  });

  it("answers a sign-out request 503 in the OAuth error shape to a client that asks for JSON", async () => {
    const answer = await whileLocked(t, () => browser.request(`${t.base}/oidc/session/end`, { headers: { accept: "application/json" } }));
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get("retry-after"), "5");
    assert.equal(JSON.parse(answer.body).error, "server_error");
    assert.equal((await browser.request(`${t.base}/oidc/session/end`)).status, 200, "the sign-out question once writes work");
  });
});
