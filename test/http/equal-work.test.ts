// Answers that must not tell whether an identifier is known do the same work in every case: the same
// storage calls in the same order (for registration, the same SQL statements on every backend), and the same
// background hand-over. Compared by what is done, not by wall-clock time (bench/ measures times).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stores } from "../../src/stores/types.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { hiddenInputsIn, solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";

type StoreName = Exclude<keyof Stores, "poolStats" | "ping" | "close">;
const STORE_NAMES: StoreName[] = ["accounts", "sessions", "verifications", "passwordResets", "audit", "shortLived", "flows", "helpFeedback"];

describe("equal work whether or not an identifier is known", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
  });
  after(async () => {
    await t.close();
  });

  /**
   * Runs `act` while recording every store call (store.method), password hash (hasher.method), message sent
   * (mailer.sendEmail, sms.sendSMS) and background hand-over; the handed-over tasks are held back and run
   * afterwards, so the record shows only what the answer did.
   */
  async function recordWork<T>(act: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
    const calls: string[] = [];
    const restore: Array<() => void> = [];
    const recorded: Array<[string, Record<string, unknown>]> = [
      ...STORE_NAMES.map((name): [string, Record<string, unknown>] => [name, t.deps.stores[name] as unknown as Record<string, unknown>]),
      ["hasher", t.deps.hasher as unknown as Record<string, unknown>],
      ["mailer", t.deps.mailer as unknown as Record<string, unknown>],
      ["sms", t.deps.sms as unknown as Record<string, unknown>],
    ];
    for (const [name, store] of recorded) {
      for (const [method, fn] of Object.entries(store)) {
        if (typeof fn !== "function") continue;
        store[method] = (...args: unknown[]) => {
          calls.push(`${name}.${method}`);
          return (fn as (...a: unknown[]) => unknown).apply(store, args);
        };
        restore.push(() => {
          store[method] = fn;
        });
      }
    }
    const tasks = t.deps.tasks;
    const held: Array<[string, () => Promise<void>]> = [];
    t.deps.tasks = { run: (name, task) => void held.push([name, task]), settle: () => tasks.settle() };
    let result: T;
    try {
      result = await act();
    } finally {
      for (const r of restore) r();
      t.deps.tasks = tasks;
    }
    calls.push(...held.map(([name]) => `background: ${name}`));
    for (const [name, task] of held) tasks.run(name, task);
    await tasks.settle();
    return { result, calls };
  }

  it("resending a registration code: pending, confirmed and unknown identifiers", async () => {
    const client = new TestClient(t.app);
    const pending = "resend-pending@example.com";
    assert.equal((await client.request("POST", "/api/v1/accounts", { json: { identifier: pending, password: STRONG_PASSWORD } })).statusCode, 202);
    const firstCode = await latestCode(t.config.outboxDir, pending);
    await createVerifiedAccount(t, "resend-confirmed@example.com");
    const resend = (identifier: string) => recordWork(() => client.request("POST", "/api/v1/accounts/verify/resend", { json: { identifier } }));

    const forPending = await resend(pending);
    const forConfirmed = await resend("resend-confirmed@example.com");
    const forUnknown = await resend("resend-unknown@example.com");
    for (const r of [forPending, forConfirmed, forUnknown]) assert.equal(r.result.statusCode, 202);
    assert.deepEqual(forConfirmed.calls, forPending.calls);
    assert.deepEqual(forUnknown.calls, forPending.calls);
    assert.ok(forPending.calls.includes("background: registration code resend"));
    // The work itself still happens: the pending registration got a new code.
    const emails = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes(pending));
    assert.equal(emails.length, 2, "a second code was sent");
    assert.notEqual(await latestCode(t.config.outboxDir, pending), undefined);
    assert.ok(firstCode);
  });

  it("entering a wrong registration code: a waiting registration, one out of tries, a confirmed and an unknown address", async () => {
    const client = new TestClient(t.app);
    for (const identifier of ["code-waiting@example.com", "code-worn-out@example.com"])
      assert.equal((await client.request("POST", "/api/v1/accounts", { json: { identifier, password: STRONG_PASSWORD } })).statusCode, 202);
    await createVerifiedAccount(t, "code-confirmed@example.com");
    const sent = new Set(await Promise.all(["code-waiting@example.com", "code-worn-out@example.com"].map((i) => latestCode(t.config.outboxDir, i))));
    const wrong = ["000000", "111111", "222222"].find((c) => !sent.has(c)) as string;
    const stranger = new TestClient(t.app);
    const enter = (identifier: string) => recordWork(() => stranger.request("POST", "/api/v1/accounts/verify", { json: { identifier, code: wrong } }));
    for (let i = 0; i < 5; i++) await enter("code-worn-out@example.com");

    const waiting = await enter("code-waiting@example.com");
    for (const identifier of ["code-worn-out@example.com", "code-confirmed@example.com", "code-unknown@example.com"]) {
      const other = await enter(identifier);
      assert.equal(other.result.body, waiting.result.body, identifier);
      assert.deepEqual(other.calls, waiting.calls, identifier);
    }
    assert.equal(waiting.result.json().error.code, "VERIFICATION_CODE_INVALID");
    assert.ok(waiting.calls.includes("verifications.takeVerificationAttempt"), "the waiting code lost a try all the same");
  });

  it("registering: a new address and a taken one hash the password and send their message before answering", async () => {
    await createVerifiedAccount(t, "register-taken@example.com");
    const client = new TestClient(t.app);
    const register = (identifier: string) =>
      recordWork(() => client.request("POST", "/api/v1/accounts", { json: { identifier, password: "another strong passphrase here" } }));
    const taken = await register("register-taken@example.com");
    const fresh = await register("register-fresh@example.com");
    assert.equal(taken.result.statusCode, 202);
    assert.equal(taken.result.body, fresh.result.body);
    // What costs time apart from storage is the same: one hash, one message sent while the request waits
    // (a notice instead of a code), nothing left to the background; and the same short-lived writes.
    const besidesStorage = (calls: string[]) => calls.filter((c) => !/^(accounts|verifications|flows|sessions|passwordResets|audit|helpFeedback)\./.test(c));
    assert.deepEqual(besidesStorage(taken.calls), besidesStorage(fresh.calls));
    for (const r of [taken, fresh]) {
      assert.equal(r.calls.filter((c) => c === "hasher.hashPassword").length, 1);
      assert.equal(r.calls.filter((c) => c === "mailer.sendEmail").length, 1);
      assert.ok(!r.calls.some((c) => c.startsWith("background:")));
      assert.ok(r.calls.includes("shortLived.set"), "who chose the password is remembered in both cases");
    }
    // Storage: one call for both, which creates the pending account with its code, or answers the owner's
    // spelling of a taken address (its statements are compared below, on every backend).
    for (const r of [taken, fresh])
      assert.deepEqual(
        r.calls.filter((c) => !besidesStorage([c]).length),
        ["accounts.createPendingAccountWithCode"],
      );
  });

  it("requesting a password reset: a confirmed e-mail and an unknown one", async () => {
    await createVerifiedAccount(t, "reset-known@example.com");
    const client = new TestClient(t.app);
    const request = async (identifier: string) => {
      const captcha = await solveCAPTCHA(client, "password_reset");
      return recordWork(() => client.request("POST", "/api/v1/password-resets", { json: { identifier, captcha } }));
    };
    const known = await request("reset-known@example.com");
    const unknown = await request("reset-unknown@example.com");
    assert.equal(known.result.statusCode, 202);
    assert.equal(unknown.result.statusCode, 202);
    assert.deepEqual(unknown.calls, known.calls);
    assert.ok(known.calls.includes("background: password reset message"));
    const sent = (await readEmails(t.config.outboxDir)).filter((e) => e.subject === "Reset your password");
    assert.equal(sent.filter((e) => e.to.includes("reset-known@example.com")).length, 1);
    assert.equal(sent.filter((e) => e.to.includes("reset-unknown@example.com")).length, 0);
  });

  it("requesting a password reset from the page: the same work, and the same flow saved, for a confirmed and an unknown e-mail", async () => {
    await createVerifiedAccount(t, "reset-page-known@example.com");
    const client = new TestClient(t.app);
    const request = async (identifier: string) => {
      const page = await client.get("/password/reset");
      const form = { ...hiddenInputsIn(page.body, "/password/reset"), identifier, captchaAnswer: "TESTME" };
      return recordWork(() => client.request("POST", "/password/reset", { form }));
    };
    const known = await request("reset-page-known@example.com");
    const unknown = await request("reset-page-unknown@example.com");
    assert.equal(known.result.statusCode, 303);
    assert.equal(unknown.result.statusCode, 303);
    assert.match(known.result.headers.location as string, /^\/password\/reset\/sent\?flow=/);
    assert.match(unknown.result.headers.location as string, /^\/password\/reset\/sent\?flow=/);
    assert.deepEqual(unknown.calls, known.calls);
    assert.ok(known.calls.includes("flows.createFlow"), "the page's answer is kept as flow state");
  });

  it("adding an identifier to an account: one someone else holds and a free one", async () => {
    await createVerifiedAccount(t, "holder@example.com");
    const adder = await createVerifiedAccount(t, "adder@example.com");
    const add = (identifier: string) => recordWork(() => adder.request("POST", "/api/v1/account/identifiers", { json: { identifier } }));
    const taken = await add("holder@example.com");
    const free = await add("adder-second@example.com");
    assert.equal(taken.result.statusCode, 202);
    assert.equal(free.result.statusCode, 202);
    assert.deepEqual(taken.calls, free.calls);
    assert.ok(free.calls.includes("background: identifier code"));
    // The work itself still happens: a code for the free address, a notice (no code) for the taken one.
    assert.ok(await latestCode(t.config.outboxDir, "adder-second@example.com"));
    const toHolder = (await readEmails(t.config.outboxDir)).filter((e) => e.to.includes("holder@example.com"));
    assert.ok(toHolder.length >= 2, "the holder got a notice besides its own registration code");
  });
});

