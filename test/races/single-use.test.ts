// Race tests for single-use secrets and counters: N concurrent consumers, exactly one wins; N concurrent
// guesses at a code with five tries, exactly five compared. Each runs on SQLite, PostgreSQL and
// PostgreSQL + Redis (the last two when the test environment names them): on one store handle, on two
// handles of one storage (as two instances would hold them), through the HTTP API, and from worker
// threads that really run at the same time.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { addSeconds, type Clock, createManualClock } from "../../src/lib/clock.ts";
import { openStores } from "../../src/stores/index.ts";
import type { PasswordResetRecord, Stores, VerificationRecord, VerificationScope } from "../../src/stores/types.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends, type Backend } from "../helpers/backends.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode } from "../helpers/outbox.ts";

const N = 20;
const START = new Date("2030-06-01T12:00:00Z");

/** Guesses at one code with five tries. */
const GUESSES = 30;
const TRIES = 5;

function times<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** An owner account (verifications need one) and a registration code for `value`. */
async function seedVerification(stores: Stores, value: string, codeHash: string, attemptsLeft = 5): Promise<VerificationRecord> {
  const created = await stores.accounts.createPendingAccount({
    id: `acc-${value}`,
    name: null,
    passwordHash: "hash",
    createdAt: START,
    identifier: { id: `idf-${value}`, kind: "email", value, display: value },
  });
  assert.ok(created, "setup: account");
  const record: VerificationRecord = {
    id: `ver-${value}`,
    accountId: created.account.id,
    purpose: "registration",
    kind: "email",
    value,
    display: value,
    codeHash,
    attemptsLeft,
    expiresAt: addSeconds(START, 600),
    createdAt: START,
  };
  await stores.verifications.createVerification(record);
  return record;
}

/** A code reset for `value` (a phone number) with an owner account. */
async function seedResetCode(stores: Stores, value: string, secretHash: string, attemptsLeft: number): Promise<PasswordResetRecord> {
  const created = await stores.accounts.createVerifiedAccount({
    id: `acc-${value}`,
    name: null,
    passwordHash: "hash",
    createdAt: START,
    identifier: { id: `idf-${value}`, kind: "phone", value, display: value },
  });
  assert.ok(created, "setup: account");
  const reset: PasswordResetRecord = {
    id: `rst-${value}`,
    accountId: created.account.id,
    kind: "code",
    value,
    secretHash,
    attemptsLeft,
    expiresAt: addSeconds(START, 600),
    createdAt: START,
    usedAt: null,
    revokedAt: null,
  };
  await stores.passwordResets.createPasswordReset(reset);
  return reset;
}

