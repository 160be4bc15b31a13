// Size limits on authorization and sign-out request parameters, over real HTTP: a parameter past its limit
// is refused with invalid_request before anything is stored, at the application's redirect_uri when that is
// registered (without echoing an oversized state) and on the error page otherwise.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AUTHORIZATION_PARAM_LIMITS, END_SESSION_PARAM_LIMITS } from "../../src/oidc/request-limits.ts";
import { addClient, type HTTPTestApp, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "http://127.0.0.1:9/callback";

describe("size limits on authorization request parameters", () => {
  let t: HTTPTestApp;
  let clientId: string;

  before(async () => {
    t = await startHTTPTestApp();
    clientId = (await addClient(t, { redirectUris: [REDIRECT], postLogoutRedirectUris: [REDIRECT], isPublic: true })).id;
  });
  after(async () => t.close());

  async function authorize(params: Record<string, string>): Promise<Response> {
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      scope: "openid",
      redirect_uri: REDIRECT,
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      state: "s-1",
      ...params,
    });
    return fetch(`${t.base}/oidc/auth?${query}`, { redirect: "manual", headers: { accept: "text/html" } });
  }

  function interactionStarted(response: Response): boolean {
    return response.headers.getSetCookie().some((c) => c.startsWith("latchkey_oidc_interaction="));
  }

  it("accepts every parameter at its limit", async () => {
    const response = await authorize({ state: "s".repeat(AUTHORIZATION_PARAM_LIMITS.state), nonce: "n".repeat(AUTHORIZATION_PARAM_LIMITS.nonce) });
    assert.equal(response.status, 303);
    assert.match(String(response.headers.get("location")), /\/oidc\/interaction\//);
    assert.ok(interactionStarted(response));
  });

  const oversized: Array<[string, string]> = [
    ["nonce", "n".repeat(AUTHORIZATION_PARAM_LIMITS.nonce + 1)],
    ["login_hint", `${"a".repeat(AUTHORIZATION_PARAM_LIMITS.login_hint)}@example.com`],
    ["acr_values", `urn:latchkey:acr:mfa ${"x".repeat(AUTHORIZATION_PARAM_LIMITS.acr_values)}`],
    ["claims", JSON.stringify({ id_token: { acr: { essential: true, values: ["x".repeat(AUTHORIZATION_PARAM_LIMITS.claims)] } } })],
    ["ui_locales", "en ".repeat(AUTHORIZATION_PARAM_LIMITS.ui_locales)],
    ["claims_locales", "en ".repeat(AUTHORIZATION_PARAM_LIMITS.claims_locales)],
    // Unknown scopes are kept (and stored) as asked, so many distinct ones.
    ["scope", `openid ${Array.from({ length: 200 }, (_, i) => `scope-${i}`).join(" ")}`],
    ["display", "x".repeat(AUTHORIZATION_PARAM_LIMITS.display + 1)],
  ];
  for (const [name, value] of oversized) {
    it(`refuses an oversized ${name} with invalid_request at the redirect URI, storing nothing`, async () => {
      const response = await authorize({ [name]: value });
      assert.equal(response.status, 303, `${name}: ${response.status}`);
      const location = new URL(String(response.headers.get("location")));
      assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
      assert.equal(location.searchParams.get("error"), "invalid_request");
      assert.equal(
        location.searchParams.get("error_description"),
        `${name} must be at most ${AUTHORIZATION_PARAM_LIMITS[name as keyof typeof AUTHORIZATION_PARAM_LIMITS]} bytes`,
      );
      assert.equal(location.searchParams.get("state"), "s-1", "a state within its limit comes back");
      assert.ok(!interactionStarted(response), "no interaction was stored");
    });
  }

  it("refuses an oversized state (counted in UTF-8 bytes) without sending it back", async () => {
    const response = await authorize({ state: "\u20ac".repeat(Math.ceil(AUTHORIZATION_PARAM_LIMITS.state / 3) + 1) });
    assert.equal(response.status, 303);
    const location = new URL(String(response.headers.get("location")));
    assert.equal(location.searchParams.get("error"), "invalid_request");
    assert.equal(location.searchParams.get("error_description"), "state must be at most 2048 bytes");
    assert.equal(location.searchParams.has("state"), false);
    assert.ok(!interactionStarted(response));
  });

  it("answers the error page when the redirect URI is not registered", async () => {
    const response = await authorize({ redirect_uri: "https://evil.example/cb", state: "s".repeat(12_000) });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("location"), null);
    assert.match(String(response.headers.get("content-type")), /^text\/html/);
  });

  it("refuses an oversized sign-out state on the error page instead of storing it", async () => {
    const query = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: REDIRECT, state: "s".repeat(END_SESSION_PARAM_LIMITS.state + 1) });
    const response = await fetch(`${t.base}/oidc/session/end?${query}`, { redirect: "manual", headers: { accept: "text/html" } });
    assert.equal(response.status, 400);
    const body = await response.text();
    assert.match(body, /invalid_request/);
    assert.match(body, /state must be at most 2048 bytes/);
    assert.equal(response.headers.getSetCookie().length === 0 || !response.headers.getSetCookie().some((c) => c.startsWith("latchkey_oidc_session=")), true);
    // Within the limit, the provider takes it as before (no session: straight on to the confirmation form).
    const fine = await fetch(`${t.base}/oidc/session/end?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: REDIRECT, state: "ok" })}`, {
      redirect: "manual",
    });
    assert.equal(fine.status, 200);
  });
});
