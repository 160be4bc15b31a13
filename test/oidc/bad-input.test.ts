// Bad input on every route the OpenID Connect provider and forward-auth add: a clear 4xx, never a 5xx,
// and never a redirect to a place nobody registered.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { addClient } from "../helpers/oidc.ts";

describe("bad input on the new routes", () => {
  let t: TestApp;
  let clientId: string;
  before(async () => {
    t = await createTestApp({ LATCHKEY_TRUST_PROXY: "127.0.0.1" });
    clientId = (await addClient(t, { redirectUris: ["https://app.example.com/cb"] })).id;
  });
  after(async () => t.close());

  const long = "x".repeat(5000);
  const cases: Array<{ method: "GET" | "POST" | "OPTIONS"; url: string; headers?: Record<string, string>; payload?: string }> = [
    { method: "GET", url: "/oidc/auth" },
    { method: "GET", url: `/oidc/auth?client_id=${long}&response_type=code&scope=openid` },
    { method: "GET", url: "/oidc/auth?client_id=unknown&response_type=code&scope=openid&redirect_uri=https://evil.example/" },
    { method: "GET", url: "/oidc/auth?client_id[]=a&client_id[]=b" },
    { method: "GET", url: "/oidc/auth/not-a-real-interaction" },
    { method: "POST", url: "/oidc/auth", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "%%%" },
    {
      method: "POST",
      url: "/oidc/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=authorization_code&code=nope",
    },
    { method: "POST", url: "/oidc/token", headers: { "content-type": "application/json" }, payload: "{not json" },
    {
      method: "POST",
      url: "/oidc/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `grant_type=refresh_token&refresh_token=${long}&client_id=${"y".repeat(100)}`,
    },
    { method: "POST", url: "/oidc/token", headers: { "content-type": "text/plain" }, payload: "hello" },
    { method: "POST", url: "/oidc/token", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `a=${"z".repeat(70_000)}` },
    { method: "POST", url: "/oidc/token/revocation", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "token=abc" },
    { method: "POST", url: "/oidc/token/introspection", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "token=abc" },
    { method: "GET", url: "/oidc/me" },
    { method: "GET", url: "/oidc/me", headers: { authorization: `Bearer ${long}` } },
    { method: "GET", url: "/oidc/session/end?post_logout_redirect_uri=https://evil.example/" },
    { method: "GET", url: `/oidc/session/end?id_token_hint=${long}` },
    { method: "POST", url: "/oidc/session/end/confirm", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "xsrf=nope&logout=yes" },
    { method: "OPTIONS", url: "/oidc/token", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } },
    {
      method: "POST",
      url: "/oidc/token",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=authorization_code&code=x",
    },
    { method: "GET", url: "/oidc/interaction/%00%00" },
    { method: "GET", url: `/oidc/interaction/${long.slice(0, 190)}` },
    { method: "POST", url: "/oidc/interaction/abc/consent", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "decision=allow" },
    { method: "POST", url: "/account/apps/%2F..%2F/remove", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" },
    { method: "GET", url: "/api/v1/authz/auth-request", headers: { "x-original-url": "\u0000\r\nhttp://x" } },
    {
      method: "GET",
      url: "/api/v1/authz/forward-auth",
      headers: { "x-forwarded-proto": "gopher", "x-forwarded-host": long, "x-forwarded-uri": "//evil.example" },
    },
    { method: "GET", url: `/signin?return_to=${encodeURIComponent(`https://evil.example/${long}`)}` },
  ];

  it("passes a POST to the authorization and sign-out endpoints on as a GET with the same parameters, not the provider's bare 404", async () => {
    // OpenID Connect Core 3.1.2.1 and RP-Initiated Logout 2: both take POST; the parameters go on unchanged.
    const form = `client_id=${clientId}&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&state=a+b%C3%A9`;
    for (const url of ["/oidc/auth", "/oidc/session/end"]) {
      const response = await t.app.inject({ method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: form });
      assert.equal(response.statusCode, 303, `POST ${url}: ${response.statusCode} ${response.body.slice(0, 80)}`);
      const location = new URL(String(response.headers.location), t.config.baseUrl);
      assert.equal(location.pathname, url);
      assert.deepEqual([...location.searchParams], [...new URLSearchParams(form)], url);
      assert.equal(response.headers["cache-control"], "no-store");
    }
    // The GET it leads to reaches the provider.
    const get = await t.app.inject({ method: "GET", url: `/oidc/auth?${new URLSearchParams(form)}` });
    assert.equal(get.statusCode, 303);
    assert.match(String(get.headers.location), /^\/oidc\/interaction\//);
  });

  it("refuses a POST to the authorization endpoint that is not a form or too long for an address, with a clear 4xx", async () => {
    const json = await t.app.inject({ method: "POST", url: "/oidc/auth", headers: { "content-type": "application/json" }, payload: "{}" });
    assert.equal(json.statusCode, 415);
    const state = await t.app.inject({
      method: "POST",
      url: "/oidc/auth",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `client_id=${clientId}&state=${"%C3%A9".repeat(2100)}`,
    });
    assert.equal(state.statusCode, 400);
    assert.match(state.body, /state must be at most 2048 bytes/);
    const many = await t.app.inject({
      method: "POST",
      url: "/oidc/auth",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: Array.from({ length: 700 }, (_, i) => `extra${i}=xxxxxxxxxx`).join("&"),
    });
    assert.equal(many.statusCode, 400);
    assert.match(many.body, /at most 12288 bytes together/);
    const huge = await t.app.inject({
      method: "POST",
      url: "/oidc/session/end",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `state=${"x".repeat(40_000)}`,
    });
    assert.equal(huge.statusCode, 413);
  });

  it("answers each with a status below 500 and redirects only to registered or own URLs", async () => {
    for (const c of cases) {
      const response = await t.app.inject({
        method: c.method,
        url: c.url,
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.payload !== undefined ? { payload: c.payload } : {}),
      });
      const where = `${c.method} ${c.url.slice(0, 80)}`;
      assert.ok(response.statusCode < 500, `${where} answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
      const location = response.headers.location;
      if (typeof location === "string") assert.notEqual(new URL(location, t.config.baseUrl).hostname, "evil.example", `${where} redirected to ${location}`);
    }
    assert.ok(clientId);
  });
});