for (const backend of allBackends()) {
  describe(`registering runs the same SQL statements for a new, a waiting and a taken address (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestApp;
    let statements: string[] | null = null;
    before(async () => {
      t = await createTestApp(
        { ...(await backend.freshAppEnv()), LATCHKEY_REGISTRATION_CAPTCHA: "0" },
        { onStatement: (sqlText) => statements?.push(sqlText) },
      );
    });
    after(async () => t?.close());

    /** Registers `identifier` from a browser of its own; answers the status and every SQL statement run, in order. */
    async function register(identifier: string): Promise<{ status: number; statements: string[] }> {
      const client = new TestClient(t.app);
      const recorded: string[] = [];
      statements = recorded;
      try {
        const response = await client.request("POST", "/api/v1/accounts", { json: { identifier, password: "another strong passphrase here" } });
        return { status: response.statusCode, statements: recorded };
      } finally {
        statements = null;
      }
    }

    it("the pending account and its code commit in one transaction; a taken address's registration commits one of the same statements", async () => {
      await createVerifiedAccount(t, "stmt-taken@example.com");
      // An abandoned registration: replaced by the next one, with its account and code.
      assert.equal((await register("stmt-waiting@example.com")).status, 202);
      const waitingCode = await latestCode(t.config.outboxDir, "stmt-waiting@example.com");
      await register("stmt-warm-up@example.com");

      const taken = await register("stmt-taken@example.com");
      const fresh = await register("stmt-fresh@example.com");
      const waiting = await register("stmt-waiting@example.com");
      for (const r of [taken, fresh, waiting]) assert.equal(r.status, 202);
      // Security: a stranger who times the answer learns nothing from storage either: the same statements,
      // in the same order, whether the address is new, waits for a confirmation or belongs to an account.
      assert.deepEqual(taken.statements, fresh.statements);
      assert.deepEqual(waiting.statements, fresh.statements);
      // At most one transaction: the account, its identifier and its code are written together (PostgreSQL
      // runs them as one statement, SQLite between BEGIN and COMMIT).
      assert.ok(fresh.statements.filter((s) => /^\s*begin\b/i.test(s)).length <= 1, fresh.statements.join("\n"));

      // The work itself happened: a code for the new address (and a new one for the waiting one, whose old
      // code is gone with its account), a notice and no code for the taken one.
      const freshAccount = await t.deps.stores.accounts.getAccountByIdentifier("stmt-fresh@example.com");
      assert.equal(freshAccount?.identifier.verifiedAt, null);
      const freshCode = await t.deps.stores.verifications.findVerification({ purpose: "registration", value: "stmt-fresh@example.com" });
      assert.equal(freshCode?.accountId, freshAccount?.account.id);
      assert.match(await latestCode(t.config.outboxDir, "stmt-fresh@example.com"), /^\d{6}$/);
      assert.notEqual(await latestCode(t.config.outboxDir, "stmt-waiting@example.com"), waitingCode);
      const waitingAccount = await t.deps.stores.accounts.getAccountByIdentifier("stmt-waiting@example.com");
      assert.equal(
        (await t.deps.stores.verifications.findVerification({ purpose: "registration", value: "stmt-waiting@example.com" }))?.accountId,
        waitingAccount?.account.id,
      );
      const holder = await t.deps.stores.accounts.getAccountByIdentifier("stmt-taken@example.com");
      assert.notEqual(holder?.identifier.verifiedAt, null, "the owner's address stays confirmed");
      assert.equal(await t.deps.stores.verifications.findVerification({ purpose: "registration", value: "stmt-taken@example.com" }), null);
    });
  });
}
