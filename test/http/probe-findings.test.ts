// Defects a probe of the running server found: a client that drops mid-body logged as a storage outage,
// lone surrogates accepted as text, a misnamed error for a name with a NUL, text/plain bodies read, the
// admin console revealed by unusual methods, a cacheable 404 under /assets/; then OPTIONS on OpenID Connect
// endpoints and other methods on static files answering 404 instead of 405, the asterisk-form target served
// as the start page, and identifiers over the schema cap answering VALIDATION_FAILED.
import assert from "node:assert/strict";
import { type AddressInfo, connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { cleanName } from "../../src/accounts/identifier-input.ts";
import type { PasswordHasher } from "../../src/accounts/password-hash.ts";
import { isAppError } from "../../src/errors/app-error.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";

/** Writes `data` on a new connection, closes it after `waitMs`, and returns what the server answered by then. */
function sendRaw(port: number, data: string, waitMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("error", () => {});
    socket.on("connect", () => {
      socket.write(data);
      setTimeout(() => {
        socket.destroy();
        resolve(answer);
      }, waitMs);
    });
  });
}

/** Resolves once `lines` holds a line about the request that ends with `pattern`, or after a second. */
async function waitForLine(lines: string[], pattern: RegExp): Promise<void> {
  for (let i = 0; i < 50 && !lines.some((l) => pattern.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("a client that drops or garbles its request body", () => {
  const lines: string[] = [];
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await createTestApp({}, { logger: { level: "info", stream: { write: (line: string) => lines.push(line) } } });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await t.close();
  });

  it("is not logged as a storage outage when it closes the connection part-way through the body", async () => {
    lines.length = 0;
    await sendRaw(port, 'POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"identif');
    await waitForLine(lines, /request refused|storage unavailable|unexpected error/);
    const log = lines.join("");
    assert.doesNotMatch(log, /storage unavailable|SERVICE_UNAVAILABLE/);
    assert.ok(!lines.some((l) => (JSON.parse(l) as { level: number }).level >= 50), `nothing at error level: ${log}`);
    assert.match(log, /request refused/);
  });

  it("answers a malformed chunked body 400, without logging a storage outage", async () => {
    lines.length = 0;
    const answer = await sendRaw(
      port,
      'POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"a":1}\r\n0\r\n\r\n',
    );
    await waitForLine(lines, /request refused|storage unavailable|unexpected error/);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /"VALIDATION_FAILED"/);
    const log = lines.join("");
    assert.doesNotMatch(log, /storage unavailable|SERVICE_UNAVAILABLE/);
    assert.ok(!lines.some((l) => (JSON.parse(l) as { level: number }).level >= 50), `nothing at error level: ${log}`);
  });
});

