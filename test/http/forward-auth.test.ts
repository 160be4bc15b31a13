// Forward-auth for reverse proxies and single sign-on across subdomains: the two endpoints, identity
// headers, per-host rules, where the original URL may come from, absolute return_to, the cookie domain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { pageText, TestClient } from "../helpers/client.ts";
import { PASSWORD, seedAccount } from "../helpers/oidc.ts";

const FORWARDED = { "x-forwarded-proto": "https", "x-forwarded-host": "wiki.example.com", "x-forwarded-uri": "/page?a=1&b=2" };

async function signedIn(t: TestApp, identifier: string): Promise<TestClient> {
  const client = new TestClient(t.app);
  const response = await client.request("POST", "/api/v1/session", { json: { identifier, password: PASSWORD } });
  assert.equal(response.statusCode, 200);
  return client;
}

describe("forward-auth", () => {
  let t: TestApp;
  let aliceId: string;
  before(async () => {
    t = await createTestApp({
      LATCHKEY_TRUST_PROXY: "127.0.0.1",
      LATCHKEY_ALLOWED_RETURN_HOSTS: "*.example.com, tools.example.org:8443",
      LATCHKEY_FORWARD_AUTH_RULES: "admin.example.com=admins; ops.example.com=groups:admins",
    });
    aliceId = await seedAccount(t, "alice@example.com", { name: "Alice Ångström" });
    await t.deps.stores.accounts.addVerifiedIdentifier(
      aliceId,
      { id: "alice-phone", kind: "phone", value: "+15555550123", display: "+1 555 555 0123" },
      t.clock.now(),
    );
    const bobId = await seedAccount(t, "bob@example.com", { name: "Bob" });
    await t.deps.stores.accounts.setAccountAdmin(bobId, true, t.clock.now());
  });
  after(async () => t.close());

  it("auth-request: 200 with identity headers for a session, 401 with a sign-in Location without one", async () => {
    const alice = await signedIn(t, "alice@example.com");
    const ok = await alice.get("/api/v1/authz/auth-request", { "x-original-url": "https://wiki.example.com/page" });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers["remote-user"], aliceId);
    assert.equal(ok.headers["remote-email"], "alice@example.com");
    assert.equal(ok.headers["remote-phone"], "+15555550123");
    assert.equal(ok.headers["remote-name"], encodeURIComponent("Alice Ångström"), "non-ASCII names are percent-encoded");
    assert.equal(ok.headers["remote-groups"], "");

    const anonymous = await new TestClient(t.app).get("/api/v1/authz/auth-request", { "x-original-url": "https://wiki.example.com/page?x=1&y=2" });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().error.code, "UNAUTHENTICATED");
    const location = new URL(String(anonymous.headers.location));
    assert.equal(location.pathname, "/signin");
    assert.equal(location.searchParams.get("return_to"), "https://wiki.example.com/page?x=1&y=2");
  });

  it("forward-auth: 302 to sign-in with the original URL from X-Forwarded-*, 200 once signed in", async () => {
    const anonymous = await new TestClient(t.app).get("/api/v1/authz/forward-auth", FORWARDED);
    assert.equal(anonymous.statusCode, 302);
    const location = new URL(String(anonymous.headers.location));
    assert.equal(location.origin, t.config.baseOrigin);
    assert.equal(location.searchParams.get("return_to"), "https://wiki.example.com/page?a=1&b=2");
    const alice = await signedIn(t, "alice@example.com");
    const ok = await alice.get("/api/v1/authz/forward-auth", FORWARDED);
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers["remote-user"], aliceId);
  });

  it("applies per-host rules: admins only, groups; a clear 403 page for everyone else", async () => {
    const alice = await signedIn(t, "alice@example.com");
    const bob = await signedIn(t, "bob@example.com");
    for (const host of ["admin.example.com", "ops.example.com"]) {
      const denied = await alice.get("/api/v1/authz/forward-auth", { ...FORWARDED, "x-forwarded-host": host });
      assert.equal(denied.statusCode, 403);
      assert.match(pageText(denied.body), new RegExp(`You don't have access to ${host.replace(/\./g, "\\.")}`));
      assert.equal(denied.headers["remote-user"], undefined);
      // Traefik and Caddy show this page at the app's address: every link absolute, no cookie for the app's host.
      assert.equal(denied.headers["set-cookie"], undefined);
      assert.ok(denied.body.includes(`href="${t.config.baseUrl}/account"`), denied.body);
      assert.doesNotMatch(denied.body, /(?:href|src|action)="\//);
      const allowed = await bob.get("/api/v1/authz/forward-auth", { ...FORWARDED, "x-forwarded-host": host });
      assert.equal(allowed.statusCode, 200);
      assert.equal(allowed.headers["remote-groups"], "admins");
    }
    const nginx = await alice.get("/api/v1/authz/auth-request", { "x-original-url": "https://admin.example.com/" });
    assert.equal(nginx.statusCode, 403);
  });

  it("never lets a protected host fall through to the rule for everyone: odd spellings, long URLs, conflicting headers", async () => {
    const alice = await signedIn(t, "alice@example.com");
    const bob = await signedIn(t, "bob@example.com");
    const forwardAuth = (client: TestClient, headers: Record<string, string>) => client.get("/api/v1/authz/forward-auth", headers);
    const authRequest = (client: TestClient, headers: Record<string, string>) => client.get("/api/v1/authz/auth-request", headers);
    const longPath = `/?q=${"a".repeat(3000)}`;
    const cases: Array<[string, (client: TestClient) => Promise<{ statusCode: number }>]> = [
      ["trailing dot", (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-host": "admin.example.com." })],
      ["percent-encoded dot", (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-host": "admin.example.com%2e" })],
      ["upper case and port", (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-host": "ADMIN.example.com:443" })],
      ["a URI past 2,048 characters", (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-host": "admin.example.com", "x-forwarded-uri": longPath })],
      ["nginx: a URL past 2,048 characters", (c) => authRequest(c, { "x-original-url": `https://admin.example.com${longPath}` })],
      ["nginx: a trailing dot", (c) => authRequest(c, { "x-original-url": "https://admin.example.com./" })],
      ["the client's own host before the proxy's", (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-host": "wiki.example.com, admin.example.com" })],
      [
        "X-Original-URL sent by the client through Traefik",
        (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-host": "admin.example.com", "x-original-url": "https://wiki.example.com/" }),
      ],
      [
        "X-Forwarded-Host sent by the client through nginx",
        (c) => authRequest(c, { "x-original-url": "https://admin.example.com/", "x-forwarded-host": "wiki.example.com" }),
      ],
      ["a scheme that is not http(s)", (c) => forwardAuth(c, { ...FORWARDED, "x-forwarded-proto": "ftp", "x-forwarded-host": "admin.example.com" })],
      ["no original URL at all", (c) => forwardAuth(c, {})],
    ];
    for (const [name, ask] of cases) {
      assert.equal((await ask(alice)).statusCode, 403, `${name}: an account outside the rule is refused`);
    }
    for (const name of ["trailing dot", "percent-encoded dot", "upper case and port", "a URI past 2,048 characters", "nginx: a URL past 2,048 characters"]) {
      const ask = cases.find(([n]) => n === name)?.[1];
      assert.ok(ask);
      assert.equal((await ask(bob)).statusCode, 200, `${name}: an administrator still passes`);
    }
    // The host is known past the length limit, but the URL is not handed back to sign-in.
    const anonymous = await forwardAuth(new TestClient(t.app), { ...FORWARDED, "x-forwarded-uri": longPath });
    assert.equal(anonymous.statusCode, 302);
    assert.equal(new URL(String(anonymous.headers.location)).searchParams.get("return_to"), null);
    // Headers that agree are fine, and an unprotected host still lets every signed-in account in.
    const agreeing = await authRequest(alice, { "x-original-url": "https://wiki.example.com/page", "x-forwarded-host": "wiki.example.com" });
    assert.equal(agreeing.statusCode, 200);
  });

  it("believes forwarded headers only from LATCHKEY_TRUST_PROXY", async () => {
    const untrusting = await createTestApp({ LATCHKEY_ALLOWED_RETURN_HOSTS: "*.example.com", LATCHKEY_FORWARD_AUTH_RULES: "admin.example.com=admins" });
    try {
      const anonymous = await new TestClient(untrusting.app).get("/api/v1/authz/forward-auth", FORWARDED);
      assert.equal(anonymous.statusCode, 302);
      assert.equal(new URL(String(anonymous.headers.location)).searchParams.get("return_to"), null);
      // With rules set, a host that cannot be believed is a host whose rule is unknown: nobody passes.
      await seedAccount(untrusting, "carol@example.com");
      const carol = await signedIn(untrusting, "carol@example.com");
      assert.equal((await carol.get("/api/v1/authz/forward-auth", FORWARDED)).statusCode, 403);
    } finally {
      await untrusting.close();
    }
  });

  it("ignores forwarded URLs that are not http(s) or carry credentials", async () => {
    for (const bad of ["javascript:alert(1)", "https://user:pw@wiki.example.com/", "ftp://wiki.example.com/", `https://wiki.example.com/${"a".repeat(3000)}`]) {
      const response = await new TestClient(t.app).get("/api/v1/authz/forward-auth", { "x-original-url": bad });
      assert.equal(response.statusCode, 302);
      assert.equal(new URL(String(response.headers.location)).searchParams.get("return_to"), null, bad.slice(0, 40));
    }
  });
});

describe("forward-auth answers", () => {
  it("answer once: a signed-in check logs no warning (no second answer after the 200)", async () => {
    const lines: string[] = [];
    const t = await createTestApp({}, { logger: { level: "warn", stream: { write: (line: string) => lines.push(line) } } });
    try {
      await seedAccount(t, "carol@example.com");
      const carol = await signedIn(t, "carol@example.com");
      for (const path of ["/api/v1/authz/auth-request", "/api/v1/authz/forward-auth", "/api/v1/session"]) {
        const ok = await carol.get(path);
        assert.equal(ok.statusCode, 200, path);
      }
      assert.deepEqual(lines, []);
    } finally {
      await t.close();
    }
  });
});

describe("return_to after sign-in", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_ALLOWED_RETURN_HOSTS: "*.example.com, tools.example.org:8443" });
    await seedAccount(t, "carol@example.com");
  });
  after(async () => t.close());

  async function signInReturningTo(returnTo: string): Promise<string> {
    const client = new TestClient(t.app);
    const page = await client.get(`/signin?return_to=${encodeURIComponent(returnTo)}`);
    assert.equal(page.statusCode, 200);
    const response = await client.submitForm(`/signin?return_to=${encodeURIComponent(returnTo)}`, "/signin", {
      identifier: "carol@example.com",
      password: PASSWORD,
    });
    assert.equal(response.statusCode, 303);
    return String(response.headers.location);
  }

  it("goes back to an absolute URL on an allowed host, and nowhere else", async () => {
    assert.equal(await signInReturningTo("https://wiki.example.com/page?a=1"), "https://wiki.example.com/page?a=1");
    assert.equal(await signInReturningTo("https://deep.team.example.com/x"), "https://deep.team.example.com/x");
    assert.equal(await signInReturningTo("https://tools.example.org:8443/y"), "https://tools.example.org:8443/y");
    for (const bad of [
      "https://example.com/",
      "https://evil.example/",
      "https://wiki.example.com.evil.example/",
      "https://wiki.example.com@evil.example/",
      "https://user:pass@wiki.example.com/",
      "https://tools.example.org/",
      "javascript:alert(1)//wiki.example.com",
      "//wiki.example.com/",
      "https:\\\\wiki.example.com",
    ]) {
      assert.equal(await signInReturningTo(bad), "/account", bad);
    }
  });

  it("lets the sign-in form redirect to the return host (CSP form-action)", async () => {
    const page = await new TestClient(t.app).get(`/signin?return_to=${encodeURIComponent("https://wiki.example.com/p")}`);
    assert.match(String(page.headers["content-security-policy"]), /form-action 'self' https:\/\/wiki\.example\.com;/);
    const plain = await new TestClient(t.app).get("/signin");
    assert.match(String(plain.headers["content-security-policy"]), /form-action 'self';/);
  });
});

describe("LATCHKEY_COOKIE_DOMAIN", () => {
  it("shares the session cookie with subdomains: Domain set, no __Host- prefix, Secure over https", async () => {
    const t = await createTestApp({ LATCHKEY_BASE_URL: "https://auth.example.com", LATCHKEY_COOKIE_DOMAIN: "example.com" });
    try {
      await seedAccount(t, "dan@example.com");
      const response = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "dan@example.com", password: PASSWORD } });
      assert.equal(response.statusCode, 200);
      const cookie = (response.cookies as Array<{ name: string; domain?: string; secure?: boolean }>).find((c) => c.name.includes("latchkey_session"));
      assert.equal(cookie?.name, "__Secure-latchkey_session");
      assert.equal(cookie?.domain, "example.com");
      assert.equal(cookie?.secure, true);
    } finally {
      await t.close();
    }
  });

  it("refuses a cookie domain that does not contain the base URL's host", () => {
    assert.throws(
      () => loadConfig(testEnv("/tmp/latchkey-unused", { LATCHKEY_BASE_URL: "https://auth.example.com", LATCHKEY_COOKIE_DOMAIN: "example.org" })),
      /LATCHKEY_COOKIE_DOMAIN/,
    );
    assert.throws(
      () => loadConfig(testEnv("/tmp/latchkey-unused", { LATCHKEY_ALLOWED_RETURN_HOSTS: "https://x.example.com/" })),
      /LATCHKEY_ALLOWED_RETURN_HOSTS/,
    );
    assert.throws(() => loadConfig(testEnv("/tmp/latchkey-unused", { LATCHKEY_FORWARD_AUTH_RULES: "a.example.com=everyone" })), /LATCHKEY_FORWARD_AUTH_RULES/);
  });
});
