// A running instance picks up a signing key rotated elsewhere (the CLI, another instance) within a minute and
// publishes it beside the old one; the new key signs ID tokens only once every instance publishes it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeProtectedHeader } from "jose";
import * as client from "openid-client";
import { buildApp } from "../../src/app.ts";
import { NEW_KEY_SIGNS_AFTER_SECONDS, rotateSigningKey } from "../../src/oidc/signing-keys.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "https://app.example.com/cb";

describe("signing key rotation on a running instance", () => {
  let t: HTTPTestApp;
  let config: client.Configuration;
  before(async () => {
    t = await startHTTPTestApp();
    await seedAccount(t, "rosa@example.com");
    const registered = await addClient(t, { redirectUris: [REDIRECT] });
    config = await client.discovery(new URL(t.base), registered.id, registered.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  async function idTokenKid(): Promise<string | undefined> {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "k",
    });
    const browser = new HTTPBrowser();
    const page = await browser.signIn(await browser.follow(url.href, t.base), t.base, "rosa@example.com", PASSWORD);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.location ?? ""), { pkceCodeVerifier: verifier, expectedState: "k" });
    return decodeProtectedHeader(String(tokens.id_token)).kid;
  }
  const publishedKids = async (): Promise<string[]> =>
    ((await (await fetch(`${t.base}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

  it("publishes the new key after the next check and signs with it only later, keeping the old one in the JWKS", async () => {
    const [first] = await publishedKids();
    assert.equal(await idTokenKid(), first);
    const { kid } = await rotateSigningKey(t.deps);
    assert.deepEqual(await publishedKids(), [first], "not before the next check");
    t.clock.advance(61_000);
    assert.deepEqual((await publishedKids()).sort(), [kid, first].sort());
    assert.equal(await idTokenKid(), first, "the old key still signs");
    t.clock.advance(NEW_KEY_SIGNS_AFTER_SECONDS * 1000);
    assert.deepEqual(await publishedKids(), [kid, first]);
    assert.equal(await idTokenKid(), kid);
  });

  it("never signs with a key that another instance, which has not checked yet, does not publish", async () => {
    // Instance B shares the stores and the clock; it looks for rotations on its own schedule, 30 s after A.
    const b = await buildApp(t.deps, { logger: false });
    try {
      const kidsOfB = async (): Promise<string[]> =>
        ((await b.inject({ method: "GET", url: "/oidc/jwks" })).json() as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
      t.clock.advance(61_000);
      await publishedKids();
      t.clock.advance(30_000);
      await kidsOfB();
      await rotateSigningKey(t.deps);
      // A checks now (61 s since its last check), B only in 30 s.
      t.clock.advance(31_000);
      const signedByA = await idTokenKid();
      assert.ok((await kidsOfB()).includes(String(signedByA)), "B's JWKS verifies A's ID token");
    } finally {
      await b.close();
    }
  });
});
