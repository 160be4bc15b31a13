// Abuse protection: per-identifier throttling with the security check and doubling locks, per-address
// limits, forwarded addresses, and the parallel-guessing race. Time moves by the injected clock.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PasswordHasher } from "../../src/accounts/password-hash.ts";
import { isAppError } from "../../src/errors/app-error.ts";
import { reserveSigninAttempt } from "../../src/signin/throttle.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

const WRONG = "definitely-not-the-password";

describe("per-identifier throttling", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  /** One sign-in attempt, solving the security check whenever one is due. */
  async function attempt(client: TestClient, identifier: string, password: string, withCAPTCHA: boolean) {
    const json: Record<string, unknown> = { identifier, password };
    if (withCAPTCHA) json.captcha = await solveCAPTCHA(client, "signin");
    return client.request("POST", "/api/v1/session", { json });
  }

  for (const kind of ["known", "unknown"] as const) {
    it(`locks after ten failures for 60 s, doubling up to 15 minutes (${kind} identifier)`, async () => {
      const identifier = `${kind}-lock@example.com`;
      if (kind === "known") await createVerifiedAccount(t, identifier);
      const client = new TestClient(t.app);
      const codes: string[] = [];
      for (let i = 1; i <= 9; i++) codes.push((await attempt(client, identifier, WRONG, i > 3)).json().error.code);
      assert.deepEqual(codes, Array(9).fill("SIGNIN_FAILED"));
      const tenth = await attempt(client, identifier, WRONG, true);
      assert.equal(tenth.statusCode, 429);
      assert.equal(tenth.json().error.code, "SIGNIN_LOCKED");
      assert.equal(tenth.headers["retry-after"], "60");
      assert.match(tenth.json().error.message, /paused for 1 minute.*reset your password/);

      const duringLock = await attempt(client, identifier, kind === "known" ? STRONG_PASSWORD : WRONG, true);
      assert.equal(duringLock.statusCode, 429, "even the right password is refused during a lock");
      assert.equal(duringLock.json().error.code, "SIGNIN_LOCKED");

      const locks: number[] = [];
      for (let i = 0; i < 6; i++) {
        t.clock.advance(16 * 60 * 1000);
        const r = await attempt(client, identifier, WRONG, true);
        locks.push(Number(r.headers["retry-after"]));
      }
      assert.deepEqual(locks, [120, 240, 480, 900, 900, 900]);
    });
  }

  it("clears everything on success", async () => {
    await createVerifiedAccount(t, "clears@example.com");
    const client = new TestClient(t.app);
    for (let i = 1; i <= 5; i++) await attempt(client, "clears@example.com", WRONG, i > 3);
    assert.equal((await attempt(client, "clears@example.com", STRONG_PASSWORD, true)).statusCode, 200);
    const fresh = await attempt(new TestClient(t.app), "clears@example.com", WRONG, false);
    assert.equal(fresh.json().error.code, "SIGNIN_FAILED");
    assert.equal(fresh.json().captcha, undefined, "back to the first failure");
  });

  it("counts only failures toward the hourly ceiling: 120 successful sign-ins in an hour all pass", async () => {
    await createVerifiedAccount(t, "busy@example.com");
    const client = new TestClient(t.app);
    const statuses = new Set<number>();
    for (let i = 0; i < 120; i++) statuses.add((await attempt(client, "busy@example.com", STRONG_PASSWORD, false)).statusCode);
    assert.deepEqual([...statuses], [200]);
  });

  it("reserves at most 100 password checks for one identifier in an hour", async () => {
    // Reservations alone (no pauses recorded) isolate the hourly ceiling from the doubling pauses.
    for (let i = 1; i <= 100; i++) await reserveSigninAttempt(t.deps, "ceiling@example.com");
    await assert.rejects(
      reserveSigninAttempt(t.deps, "ceiling@example.com"),
      (e: unknown) => isAppError(e) && e.code === "SIGNIN_LOCKED" && (e.retryAfter ?? 0) > 0,
    );
    t.clock.advance(3600 * 1000 + 1000);
    await reserveSigninAttempt(t.deps, "ceiling@example.com");
  });

  it("forgets failures after 12 hours without one", async () => {
    const client = new TestClient(t.app);
    for (let i = 1; i <= 3; i++) await attempt(client, "forget@example.com", WRONG, false);
    assert.equal((await attempt(client, "forget@example.com", WRONG, false)).json().error.code, "CAPTCHA_REQUIRED");
    t.clock.advance(12 * 3600 * 1000 + 1000);
    assert.equal((await attempt(client, "forget@example.com", WRONG, false)).json().error.code, "SIGNIN_FAILED");
  });

  it("never blocks the reset path, and a completed reset lifts the lock", async () => {
    await createVerifiedAccount(t, "locked-out@example.com");
    const attacker = new TestClient(t.app);
    for (let i = 1; i <= 10; i++) await attempt(attacker, "locked-out@example.com", WRONG, i > 3);
    const owner = new TestClient(t.app);
    assert.equal((await attempt(owner, "locked-out@example.com", STRONG_PASSWORD, true)).statusCode, 429);
    const reset = await owner.request("POST", "/api/v1/password-resets", {
      json: { identifier: "locked-out@example.com", captcha: await solveCAPTCHA(owner, "password_reset") },
    });
    assert.equal(reset.statusCode, 202);
    await t.deps.tasks.settle();
    const mail = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("locked-out@example.com") && e.subject === "Reset your password").at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] as string;
    const newPassword = "Quiet-Harbour-Lamp-Fennel-71";
    assert.equal((await owner.request("POST", "/api/v1/password-resets/complete", { json: { token, password: newPassword } })).statusCode, 204);
    assert.equal((await attempt(owner, "locked-out@example.com", newPassword, false)).statusCode, 200);
  });

  it("shows the wait and the way out on the sign-in page during a lock", async () => {
    const browser = new TestClient(t.app);
    for (let i = 1; i <= 10; i++) await attempt(browser, "page-lock@example.com", WRONG, i > 3);
    const page = await browser.get("/signin");
    const posted = await browser.request("POST", "/signin", {
      form: { ...hiddenInputsIn(page.body, "/signin"), identifier: "page-lock@example.com", password: WRONG },
    });
    assert.equal(posted.statusCode, 303);
    const shown = await browser.get(posted.headers.location as string);
    assert.match(pageText(shown.body), /sign-in is paused for 1 minute/);
    // The way out carries the typed identifier to the reset page through the flow, never the URL.
    assert.match(shown.body, /formaction="\/signin\/forgot"[^>]*>Reset your password now/);
  });

  it("checks no more passwords than the counter allows when 50 wrong guesses arrive at once", async () => {
    await createVerifiedAccount(t, "parallel@example.com");
    const original = t.deps.hasher;
    let checks = 0;
    const counting: PasswordHasher = {
      ...original,
      verifyPasswordHash: (h, p) => {
        checks++;
        return original.verifyPasswordHash(h, p);
      },
      verifyDummyPassword: (p) => {
        checks++;
        return original.verifyDummyPassword(p);
      },
    };
    t.deps.hasher = counting;
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "parallel@example.com", password: WRONG } }),
        ),
      );
      const codes = results.map((r) => r.json().error.code);
      assert.equal(codes.filter((c) => c === "SIGNIN_FAILED").length, 3);
      assert.equal(codes.filter((c) => c === "CAPTCHA_REQUIRED").length, 47);
      assert.equal(checks, 3, "only three passwords were checked");
    } finally {
      t.deps.hasher = original;
    }
  });

  it("checks at most ten passwords when 50 guesses with solved security checks arrive at once, the right one last", async () => {
    await createVerifiedAccount(t, "parallel-solved@example.com");
    const client = new TestClient(t.app);
    const captchas = [];
    for (let i = 0; i < 50; i++) captchas.push(await solveCAPTCHA(client, "signin"));
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
    };
    try {
      const results = await Promise.all(
        captchas.map((captcha, i) =>
          client.request("POST", "/api/v1/session", {
            json: { identifier: "parallel-solved@example.com", password: i === 49 ? STRONG_PASSWORD : WRONG, captcha },
          }),
        ),
      );
      const codes = results.map((r) => (r.statusCode === 200 ? "OK" : r.json().error.code));
      assert.equal(checks, 10, `ten passwords checked, then the pause: ${codes.join(" ")}`);
      assert.equal(codes.filter((c) => c === "SIGNIN_FAILED").length, 9);
      assert.equal(codes.filter((c) => c === "SIGNIN_LOCKED").length, 41);
      assert.ok(!codes.includes("OK"), "the right password, arriving 50th, did not sign in");
      for (const r of results.filter((x) => x.statusCode === 429)) assert.ok(Number(r.headers["retry-after"]) > 0);
      // Once the pause is over the owner can sign in: the refused guesses left no trace in the count.
      t.clock.advance(61_000);
      const after = await client.request("POST", "/api/v1/session", {
        json: { identifier: "parallel-solved@example.com", password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client, "signin") },
      });
      assert.equal(after.statusCode, 200, after.body);
    } finally {
      t.deps.hasher = original;
    }
  });
});

