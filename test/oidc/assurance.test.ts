// An application demands a second factor (acr_values=urn:latchkey:acr:mfa, or the claims parameter with an
// essential acr), driven by openid-client over real HTTP through Latchkey's real pages: met by a sign-in with
// two factors, met by a step-up of a password-only session to its second factor (no new sign-in), and
// answered with unmet_authentication_requirements at the application's redirect_uri when the account has
// no second factor. Without a demand nothing changes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import * as client from "openid-client";
import { generateTOTPCode, totpStepAt } from "../../src/factors/totp.ts";
import { ACR_MFA, ACR_PASSWORD } from "../../src/oidc/assurance.ts";
import { seedTOTPFactor } from "../helpers/accounts.ts";
import { hiddenInputsIn, pageText } from "../helpers/client.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, type Page, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const SESSION_COOKIE = "latchkey_session";

interface Started {
  verifier: string;
  state: string;
  page: Page;
}

describe("an application demands a second factor", () => {
  let t: HTTPTestApp;
  let config: client.Configuration;
  let clientId: string;
  let thirdParty: client.Configuration;

  before(async () => {
    t = await startHTTPTestApp();
    const app = await addClient(t, { name: "Payroll", redirectUris: [REDIRECT], firstParty: true });
    clientId = app.id;
    config = await client.discovery(new URL(t.base), app.id, app.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
    const other = await addClient(t, { name: "Photo Printer", redirectUris: [REDIRECT], firstParty: false });
    thirdParty = await client.discovery(new URL(t.base), other.id, other.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
  });
  after(async () => t.close());

  async function start(browser: HTTPBrowser, params: Record<string, string> = {}, cfg = config): Promise<Started> {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT,
      scope: "openid email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      ...params,
    });
    return { verifier, state, page: await browser.follow(url.href, t.base) };
  }

  const callbackOf = (page: Page): URL | null => (page.location && new URL(page.location).origin !== t.base ? new URL(page.location) : null);

  /** The code exchanged for tokens; the ID token's payload, checked against the JWKS. */
  async function idTokenOf(started: Started, page: Page): Promise<JWTPayload> {
    const callback = callbackOf(page);
    assert.ok(callback, `expected a redirect to the application, got ${page.status} ${page.url}`);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
    const jwks = createRemoteJWKSet(new URL(String(config.serverMetadata().jwks_uri)));
    return (await jwtVerify(String(tokens.id_token), jwks, { issuer: t.base, audience: clientId })).payload;
  }

  /** On the second-factor page: posts the app's current code and follows on. */
  async function enterCode(browser: HTTPBrowser, page: Page, secret: string): Promise<Page> {
    assert.equal(page.status, 200, `${page.status} ${page.url}`);
    assert.match(page.body, /Code from your authenticator app/);
    const fields = hiddenInputsIn(page.body, "/signin/second-factor");
    return browser.follow(`${t.base}/signin/second-factor`, t.base, {
      form: { ...fields, method: "totp", code: generateTOTPCode(secret, totpStepAt(t.clock.now())) },
    });
  }

  it("discovery lists the assurance levels and the claims parameter", () => {
    const meta = config.serverMetadata();
    assert.deepEqual(meta.acr_values_supported, [ACR_PASSWORD, ACR_MFA]);
    assert.equal(meta.claims_parameter_supported, true);
  });

  it("demanded and met: a sign-in with the password and the app's code gives acr mfa and amr with mfa", async () => {
    await seedAccount(t, "met@example.com")
      .then((id) => seedTOTPFactor(t, id))
      .then(async (secret) => {
        const browser = new HTTPBrowser();
        const started = await start(browser, { acr_values: ACR_MFA });
        const second = await browser.signIn(started.page, t.base, "met@example.com", PASSWORD);
        const payload = await idTokenOf(started, await enterCode(browser, second, secret));
        assert.equal(payload.acr, ACR_MFA);
        assert.deepEqual(payload.amr, ["pwd", "otp", "mfa"]);
        // Already signed in with two factors: the next demand is met without asking anything.
        t.clock.advance(30_000);
        const again = await start(browser, { acr_values: ACR_MFA });
        assert.equal((await idTokenOf(again, again.page)).acr, ACR_MFA);
      });
  });

  it("demanded of a password-only session: the second-factor step of sign-in (no password asked), then the code", async () => {
    const accountId = await seedAccount(t, "stepup@example.com");
    const browser = new HTTPBrowser();
    // Signed in to the application with the password alone, before the account had a second factor.
    const first = await start(browser);
    const plain = await idTokenOf(first, await browser.signIn(first.page, t.base, "stepup@example.com", PASSWORD));
    assert.equal(plain.acr, ACR_PASSWORD);
    const oldSession = browser.cookiesFor(t.base).get(SESSION_COOKIE);
    assert.ok(oldSession);
    const secret = await seedTOTPFactor(t, accountId);

    const demanded = await start(browser, { acr_values: ACR_MFA });
    assert.match(demanded.page.url, /\/signin\?flow=[A-Za-z0-9_-]+$/, `ended at ${demanded.page.url}`);
    assert.doesNotMatch(demanded.page.body, /type="password"/, "no new sign-in: the password is not asked again");
    assert.equal(callbackOf(demanded.page), null, "no code before the second factor");
    const done = await enterCode(browser, demanded.page, secret);
    const payload = await idTokenOf(demanded, done);
    assert.equal(payload.acr, ACR_MFA);
    assert.deepEqual(payload.amr, ["pwd", "otp", "mfa"]);
    assert.equal(payload.sub, accountId);
    const newSession = browser.cookiesFor(t.base).get(SESSION_COOKIE);
    assert.ok(newSession && newSession !== oldSession, "the step-up gives the browser a new session token");
    const sessions = await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now());
    assert.deepEqual(
      sessions.map((s) => s.amr),
      [["pwd", "otp", "mfa"]],
      "the password-only session was replaced",
    );
  });

  it("the claims parameter with an essential acr is a demand too", async () => {
    const accountId = await seedAccount(t, "claims@example.com");
    const browser = new HTTPBrowser();
    const first = await start(browser);
    await idTokenOf(first, await browser.signIn(first.page, t.base, "claims@example.com", PASSWORD));
    const secret = await seedTOTPFactor(t, accountId);
    const demanded = await start(browser, { claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MFA] } } }) });
    const payload = await idTokenOf(demanded, await enterCode(browser, demanded.page, secret));
    assert.equal(payload.acr, ACR_MFA);
    // Essential, with the password level accepted: a two-factor session meets it, nothing is asked.
    t.clock.advance(30_000);
    const lower = await start(browser, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: ACR_PASSWORD } } }) });
    assert.ok(callbackOf(lower.page), `ended at ${lower.page.url}`);
  });

  it("demanded of an account without a second factor: unmet_authentication_requirements at the redirect_uri", async () => {
    await seedAccount(t, "nofactor@example.com");
    const browser = new HTTPBrowser();
    const started = await start(browser, { acr_values: ACR_MFA });
    const answer = await browser.signIn(started.page, t.base, "nofactor@example.com", PASSWORD);
    const callback = callbackOf(answer);
    assert.ok(callback, `expected a redirect to the application, got ${answer.status} ${answer.url}`);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
    assert.equal(callback.searchParams.get("error"), "unmet_authentication_requirements");
    assert.equal(callback.searchParams.get("state"), started.state);
    assert.equal(callback.searchParams.get("code"), null);
    assert.match(callback.searchParams.get("error_description") ?? "", /second factor/);
    await assert.rejects(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state }),
      (e: unknown) => (e as { error?: string }).error === "unmet_authentication_requirements",
    );
    // The same, already signed in, through the claims parameter.
    const claims = await start(browser, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: ACR_MFA } } }) });
    assert.equal(callbackOf(claims.page)?.searchParams.get("error"), "unmet_authentication_requirements");
    // An essential level Latchkey does not offer cannot be met either.
    const unknown = await start(browser, { claims: JSON.stringify({ id_token: { acr: { essential: true, values: ["urn:example:gold"] } } }) });
    assert.equal(callbackOf(unknown.page)?.searchParams.get("error"), "unmet_authentication_requirements");
  });

  it("not demanded: a password sign-in goes straight to the application with acr password, as before", async () => {
    await seedAccount(t, "plain@example.com");
    const browser = new HTTPBrowser();
    const started = await start(browser);
    const payload = await idTokenOf(started, await browser.signIn(started.page, t.base, "plain@example.com", PASSWORD));
    assert.equal(payload.acr, ACR_PASSWORD);
    assert.deepEqual(payload.amr, ["pwd"]);
    // A preference that accepts the password level is no demand either.
    const either = await start(browser, { acr_values: `${ACR_MFA} ${ACR_PASSWORD}` });
    assert.equal((await idTokenOf(either, either.page)).acr, ACR_PASSWORD);
  });

  it("a claim asked for through the claims parameter shows on the consent page under its scope", async () => {
    await seedAccount(t, "consent@example.com");
    const browser = new HTTPBrowser();
    const started = await start(browser, { scope: "openid", claims: JSON.stringify({ userinfo: { email: null } }) }, thirdParty);
    const consent = await browser.signIn(started.page, t.base, "consent@example.com", PASSWORD);
    assert.equal(consent.status, 200, `${consent.status} ${consent.url}`);
    assert.match(pageText(consent.body), /See your e-mail address/);
  });
});
