// What applications hold after the account changes: tokens of a disabled or deleted account are inactive at
// introspection; a password reset, a password change that signs out the other sessions, signing out of all
// other sessions, an admin signing the account out everywhere and an admin disabling the account end every
// application's tokens; deleting the account removes everything applications held for it, in the database
// and in Redis.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { performAdminAction } from "../../src/admin/account-actions.ts";
import { generateTOTPCode, totpStepAt } from "../../src/factors/totp.ts";
import { completePasswordResetWithToken, sendPasswordResetFor } from "../../src/recovery/reset.ts";
import { allBackends } from "../helpers/backends.ts";
import { hiddenInputsIn } from "../helpers/client.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, type Page, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";
import { readEmails } from "../helpers/outbox.ts";
import { createSoftPasskey } from "../helpers/webauthn.ts";

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

/** What a person and the application both do over HTTP against one running server. */
function appHarness(t: HTTPTestApp, config: client.Configuration) {
  /** Takes `browser` to the application's authorization (signing in first when the browser is not); returns the redirect with the code. */
  async function authorize(browser: HTTPBrowser, identifier: string): Promise<{ callback: URL; verifier: string }> {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { ...AUTHORIZE, code_challenge: await client.calculatePKCECodeChallenge(verifier) });
    let page = await browser.follow(url.href, t.base);
    if (page.url.includes("/signin")) page = await browser.signIn(page, t.base, identifier, PASSWORD);
    assert.ok(page.location?.startsWith(REDIRECT), `ended at ${page.status} ${page.url}`);
    return { callback: new URL(String(page.location)), verifier };
  }
  /** Signs `browser` in to the application as `identifier`; returns its tokens (with a refresh token). */
  async function tokensFor(browser: HTTPBrowser, identifier: string): Promise<client.TokenEndpointResponse> {
    const { callback, verifier } = await authorize(browser, identifier);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: "st" });
    assert.ok(tokens.refresh_token, "the application holds a refresh token");
    return tokens;
  }
  /** GETs `path` in `browser` and submits its form posting to `action` with `fields`: the form's hidden inputs go with them. */
  async function submit(browser: HTTPBrowser, path: string, action: string, fields: Record<string, string>): Promise<Page> {
    const page = await browser.request(`${t.base}${path}`);
    assert.equal(page.status, 200, `${path} answered ${page.status}`);
    return browser.request(`${t.base}${action}`, { form: { ...hiddenInputsIn(page.body, action), ...fields } });
  }
  /** A JSON call with `browser`'s cookies, as a script or support tool makes it (no Origin header). */
  async function callAPI(browser: HTTPBrowser, method: string, path: string, body: unknown): Promise<Response> {
    const cookies = [...browser.cookiesFor(t.base)].map(([k, v]) => `${k}=${v}`).join("; ");
    const json = body === undefined ? {} : { headers: { cookie: cookies, "content-type": "application/json" }, body: JSON.stringify(body) };
    return fetch(`${t.base}${path}`, { method, headers: { cookie: cookies }, ...json });
  }
  /** The refresh token still works: the new one it answers with is the one to use next. */
  async function refreshes(token: string): Promise<string> {
    const fresh = await client.refreshTokenGrant(config, token);
    return String(fresh.refresh_token);
  }
  const refused = (e: unknown): boolean => (e as { error?: string }).error === "invalid_grant";
  /** Everything the provider stores that names the account, in the database. */
  async function artifactsOf(accountId: string): Promise<string[]> {
    const kinds = ["Grant", "Session", "AccessToken", "RefreshToken", "AuthorizationCode", "Interaction"];
    const found = [];
    for (const kind of kinds) {
      for (const store of new Set([t.deps.stores.oidcArtifacts, t.deps.stores.oidcShortLivedArtifacts]))
        for (const a of await store.listArtifactsOfAccount(kind, accountId, t.clock.now())) found.push(`${a.kind} ${a.id}`);
    }
    return found;
  }
  return { config, authorize, tokensFor, submit, callAPI, refreshes, refused, artifactsOf };
}