describe("per-address limits", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_RATE_SIGNIN: "30/1m", LATCHKEY_RATE_CAPTCHA_AUDIO: "10/1m", LATCHKEY_RATE_RESET: "10/1h" });
  });
  after(async () => {
    await t.close();
  });

  it("allows 30 sign-in attempts a minute from one address, then answers 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let last = await t.app.inject({
      method: "POST",
      url: "/api/v1/session",
      remoteAddress: "198.51.100.7",
      payload: { identifier: "a0@example.com", password: WRONG },
    });
    statuses.push(last.statusCode);
    for (let i = 1; i < 31; i++) {
      last = await t.app.inject({
        method: "POST",
        url: "/api/v1/session",
        remoteAddress: "198.51.100.7",
        payload: { identifier: `a${i}@example.com`, password: WRONG },
      });
      statuses.push(last.statusCode);
    }
    assert.equal(statuses.filter((s) => s === 401).length, 30);
    assert.equal(last.statusCode, 429);
    assert.equal(last.json().error.code, "RATE_LIMITED");
    assert.ok(Number(last.headers["retry-after"]) > 0 && Number(last.headers["retry-after"]) <= 60);
    const other = await t.app.inject({
      method: "POST",
      url: "/api/v1/session",
      remoteAddress: "198.51.100.8",
      payload: { identifier: "b@example.com", password: WRONG },
    });
    assert.equal(other.statusCode, 401, "another address is not affected");
    const page = await t.app.inject({
      method: "POST",
      url: "/signin",
      remoteAddress: "198.51.100.7",
      payload: "identifier=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(page.statusCode, 403, "a page post without a token is refused before counting");
    t.clock.advance(61_000);
    const later = await t.app.inject({
      method: "POST",
      url: "/api/v1/session",
      remoteAddress: "198.51.100.7",
      payload: { identifier: "a99@example.com", password: WRONG },
    });
    assert.equal(later.statusCode, 401);
  });

  it("ignores a forged X-Forwarded-For without a trusted proxy", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const client = new TestClient(t.app);
      const captcha = await solveCAPTCHA(client, "password_reset");
      const r = await t.app.inject({
        method: "POST",
        url: "/api/v1/password-resets",
        remoteAddress: "203.0.113.9",
        headers: { "x-forwarded-for": `192.0.2.${i}`, cookie: `latchkey_browser=${client.cookies.get("latchkey_browser")}` },
        payload: { identifier: `spoof${i}@example.com`, captcha },
      });
      statuses.push(r.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(202));
    assert.equal(statuses[10], 429);
  });

  it("limits audio clips to 10 a minute per address", async () => {
    const client = new TestClient(t.app);
    const challenge = await solveCAPTCHA(client, "signin");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await t.app.inject({ method: "GET", url: `/captcha/${challenge.id}.wav`, remoteAddress: "203.0.113.50" })).statusCode);
    assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
  });
});

