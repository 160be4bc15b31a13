// The OpenID Connect provider driven by openid-client (panva's certified relying-party library) over real
// HTTP, signing in through Latchkey's real /signin page: discovery, code + PKCE, ID token checked against
// the JWKS, userinfo, refresh rotation and reuse, revocation, RP-initiated logout, and the refusals.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as client from "openid-client";
import { generateTOTPCode, generateTOTPSecret, sealTOTPSecret, totpStepAt } from "../../src/factors/totp.ts";
import { ACR_MFA, ACR_PASSWORD } from "../../src/oidc/provider.ts";
import { hiddenInputsIn } from "../helpers/client.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const POST_LOGOUT = "http://127.0.0.1:9/signed-out";

interface Started {
  browser: HTTPBrowser;
  verifier: string;
  state: string;
  /** The redirect back to the application (code, state, iss), or the last page when there was none. */
  callback: URL | null;
  last: { status: number; url: string; body: string; location: string | null };
}

describe("OpenID Connect provider with openid-client", () => {
  let t: HTTPTestApp;
  let accountId: string;
  let confidential: { id: string; secret: string | null };
  let config: client.Configuration;

  before(async () => {
    t = await startHTTPTestApp();
    accountId = await seedAccount(t, "ada@example.com", { name: "Ada Lovelace" });
    await t.deps.stores.accounts.addVerifiedIdentifier(
      accountId,
      { id: "phone-ada", kind: "phone", value: "+447700900123", display: "+44 7700 900123" },
      t.clock.now(),
    );
    confidential = await addClient(t, { name: "Wiki", redirectUris: [REDIRECT], postLogoutRedirectUris: [POST_LOGOUT], firstParty: true });
    config = await client.discovery(new URL(t.base), confidential.id, confidential.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  async function authorize(cfg: client.Configuration, browser = new HTTPBrowser(), params: Record<string, string> = {}, signIn = true): Promise<Started> {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT,
      scope: "openid email phone profile offline_access",
      prompt: "consent",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      ...params,
    });
    let page = await browser.follow(url.href, t.base);
    if (signIn && page.url.startsWith(`${t.base}/signin`) && page.status === 200) page = await browser.signIn(page, t.base, "ada@example.com", PASSWORD);
    const callback = page.location && new URL(page.location).origin !== t.base ? new URL(page.location) : null;
    return { browser, verifier, state, callback, last: page };
  }

  it("publishes discovery at the issuer with every endpoint under LATCHKEY_BASE_URL", () => {
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, t.base);
    for (const key of [
      "authorization_endpoint",
      "token_endpoint",
      "userinfo_endpoint",
      "jwks_uri",
      "revocation_endpoint",
      "introspection_endpoint",
      "end_session_endpoint",
    ] as const) {
      assert.ok(String(meta[key]).startsWith(`${t.base}/oidc/`), `${key} = ${meta[key]}`);
    }
    assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
    // Only claims that ID tokens or userinfo carry: no sid, which Latchkey neither puts in ID tokens nor uses
    // for front- or back-channel logout.
    assert.deepEqual([...(meta.claims_supported ?? [])].sort(), [
      "acr",
      "amr",
      "auth_time",
      "email",
      "email_verified",
      "iss",
      "name",
      "phone_number",
      "phone_number_verified",
      "sub",
    ]);
  });

  it("signs in through /signin, then code → tokens → verified ID token → userinfo → refresh → revocation → logout", async () => {
    const started = await authorize(config);
    assert.ok(started.callback, `expected a redirect to the application, got ${started.last.status} ${started.last.url}`);
    assert.equal(started.callback.searchParams.get("state"), started.state);

    const tokens = await client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);

    // The ID token's signature checks out against the published JWKS, with our issuer and the client as audience.
    const jwks = createRemoteJWKSet(new URL(String(config.serverMetadata().jwks_uri)));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, { issuer: t.base, audience: confidential.id });
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(payload.sub, accountId, "sub is the stable account id, never the e-mail address");
    assert.deepEqual(payload.amr, ["pwd"]);
    assert.equal(payload.acr, ACR_PASSWORD);
    assert.equal(typeof payload.auth_time, "number");

    const info = await client.fetchUserInfo(config, tokens.access_token, accountId);
    assert.equal(info.email, "ada@example.com");
    assert.equal(info.email_verified, true);
    assert.equal(info.phone_number, "+447700900123");
    assert.equal(info.phone_number_verified, true);
    assert.equal(info.name, "Ada Lovelace");

    // Refresh rotates the refresh token; the old one is refused afterwards, and its reuse ends the grant.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (e: unknown) => (e as { error?: string }).error === "invalid_grant");
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e: unknown) => (e as { error?: string }).error === "invalid_grant");

    // A second authorization: the browser is still signed in, so no sign-in page this time.
    const again = await authorize(config, started.browser, {}, false);
    assert.ok(again.callback, "an already signed-in person is not asked again");
    const second = await client.authorizationCodeGrant(config, again.callback, { pkceCodeVerifier: again.verifier, expectedState: again.state });
    assert.ok(second.access_token);
    await client.tokenRevocation(config, second.access_token);
    await assert.rejects(client.fetchUserInfo(config, second.access_token, accountId));

    // RP-initiated logout: the question page, then the person's Latchkey session is gone too.
    const end = client.buildEndSessionUrl(config, { id_token_hint: String(second.id_token), post_logout_redirect_uri: POST_LOGOUT });
    const question = await started.browser.follow(end.href, t.base);
    assert.equal(question.status, 200);
    assert.match(question.body, /Sign out\?/);
    assert.match(
      String(question.headers.get("content-security-policy")),
      /form-action 'self' http:\/\/127\.0\.0\.1:9[ ;]/,
      "the confirmation may continue to the application",
    );
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.body)?.[1];
    assert.ok(xsrf);
    const out = await started.browser.follow(`${t.base}/oidc/session/end/confirm`, t.base, { form: { xsrf, logout: "yes" } });
    assert.equal(out.location?.startsWith(POST_LOGOUT), true, `went to ${out.location}`);
    const session = await started.browser.request(`${t.base}/api/v1/session`);
    assert.equal(session.status, 401, "signing out of the application signed out of Latchkey");
    // And the next authorization asks for sign-in again.
    const after = await authorize(config, started.browser, {}, false);
    assert.equal(after.callback, null);
    assert.match(after.last.url, /\/signin\?return_to=%2Foidc%2Finteraction%2F/);
  });

  it("gives no sid to an application that asks for it by the claims parameter, in the ID token, userinfo or introspection", async () => {
    const claims = JSON.stringify({ id_token: { sid: { essential: true }, email: null }, userinfo: { sid: null } });
    const started = await authorize(config, new HTTPBrowser(), { claims });
    assert.ok(started.callback, `expected a redirect to the application, got ${started.last.status} ${started.last.url}`);
    const tokens = await client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
    const idToken = tokens.claims();
    assert.ok(idToken);
    assert.equal(idToken.sub, accountId);
    assert.equal(idToken.email, "ada@example.com", "the other claims asked for are still given");
    assert.equal("sid" in idToken, false, `ID token: ${JSON.stringify(idToken)}`);
    const info = await client.fetchUserInfo(config, tokens.access_token, accountId);
    assert.equal("sid" in info, false);
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal("sid" in introspected, false, `introspection: ${JSON.stringify(introspected)}`);
    // A malformed member is still refused, as the library refuses it.
    const bad = await authorize(config, new HTTPBrowser(), { claims: JSON.stringify({ id_token: { email: true } }) }, false);
    assert.equal(bad.callback?.searchParams.get("error"), "invalid_request");
  });

  it("refuses an unregistered redirect URI without redirecting anywhere", async () => {
    const started = await authorize(config, new HTTPBrowser(), { redirect_uri: "http://127.0.0.1:9/elsewhere" }, false);
    assert.equal(started.callback, null);
    assert.equal(started.last.status, 400);
    assert.match(started.last.body, /redirect_uri/);
  });

  it("requires PKCE from a public client", async () => {
    const spa = await addClient(t, { name: "SPA", redirectUris: [REDIRECT], isPublic: true });
    const publicConfig = await client.discovery(new URL(t.base), spa.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const url = client.buildAuthorizationUrl(publicConfig, { redirect_uri: REDIRECT, scope: "openid", state: "s1" });
    const page = await new HTTPBrowser().follow(url.href, t.base);
    assert.ok(page.location);
    const back = new URL(page.location);
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("error"), "invalid_request");
    assert.match(back.searchParams.get("error_description") ?? "", /PKCE/);
  });

  it("refuses a replayed code and revokes what the first redemption got", async () => {
    const started = await authorize(config);
    assert.ok(started.callback);
    const tokens = await client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
    await assert.rejects(
      client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state }),
      (e: unknown) => (e as { error?: string }).error === "invalid_grant",
    );
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, accountId));
  });

  it("refuses an expired code", async () => {
    const started = await authorize(config);
    assert.ok(started.callback);
    t.clock.advance(61_000);
    await assert.rejects(
      client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state }),
      (e: unknown) => (e as { error?: string }).error === "invalid_grant",
    );
  });

  it("lets the client detect a state mismatch", async () => {
    const started = await authorize(config);
    assert.ok(started.callback);
    await assert.rejects(
      client.authorizationCodeGrant(config, started.callback, { pkceCodeVerifier: started.verifier, expectedState: "another-state" }),
      (e: unknown) => /state/.test(String((e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message)),
    );
  });

  it("refuses a wrong client secret", async () => {
    const wrong = await client.discovery(new URL(t.base), confidential.id, "not-the-secret", undefined, { execute: [client.allowInsecureRequests] });
    const started = await authorize(config);
    assert.ok(started.callback);
    await assert.rejects(
      client.authorizationCodeGrant(wrong, started.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state }),
      (e: unknown) => (e as { error?: string }).error === "invalid_client",
    );
  });
  it("a sign-in with the password and an authenticator-app code reports amr pwd, otp, mfa and the mfa acr", async () => {
    const graceId = await seedAccount(t, "grace@example.com");
    const secret = generateTOTPSecret(t.deps);
    await t.deps.stores.factors.startTOTPSetup(graceId, sealTOTPSecret(t.deps, secret), t.clock.now());
    assert.ok(await t.deps.stores.factors.confirmTOTPFactor(graceId, totpStepAt(t.clock.now()) - 1, t.clock.now()));
    const browser = new HTTPBrowser();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid email",
      prompt: "consent",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
    });
    const signinPage = await browser.follow(url.href, t.base);
    const secondStep = await browser.signIn(signinPage, t.base, "grace@example.com", PASSWORD);
    assert.equal(secondStep.status, 200);
    assert.match(secondStep.body, /Code from your authenticator app/, "the password alone does not reach the application");
    const fields = hiddenInputsIn(secondStep.body, "/signin/second-factor");
    const page = await browser.follow(`${t.base}/signin/second-factor`, t.base, {
      form: { ...fields, method: "totp", code: generateTOTPCode(secret, totpStepAt(t.clock.now())) },
    });
    const callback = page.location ? new URL(page.location) : null;
    assert.ok(callback && callback.origin !== t.base, `expected a redirect to the application, got ${page.status} ${page.url}`);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const jwks = createRemoteJWKSet(new URL(String(config.serverMetadata().jwks_uri)));
    const { payload } = await jwtVerify(String(tokens.id_token), jwks, { issuer: t.base, audience: confidential.id });
    assert.equal(payload.sub, graceId);
    assert.deepEqual(payload.amr, ["pwd", "otp", "mfa"]);
    assert.equal(payload.acr, ACR_MFA);
  });
});