describe("text with unpaired surrogates", () => {
  let t: TestApp;
  let signedIn: TestClient;
  before(async () => {
    t = await createTestApp();
    signedIn = await createVerifiedAccount(t, "surrogates@example.com");
  });
  after(async () => {
    await t.close();
  });

  it("is refused as a password at registration, so two different passwords cannot share a hash", async () => {
    const client = new TestClient(t.app);
    const r = await client.request("POST", "/api/v1/accounts", {
      json: { identifier: "lone@example.com", password: "Quartz-Violin-\ud800-Harbor-88", captcha: await solveCAPTCHA(client) },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "VALIDATION_FAILED");
    assert.equal(r.json().error.field, "password");
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("lone@example.com"), null, "no account was stored");
  });

  it("sign-in answers a password with a lone surrogate with the same format error, before any account lookup", async () => {
    const original = t.deps.hasher;
    let checks = 0;
    t.deps.hasher = {
      ...original,
      verifyPasswordHash: (h, p) => {
        checks++;
        return original.verifyPasswordHash(h, p);
      },
      verifyDummyPassword: (p) => {
        checks++;
        return original.verifyDummyPassword(p);
      },
    } satisfies PasswordHasher;
    try {
      const answers = [];
      for (const identifier of ["surrogates@example.com", "nobody-here@example.com"]) {
        const r = await new TestClient(t.app).request("POST", "/api/v1/session", {
          json: { identifier, password: `${STRONG_PASSWORD.slice(0, 8)}\udfff${STRONG_PASSWORD.slice(8)}` },
        });
        answers.push({ status: r.statusCode, body: r.body });
      }
      assert.equal(answers[0]?.status, 400);
      assert.equal(JSON.parse(answers[0]?.body ?? "{}").error.code, "VALIDATION_FAILED");
      assert.equal(JSON.parse(answers[0]?.body ?? "{}").error.field, "password");
      assert.deepEqual(answers[0], answers[1], "the same answer for a known and an unknown identifier");
      assert.equal(checks, 0, "no password was checked");
    } finally {
      t.deps.hasher = original;
    }
  });

  it("is refused in a display name (PATCH /api/v1/account), and the name is unchanged", async () => {
    const r = await signedIn.request("PATCH", "/api/v1/account", { json: { name: "Sam\ud800" } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "VALIDATION_FAILED");
    assert.equal(r.json().error.field, "name");
    const me = await signedIn.get("/api/v1/account");
    assert.doesNotMatch(me.body, /Sam/);
  });

  it("cleanName refuses a lone surrogate as NAME_INVALID (names that reach it other ways, such as registration forms)", () => {
    assert.throws(
      () => cleanName("Sam\udc00"),
      (e: unknown) => isAppError(e) && e.code === "NAME_INVALID",
    );
    assert.equal(cleanName("Sam \u{1F600}"), "Sam \u{1F600}", "a pair is a character like any other");
  });

  it("cleanName refuses C1 controls and the bidirectional overrides, embeddings and isolates, and keeps joiners", () => {
    for (const hidden of ["\u0085", "\u0080", "\u009f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      assert.throws(
        () => cleanName(`Sam${hidden}gnp.exe`),
        (e: unknown) => isAppError(e) && e.code === "NAME_INVALID",
        `U+${hidden.charCodeAt(0).toString(16)}`,
      );
    }
    assert.equal(cleanName("\u{1F469}\u200D\u{1F4BB} Sam"), "\u{1F469}\u200D\u{1F4BB} Sam", "a zero-width joiner inside an emoji");
    assert.equal(
      cleanName("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
      "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
      "a zero-width non-joiner in Persian",
    );
    assert.equal(cleanName("\u0633\u0627\u0631\u0629 Sara"), "\u0633\u0627\u0631\u0629 Sara", "right-to-left and left-to-right letters together");
  });

  it("a name with a right-to-left override answers NAME_INVALID through the API, and the name stays as it was", async () => {
    const named = await signedIn.request("PATCH", "/api/v1/account", { json: { name: "Sam Rivera" } });
    assert.equal(named.statusCode, 200);
    const r = await signedIn.request("PATCH", "/api/v1/account", { json: { name: "Sam\u202Egnp.exe" } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "NAME_INVALID");
    assert.equal((await signedIn.get("/api/v1/session")).json().account.name, "Sam Rivera");
  });

  it("is refused in a help feedback comment, and nothing is stored", async () => {
    const before = (await t.deps.stores.helpFeedback.listFeedback()).length;
    const r = await t.app.inject({
      method: "POST",
      url: "/api/v1/help/articles/problems-signing-in/feedback",
      payload: { helpful: false, reason: "other", comment: "X\ud800Y" },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "VALIDATION_FAILED");
    assert.equal(r.json().error.field, "comment");
    assert.equal((await t.deps.stores.helpFeedback.listFeedback()).length, before);
  });

  it("a name with a NUL character answers NAME_INVALID, not NAME_TOO_LONG", async () => {
    const r = await signedIn.request("PATCH", "/api/v1/account", { json: { name: "a\u0000b" } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "NAME_INVALID");
    assert.equal(r.json().error.field, "name");
    assert.match(r.json().error.message, /hidden characters/);
  });
});

describe("requests the app does not serve", () => {
  let t: TestApp;
  let member: TestClient;
  before(async () => {
    t = await createTestApp();
    member = await createVerifiedAccount(t, "member@example.com");
  });
  after(async () => {
    await t.close();
  });

  it("answers a text/plain body 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/v1/session",
      headers: { "content-type": "text/plain" },
      payload: JSON.stringify({ identifier: "member@example.com", password: STRONG_PASSWORD }),
    });
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().error.code, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers every method on /admin paths 404, without an Allow header, to anyone who is not an admin", async () => {
    for (const method of ["TRACE", "PROPFIND", "LOCK", "SEARCH", "PUT"]) {
      for (const url of ["/admin", "/admin/accounts/abc", "/admin/accounts/abc/disable", "/api/v1/admin/accounts/abc/disable"]) {
        for (const cookie of [undefined, [...member.cookies].map(([k, v]) => `${k}=${v}`).join("; ")]) {
          const r = await t.app.inject({ method: method as "GET", url, headers: cookie ? { cookie } : {} });
          assert.equal(r.statusCode, 404, `${method} ${url} ${cookie ? "signed in" : "signed out"}`);
          assert.equal(r.headers.allow, undefined);
        }
      }
    }
    // Other paths still say which methods they take.
    const known = await t.app.inject({ method: "PROPFIND" as "GET", url: "/api/v1/session" });
    assert.equal(known.statusCode, 405);
    assert.match(known.headers.allow as string, /POST/);
  });

  it("a missing file under /assets/ answers a 404 page that is not cached", async () => {
    const r = await member.get("/assets/nonexistent.css");
    assert.equal(r.statusCode, 404);
    assert.equal(r.headers["cache-control"], "no-store");
    const api = await t.app.inject({ method: "GET", url: "/assets/nonexistent.css", headers: { accept: "application/json" } });
    assert.equal(api.headers["cache-control"], "no-store");
    // A file that is there may still be cached.
    const style = await t.app.inject({ method: "GET", url: "/assets/style.css" });
    assert.equal(style.statusCode, 200);
    assert.notEqual(style.headers["cache-control"], "no-store");
  });

  it("the not-found page of a form post links to the start page, not back to the missing address", async () => {
    const r = await t.app.inject({ method: "POST", url: "/adminx", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "a=1" });
    assert.equal(r.statusCode, 404);
    assert.doesNotMatch(r.body, /href="\/adminx"/);
    assert.match(r.body, /<a class="button" href="\/">/);
  });
});

describe("methods an address does not take", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  const OIDC_ENDPOINTS: Array<[string, string]> = [
    ["/.well-known/openid-configuration", "GET, HEAD"],
    ["/oidc/jwks", "GET, HEAD"],
    ["/oidc/auth", "GET, HEAD, POST"],
    ["/oidc/token", "POST"],
    ["/oidc/token/revocation", "POST"],
    ["/oidc/token/introspection", "POST"],
    ["/oidc/me", "GET, HEAD, POST"],
    ["/oidc/session/end", "GET, HEAD, POST"],
  ];

  it("OpenID Connect endpoints answer OPTIONS that is not a CORS preflight, TRACE and other methods 405 with their own methods in Allow", async () => {
    for (const [url, allow] of OIDC_ENDPOINTS) {
      for (const method of ["OPTIONS", "TRACE", "PROPFIND", "DELETE"]) {
        const r = await t.app.inject({ method: method as "GET", url });
        assert.equal(r.statusCode, 405, `${method} ${url}`);
        assert.equal(r.headers.allow, allow, `${method} ${url}`);
        assert.match(r.headers["content-type"] as string, /^text\/html/, "our own error page, not the provider's");
        assert.equal(r.headers["cache-control"], "no-store");
      }
    }
    // The same as a page's answer, for comparison.
    const page = await t.app.inject({ method: "OPTIONS", url: "/signin" });
    assert.equal(page.statusCode, 405);
    assert.equal(page.headers.allow, "GET, HEAD, POST");
  });

  it("a file under /assets/ answers OPTIONS, TRACE, PUT, DELETE and other methods 405 with Allow: GET, HEAD; a missing one 404", async () => {
    for (const url of ["/assets/style.css", "/assets/app.js", "/assets/enhancements/dom.js", "/assets/help/security-check-alphabet-1.png"]) {
      for (const method of ["OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PATCH", "PROPFIND"]) {
        const r = await t.app.inject({ method: method as "GET", url });
        assert.equal(r.statusCode, 405, `${method} ${url}`);
        assert.equal(r.headers.allow, "GET, HEAD", `${method} ${url}`);
        assert.equal(r.headers["cache-control"], "no-store");
      }
    }
    for (const url of ["/assets/nonexistent.css", "/assets/enhancements", "/assets/enhancements/", "/assets/%2E%2E/package.json", "/assets/../package.json"]) {
      for (const method of ["OPTIONS", "TRACE", "PUT"]) {
        const r = await t.app.inject({ method: method as "GET", url });
        assert.equal(r.statusCode, 404, `${method} ${url}`);
        assert.equal(r.headers.allow, undefined, `${method} ${url}`);
      }
    }
  });

  it("OpenID Connect endpoints still answer CORS preflights 204", async () => {
    for (const url of ["/.well-known/openid-configuration", "/oidc/jwks", "/oidc/token", "/oidc/me"]) {
      const r = await t.app.inject({
        method: "OPTIONS",
        url,
        headers: { origin: "https://app.example", "access-control-request-method": url === "/oidc/token" ? "POST" : "GET" },
      });
      assert.equal(r.statusCode, 204, url);
      assert.ok(r.headers["access-control-allow-methods"], url);
    }
  });
});

describe("the asterisk-form request target", () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await t.close();
  });

  it("answers GET *, HEAD *, POST * and GET *?x 400 VALIDATION_FAILED, not the start page", async () => {
    for (const line of ["GET *", "HEAD *", "POST *", "GET *?x=1"]) {
      const answer = await sendRaw(port, `${line} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /, line);
      assert.match(answer, /\r\ncache-control: no-store\r\n/i, line);
      assert.doesNotMatch(answer, /<title>Welcome/, line);
    }
    const page = await sendRaw(port, "GET * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert.match(page, /<title>Something went wrong/, "our own error page");
  });

  it("answers OPTIONS * 204 with the server's methods in Allow", async () => {
    const answer = await sendRaw(port, "OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 204 /);
    assert.match(answer, /\r\nallow: DELETE, GET, HEAD, PATCH, POST, PUT\r\n/i);
  });
});

describe("an identifier over the route schemas' length cap", () => {
  let t: TestApp;
  let member: TestClient;
  before(async () => {
    t = await createTestApp();
    member = await createVerifiedAccount(t, "long-ids@example.com");
  });
  after(async () => {
    await t.close();
  });

  const LONG = `${"a".repeat(1100)}@example.com`;

  it("gets IDENTIFIER_TOO_LONG on every JSON call that takes one, like one just over the real limit", async () => {
    const calls: Array<[string, string, Record<string, unknown>, TestClient | undefined]> = [
      ["POST", "/api/v1/session", { password: STRONG_PASSWORD }, undefined],
      ["POST", "/api/v1/accounts", { password: STRONG_PASSWORD }, undefined],
      ["POST", "/api/v1/accounts/verify", { code: "123456" }, undefined],
      ["POST", "/api/v1/accounts/verify/resend", {}, undefined],
      ["POST", "/api/v1/password-resets", {}, undefined],
      ["POST", "/api/v1/account/identifiers", {}, member],
    ];
    for (const [method, url, rest, client] of calls) {
      for (const identifier of [LONG, `${"a".repeat(400)}@example.com`]) {
        const r = await (client ?? new TestClient(t.app)).request(method, url, { json: { identifier, ...rest } });
        assert.equal(r.statusCode, 400, `${url} ${identifier.length}`);
        assert.equal(r.json().error.code, "IDENTIFIER_TOO_LONG", `${url} ${identifier.length}`);
        assert.equal(r.json().error.field, "identifier", url);
        assert.equal(r.headers["cache-control"], "no-store");
      }
    }
    // The typing suggestion has no answer for a long one, and refuses one over the cap with the same code.
    const suggestion = await new TestClient(t.app).request("POST", "/api/v1/identifiers/suggestion", { json: { identifier: LONG } });
    assert.equal(suggestion.statusCode, 400);
    assert.equal(suggestion.json().error.code, "IDENTIFIER_TOO_LONG");
  });

  it("gets the same clear message on the sign-in, registration and reset forms", async () => {
    for (const [page, action, fields] of [
      ["/signin", "/signin", { password: STRONG_PASSWORD }],
      ["/register", "/register", { password: STRONG_PASSWORD, password_confirm: STRONG_PASSWORD }],
      ["/password/reset", "/password/reset", {}],
    ] as const) {
      const client = new TestClient(t.app);
      let r = await client.submitForm(page, action, { identifier: LONG, ...fields });
      for (let hops = 0; r.statusCode === 303 && hops < 3; hops++) r = await client.get(r.headers.location as string);
      assert.match(r.body, /That is too long for an e-mail address or mobile number/, action);
    }
  });
});