describe("trusted proxies", () => {
  it("takes the client address from X-Forwarded-For only when the proxy is trusted", async () => {
    const t = await createTestApp({ LATCHKEY_TRUST_PROXY: "10.0.0.1", LATCHKEY_RATE_SIGNIN: "2/1m" });
    try {
      const viaProxy = (client: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/session",
          remoteAddress: "10.0.0.1",
          headers: { "x-forwarded-for": client },
          payload: { identifier: "p@example.com", password: WRONG },
        });
      assert.equal((await viaProxy("198.51.100.1")).statusCode, 401);
      assert.equal((await viaProxy("198.51.100.1")).statusCode, 401);
      assert.equal((await viaProxy("198.51.100.1")).statusCode, 429);
      assert.equal((await viaProxy("198.51.100.2")).statusCode, 401, "a different client behind the same proxy has its own count");
      const untrusted = (client: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/session",
          remoteAddress: "10.0.0.2",
          headers: { "x-forwarded-for": client },
          payload: { identifier: "p@example.com", password: WRONG },
        });
      await untrusted("198.51.100.3");
      await untrusted("198.51.100.4");
      assert.equal((await untrusted("198.51.100.5")).statusCode, 429, "an untrusted sender's header is ignored");
    } finally {
      await t.close();
    }
  });
});

