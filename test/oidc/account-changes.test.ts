// What applications hold after the account changes: tokens of a disabled or deleted account are inactive at
// introspection, and a password reset or an admin disabling the account ends every application's tokens.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { performAdminAction } from "../../src/admin/account-actions.ts";
import { completePasswordResetWithToken, sendPasswordResetFor } from "../../src/recovery/reset.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";
import { readEmails } from "../helpers/outbox.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const NEW_PASSWORD = "Quiet-Lantern-Orchard-Violet-77";
/** What the application asks for: a refresh token too (offline_access needs prompt=consent). */
const AUTHORIZE = { redirect_uri: REDIRECT, scope: "openid email offline_access", prompt: "consent", code_challenge_method: "S256", state: "st" };
const CONTEXT = { ip: "127.0.0.1", userAgent: "test" };

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
  const refused = (e: unknown): boolean => (e as { error?: string }).error === "invalid_grant";
  const grantsOf = async (accountId: string) => t.deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, t.clock.now());

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

  it("a password reset ends every application's access and refresh tokens", async () => {
    const accountId = await seedAccount(t, "rita@example.com");
    const tokens = await tokensFor("rita@example.com");
    const identifier = (await t.deps.stores.accounts.listIdentifiers(accountId))[0];
    assert.ok(identifier);
    await sendPasswordResetFor(t.deps, { accountId, identifier });
    const mail = (await readEmails(`${t.dataDir}/outbox`)).filter((m) => m.to.includes("rita@example.com")).at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1];
    assert.ok(token, "the reset link was sent");
    await completePasswordResetWithToken(t.deps, { token, password: NEW_PASSWORD });

    await assert.rejects(client.refreshTokenGrant(config, String(tokens.refresh_token)), refused, "the refresh token died with the old password");
    assert.equal(await active(tokens.access_token), false);
    assert.deepEqual(await grantsOf(accountId), [], "no grant is left to issue tokens under");
    assert.ok(await tokensFor("rita@example.com", NEW_PASSWORD), "signing in again with the new password works");
  });

  it("an admin disabling the account ends applications' tokens, and enabling it again does not bring them back", async () => {
    const adminId = await seedAccount(t, "root@example.com");
    await t.deps.stores.accounts.grantAdmin(adminId, t.clock.now());
    const admin = await t.deps.stores.accounts.getAccountById(adminId);
    assert.ok(admin);
    const accountId = await seedAccount(t, "eddie@example.com");
    const tokens = await tokensFor("eddie@example.com");
    for (const action of ["disable", "enable"] as const)
      assert.equal((await performAdminAction(t.deps, { admin, accountId, action, password: PASSWORD, context: CONTEXT })).changed, true);

    await assert.rejects(client.refreshTokenGrant(config, String(tokens.refresh_token)), refused);
    assert.equal(await active(tokens.access_token), false);
    assert.deepEqual(await grantsOf(accountId), []);
  });
});
