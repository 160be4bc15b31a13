// Race tests for single-use secrets and counters: N concurrent consumers, exactly one wins. Run on one
// store handle, on two handles of one SQLite file (as two processes would hold them), through the HTTP
// API, and from worker threads that really run at the same time.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { addSeconds, type Clock, createManualClock } from "../../src/lib/clock.ts";
import { openStores } from "../../src/stores/index.ts";
import type { Stores, VerificationRecord, VerificationScope } from "../../src/stores/types.ts";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode } from "../helpers/outbox.ts";

const N = 20;
const START = new Date("2030-06-01T12:00:00Z");

const dir = mkdtempSync(join(tmpdir(), "latchkey-races-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
function freshFile(): string {
  return join(dir, `race-${++fileCount}.db`);
}

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

/** Runs the single-use races with the calls spread over `handles` (one handle, or two on one file). */
function singleUseRaces(label: string, openHandles: () => Promise<Stores[]>): void {
  describe(label, () => {
    let handles: Stores[];
    const pick = (i: number): Stores => handles[i % handles.length] as Stores;

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
  });
}

singleUseRaces("races on one store handle", async () => [await openStores({ database: { kind: "sqlite", file: freshFile() } }, createManualClock(START))]);

singleUseRaces("races across two store handles on one SQLite file", async () => {
  const file = freshFile();
  const clock = createManualClock(START);
  const first = await openStores({ database: { kind: "sqlite", file } }, clock);
  const second = await openStores({ database: { kind: "sqlite", file } }, clock);
  return [first, second];
});

describe("races through the HTTP API", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  test(`confirming a registration: of ${N} concurrent requests with the right code exactly one succeeds`, async () => {
    const identifier = "racer@example.com";
    const client = new TestClient(t.app);
    const registered = await client.request("POST", "/api/v1/accounts", { json: { identifier, password: STRONG_PASSWORD, captcha: await solveCAPTCHA(client) } });
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
    assert.equal((again.json() as { error: { code: string } }).error.code, "VERIFICATION_CODE_EXPIRED");
    const signin = await client.request("POST", "/api/v1/session", { json: { identifier, password: STRONG_PASSWORD } });
    assert.equal(signin.statusCode, 200, signin.body);
  });
});

// Each worker thread opens its own handle on the file (like a second process), waits at a barrier, then
// runs the same operations as every other thread at the same moment and reports what it got back.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { register } = await import(workerData.tsxApiUrl);
  register();
  const { openStores } = await import(workerData.storesUrl);
  const clock = { now: () => new Date(workerData.nowMs) };
  const stores = await openStores({ database: { kind: "sqlite", file: workerData.file } }, clock, { migrate: false });
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
  failures: string[];
  registrations: Array<string | null>;
  errors: string[];
}

/** The operations each contender runs; written once, used by the workers and by the main thread. */
async function runRaceOperations(stores: Stores, index: number, now: Date): Promise<ThreadResult> {
  const result: ThreadResult = { consumed: null, taken: null, counts: [], failures: [], registrations: [], errors: [] };
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
      result.consumed = (await stores.verifications.consumeVerification({ purpose: "registration", value: "single@example.com" }, "right-hash", now))?.id ?? null;
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
        result.failures.push(await stores.verifications.recordFailedVerification({ purpose: "registration", value: "tries@example.com" }, now));
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

describe("races between threads with their own handles on one SQLite file", () => {
  const WORKERS = 2;

  test("single-use secrets, counters and read-then-write transactions stay exact and never fail", { timeout: 120_000 }, async () => {
    const file = freshFile();
    const clock: Clock = { now: () => START };
    const main = await openStores({ database: { kind: "sqlite", file } }, clock);
    try {
      await seedVerification(main, "single@example.com", "right-hash");
      await seedVerification(main, "tries@example.com", "tries-hash", 1000);
      await main.shortLived.set("captcha:threads", "answer", 600);

      const barrier = new SharedArrayBuffer(4);
      const workerData = (index: number) => ({
        tsxApiUrl: import.meta.resolve("tsx/esm/api"),
        storesUrl: new URL("../../src/stores/index.ts", import.meta.url).href,
        file,
        nowMs: START.getTime(),
        barrier,
        index,
      });
      // The workers need the operations too: hand them over as source, defined once above. tsx compiles
      // with keepNames, whose `__name` helper the function's source refers to.
      const source = `var __name = (target) => target;\n${WORKER_SOURCE}\n${runRaceOperations.toString()}`;
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
      await Promise.all(
        workers.map((worker) => new Promise<void>((resolve) => worker.on("message", (m: { ready?: boolean }) => m.ready && resolve()))),
      );
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
      // Every wrong try was counted exactly once: 1000 tries minus those used are left.
      assert.deepEqual(
        [...new Set(results.flatMap((r) => r.failures))],
        ["invalid"],
      );
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