describe("per-address limits on IPv6", () => {
  it("count every address of one /64 as one client (each address had its own allowance), and another /64 apart", async () => {
    const t = await createTestApp({ LATCHKEY_RATE_SIGNIN: "3/1m" });
    try {
      const from = async (remoteAddress: string): Promise<number> =>
        (await t.app.inject({ method: "POST", url: "/api/v1/session", remoteAddress, payload: { identifier: "six@example.com", password: WRONG } })).statusCode;
      const statuses = [];
      for (const host of ["1", "2", "ffff:ffff:ffff:ffff", "a:b:c:d"]) statuses.push(await from(`2001:db8:1:2:${host.includes(":") ? "" : ":"}${host}`));
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      assert.equal(await from("2001:db8:1:3::1"), 401, "the next /64 has its own allowance");
      assert.equal(await from("::ffff:198.51.100.60"), 401);
    } finally {
      await t.close();
    }
  });
});

describe("per-address limit on entering codes", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_RATE_CODE_ENTRY: "5/15m", LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  /** Six posts from one address; the browser's cookies and form token ride along for page routes. */
  async function sixPosts(ip: string, url: string, body: Record<string, string>, client?: TestClient, pageUrl?: string) {
    const statuses: Array<{ status: number; code?: string; retryAfter?: string }> = [];
    let form: Record<string, string> | undefined;
    if (client && pageUrl) form = { ...hiddenInputsIn((await client.get(pageUrl)).body, url), ...body };
    const cookie = client ? [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") : undefined;
    for (let i = 0; i < 6; i++) {
      const r = form
        ? await t.app.inject({
            method: "POST",
            url,
            remoteAddress: ip,
            headers: { cookie: cookie ?? "", "content-type": "application/x-www-form-urlencoded" },
            payload: new URLSearchParams(form).toString(),
          })
        : await t.app.inject({ method: "POST", url, remoteAddress: ip, ...(cookie ? { headers: { cookie } } : {}), payload: body });
      const json = r.headers["content-type"]?.toString().includes("json") ? (r.json() as { error?: { code: string } }) : undefined;
      statuses.push({
        status: r.statusCode,
        ...(json?.error ? { code: json.error.code } : {}),
        ...(r.headers["retry-after"] ? { retryAfter: String(r.headers["retry-after"]) } : {}),
      });
    }
    return statuses;
  }

  function assertLimited(statuses: Array<{ status: number; code?: string; retryAfter?: string }>, label: string, api: boolean): void {
    assert.ok(
      statuses.slice(0, 5).every((s) => s.status !== 429),
      `${label}: ${JSON.stringify(statuses)}`,
    );
    const sixth = statuses[5];
    assert.equal(sixth?.status, 429, `${label}: ${JSON.stringify(statuses)}`);
    if (api) assert.equal(sixth?.code, "RATE_LIMITED", label);
    assert.ok(Number(sixth?.retryAfter) > 0 && Number(sixth?.retryAfter) <= 900, label);
  }

  it("allows 5 code entries per address on every code-entry route, then 429 with Retry-After", async () => {
    const owner = await createVerifiedAccount(t, "code-limit@example.com");
    const body = { identifier: "someone@example.com", code: "123456" };
    assertLimited(await sixPosts("198.51.100.21", "/api/v1/accounts/verify", body), "/api/v1/accounts/verify", true);
    assertLimited(
      await sixPosts("198.51.100.22", "/api/v1/password-resets/complete", { ...body, password: "Lantern-Orchard-Velvet-Comet-9" }),
      "/api/v1/password-resets/complete",
      true,
    );
    assertLimited(await sixPosts("198.51.100.23", "/api/v1/account/identifiers/verify", body, owner), "/api/v1/account/identifiers/verify", true);
    assertLimited(await sixPosts("198.51.100.24", "/verify", body, new TestClient(t.app), "/verify"), "/verify", false);
    assertLimited(
      await sixPosts(
        "198.51.100.25",
        "/password/reset/confirm",
        { ...body, password: "Lantern-Orchard-Velvet-Comet-9", password_confirm: "Lantern-Orchard-Velvet-Comet-9" },
        new TestClient(t.app),
        "/password/reset/confirm",
      ),
      "/password/reset/confirm",
      false,
    );
    assertLimited(
      await sixPosts("198.51.100.26", "/account/identifiers/verify", body, owner, "/account/identifiers/verify"),
      "/account/identifiers/verify",
      false,
    );
    // Another address is not affected, and the window passes.
    const other = await t.app.inject({ method: "POST", url: "/api/v1/accounts/verify", remoteAddress: "198.51.100.99", payload: body });
    assert.equal(other.statusCode, 400);
    t.clock.advance(15 * 60 * 1000 + 1000);
    const later = await t.app.inject({ method: "POST", url: "/api/v1/accounts/verify", remoteAddress: "198.51.100.21", payload: body });
    assert.equal(later.statusCode, 400);
  });
});