for (const backend of allBackends()) {
  describe(`signing out elsewhere and deleting the account end applications' tokens: ${backend.name}`, { skip: backend.skip }, () => {
    let t: HTTPTestApp;
    let h: ReturnType<typeof appHarness>;
    let accounts = 0;

    before(async () => {
      t = await startHTTPTestApp(await backend.freshAppEnv());
      const app = await addClient(t, { name: "Wiki", redirectUris: [REDIRECT], firstParty: true });
      const config = await client.discovery(new URL(t.base), app.id, app.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
      h = appHarness(t, config);
    });
    after(async () => t?.close());

    /**
     * A fresh account whose owner uses the application in one browser while a thief (with the password, or a
     * stolen session) has signed in to it in another: two grants' worth of refresh tokens.
     */
    async function ownerAndThief(): Promise<{ accountId: string; identifier: string; owner: HTTPBrowser; ownerRefresh: string; thiefRefresh: string }> {
      const identifier = `person${++accounts}@example.com`;
      const accountId = await seedAccount(t, identifier);
      const owner = new HTTPBrowser();
      const ownerRefresh = String((await h.tokensFor(owner, identifier)).refresh_token);
      const thiefRefresh = String((await h.tokensFor(new HTTPBrowser(), identifier)).refresh_token);
      return { accountId, identifier, owner, ownerRefresh, thiefRefresh };
    }

    async function changePassword(owner: HTTPBrowser, signOutOthers: boolean): Promise<void> {
      const changed = await h.submit(owner, "/account/password", "/account/password", {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        newPassword_confirm: NEW_PASSWORD,
        captchaAnswer: "testme",
        ...(signOutOthers ? { signOutOthers: "1" } : {}),
      });
      assert.equal(changed.status, 303);
      assert.equal(changed.location, `${t.base}/account?done=password-changed`);
    }

    it("a password change that signs out the other sessions ends every application's refresh tokens", async () => {
      const { accountId, owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      await changePassword(owner, true);
      await assert.rejects(client.refreshTokenGrant(h.config, thiefRefresh), h.refused, "the thief's application lost the account with the old password");
      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused, "every grant ends, as at a reset");
      assert.deepEqual(await t.deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, t.clock.now()), []);
    });

    it("a password change that keeps the other sessions keeps applications' refresh tokens", async () => {
      const { owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      await changePassword(owner, false);
      assert.ok(await h.refreshes(ownerRefresh));
      assert.ok(await h.refreshes(thiefRefresh));
    });

    it("signing out of all other sessions on the account page ends applications' refresh tokens too", async () => {
      const { accountId, owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      const account = await owner.request(`${t.base}/account`);
      assert.match(account.body, /This also signs you out of every app with access/, "the button says what it does");
      const ended = await h.submit(owner, "/account", "/account/sessions/revoke-others", {});
      assert.equal(ended.status, 303);
      assert.equal(ended.location, `${t.base}/account?done=others-ended`);
      await assert.rejects(client.refreshTokenGrant(h.config, thiefRefresh), h.refused);
      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused);
      const done = await owner.request(String(ended.location));
      assert.match(done.body, /signed out everywhere else and out of every app with access/, "the confirmation names the apps");
      assert.doesNotMatch(done.body, /id="apps-title"/, "no application is listed with access any more");
      const [event] = await t.deps.stores.audit.searchEvents({ accountId, types: ["sessions.revoked"], limit: 1 });
      assert.deepEqual(event?.detail, { count: 1, apps: 2 }, "the record says how many applications lost access");
    });

    it("the JSON API's DELETE /api/v1/sessions ends applications' refresh tokens too", async () => {
      const { owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      const ended = await h.callAPI(owner, "DELETE", "/api/v1/sessions", undefined);
      assert.equal(ended.status, 200);
      assert.deepEqual(await ended.json(), { ended: 1 });
      await assert.rejects(client.refreshTokenGrant(h.config, thiefRefresh), h.refused);
      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused);
    });

    /** Turns the authenticator app on from `owner`'s session through the API (set-up, then its first code). */
    async function enableTOTP(owner: HTTPBrowser): Promise<void> {
      const setup = await h.callAPI(owner, "POST", "/api/v1/account/totp", undefined);
      assert.equal(setup.status, 201);
      const { secret } = (await setup.json()) as { secret: string };
      const confirmed = await h.callAPI(owner, "POST", "/api/v1/account/totp/confirm", { code: generateTOTPCode(secret, totpStepAt(t.clock.now())) });
      assert.equal(confirmed.status, 200);
    }

    /** Adds a passkey from `owner`'s session through the API, as a browser with an authenticator would. */
    async function addPasskey(owner: HTTPBrowser): Promise<void> {
      const options = await h.callAPI(owner, "POST", "/api/v1/account/passkeys/options", undefined);
      assert.equal(options.status, 200);
      const { challengeId, options: creation } = (await options.json()) as { challengeId: string; options: { challenge: string } };
      const response = createSoftPasskey(t.base).register(creation.challenge);
      const added = await h.callAPI(owner, "POST", "/api/v1/account/passkeys", { challengeId, response, name: "Laptop" });
      assert.equal(added.status, 201);
    }

    it("turning on a first authenticator app ends applications' refresh tokens, as it ends the other password-only sessions", async () => {
      const { accountId, owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      await enableTOTP(owner);
      await assert.rejects(
        client.refreshTokenGrant(h.config, thiefRefresh),
        h.refused,
        "the thief's application, signed in with the password alone, lost the account",
      );
      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused, "every grant ends: grants are not tied to a browser");
      assert.deepEqual(await t.deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, t.clock.now()), []);
      assert.equal((await h.callAPI(owner, "GET", "/api/v1/session", undefined)).status, 200, "the session that turned the app on is kept");
      const [event] = await t.deps.stores.audit.searchEvents({ accountId, types: ["sessions.revoked"], limit: 1 });
      assert.deepEqual(event?.detail, { count: 1, reason: "second_factor_added", apps: 2 }, "the record says how many applications lost access");
    });

    it("adding a first passkey ends applications' refresh tokens; a factor added beside it leaves the new ones alone", async () => {
      const { identifier, owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      await addPasskey(owner);
      await assert.rejects(client.refreshTokenGrant(h.config, thiefRefresh), h.refused);
      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused);
      // The owner's session (now two-factor) signs the application in again; a second factor beside the first
      // ends nothing, as it ends no session.
      const fresh = String((await h.tokensFor(owner, identifier)).refresh_token);
      await enableTOTP(owner);
      assert.ok(await h.refreshes(fresh));
    });

    it("deleting one's account removes its grants, tokens and codes from storage (Redis included)", async () => {
      const { accountId, identifier, owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      // A code the application has not redeemed yet: in Redis when the short-lived store is Redis.
      const { callback } = await h.authorize(owner, identifier);
      const code = String(callback.searchParams.get("code"));
      assert.ok(await t.deps.stores.oidcShortLivedArtifacts.getArtifact("AuthorizationCode", code, t.clock.now()));
      assert.notDeepEqual(await h.artifactsOf(accountId), []);

      const deleted = await h.submit(owner, "/account/delete", "/account/delete", { confirm: "1" });
      assert.equal(deleted.status, 303);
      assert.equal(deleted.location, `${t.base}/goodbye`);

      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused);
      assert.deepEqual(await h.artifactsOf(accountId), [], "nothing the provider stored for the account is left");
      for (const token of [ownerRefresh, thiefRefresh]) assert.equal(await t.deps.stores.oidcArtifacts.getArtifact("RefreshToken", token, t.clock.now()), null);
      assert.equal(await t.deps.stores.oidcShortLivedArtifacts.getArtifact("AuthorizationCode", code, t.clock.now()), null, "the unredeemed code is gone too");
    });

    /** A signed-in admin's browser, and the admin's account id. */
    async function signedInAdmin(): Promise<{ admin: HTTPBrowser; adminId: string }> {
      const adminIdentifier = `admin${++accounts}@example.com`;
      const adminId = await seedAccount(t, adminIdentifier);
      await t.deps.stores.accounts.grantAdmin(adminId, t.clock.now());
      const admin = new HTTPBrowser();
      const signin = await admin.signIn(await admin.follow(`${t.base}/signin`, t.base), t.base, adminIdentifier, PASSWORD);
      assert.equal(signin.status, 200);
      return { admin, adminId };
    }

    it("an admin's \"Sign out everywhere\" ends applications' refresh tokens too, and the record says how many", async () => {
      const { admin, adminId } = await signedInAdmin();
      const bystander = await ownerAndThief();
      const { accountId, owner, ownerRefresh, thiefRefresh } = await ownerAndThief();
      const page = await admin.request(`${t.base}/admin/accounts/${accountId}/sign-out`);
      assert.match(page.body, /every app with access is signed out and must ask again/, "the confirmation says what it does");

      const ended = await h.callAPI(admin, "POST", `/api/v1/admin/accounts/${accountId}/sign-out`, { password: PASSWORD });
      assert.equal(ended.status, 200);
      assert.deepEqual(await ended.json(), { changed: true });

      assert.equal((await h.callAPI(owner, "GET", "/api/v1/session", undefined)).status, 401, "the browser sessions ended");
      await assert.rejects(client.refreshTokenGrant(h.config, thiefRefresh), h.refused, "the thief's application lost the account");
      await assert.rejects(client.refreshTokenGrant(h.config, ownerRefresh), h.refused, "every grant ends: grants are not tied to a browser");
      assert.deepEqual(await t.deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, t.clock.now()), []);
      const [event] = await t.deps.stores.audit.searchEvents({ accountId, types: ["admin.sessions_revoked"], limit: 1 });
      assert.deepEqual(event?.detail, { admin: adminId, count: 2, apps: 2 }, "the record says how many applications lost access");
      assert.ok(await h.refreshes(bystander.ownerRefresh), "another account's applications keep their tokens");
    });

    it("an admin deleting the account removes its grants and tokens from storage", async () => {
      const { admin } = await signedInAdmin();
      const bystander = await ownerAndThief();
      const { accountId, identifier, owner, thiefRefresh } = await ownerAndThief();
      const { callback } = await h.authorize(owner, identifier);
      const code = String(callback.searchParams.get("code"));

      const deleted = await h.callAPI(admin, "POST", `/api/v1/admin/accounts/${accountId}/delete`, { password: PASSWORD });
      assert.equal(deleted.status, 200);
      assert.deepEqual(await deleted.json(), { changed: true });

      await assert.rejects(client.refreshTokenGrant(h.config, thiefRefresh), h.refused);
      assert.deepEqual(await h.artifactsOf(accountId), []);
      assert.equal(await t.deps.stores.oidcArtifacts.getArtifact("RefreshToken", thiefRefresh, t.clock.now()), null);
      assert.equal(await t.deps.stores.oidcShortLivedArtifacts.getArtifact("AuthorizationCode", code, t.clock.now()), null);
      assert.ok(await h.refreshes(bystander.ownerRefresh), "another account's applications keep their tokens");
    });
  });
}
