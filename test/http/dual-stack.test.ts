// A server listening on :: (LATCHKEY_HOST=::, dual stack) over real TCP from 127.0.0.1: IPv4 clients reach it
// as IPv4-mapped IPv6 addresses (::ffff:127.0.0.1), and must still be recorded, shown and found as plain IPv4
// in the audit trail, the sessions' "from" address and the admin console's filter by address, with or
// without trusted proxies; per-address limits still count both spellings as one client.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { generateId } from "../../src/lib/crypto.ts";
import { parseIdentifier } from "../../src/lib/identifier-parsing.ts";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { pageText } from "../helpers/client.ts";

/** Why this machine cannot run the test (no IPv6 loopback, or no IPv4 on an IPv6 socket), or false. */
async function dualStackSkipReason(): Promise<string | false> {
  const server: Server = createServer((request, response) => response.end(request.socket.remoteAddress ?? ""));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "::", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const seen = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    return seen === "::ffff:127.0.0.1" ? false : `an IPv4 client of a socket on :: appears as ${seen}, not as an IPv4-mapped address`;
  } catch (error) {
    return `no dual-stack IPv6 socket here: ${(error as Error).message}`;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const skip = await dualStackSkipReason();

/** A cookie-keeping client over real HTTP that can send extra headers (a proxy's X-Forwarded-For). */
class HttpClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, json?: unknown): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (json !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.base}${path}`, { method, headers, redirect: "manual", ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const equals = pair.indexOf("=");
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      if (value === "" || /Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, text: await response.text() };
  }
}

/** A confirmed account made in storage (no request, so no address recorded for it yet). */
async function createAccount(t: TestApp, email: string, admin = false): Promise<string> {
  const parsed = parseIdentifier(email);
  if (!parsed.ok) throw new Error(email);
  const created = await t.deps.stores.accounts.createVerifiedAccount({
    id: generateId(t.deps.random),
    name: null,
    passwordHash: await t.deps.hasher.hashPassword(STRONG_PASSWORD),
    createdAt: t.clock.now(),
    identifier: { id: generateId(t.deps.random), ...parsed.identifier },
  });
  assert.ok(created);
  if (admin) assert.equal(await t.deps.stores.accounts.grantAdmin(created.account.id, t.clock.now()), "changed");
  return created.account.id;
}

async function signIn(client: HttpClient, email: string): Promise<void> {
  const answer = await client.request("POST", "/api/v1/session", { identifier: email, password: STRONG_PASSWORD });
  assert.equal(answer.status, 200, answer.text);
}

/** Starts a test app listening on :: at a free port; its URL is the IPv4 loopback address. */
async function startOnDualStack(env: Record<string, string> = {}): Promise<{ t: TestApp; base: string }> {
  const t = await createTestApp({ LATCHKEY_HOST: "::", ...env });
  await t.app.listen({ host: "::", port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return { t, base: `http://127.0.0.1:${port}` };
}

/** The rows of the admin console's security events page. */
function eventRows(html: string): string[] {
  return [...html.matchAll(/<tr data-event-type="([^"]+)">/g)].map((m) => m[1] as string);
}