/** Runs the single-use races with the calls spread over `handles` (one handle, or two on one file). */
function singleUseRaces(label: string, openHandles: () => Promise<Stores[]>, options: { transactionsOnOneHandle?: boolean } = {}): void {
  describe(label, () => {
    let handles: Stores[];
    const pick = (i: number): Stores => handles[i % handles.length] as Stores;
    // Two SQLite handles in one thread cannot both run a transaction: the second one's wait for the lock
    // blocks the thread the first needs to finish (the thread races below cover that case for real).
    const pickForTransaction = (i: number): Stores => (options.transactionsOnOneHandle ? (handles[0] as Stores) : pick(i));

    beforeEach(async () => {
      handles = await openHandles();
    });
    afterEach(async () => {
      for (const h of handles) await h.close();
    });

    test(`consumeVerification: of ${N} callers with the right code exactly one receives the record`, async () => {
      const record = await seedVerification(pick(0), "race@example.com", "right-hash");
      const scope: VerificationScope = { purpose: "registration", value: record.value };
      const results = await times(N, (i) => pick(i).verifications.consumeVerification(scope, "right-hash", START));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      assert.equal(winners[0]?.id, record.id);
      assert.equal(await pick(0).verifications.consumeVerification(scope, "right-hash", START), null);
    });

    test(`getAndDelete: of ${N} callers on one key exactly one receives the value`, async () => {
      await pick(0).shortLived.set("captcha:race", "answer", 600);
      const results = await times(N, (i) => pick(i).shortLived.getAndDelete("captcha:race"));
      assert.deepEqual(
        results.filter((r) => r !== null),
        ["answer"],
      );
      assert.equal(await pick(1).shortLived.get("captcha:race"), null);
    });

    test(`increment: ${N} concurrent increments return 1..${N}, each exactly once`, async () => {
      const counts = await times(N, (i) => pick(i).shortLived.increment("counter:race", 60));
      assert.deepEqual(
        [...counts].sort((a, b) => a - b),
        Array.from({ length: N }, (_, i) => i + 1),
      );
      assert.equal(await pick(0).shortLived.get("counter:race"), String(N));
    });

    test(`markIdentifierVerified: of ${N} callers exactly one changes it`, async () => {
      const created = await pick(0).accounts.createPendingAccount({
        id: "acc-mark",
        name: null,
        passwordHash: "hash",
        createdAt: START,
        identifier: { id: "idf-mark", kind: "email", value: "mark@example.com", display: "mark@example.com" },
      });
      assert.ok(created);
      const results = await times(N, (i) => pick(i).accounts.markIdentifierVerified("idf-mark", addSeconds(START, i + 1)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test(`replacePasswordHash: of ${N} writers expecting the same hash exactly one wins`, async () => {
      const created = await pick(0).accounts.createVerifiedAccount({
        id: "acc-rehash",
        name: null,
        passwordHash: "old-hash",
        createdAt: START,
        identifier: { id: "idf-rehash", kind: "email", value: "rehash@example.com", display: "rehash@example.com" },
      });
      assert.ok(created);
      const results = await times(N, (i) => pick(i).accounts.replacePasswordHash("acc-rehash", "old-hash", `new-hash-${i}`, START));
      const winner = results.indexOf(true);
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await pick(1).accounts.getAccountById("acc-rehash"))?.passwordHash, `new-hash-${winner}`);
    });

    test(`takeVerificationAttempt: of ${GUESSES} concurrent guesses at a ${TRIES}-try code exactly ${TRIES} get a try, then none`, async () => {
      const record = await seedVerification(pick(0), "tries-race@example.com", "right-hash", TRIES);
      const scope: VerificationScope = { purpose: "registration", value: record.value };
      const taken = await times(GUESSES, (i) => pick(i).verifications.takeVerificationAttempt(scope, START));
      const got = taken.filter((r) => r !== null);
      assert.equal(got.length, TRIES);
      assert.deepEqual(
        got.map((r) => r?.attemptsLeft).sort(),
        Array.from({ length: TRIES }, (_, i) => i),
      );
      assert.equal(await pick(1).verifications.takeVerificationAttempt(scope, START), null);
    });

    test(`takeResetCodeAttempt: of ${GUESSES} concurrent guesses at a ${TRIES}-try reset code exactly ${TRIES} get a try`, async () => {
      const reset = await seedResetCode(pick(0), "+447700900123", "right-hash", TRIES);
      const taken = await times(GUESSES, (i) => pick(i).passwordResets.takeResetCodeAttempt(reset.value, START));
      const got = taken.filter((r) => r !== null);
      assert.equal(got.length, TRIES);
      assert.deepEqual(
        got.map((r) => r?.attemptsLeft).sort(),
        Array.from({ length: TRIES }, (_, i) => i),
      );
      assert.equal(await pick(1).passwordResets.takeResetCodeAttempt(reset.value, START), null);
    });

    test(`consumePasswordReset: of ${N} callers with the right secret exactly one receives the reset`, async () => {
      const reset = await seedResetCode(pick(0), "+447700900124", "reset-hash", TRIES);
      const results = await times(N, (i) => pick(i).passwordResets.consumePasswordReset("code", "reset-hash", START, reset.value));
      assert.deepEqual(
        results.filter((r) => r !== null).map((r) => r?.id),
        [reset.id],
      );
    });

    test(`incrementSliding and decrement: ${N} of each, every one counted once`, async () => {
      const counts = await times(N, (i) => pick(i).shortLived.incrementSliding("sliding:race", 60));
      assert.deepEqual(
        [...counts].sort((a, b) => a - b),
        Array.from({ length: N }, (_, i) => i + 1),
      );
      const left = await times(N + 5, (i) => pick(i).shortLived.decrement("sliding:race"));
      assert.equal(left.filter((v) => v === 0).length, 6, "one reaches zero, five find it at zero");
      assert.equal(await pick(0).shortLived.get("sliding:race"), "0");
    });

    test(`reserveAttempt: ${N} concurrent reservations take places 1..${N / 2} once each; the rest meet the window's limit; none during a lock`, async () => {
      const keys = { lock: "attempt:lock", window: "attempt:window", failures: "attempt:failures", mark: "attempt:mark" };
      const limits = { windowSeconds: 3600, windowLimit: N / 2, failureSeconds: 600 };
      const answers = await times(N, (i) => pick(i).shortLived.reserveAttempt(keys, limits));
      assert.deepEqual(
        answers.flatMap((a) => (a.outcome === "reserved" ? [a.position] : [])).sort((a, b) => a - b),
        Array.from({ length: N / 2 }, (_, i) => i + 1),
      );
      assert.equal(answers.filter((a) => a.outcome === "ceiling").length, N / 2);
      assert.equal(await pick(0).shortLived.get(keys.failures), String(N / 2), "a refusal at the limit is no failure");

      // Every success gives its place in the window back and clears the failures, at once.
      await times(N, (i) => pick(i).shortLived.decrementAndDelete(keys.window, [keys.failures, keys.lock]));
      assert.equal(await pick(0).shortLived.get(keys.window), "0");
      assert.equal(await pick(0).shortLived.get(keys.failures), null);

      await pick(0).shortLived.set(keys.lock, "10", 60);
      const locked = await times(N, (i) => pick(i).shortLived.reserveAttempt(keys, limits));
      assert.ok(locked.every((a) => a.outcome === "locked" && a.seconds === 60));
      assert.equal(await pick(0).shortLived.get(keys.window), "0", "nothing counted during the lock");
    });

    test(`createPendingAccount: ${N} concurrent registrations of one value never fail, and one account holds it`, async () => {
      const results = await times(N, (i) =>
        pickForTransaction(i).accounts.createPendingAccount({
          id: `acc-contest-${i}`,
          name: null,
          passwordHash: "hash",
          createdAt: START,
          identifier: { id: `idf-contest-${i}`, kind: "email", value: "contest@example.com", display: "contest@example.com" },
        }),
      );
      assert.ok(results.every((r) => r !== null));
      const holder = await pick(0).accounts.getAccountByIdentifier("contest@example.com");
      assert.ok(holder);
      const alive = await Promise.all(results.map((r) => pick(0).accounts.getAccountById(r?.account.id as string)));
      assert.deepEqual(
        alive.filter((a) => a !== null).map((a) => a?.id),
        [holder.account.id],
      );
    });

    test(`createPendingAccountWithCode: ${N} concurrent registrations of one value never fail; one account holds it with the one code`, async () => {
      const value = "contest-code@example.com";
      const results = await times(N, (i) =>
        pickForTransaction(i).accounts.createPendingAccountWithCode(
          {
            id: `acc-code-contest-${i}`,
            name: null,
            passwordHash: "hash",
            createdAt: START,
            identifier: { id: `idf-code-contest-${i}`, kind: "email", value, display: value },
          },
          { id: `ver-code-contest-${i}`, codeHash: `hash-${i}`, attemptsLeft: 5, expiresAt: addSeconds(START, 600), createdAt: START },
        ),
      );
      assert.ok(results.every((r) => r.outcome === "created"));
      const holder = await pick(0).accounts.getAccountByIdentifier(value);
      assert.ok(holder);
      const alive = await Promise.all(results.map((_, i) => pick(0).accounts.getAccountById(`acc-code-contest-${i}`)));
      assert.deepEqual(
        alive.filter((a) => a !== null).map((a) => a?.id),
        [holder.account.id],
      );
      const code = await pick(0).verifications.findVerification({ purpose: "registration", value });
      assert.equal(code?.accountId, holder.account.id, "the code left is the holder's");

      // Once confirmed, the value is taken for every concurrent registration, and stays with its owner.
      assert.ok(await pick(0).accounts.markIdentifierVerified(holder.identifier.id, START));
      const late = await times(N, (i) =>
        pickForTransaction(i).accounts.createPendingAccountWithCode(
          {
            id: `acc-code-late-${i}`,
            name: null,
            passwordHash: "hash",
            createdAt: START,
            identifier: { id: `idf-code-late-${i}`, kind: "email", value, display: value },
          },
          { id: `ver-code-late-${i}`, codeHash: `late-${i}`, attemptsLeft: 5, expiresAt: addSeconds(START, 600), createdAt: START },
        ),
      );
      assert.ok(late.every((r) => r.outcome === "taken" && r.holder.id === holder.identifier.id));
      assert.equal((await pick(0).accounts.getAccountByIdentifier(value))?.account.id, holder.account.id);
    });

    test("removeIdentifier: removing both verified identifiers at once leaves one", async () => {
      const created = await pick(0).accounts.createVerifiedAccount({
        id: "acc-two",
        name: null,
        passwordHash: "hash",
        createdAt: START,
        identifier: { id: "idf-two-a", kind: "email", value: "two-a@example.com", display: "two-a@example.com" },
      });
      assert.ok(created);
      assert.ok(
        await pick(0).accounts.addVerifiedIdentifier(
          "acc-two",
          { id: "idf-two-b", kind: "email", value: "two-b@example.com", display: "two-b@example.com" },
          START,
        ),
      );
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all([
          pickForTransaction(0).accounts.removeIdentifier("acc-two", "idf-two-a"),
          pickForTransaction(1).accounts.removeIdentifier("acc-two", "idf-two-b"),
        ]);
        assert.deepEqual([...results].sort(), ["last", "removed"]);
        const left = await pick(0).accounts.listIdentifiers("acc-two");
        assert.equal(left.length, 1);
        const gone = results[0] === "removed" ? "two-a@example.com" : "two-b@example.com";
        const id = gone === "two-a@example.com" ? "idf-two-a" : "idf-two-b";
        assert.ok(await pick(0).accounts.addVerifiedIdentifier("acc-two", { id, kind: "email", value: gone, display: gone }, START));
      }
    });
  });
}

function httpRaces(backend: Backend): void {
  describe("races through the HTTP API", () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await createTestApp(await backend.freshAppEnv());
    });
    afterEach(async () => {
      await t.close();
    });

    test(`confirming a registration: of ${N} concurrent requests with the right code exactly one succeeds`, async () => {
      const identifier = "racer@example.com";
      const client = new TestClient(t.app);
      const registered = await client.request("POST", "/api/v1/accounts", {
        json: { identifier, password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client) },
      });
      assert.equal(registered.statusCode, 202, registered.body);
      const code = await latestCode(t.config.outboxDir, identifier);

      const responses = await times(N, () => client.request("POST", "/api/v1/accounts/verify", { json: { identifier, code } }));

      const ok = responses.filter((r) => r.statusCode === 200);
      assert.equal(ok.length, 1, responses.map((r) => `${r.statusCode} ${r.body}`).join("\n"));
      const account = (ok[0]?.json() as { account?: { id?: string } } | undefined)?.account;
      assert.equal(typeof account?.id, "string");
      for (const r of responses.filter((x) => x.statusCode !== 200)) {
        assert.equal(r.statusCode, 400, r.body);
        const errorCode = (r.json() as { error: { code: string } }).error.code;
        assert.ok(errorCode === "VERIFICATION_CODE_EXPIRED" || errorCode === "VERIFICATION_CODE_INVALID", errorCode);
      }

      // What is stored: the identifier is verified, the code is gone, and the account can sign in.
      const found = await t.deps.stores.accounts.getAccountByIdentifier(identifier);
      assert.ok(found?.identifier.verifiedAt instanceof Date);
      const again = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier, code } });
      assert.equal(again.statusCode, 400);
      // A used code is gone: it answers like any code that does not work.
      assert.equal((again.json() as { error: { code: string } }).error.code, "VERIFICATION_CODE_INVALID");
      const signin = await client.request("POST", "/api/v1/session", { json: { identifier, password: STRONG_PASSWORD } });
      assert.equal(signin.statusCode, 200, signin.body);
    });

    test(`${GUESSES} concurrent wrong registration codes: exactly ${TRIES} are checked, then the code is dead`, async () => {
      const identifier = "guessed@example.com";
      const client = new TestClient(t.app);
      const registered = await client.request("POST", "/api/v1/accounts", {
        json: { identifier, password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client) },
      });
      assert.equal(registered.statusCode, 202, registered.body);
      const code = await latestCode(t.config.outboxDir, identifier);
      const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");

      const responses = await times(GUESSES, (i) => client.request("POST", "/api/v1/accounts/verify", { json: { identifier, code: wrong(i) } }));

      const codes = responses.map((r) => `${r.statusCode} ${(r.json() as { error?: { code: string } }).error?.code}`);
      // Every wrong code answers alike, tries left or not; the tries are used up all the same.
      assert.equal(codes.filter((c) => c === "400 VERIFICATION_CODE_INVALID").length, GUESSES, codes.join("\n"));
      assert.equal((await t.deps.stores.verifications.findVerification({ purpose: "registration", value: identifier }))?.attemptsLeft, 0);
      const right = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier, code } });
      assert.equal((right.json() as { error: { code: string } }).error.code, "VERIFICATION_CODE_EXPIRED", "the right code no longer works");
      assert.equal((await t.deps.stores.accounts.getAccountByIdentifier(identifier))?.identifier.verifiedAt, null);
    });

    test(`${GUESSES} concurrent wrong SMS reset codes: exactly ${TRIES} are checked, then the code is dead`, async () => {
      const phone = "+447911123987";
      await createVerifiedAccount(t, phone, STRONG_PASSWORD, phone);
      const client = new TestClient(t.app);
      const requested = await client.request("POST", "/api/v1/password-resets", {
        json: { identifier: phone, captcha: await solveCAPTCHA(client, "password_reset") },
      });
      assert.equal(requested.statusCode, 202, requested.body);
      await t.deps.tasks.settle();
      const code = await latestCode(t.config.outboxDir, phone);
      const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");
      const newPassword = "Lantern-Orchard-Velvet-Comet-9";

      const responses = await times(GUESSES, (i) =>
        client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code: wrong(i), password: newPassword } }),
      );

      const codes = responses.map((r) => `${r.statusCode} ${(r.json() as { error?: { code: string } }).error?.code}`);
      assert.equal(codes.filter((c) => c === "400 RESET_CODE_INVALID").length, TRIES - 1, codes.join("\n"));
      assert.equal(codes.filter((c) => c === "400 RESET_CODE_EXPIRED").length, GUESSES - TRIES + 1, codes.join("\n"));
      const right = await client.request("POST", "/api/v1/password-resets/complete", { json: { identifier: phone, code, password: newPassword } });
      assert.equal(right.statusCode, 400, "the right code no longer resets the password");
      assert.equal((right.json() as { error: { code: string } }).error.code, "RESET_CODE_EXPIRED");
      const signin = await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: phone, password: STRONG_PASSWORD } });
      assert.equal(signin.statusCode, 200, "the password is unchanged");
    });
  });
}