describe("per-address limit on passkey challenges", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_RATE_SIGNIN: "5/1m", LATCHKEY_RATE_PASSKEY_OPTIONS: "20/1m" });
  });
  after(async () => {
    await t.close();
  });

  it("many sign-in page loads (each asking for passkey options) do not use up the address's password sign-ins", async () => {
    const ip = "198.51.100.77";
    await createVerifiedAccount(t, "reloader@example.com");
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await t.app.inject({ method: "POST", url: "/api/v1/session/passkey/options", remoteAddress: ip })).statusCode);
    assert.deepEqual(statuses, Array(20).fill(200), "20 page loads fit the passkey allowance");
    const signin = await t.app.inject({
      method: "POST",
      url: "/api/v1/session",
      remoteAddress: ip,
      payload: { identifier: "reloader@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(signin.statusCode, 200, signin.body);
    const past = await t.app.inject({ method: "POST", url: "/api/v1/session/passkey/options", remoteAddress: ip });
    assert.equal(past.statusCode, 429, "the passkey allowance has its own limit");
    assert.equal(past.json().error.code, "RATE_LIMITED");
    assert.ok(Number(past.headers["retry-after"]) > 0);
    const again = await t.app.inject({
      method: "POST",
      url: "/api/v1/session",
      remoteAddress: ip,
      payload: { identifier: "reloader@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(again.statusCode, 200, "a spent passkey allowance leaves password sign-in alone");
  });

  it("the other passkey challenges (confirming it's you, adding one) count against the same allowance", async () => {
    const client = await createVerifiedAccount(t, "confirmer@example.com");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await client.request("POST", "/api/v1/account/confirm/passkey/options")).statusCode);
    for (let i = 0; i < 10; i++) statuses.push((await client.request("POST", "/api/v1/account/passkeys/options")).statusCode);
    assert.deepEqual(statuses, [...Array(20).fill(200), 429]);
  });
});
