// The admin console over HTTP: who may reach it (nobody but admins, on any route, action or method),
// account search and keyset paging, every account action with its confirmation, step-up, audit event and
// notice, the rule that an installation always keeps an enabled admin, and the security events view with
// its filters, charts and CSV export.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { performAdminAction } from "../../src/admin/account-actions.ts";
import { generateId } from "../../src/lib/crypto.ts";
import { registerClient } from "../../src/oidc/clients.ts";
import { openDatabase } from "../../src/stores/index.ts";
import { createVerifiedAccount, STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { hiddenInputsIn, pageText, solveCAPTCHA, TestClient, withoutCsrfTokens } from "../helpers/client.ts";
import { readEmails, readSMS } from "../helpers/outbox.ts";

const ACTIONS = ["disable", "enable", "sign-out", "reset-password", "grant-admin", "revoke-admin", "remove-second-factors", "delete"] as const;
const STEP_UP = new Set(["disable", "sign-out", "grant-admin", "revoke-admin", "remove-second-factors", "delete"]);

/** Counts the password hashes the app checks from now on, until restore(). */
function countPasswordChecks(app: TestApp): { count(): number; restore(): void } {
  const original = app.deps.hasher;
  let checks = 0;
  app.deps.hasher = {
    ...original,
    verifyPasswordHash: (hash, password) => {
      checks++;
      return original.verifyPasswordHash(hash, password);
    },
  };
  return {
    count: () => checks,
    restore: () => {
      app.deps.hasher = original;
    },
  };
}

describe("admin console", () => {
  let t: TestApp;
  let admin: TestClient;
  let adminId: string;
  let member: TestClient;

  async function idOf(identifier: string): Promise<string> {
    const found = await t.deps.stores.accounts.getAccountByIdentifier(identifier);
    assert.ok(found, `account for ${identifier}`);
    return found.account.id;
  }

  /** GETs the confirmation page and posts its form with `fields` (the admin's password, a choice). */
  async function confirm(client: TestClient, accountId: string, action: string, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const url = `/admin/accounts/${accountId}/${action}`;
    const page = await client.get(url);
    assert.equal(page.statusCode, 200, `${action} confirmation page`);
    return client.request("POST", url, { form: { ...hiddenInputsIn(page.body, url), ...fields } });
  }

  async function mailTo(address: string): Promise<Array<{ subject: string; text: string }>> {
    await t.deps.tasks.settle();
    return (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(address));
  }

  before(async () => {
    t = await createTestApp();
    admin = await createVerifiedAccount(t, "root@example.com");
    adminId = await idOf("root@example.com");
    assert.equal(await t.deps.stores.accounts.grantAdmin(adminId, t.clock.now()), "changed");
    member = await createVerifiedAccount(t, "member@example.com");
  });
  after(async () => {
    await t.close();
  });

  it("answers anonymous visitors and signed-in non-admins like an unknown page on every route, action and method, and changes nothing", async () => {
    const target = await idOf("member@example.com");
    const urls = [
      "/admin",
      "/admin/accounts",
      "/admin/accounts?q=member%40example.com",
      `/admin/accounts/${target}`,
      "/admin/accounts/no-such-account",
      "/admin/events",
      "/admin/events?type=signin.failed",
      "/admin/events.csv",
      "/admin/apps",
      "/admin/help-feedback",
      "/admin/feedback.csv",
      ...ACTIONS.map((a) => `/admin/accounts/${target}/${a}`),
      `/admin/accounts/${target}/frobnicate`,
    ];
    for (const [who, client] of [
      ["anonymous", new TestClient(t.app)],
      ["member", member],
    ] as const) {
      const unknown = await client.get("/no-such-page");
      for (const url of urls) {
        const refused = await client.get(url);
        assert.equal(refused.statusCode, 404, `${who} GET ${url}`);
        assert.equal(withoutCsrfTokens(refused.body), withoutCsrfTokens(unknown.body), `${who} GET ${url}: the same page as an unknown address`);
      }
      // A real CSRF token of the member's own pages: the admin check comes before the token check.
      const token = who === "member" ? hiddenInputsIn((await client.get("/account")).body, "/account/identifiers")._csrf : "x";
      for (const action of ACTIONS) {
        const url = `/admin/accounts/${target}/${action}`;
        const posted = await client.request("POST", url, { form: { _csrf: token as string, password: STRONG_PASSWORD } });
        const unknownPost = await client.request("POST", "/no-such-page", { form: { _csrf: token as string } });
        assert.equal(posted.statusCode, 404, `${who} POST ${url}`);
        // The error page links back to the address asked for; apart from that it is the same page.
        assert.equal(withoutCsrfTokens(posted.body.replaceAll(url, "/no-such-page")), withoutCsrfTokens(unknownPost.body), `${who} POST ${url}`);
        for (const method of ["PUT", "DELETE", "PATCH"]) {
          const other = await client.request(method, url, { form: { x: "1" } });
          assert.equal(other.statusCode, 404, `${who} ${method} ${url}`);
          assert.equal(other.headers.allow, undefined);
        }
      }
      for (const url of ["/admin/accounts", "/admin/events", "/admin/help-feedback"]) {
        const other = await client.request("POST", url, { form: { x: "1" } });
        assert.equal(other.statusCode, 404, `${who} POST ${url}`);
      }
    }
    const still = await t.deps.stores.accounts.getAccountById(target);
    assert.equal(still?.disabledAt, null);
    assert.equal(still?.isAdmin, false);
    assert.equal((await member.get("/api/v1/session")).statusCode, 200, "the member is still signed in");
  });

  it("answers non-admins like an unknown address whatever the body: malformed, oversized or ill-formed text changes nothing", async () => {
    const target = await idOf("member@example.com");
    const bodies = [
      { label: "malformed JSON", type: "application/json", payload: "{bad" },
      { label: "JSON with an unpaired surrogate", type: "application/json", payload: '{"password":"\\ud800"}' },
      { label: "JSON over the body limit", type: "application/json", payload: JSON.stringify({ password: "x".repeat(2_000_000) }) },
      { label: "a form over the body limit", type: "application/x-www-form-urlencoded", payload: `password=${"x".repeat(2_000_000)}` },
    ];
    for (const [who, client] of [
      ["anonymous", new TestClient(t.app)],
      ["member", member],
    ] as const) {
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const send = (method: string, url: string, type: string, payload: string) =>
        t.app.inject({ method: method as "POST", url, payload, headers: { "content-type": type, ...(cookie ? { cookie } : {}) } });
      for (const { label, type, payload } of bodies) {
        for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
          for (const [url, unknownUrl] of [
            [`/api/v1/admin/accounts/${target}/disable`, "/api/v1/no-such-call"],
            [`/admin/accounts/${target}/disable`, "/no-such-page"],
            ["/admin/accounts", "/no-such-page"],
          ] as const) {
            const refused = await send(method, url, type, payload);
            const unknown = await send(method, unknownUrl, type, payload);
            assert.equal(unknown.statusCode, 404, `${who} ${method} ${unknownUrl} with ${label}`);
            assert.equal(refused.statusCode, 404, `${who} ${method} ${url} with ${label}`);
            assert.equal(refused.headers.allow, undefined);
            if (url.startsWith("/api/")) assert.equal(refused.body, unknown.body, `${who} ${method} ${url} with ${label}`);
            else
              assert.equal(
                withoutCsrfTokens(refused.body.replaceAll(url, unknownUrl)),
                withoutCsrfTokens(unknown.body),
                `${who} ${method} ${url} with ${label}`,
              );
          }
        }
      }
    }
    assert.equal((await t.deps.stores.accounts.getAccountById(target))?.disabledAt, null);
  });

  it("answers an admin's wrong method 405 before reading the body", async () => {
    for (const url of ["/admin/accounts", `/admin/accounts/${adminId}/disable`]) {
      const put = await t.app.inject({
        method: "PUT",
        url,
        payload: "{bad",
        headers: { "content-type": "application/json", cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      });
      assert.equal(put.statusCode, 405, `PUT ${url} with malformed JSON`);
    }
  });

  it("tells an admin which methods an address accepts", async () => {
    const post = await admin.request("POST", "/admin/accounts", { form: { x: "1" } });
    assert.equal(post.statusCode, 405);
    assert.equal(post.headers.allow, "GET, HEAD");
    const put = await admin.request("PUT", `/admin/accounts/${adminId}/disable`, { form: { x: "1" } });
    assert.equal(put.statusCode, 405);
    assert.equal(put.headers.allow, "GET, HEAD, POST");
  });

  it("asks for the admin's password on every action that locks out, ends sessions or hands out power; without it nothing changes", async () => {
    await createVerifiedAccount(t, "stepup-target@example.com");
    const id = await idOf("stepup-target@example.com");
    for (const action of ACTIONS) {
      if (action === "enable" || action === "revoke-admin") {
        // Offered only when they apply: an enabled account, not an admin.
        assert.equal((await admin.get(`/admin/accounts/${id}/${action}`)).headers.location, `/admin/accounts/${id}?done=unchanged`, action);
        continue;
      }
      const page = await admin.get(`/admin/accounts/${id}/${action}`);
      assert.equal(/id="password"/.test(page.body), STEP_UP.has(action), `${action}: step-up field`);
      if (!STEP_UP.has(action)) continue;
      const refused = await confirm(admin, id, action, { password: "" });
      assert.match(refused.headers.location as string, /\?flow=/, action);
    }
    const read = await t.deps.stores.accounts.getAccountById(id);
    assert.equal(read?.disabledAt, null);
    assert.equal(read?.isAdmin, false);
    assert.equal((await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.sessions_revoked"], limit: 1 })).length, 0);
  });

  it("opens on the accounts with its navigation; the help feedback report lives under it", async () => {
    const root = await admin.get("/admin");
    assert.equal(root.statusCode, 303);
    assert.equal(root.headers.location, "/admin/accounts");
    assert.equal((await admin.get("/admin?days=7")).headers.location, "/admin/help-feedback?days=7", "old report links still arrive");
    const accounts = await admin.get("/admin/accounts");
    assert.equal(accounts.statusCode, 200);
    assert.match(
      accounts.body,
      /<nav class="admin-nav" aria-label="Admin"><ul>\n<li><a href="\/admin\/accounts" aria-current="page">Accounts<\/a><\/li><li><a href="\/admin\/events">Security events<\/a><\/li><li><a href="\/admin\/apps">Applications<\/a><\/li><li><a href="\/admin\/help-feedback">Help feedback<\/a><\/li>/,
    );
    const report = await admin.get("/admin/help-feedback?days=30");
    assert.equal(report.statusCode, 200);
    assert.match(report.body, /<a href="\/admin\/help-feedback" aria-current="page">Help feedback<\/a>/);
    assert.match(report.body, /<h1>Help feedback<\/h1>/);
    assert.match(report.body, /<a href="\/admin\/help-feedback\?days=7">Last 7 days<\/a>/);
  });

  it("finds an account by any spelling of its e-mail address or number, and by id", async () => {
    await seedVerifiedAccount(t, "+49 1512 3456789");
    await createVerifiedAccount(t, "Grace.Hopper@Example.com");
    const phoneId = await idOf("+4915123456789");
    const graceId = await idOf("grace.hopper@example.com");
    for (const [query, id] of [
      ["GRACE.HOPPER@example.COM", graceId],
      ["  grace.hopper@example.com ", graceId],
      ["+49 1512 3456789", phoneId],
      ["0049 1512-3456789", phoneId],
      ["+49 (1512) 345 67 89", phoneId],
      [phoneId, phoneId],
    ] as const) {
      const page = await admin.get(`/admin/accounts?q=${encodeURIComponent(query)}`);
      assert.equal(page.statusCode, 200, query);
      const found = page.body.slice(page.body.indexOf('id="found-title"'), page.body.indexOf('id="all-title"'));
      assert.match(found, new RegExp(`href="/admin/accounts/${id}"`), `${query} finds ${id}`);
    }
    const none = await admin.get(`/admin/accounts?q=${encodeURIComponent("nobody@example.com")}`);
    assert.match(pageText(none.body), /No account uses nobody@example\.com \./);
    const odd = await admin.get(`/admin/accounts?q=${encodeURIComponent("<script>")}`);
    assert.equal(odd.statusCode, 200);
    assert.doesNotMatch(odd.body, /<script>/);
    const long = await admin.get(`/admin/accounts?q=${"a".repeat(5000)}`);
    assert.equal(long.statusCode, 200);
  });

  it("lists every account newest first, 50 a page, by keyset links", async () => {
    const base = t.clock.now();
    for (let i = 0; i < 120; i++) {
      const value = `listed-${i}@example.com`;
      await t.deps.stores.accounts.createVerifiedAccount({
        id: generateId(t.deps.random),
        name: null,
        passwordHash: "x",
        createdAt: new Date(base.getTime() + (i % 7) * 1000),
        identifier: { id: generateId(t.deps.random), kind: "email", value, display: value },
      });
    }
    const all = (await t.deps.stores.accounts.listAccounts({ limit: 10_000, offset: 0 })).length;
    const seen: string[] = [];
    let url: string | undefined = "/admin/accounts";
    let pages = 0;
    while (url) {
      const page = await admin.get(url);
      assert.equal(page.statusCode, 200);
      const list = page.body.slice(page.body.indexOf('id="all-title"'));
      const ids = [...list.matchAll(/<td data-label="Account"><a href="\/admin\/accounts\/([^"]+)">/g)].map((m) => m[1] as string);
      assert.ok(ids.length <= 50);
      seen.push(...ids);
      pages++;
      url = /<a href="([^"]+)" rel="next">Older accounts<\/a>/.exec(list)?.[1]?.replace(/&amp;/g, "&");
      assert.ok(pages < 20);
    }
    assert.equal(seen.length, all, "every account once");
    assert.equal(new Set(seen).size, all, "no account twice");
    assert.equal((await admin.get("/admin/accounts?after=garbage")).statusCode, 200, "a malformed cursor shows the first page");
  });

  it("shows an account's identifiers, sessions (browser, system, address) and recent events", async () => {
    const firefox = new TestClient(t.app, { "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" });
    const owner = await createVerifiedAccount(t, "ada@example.com");
    const ownerId = await idOf("ada@example.com");
    await firefox.request("POST", "/api/v1/session", { json: { identifier: "ada@example.com", password: STRONG_PASSWORD } });
    await firefox.request("POST", "/api/v1/session", { json: { identifier: "ada@example.com", password: "wrong password, sorry" } });
    assert.equal((await owner.get("/api/v1/session")).statusCode, 200);
    // A registration nobody has confirmed yet.
    const pendingClient = new TestClient(t.app);
    const registered = await pendingClient.request("POST", "/api/v1/accounts", {
      json: { identifier: "pending@example.com", password: STRONG_PASSWORD, captcha: await solveCAPTCHA(pendingClient) },
    });
    assert.equal(registered.statusCode, 202);
    const pendingId = await idOf("pending@example.com");
    const pendingPage = await admin.get(`/admin/accounts/${pendingId}`);
    assert.match(pageText(pendingPage.body), /pending@example\.com E-mail Not confirmed/);
    assert.match(pendingPage.body, /<span class="badge">Unconfirmed<\/span>/);
    const search = await admin.get("/admin/accounts?q=pending%40example.com");
    assert.match(pageText(search.body), /pending@example\.com \(unconfirmed\)/);

    const page = await admin.get(`/admin/accounts/${ownerId}`);
    assert.equal(page.statusCode, 200);
    const text = pageText(page.body);
    // Confirmed: the date it was confirmed (any day of the month), not "Not confirmed".
    assert.match(text, /ada@example\.com E-mail \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/);
    assert.match(
      page.body,
      /<td data-label="Browser"><bdi>Firefox 128<\/bdi><\/td><td data-label="System"><bdi>Linux<\/bdi><\/td><td data-label="Address"><bdi>127\.0\.0\.1<\/bdi><\/td>/,
    );
    assert.match(text, /Failed sign-in attempt · Firefox on Linux · 127\.0\.0\.1/);
    assert.match(text, /Signed in/);
    assert.match(page.body, new RegExp(`href="/admin/events\\?account=${ownerId}"`));
    for (const a of ["reset-password", "sign-out", "disable", "grant-admin", "delete"])
      assert.match(page.body, new RegExp(`href="/admin/accounts/${ownerId}/${a}"`), a);
    assert.doesNotMatch(page.body, /\/enable"/, "enable is offered only for a disabled account");
    assert.match(text, /Second factors None/);
    assert.doesNotMatch(page.body, /\/remove-second-factors"/, "removing second factors is offered only when there are some");
    assert.equal((await admin.get("/admin/accounts/no-such-account")).statusCode, 404);
    assert.equal((await admin.get(`/admin/accounts/${ownerId}/frobnicate`)).statusCode, 404);
  });

  it("disable: step-up, CSRF, then sessions end, sign-in fails, the owner is told and the audit names the admin; enable undoes it", async () => {
    const owner = await createVerifiedAccount(t, "disable-me@example.com");
    const id = await idOf("disable-me@example.com");
    const url = `/admin/accounts/${id}/disable`;
    const page = await admin.get(url);
    assert.match(page.body, /<input class="input" id="password" name="password" type="password" autocomplete="current-password"/);
    assert.match(page.body, /name="_csrf" value="[^"]+"/);

    const noToken = await admin.request("POST", url, { form: { password: STRONG_PASSWORD } });
    assert.equal(noToken.statusCode, 403, "no CSRF token");
    const wrong = await confirm(admin, id, "disable", { password: "not my password at all" });
    assert.equal(wrong.statusCode, 303);
    assert.match(wrong.headers.location as string, new RegExp(`^/admin/accounts/${id}/disable\\?flow=`));
    const shown = await admin.get(wrong.headers.location as string);
    assert.match(pageText(shown.body), /Your current password is not right/);
    assert.equal((await t.deps.stores.accounts.getAccountById(id))?.disabledAt, null, "nothing changed on a wrong password");

    const done = await confirm(admin, id, "disable", { password: STRONG_PASSWORD });
    assert.equal(done.headers.location, `/admin/accounts/${id}?done=disable`);
    assert.ok((await t.deps.stores.accounts.getAccountById(id))?.disabledAt);
    assert.equal((await owner.get("/api/v1/session")).statusCode, 401, "signed out");
    const signin = await new TestClient(t.app).request("POST", "/api/v1/session", {
      json: { identifier: "disable-me@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(signin.statusCode, 401);
    const [event] = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.account_disabled"], limit: 1 });
    assert.equal(event?.detail?.admin, adminId);
    assert.ok((await mailTo("disable-me@example.com")).some((m) => m.subject === "Your account has been disabled"));
    assert.match(pageText((await admin.get(`/admin/accounts/${id}`)).body), /Disabled since/);
    // A reset for a disabled account is not offered, and posting one anyway changes nothing.
    assert.equal((await admin.get(`/admin/accounts/${id}/reset-password`)).headers.location, `/admin/accounts/${id}?done=unchanged`);
    const [identifier] = await t.deps.stores.accounts.listIdentifiers(id);
    const token = hiddenInputsIn((await admin.get(`/admin/accounts/${id}/sign-out`)).body, `/admin/accounts/${id}/sign-out`)._csrf as string;
    const forced = await admin.request("POST", `/admin/accounts/${id}/reset-password`, { form: { _csrf: token, identifier: identifier?.id ?? "" } });
    assert.equal(forced.headers.location, `/admin/accounts/${id}?done=unchanged`);
    assert.equal((await mailTo("disable-me@example.com")).filter((m) => m.subject === "Reset your password").length, 0);

    const enabled = await confirm(admin, id, "enable");
    assert.equal(enabled.headers.location, `/admin/accounts/${id}?done=enable`);
    assert.equal((await t.deps.stores.accounts.getAccountById(id))?.disabledAt, null);
    const again = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "disable-me@example.com", password: STRONG_PASSWORD } });
    assert.equal(again.statusCode, 200);
    assert.ok((await mailTo("disable-me@example.com")).some((m) => m.subject === "Your account has been enabled"));
    const [enableEvent] = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.account_enabled"], limit: 1 });
    assert.equal(enableEvent?.detail?.admin, adminId);
  });

  it("sign out everywhere ends every session of the account (and every application's grant) and tells the owner", async () => {
    const first = await createVerifiedAccount(t, "everywhere@example.com");
    const second = new TestClient(t.app);
    await second.request("POST", "/api/v1/session", { json: { identifier: "everywhere@example.com", password: STRONG_PASSWORD } });
    const id = await idOf("everywhere@example.com");
    const done = await confirm(admin, id, "sign-out", { password: STRONG_PASSWORD });
    assert.equal(done.headers.location, `/admin/accounts/${id}?done=sign-out`);
    assert.equal((await first.get("/api/v1/session")).statusCode, 401);
    assert.equal((await second.get("/api/v1/session")).statusCode, 401);
    const [event] = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.sessions_revoked"], limit: 1 });
    assert.deepEqual(event?.detail, { admin: adminId, count: 2, apps: 0 }, "no application held access (test/oidc/account-changes.test.ts ends some)");
    assert.ok((await mailTo("everywhere@example.com")).some((m) => m.subject === "You have been signed out everywhere"));
    assert.equal((await admin.get("/api/v1/session")).statusCode, 200, "the admin's own session is untouched");
  });

  it("send a password reset: to the chosen confirmed identifier, without step-up; the link works", async () => {
    await createVerifiedAccount(t, "forgetful@example.com");
    const id = await idOf("forgetful@example.com");
    const [identifier] = await t.deps.stores.accounts.listIdentifiers(id);
    assert.ok(identifier);
    const page = await admin.get(`/admin/accounts/${id}/reset-password`);
    assert.doesNotMatch(page.body, /id="password"/, "no step-up for sending a reset");
    const bogus = await confirm(admin, id, "reset-password", { identifier: "not-an-identifier" });
    assert.match(bogus.headers.location as string, /\?flow=/);
    const done = await confirm(admin, id, "reset-password", { identifier: identifier.id });
    assert.equal(done.headers.location, `/admin/accounts/${id}?done=reset-password`);
    const mail = (await mailTo("forgetful@example.com")).find((m) => m.subject === "Reset your password");
    assert.ok(mail, "the reset message");
    const token = /\/password\/reset\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
    assert.ok(token);
    const completed = await new TestClient(t.app).request("POST", "/api/v1/password-resets/complete", {
      json: { token, password: "A-brand-new-Passphrase-77" },
    });
    assert.equal(completed.statusCode, 204);
    const [event] = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.reset_sent"], limit: 1 });
    assert.deepEqual(event?.detail, { admin: adminId, channel: "email" });
    // The sending limits still hold: three per 15 minutes per identifier.
    await confirm(admin, id, "reset-password", { identifier: identifier.id });
    await confirm(admin, id, "reset-password", { identifier: identifier.id });
    const limited = await confirm(admin, id, "reset-password", { identifier: identifier.id });
    assert.match(limited.headers.location as string, /\?flow=/);
    assert.match(pageText((await admin.get(limited.headers.location as string)).body), /We have sent several messages already/);
  });

  it("grant and revoke admin change who can open the console, and tell the owner", async () => {
    const helper = await createVerifiedAccount(t, "helper@example.com");
    const id = await idOf("helper@example.com");
    assert.equal((await helper.get("/admin/accounts")).statusCode, 404);
    assert.equal((await confirm(admin, id, "grant-admin", { password: STRONG_PASSWORD })).headers.location, `/admin/accounts/${id}?done=grant-admin`);
    assert.equal((await helper.get("/admin/accounts")).statusCode, 200);
    assert.equal((await confirm(admin, id, "revoke-admin", { password: STRONG_PASSWORD })).headers.location, `/admin/accounts/${id}?done=revoke-admin`);
    assert.equal((await helper.get("/admin/accounts")).statusCode, 404);
    const subjects = (await mailTo("helper@example.com")).map((m) => m.subject);
    assert.ok(subjects.includes("Your account is now an administrator"));
    assert.ok(subjects.includes("Your administrator access has been removed"));
    const events = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.admin_granted", "admin.admin_revoked"], limit: 5 });
    // Both within one second: compared without their order.
    assert.deepEqual(events.map((e) => [e.type, e.detail?.admin]).sort(), [
      ["admin.admin_granted", adminId],
      ["admin.admin_revoked", adminId],
    ]);
  });

  it("delete removes the account, its identifiers, sessions and pending codes, frees the identifiers and keeps the trail", async () => {
    const owner = await createVerifiedAccount(t, "leaving@example.com");
    await seedVerifiedAccount(t, "+49 1512 7654321");
    const id = await idOf("leaving@example.com");
    const pending = await owner.submitForm("/account", "/account/identifiers", { identifier: "leaving.pending@example.com" });
    assert.equal(pending.statusCode, 303);
    const done = await confirm(admin, id, "delete", { password: STRONG_PASSWORD });
    assert.equal(done.headers.location, "/admin/accounts?done=deleted");
    assert.match(pageText((await admin.get(done.headers.location as string)).body), /The account has been deleted/);
    assert.equal(await t.deps.stores.accounts.getAccountById(id), null);
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("leaving@example.com"), null);
    assert.equal((await owner.get("/api/v1/session")).statusCode, 401);
    assert.equal((await admin.get(`/admin/accounts/${id}`)).statusCode, 404);
    const [event] = await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.account_deleted"], limit: 1 });
    assert.equal(event?.detail?.admin, adminId);
    assert.ok((await t.deps.stores.audit.searchEvents({ accountId: id, limit: 50 })).length > 2, "earlier events stay");
    assert.ok((await mailTo("leaving@example.com")).some((m) => m.subject === "Your account has been deleted"));
    // The address can make a new account, and the pending one could be confirmed by someone else.
    await createVerifiedAccount(t, "leaving@example.com");
    await createVerifiedAccount(t, "leaving.pending@example.com");
    assert.notEqual(await idOf("leaving@example.com"), id);

    // A phone-only account is told by text message.
    const phoneId = await idOf("+4915127654321");
    await confirm(admin, phoneId, "delete", { password: STRONG_PASSWORD });
    await t.deps.tasks.settle();
    assert.ok(readSMS(t.config.outboxDir).some((s) => s.to === "+4915127654321" && /deleted your account/.test(s.body)));
  });

  it("the only enabled admin cannot disable, demote or delete themselves; with a second admin they can step down", async () => {
    for (const action of ["disable", "revoke-admin", "delete"]) {
      const refused = await confirm(admin, adminId, action, { password: STRONG_PASSWORD });
      assert.match(refused.headers.location as string, new RegExp(`^/admin/accounts/${adminId}/${action}\\?flow=`), action);
      assert.match(pageText((await admin.get(refused.headers.location as string)).body), /This is the only enabled administrator/, action);
    }
    const me = await t.deps.stores.accounts.getAccountById(adminId);
    assert.equal(me?.isAdmin, true);
    assert.equal(me?.disabledAt, null);
    // The service refuses with its own code, which the page above puts in words.
    await assert.rejects(
      performAdminAction(t.deps, {
        admin: me,
        accountId: adminId,
        action: "revoke-admin",
        password: STRONG_PASSWORD,
        context: { ip: "127.0.0.1", userAgent: "test" },
      }),
      (error: unknown) => (error as { code?: string }).code === "ADMIN_LAST_ADMIN",
    );

    const deputy = await createVerifiedAccount(t, "deputy@example.com");
    const deputyId = await idOf("deputy@example.com");
    await confirm(admin, deputyId, "grant-admin", { password: STRONG_PASSWORD });
    const stepDown = await confirm(deputy, deputyId, "revoke-admin", { password: STRONG_PASSWORD });
    assert.equal(stepDown.headers.location, "/account", "after giving up access the admin leaves the console");
    assert.equal((await deputy.get("/admin/accounts")).statusCode, 404);
    // Signing oneself out everywhere ends this session too.
    await confirm(admin, deputyId, "grant-admin", { password: STRONG_PASSWORD });
    const out = await confirm(deputy, deputyId, "sign-out", { password: STRONG_PASSWORD });
    assert.equal(out.headers.location, "/signin?done=signed-out");
    assert.equal((await deputy.get("/api/v1/session")).statusCode, 401);
  });

  it("step-up allows five wrong passwords per 15 minutes, then refuses even the right one until the window ends", async () => {
    const second = await createVerifiedAccount(t, "second-admin@example.com");
    const secondId = await idOf("second-admin@example.com");
    await t.deps.stores.accounts.grantAdmin(secondId, t.clock.now());
    const victim = await idOf("member@example.com");
    for (let i = 0; i < 5; i++) {
      const wrong = await confirm(second, victim, "disable", { password: `wrong-${i}` });
      assert.match(pageText((await second.get(wrong.headers.location as string)).body), /Your current password is not right/);
    }
    const locked = await confirm(second, victim, "disable", { password: STRONG_PASSWORD });
    assert.match(pageText((await second.get(locked.headers.location as string)).body), /Too many requests/);
    assert.equal((await t.deps.stores.accounts.getAccountById(victim))?.disabledAt, null);
    t.clock.advance(15 * 60 * 1000 + 1000);
    const allowed = await confirm(second, victim, "sign-out", { password: STRONG_PASSWORD });
    assert.equal(allowed.headers.location, `/admin/accounts/${victim}?done=sign-out`);
  });

  it("checks at most five step-up passwords when twenty wrong ones arrive at once", async () => {
    const racer = await createVerifiedAccount(t, "racing-admin@example.com");
    const racerId = await idOf("racing-admin@example.com");
    await t.deps.stores.accounts.grantAdmin(racerId, t.clock.now());
    const victim = await idOf("member@example.com");
    const url = `/admin/accounts/${victim}/disable`;
    const form = hiddenInputsIn((await racer.get(url)).body, url);
    const checks = countPasswordChecks(t);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => racer.request("POST", url, { form: { ...form, password: `wrong guess ${i}` } })));
      assert.ok(answers.every((a) => a.statusCode === 303));
      assert.equal(checks.count(), 5, "only five passwords were checked");
    } finally {
      checks.restore();
    }
    assert.equal((await t.deps.stores.accounts.getAccountById(victim))?.disabledAt, null);
  });

  it("security events: filters by type, account, address and days, pages by keyset, and reports bad filters", async () => {
    const ua = '=HYPERLINK("http://evil.example","x")';
    const prober = new TestClient(t.app, { "user-agent": ua });
    const owner = await createVerifiedAccount(t, "watched@example.com");
    const id = await idOf("watched@example.com");
    for (let i = 0; i < 3; i++) await prober.request("POST", "/api/v1/session", { json: { identifier: "watched@example.com", password: `wrong guess ${i}` } });
    await owner.get("/account");

    const byAccount = await admin.get(`/admin/events?account=${encodeURIComponent("WATCHED@example.com")}&type=signin.failed`);
    assert.equal(byAccount.statusCode, 200);
    const rows = [...byAccount.body.matchAll(/<tr data-event-type="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(rows, ["signin.failed", "signin.failed", "signin.failed"]);
    assert.match(byAccount.body, new RegExp(`<a href="/admin/accounts/${id}"><code>${id}</code></a>`));

    const byIp = await admin.get("/admin/events?ip=127.0.0.1&type=signin.succeeded");
    assert.ok([...byIp.body.matchAll(/<tr data-event-type="signin.succeeded">/g)].length > 0);
    const otherIp = await admin.get("/admin/events?ip=192.0.2.1");
    assert.match(pageText(otherIp.body), /No events match\./);
    const today = t.clock.now().toISOString().slice(0, 10);
    const future = await admin.get(`/admin/events?from=2999-01-01&account=${id}`);
    assert.match(pageText(future.body), /No events match\./);
    const day = await admin.get(`/admin/events?from=${today}&to=${today}&account=${id}`);
    assert.ok([...day.body.matchAll(/<tr data-event-type=/g)].length >= 4);

    const bad = await admin.get("/admin/events?ip=not-an-address&from=2024-13-45&type=nonsense");
    assert.equal(bad.statusCode, 200);
    const badText = pageText(bad.body);
    assert.match(badText, /Enter an IPv4 or IPv6 address/);
    assert.match(badText, /Enter a day as YYYY-MM-DD\./);
    assert.match(badText, /Choose a type from the list\./);
    assert.match(bad.body, /id="ip"[^>]*aria-invalid="true"/);
    assert.equal((await admin.get(`/admin/events?before=${"9".repeat(500)}`)).statusCode, 200);

    // Keyset pages: every event once.
    const total = (await t.deps.stores.audit.searchEvents({ limit: 100_000 })).length;
    assert.ok(total > 50, "enough events for two pages");
    const seen: string[] = [];
    let url: string | undefined = "/admin/events";
    while (url) {
      const page = await admin.get(url);
      seen.push(...[...page.body.matchAll(/<tr data-event-type=/g)].map((m) => String(m.index)));
      url = /<a href="([^"]+)" rel="next">Older events<\/a>/.exec(page.body)?.[1]?.replace(/&amp;/g, "&");
    }
    assert.equal(seen.length, total);
  });

  it("security events: CSV export of the filtered events, with formulas neutralised", async () => {
    const id = await idOf("watched@example.com");
    const csv = await admin.get(`/admin/events.csv?account=${id}&type=signin.failed`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert.match(csv.headers["content-disposition"] as string, /^attachment; filename="security-events-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.split("\r\n").filter(Boolean);
    assert.equal(lines[0], "at,type,account_id,ip,user_agent,detail");
    assert.equal(lines.length, 4);
    for (const line of lines.slice(1)) {
      assert.ok(line.includes(`,signin.failed,${id},127.0.0.1,"'=HYPERLINK(""http://evil.example"",""x"")",`), line);
    }
    const page = await admin.get(`/admin/events?account=${id}&type=signin.failed`);
    assert.match(page.body, new RegExp(`href="/admin/events.csv\\?type=signin.failed&amp;account=${id}"`));
  });

  it("security events: per-hour charts of sign-ins, failures, locks and security checks shown and solved", async () => {
    t.clock.advance(3600 * 1000);
    const before = await admin.get("/admin/events?days=1");
    const count = (body: string, series: string) =>
      Number(new RegExp(`<figure class="chart" data-series="${series.replace(".", "\\.")}">\\n<figcaption><strong>[^<]+</strong>: (\\d+)`).exec(body)?.[1]);
    const series = ["signin.succeeded", "signin.failed", "signin.locked", "check.shown", "check.solved"] as const;
    const start = Object.fromEntries(series.map((s) => [s, count(before.body, s)])) as Record<(typeof series)[number], number>;
    const guesser = new TestClient(t.app);
    await createVerifiedAccount(t, "charted@example.com");
    for (let i = 0; i < 3; i++)
      await guesser.request("POST", "/api/v1/session", { json: { identifier: "nobody-charted@example.com", password: `guess ${i}` } });
    // Two locks two hours ago, recorded as the sign-in records them.
    for (let i = 0; i < 2; i++) {
      await t.deps.stores.audit.recordEvent({
        id: generateId(t.deps.random),
        at: new Date(t.clock.now().getTime() - 2 * 3600_000),
        type: "signin.locked",
        accountId: null,
        ip: "192.0.2.7",
        userAgent: null,
        detail: null,
      });
    }
    const after = await admin.get("/admin/events?days=1");
    assert.equal(count(after.body, "signin.succeeded"), start["signin.succeeded"] + 1, "one sign-in (after registration)");
    assert.equal(count(after.body, "signin.failed"), start["signin.failed"] + 3, "three failures");
    assert.equal(count(after.body, "signin.locked"), start["signin.locked"] + 2, "two locks");
    assert.equal(count(after.body, "check.shown"), start["check.shown"] + 2, "the registration's check, and the one the third failure brings");
    assert.equal(count(after.body, "check.solved"), start["check.solved"] + 1, "and solved");
    const lockChart = after.body.slice(after.body.indexOf('data-series="signin.locked"'));
    assert.match(lockChart.slice(0, lockChart.indexOf("</svg>")), /fill="currentColor" data-value="2"><title>\d{4}-\d{2}-\d{2} \d{2}:00 UTC: 2<\/title>/);
    assert.match(
      after.body,
      /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img" aria-labelledby="chart-signin-failed-title chart-signin-failed-desc"/,
    );
    assert.match(after.body, /<strong aria-current="page">Last 24 hours<\/strong>/);
    assert.match(after.body, /<caption>Per day \(UTC\)<\/caption>/);
    assert.doesNotMatch(after.body, /\sstyle=/, "no inline styles (the CSP forbids them)");
    assert.equal((await admin.get("/admin/events?days=999")).statusCode, 200, "an unknown period shows the default");
  });

  it("applications: lists the registered OpenID Connect clients with their redirect URIs, and never a secret", async () => {
    const empty = await admin.get("/admin/apps");
    assert.equal(empty.statusCode, 200);
    assert.match(pageText(empty.body), /No application is registered yet/);
    const { secret } = await registerClient(t.deps, {
      name: "Wiki <team>",
      redirectUris: ["https://wiki.example.com/oauth/callback"],
      postLogoutRedirectUris: [],
      isPublic: false,
      firstParty: true,
    });
    await registerClient(t.deps, {
      name: "Phone app",
      redirectUris: ["com.example.app:/cb"],
      postLogoutRedirectUris: ["com.example.app:/bye"],
      isPublic: true,
      firstParty: false,
    });
    const page = await admin.get("/admin/apps");
    const text = pageText(page.body);
    assert.match(text, /Wiki <team>/);
    assert.match(page.body, /Wiki &lt;team&gt;/, "names are escaped");
    assert.match(text, /https:\/\/wiki\.example\.com\/oauth\/callback/);
    assert.match(text, /Confidential \(client_secret_basic\), first-party/);
    assert.match(text, /Public \(PKCE\), asks for consent/);
    assert.match(text, /com\.example\.app:\/bye/);
    assert.ok(secret && !page.body.includes(secret), "the secret is never shown again");
    assert.match(page.body, /href="\/admin\/apps" aria-current="page"/);
  });
});

// The step-up counter is a short-lived store counter: the race holds on every backend, not only SQLite.
for (const backend of allBackends()) {
  describe(`admin step-up under concurrent guesses (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestApp | undefined;
    after(async () => t?.close());

    it("checks at most five passwords when thirty arrive at once; the right one afterwards waits for the window", async () => {
      const app = await createTestApp(await backend.freshAppEnv());
      t = app;
      const racer = await seedVerifiedAccount(app, "racing-admin@example.com");
      await seedVerifiedAccount(app, "raced@example.com");
      const racerId = (await app.deps.stores.accounts.getAccountByIdentifier("racing-admin@example.com"))?.account.id as string;
      const victim = (await app.deps.stores.accounts.getAccountByIdentifier("raced@example.com"))?.account.id as string;
      assert.equal(await app.deps.stores.accounts.grantAdmin(racerId, app.clock.now()), "changed");
      const checks = countPasswordChecks(app);
      try {
        const answers = await Promise.all(
          Array.from({ length: 30 }, (_, i) => racer.request("POST", `/api/v1/admin/accounts/${victim}/sign-out`, { json: { password: `wrong guess ${i}` } })),
        );
        assert.equal(checks.count(), 5, "only five passwords were checked");
        assert.deepEqual([...new Set(answers.map((a) => a.json().error?.code))].sort(), ["PASSWORD_INCORRECT", "RATE_LIMITED"]);
        assert.equal(answers.filter((a) => a.json().error?.code === "PASSWORD_INCORRECT").length, 5);
        const right = await racer.request("POST", `/api/v1/admin/accounts/${victim}/sign-out`, { json: { password: STRONG_PASSWORD } });
        assert.equal(right.statusCode, 429, "the right password waits for the window too");
        assert.equal(checks.count(), 5);
      } finally {
        checks.restore();
      }
    });
  });
}

describe("security events export of a long trail", () => {
  let t: TestApp;
  let base: string;
  let cookie: string;
  const TOTAL = 20_500;

  before(async () => {
    t = await createTestApp();
    const admin = await createVerifiedAccount(t, "exporter@example.com");
    const adminId = (await t.deps.stores.accounts.getAccountByIdentifier("exporter@example.com"))?.account.id as string;
    assert.equal(await t.deps.stores.accounts.grantAdmin(adminId, t.clock.now()), "changed");
    cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    // Failed sign-ins from anywhere fill the trail: anyone can add to it.
    const { db } = openDatabase(t.config);
    try {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < TOTAL; i += 500) {
          const rows = Array.from({ length: Math.min(500, TOTAL - i) }, (_, j) => ({
            id: `trail-${String(i + j).padStart(6, "0")}`,
            at: Math.floor(t.clock.now().getTime() / 1000) - 60 - (i + j),
            type: "signin.failed",
            account_id: null,
            ip: "192.0.2.9",
            user_agent: `=cmd|' /C calc'!A0 ${"x".repeat(200)}`,
            detail: JSON.stringify({ reason: "unknown account" }),
          }));
          await trx.insertInto("audit_events").values(rows).execute();
        }
      });
    } finally {
      await db.destroy();
    }
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await t.close();
  });

  it("is read page by page while other requests are answered in between, and holds every event once, formulas neutralised", async () => {
    const store = t.deps.stores.audit;
    const original = store.searchEvents;
    const order: string[] = [];
    let other: Promise<number> | undefined;
    store.searchEvents = async (query) => {
      order.push(`read ${query.limit}`);
      // Another visitor's request arrives as soon as the export has begun.
      other ??= fetch(`${base}/healthz`).then((r) => {
        order.push("other answered");
        return r.status;
      });
      return original.call(store, query);
    };
    // Marks each turn of the event loop: a page read must never follow another without one in between.
    let exporting = true;
    const turn = (): void => {
      order.push("turn");
      if (exporting) setImmediate(turn);
    };
    setImmediate(turn);
    try {
      const csv = await fetch(`${base}/admin/events.csv?type=signin.failed`, { headers: { cookie } });
      assert.equal(csv.status, 200);
      const rows = (await csv.text()).split("\r\n").filter(Boolean);
      assert.equal(await other, 200);
      assert.equal(rows.length - 1, TOTAL, "one row per event");
      assert.equal(new Set(rows.slice(1).map((r) => r.split(",")[0])).size, TOTAL, "each event once");
      assert.ok(rows.slice(1).every((r) => r.includes(`,'=cmd|' /C calc'!A0 `)));
      const reads = order.filter((o) => o.startsWith("read"));
      assert.ok(reads.length >= 21 && reads.every((r) => Number(r.slice(5)) <= 1000), `read in pages of at most 1,000: ${reads.length} reads`);
      assert.ok(order.indexOf("other answered") < order.lastIndexOf(reads.at(-1) as string), "the other request was answered before the last page was read");
      const steps = order.filter((o) => o !== "other answered");
      assert.ok(
        steps.every((o, i) => !(o.startsWith("read") && steps[i - 1]?.startsWith("read"))),
        "never two page reads without a turn of the event loop between them",
      );
    } finally {
      exporting = false;
      store.searchEvents = original;
    }
  });
});