// Each worker thread opens its own handle on the storage (like a second process or instance), waits at a barrier, then
// runs the same operations as every other thread at the same moment and reports what it got back.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { register } = await import(workerData.tsxApiUrl);
  register();
  const { openStores } = await import(workerData.storesUrl);
  const clock = { now: () => new Date(workerData.nowMs) };
  const stores = await openStores(workerData.storesConfig, clock, { migrate: false });
  parentPort.postMessage({ ready: true });
  Atomics.wait(new Int32Array(workerData.barrier), 0, 0);
  const out = await runRaceOperations(stores, workerData.index, new Date(workerData.nowMs));
  await stores.close();
  parentPort.postMessage({ result: out });
})().catch((error) => parentPort.postMessage({ error: String((error && error.stack) || error) }));
`;

interface ThreadResult {
  consumed: string | null;
  taken: string | null;
  counts: number[];
  /** Places taken by reserveAttempt, and how many were refused at the window's limit. */
  places: number[];
  ceilings: number;
  failures: string[];
  registrations: Array<string | null>;
  errors: string[];
}

/** One throttle that every contender reserves attempts against: 10 each, 20 fit in the window. */
const THREAD_ATTEMPT_KEYS = { lock: "threads:lock", window: "threads:window", failures: "threads:failures", mark: "threads:mark" };
const THREAD_ATTEMPT_LIMITS = { windowSeconds: 3600, windowLimit: 20, failureSeconds: 600 };

/** The operations each contender runs; written once, used by the workers and by the main thread. */
async function runRaceOperations(stores: Stores, index: number, now: Date): Promise<ThreadResult> {
  const result: ThreadResult = { consumed: null, taken: null, counts: [], places: [], ceilings: 0, failures: [], registrations: [], errors: [] };
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      result.errors.push(String(error));
      return undefined;
    }
  };
  const pending: Promise<unknown>[] = [];
  pending.push(
    attempt(async () => {
      result.consumed =
        (await stores.verifications.consumeVerification({ purpose: "registration", value: "single@example.com" }, "right-hash", now))?.id ?? null;
    }),
  );
  pending.push(
    attempt(async () => {
      result.taken = await stores.shortLived.getAndDelete("captcha:threads");
    }),
  );
  for (let i = 0; i < 10; i++) {
    pending.push(
      attempt(async () => {
        result.counts.push(await stores.shortLived.increment("counter:threads", 60));
      }),
    );
    pending.push(
      attempt(async () => {
        const reserved = await stores.shortLived.reserveAttempt(THREAD_ATTEMPT_KEYS, THREAD_ATTEMPT_LIMITS);
        if (reserved.outcome === "reserved") result.places.push(reserved.position);
        else if (reserved.outcome === "ceiling") result.ceilings++;
      }),
    );
    pending.push(
      attempt(async () => {
        const taken = await stores.verifications.takeVerificationAttempt({ purpose: "registration", value: "tries@example.com" }, now);
        result.failures.push(taken ? "taken" : "none");
      }),
    );
  }
  for (let i = 0; i < 3; i++) {
    const id = `t${index}-r${i}`;
    pending.push(
      attempt(async () => {
        const created = await stores.accounts.createPendingAccount({
          id,
          name: null,
          passwordHash: "hash",
          createdAt: now,
          identifier: { id: `${id}-idf`, kind: "email", value: "contested@example.com", display: "contested@example.com" },
        });
        result.registrations.push(created ? id : null);
      }),
    );
  }
  await Promise.all(pending);
  return result;
}

function threadRaces(backend: Backend): void {
  describe("races between threads with their own handles on one storage", () => {
    const WORKERS = 2;

    test("single-use secrets, counters and read-then-write transactions stay exact and never fail", { timeout: 120_000 }, async () => {
      const storesConfig = await backend.freshStores();
      const clock: Clock = { now: () => START };
      const main = await openStores(storesConfig, clock);
      try {
        await seedVerification(main, "single@example.com", "right-hash");
        await seedVerification(main, "tries@example.com", "tries-hash", 1000);
        await main.shortLived.set("captcha:threads", "answer", 600);

        const barrier = new SharedArrayBuffer(4);
        const workerData = (index: number) => ({
          tsxApiUrl: import.meta.resolve("tsx/esm/api"),
          storesUrl: new URL("../../src/stores/index.ts", import.meta.url).href,
          storesConfig,
          nowMs: START.getTime(),
          barrier,
          index,
        });
        // The workers need the operations too: hand them over as source, defined once above. tsx compiles
        // with keepNames, whose `__name` helper the function's source refers to.
        const source = `var __name = (target) => target;\nconst THREAD_ATTEMPT_KEYS = ${JSON.stringify(THREAD_ATTEMPT_KEYS)};\nconst THREAD_ATTEMPT_LIMITS = ${JSON.stringify(THREAD_ATTEMPT_LIMITS)};\n${WORKER_SOURCE}\n${runRaceOperations.toString()}`;
        const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(source, { eval: true, workerData: workerData(i + 1) }));
        const finished = workers.map(
          (worker) =>
            new Promise<ThreadResult>((resolve, reject) => {
              worker.on("message", (message: { ready?: boolean; result?: ThreadResult; error?: string }) => {
                if (message.result) resolve(message.result);
                if (message.error) reject(new Error(message.error));
              });
              worker.on("error", reject);
            }),
        );
        await Promise.all(workers.map((worker) => new Promise<void>((resolve) => worker.on("message", (m: { ready?: boolean }) => m.ready && resolve()))));
        const flag = new Int32Array(barrier);
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        const results = [await runRaceOperations(main, 0, START), ...(await Promise.all(finished))];
        const contenders = WORKERS + 1;

        assert.deepEqual(
          results.flatMap((r) => r.errors),
          [],
          "no operation may fail with 'database is locked'",
        );
        assert.deepEqual(
          results.map((r) => r.consumed).filter((c) => c !== null),
          ["ver-single@example.com"],
        );
        assert.deepEqual(
          results.map((r) => r.taken).filter((c) => c !== null),
          ["answer"],
        );
        assert.deepEqual(
          results.flatMap((r) => r.counts).sort((a, b) => a - b),
          Array.from({ length: 10 * contenders }, (_, i) => i + 1),
        );
        // 30 reservations against a window of 20: places 1..20, each once; the rest refused, and not counted as failures.
        assert.deepEqual(
          results.flatMap((r) => r.places).sort((a, b) => a - b),
          Array.from({ length: THREAD_ATTEMPT_LIMITS.windowLimit }, (_, i) => i + 1),
        );
        assert.equal(
          results.reduce((sum, r) => sum + r.ceilings, 0),
          10 * contenders - THREAD_ATTEMPT_LIMITS.windowLimit,
        );
        assert.equal(await main.shortLived.get(THREAD_ATTEMPT_KEYS.failures), String(THREAD_ATTEMPT_LIMITS.windowLimit));
        // Every try was taken exactly once: 1000 tries minus those used are left.
        assert.deepEqual([...new Set(results.flatMap((r) => r.failures))], ["taken"]);
        const tries = await main.verifications.consumeVerification({ purpose: "registration", value: "tries@example.com" }, "tries-hash", START);
        assert.equal(tries?.attemptsLeft, 1000 - 10 * contenders);
        // Each registration replaced the abandoned one before it; exactly the last one holds the value.
        const registered = results.flatMap((r) => r.registrations);
        assert.equal(registered.length, 3 * contenders);
        assert.ok(registered.every((id) => id !== null));
        const holder = await main.accounts.getAccountByIdentifier("contested@example.com");
        assert.ok(holder);
        const survivors = await Promise.all(registered.map((id) => main.accounts.getAccountById(id as string)));
        assert.deepEqual(
          survivors.filter((a) => a !== null).map((a) => a?.id),
          [holder.account.id],
        );
      } finally {
        await main.close();
      }
    });
  });
}

for (const backend of allBackends()) {
  describe(`races on ${backend.name}`, { skip: backend.skip }, () => {
    singleUseRaces("one store handle", async () => [await openStores(await backend.freshStores(), createManualClock(START))]);
    singleUseRaces(
      "two store handles on one storage",
      async () => {
        const config = await backend.freshStores();
        const clock = createManualClock(START);
        const first = await openStores(config, clock);
        const second = await openStores(config, clock, { migrate: false });
        return [first, second];
      },
      { transactionsOnOneHandle: backend.name === "SQLite" },
    );
    httpRaces(backend);
    threadRaces(backend);
  });
}