describe("an IPv4 client of a server listening on :: (dual stack)", { skip }, () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    ({ t, base } = await startOnDualStack());
  });
  after(async () => {
    await t?.close();
  });

  it("is recorded as plain IPv4 in the audit trail and the session, shown so, and found by the admin console's filter", async () => {
    const adminId = await createAccount(t, "dual-admin@example.com", true);
    const memberId = await createAccount(t, "dual-member@example.com");
    const admin = new HttpClient(base);
    await signIn(admin, "dual-admin@example.com");
    const member = new HttpClient(base, { "user-agent": "dual-stack-test" });
    assert.equal((await member.request("POST", "/api/v1/session", { identifier: "dual-member@example.com", password: "not the password" })).status, 401);
    await signIn(member, "dual-member@example.com");

    // The audit trail and the sessions as stored.
    const events = await t.deps.stores.audit.listEvents({ limit: 100 });
    const signins = events.filter((e) => e.type === "signin.succeeded" || e.type === "signin.failed");
    assert.equal(signins.length, 3);
    assert.deepEqual(
      signins.map((e) => e.ip),
      ["127.0.0.1", "127.0.0.1", "127.0.0.1"],
    );
    for (const accountId of [adminId, memberId]) {
      const sessions = await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now());
      assert.deepEqual(
        sessions.map((s) => s.ip),
        ["127.0.0.1"],
      );
    }

    // What the owner sees on the account page.
    const accountPage = await member.request("GET", "/account");
    assert.equal(accountPage.status, 200);
    assert.match(accountPage.text, /<span class="session-address">127\.0\.0\.1<\/span>/);
    assert.doesNotMatch(accountPage.text, /::ffff:/i);

    // The admin console: the filter by address finds them, whichever way the address is typed.
    for (const typed of ["127.0.0.1", "::ffff:127.0.0.1"]) {
      const page = await admin.request("GET", `/admin/events?ip=${encodeURIComponent(typed)}`);
      assert.equal(page.status, 200);
      const rows = eventRows(page.text);
      assert.equal(rows.filter((type) => type === "signin.succeeded").length, 2, `filter ${typed}`);
      assert.equal(rows.filter((type) => type === "signin.failed").length, 1, `filter ${typed}`);
      // Each row's address, and its link to the events of that address, read as plain IPv4.
      for (const row of page.text.match(/<tr data-event-type="signin\.[^"]+">.*?<\/tr>/g) ?? []) {
        assert.match(row, /<a href="\/admin\/events\?ip=127\.0\.0\.1"><bdi>127\.0\.0\.1<\/bdi><\/a>/);
        assert.doesNotMatch(row, /::ffff:/i);
      }
    }
    const accountDetail = await admin.request("GET", `/admin/accounts/${memberId}`);
    assert.equal(accountDetail.status, 200);
    assert.match(pageText(accountDetail.text), /127\.0\.0\.1/);
    assert.doesNotMatch(accountDetail.text, /::ffff:/i);
    const csv = await admin.request("GET", "/admin/events.csv?ip=127.0.0.1");
    assert.equal(csv.status, 200);
    assert.equal(csv.text.split("\n").filter((line) => line.includes(",signin.")).length, 3);
    assert.doesNotMatch(csv.text, /::ffff:/i);
  });
});

describe("an IPv4 client of a server listening on :: behind a trusted proxy", { skip }, () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    ({ t, base } = await startOnDualStack({ LATCHKEY_TRUST_PROXY: "127.0.0.1", LATCHKEY_RATE_SIGNIN: "3/1m" }));
  });
  after(async () => {
    await t?.close();
  });

  it("records the forwarded address as plain IPv4 however the proxy wrote it, and the proxy's own as plain IPv4", async () => {
    await createAccount(t, "proxied@example.com");
    await signIn(new HttpClient(base, { "x-forwarded-for": "203.0.113.5" }), "proxied@example.com");
    await signIn(new HttpClient(base, { "x-forwarded-for": "::ffff:203.0.113.6" }), "proxied@example.com");
    await signIn(new HttpClient(base), "proxied@example.com");
    const addresses = (await t.deps.stores.audit.listEvents({ types: ["signin.succeeded"], limit: 10 })).map((e) => e.ip).sort();
    assert.deepEqual(addresses, ["127.0.0.1", "203.0.113.5", "203.0.113.6"]);
    const found = await t.deps.stores.audit.searchEvents({ ip: "203.0.113.6", limit: 10 });
    assert.deepEqual(
      found.map((e) => e.type),
      ["signin.succeeded"],
    );
  });

  it("still counts one client's sign-ins together whether its address arrives mapped or plain", async () => {
    let n = 0;
    const attempt = (forwardedFor: string) =>
      new HttpClient(base, { "x-forwarded-for": forwardedFor }).request("POST", "/api/v1/session", {
        identifier: `nobody-${++n}@example.com`,
        password: "wrong guess",
      });
    assert.equal((await attempt("198.51.100.7")).status, 401);
    assert.equal((await attempt("::ffff:198.51.100.7")).status, 401);
    assert.equal((await attempt("0:0:0:0:0:ffff:c633:6407")).status, 401);
    const limited = await attempt("198.51.100.7");
    assert.equal(limited.status, 429);
    assert.equal((JSON.parse(limited.text) as { error: { code: string } }).error.code, "RATE_LIMITED");
    // Another client is not held up by that one.
    assert.equal((await attempt("198.51.100.8")).status, 401);
  });
});

describe("the client address", () => {
  it("is read through clientAddressOf everywhere: no source file but src/http/request-context.ts reads request.ip", () => {
    const root = fileURLToPath(new URL("../../src/", import.meta.url));
    const readers = readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== join("http", "request-context.ts"))
      .filter((file) => /\b(?:request|req)\.ips?\b/.test(readFileSync(join(root, file), "utf8")));
    assert.deepEqual(readers, []);
  });
});
