// Race tests for the second step of sign-in: one authenticator-app code posted 20 times at once to the
// same flow signs in once; 20 different valid recovery codes posted at once to the same flow sign in once
// too (the flow step is claimed by compare-and-set before any code is checked); wrong codes guessed at once
// from many second steps are counted per account before they are checked, so no more than ten are. On
// SQLite, PostgreSQL and PostgreSQL + Redis (the last two when the test environment names them).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateTOTPCode, totpStepAt } from "../../src/factors/totp.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";

const N = 20;
const GUESSERS = 30;

async function twoStepAccount(t: TestApp, identifier: string): Promise<{ secret: string; codes: string[]; accountId: string }> {
  const owner = await createVerifiedAccount(t, identifier);
  const secret = ((await owner.request("POST", "/api/v1/account/totp")).json() as { secret: string }).secret;
  const confirmed = await owner.request("POST", "/api/v1/account/totp/confirm", { json: { code: generateTOTPCode(secret, totpStepAt(t.clock.now())) } });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  t.clock.advance(30_000);
  const accountId = (await owner.get("/api/v1/session")).json().account.id as string;
  return { secret, codes: confirmed.json().recoveryCodes as string[], accountId };
}

async function passwordStep(t: TestApp, identifier: string): Promise<{ client: TestClient; flow: string }> {
  const client = new TestClient(t.app);
  const first = await client.request("POST", "/api/v1/session", { json: { identifier, password: STRONG_PASSWORD } });
  assert.equal(first.json().error?.code, "SECOND_FACTOR_REQUIRED", first.body);
  return { client, flow: first.json().flow as string };
}

for (const backend of allBackends()) {
  describe(`second step of sign-in races on ${backend.name}`, { skip: backend.skip }, () => {
    it(`one authenticator-app code posted ${N} times at once to the second step signs in once`, async () => {
      const t = await createTestApp(await backend.freshAppEnv());
      try {
        const { secret, accountId } = await twoStepAccount(t, "race-two-step@example.com");
        const { client, flow } = await passwordStep(t, "race-two-step@example.com");
        const before = (await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now())).length;
        const code = generateTOTPCode(secret, totpStepAt(t.clock.now()));
        const answers = await Promise.all(
          Array.from({ length: N }, () => client.request("POST", "/api/v1/session/second-factor", { json: { flow, method: "totp", code } })),
        );
        assert.equal(answers.filter((r) => r.statusCode === 200).length, 1, answers.map((r) => r.statusCode).join(","));
        assert.deepEqual([...new Set(answers.filter((r) => r.statusCode !== 200).map((r) => r.json().error.code))], ["SIGNIN_FLOW_EXPIRED"]);
        assert.equal((await t.deps.stores.sessions.listSessionsOfAccount(accountId, t.clock.now())).length, before + 1, "exactly one new session");
      } finally {
        await t.close();
      }
    });

    it(`${N} different valid recovery codes posted at once to one second step sign in once and spend one code`, async () => {
      const t = await createTestApp(await backend.freshAppEnv());
      try {
        const { codes, accountId } = await twoStepAccount(t, "race-recovery-step@example.com");
        const { client, flow } = await passwordStep(t, "race-recovery-step@example.com");
        const answers = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            client.request("POST", "/api/v1/session/second-factor", { json: { flow, method: "recovery_code", code: codes[i % codes.length] } }),
          ),
        );
        assert.equal(answers.filter((r) => r.statusCode === 200).length, 1, answers.map((r) => r.statusCode).join(","));
        assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(accountId), codes.length - 1);
      } finally {
        await t.close();
      }
    });

    it(`wrong codes posted at once from ${GUESSERS} second steps, each with its security check solved, are checked 10 times; the pause holds the right code until it ends`, async () => {
      const t = await createTestApp(await backend.freshAppEnv());
      try {
        const { secret, accountId } = await twoStepAccount(t, "race-guesses@example.com");
        // Whoever knows the password opens many second steps, one per browser, and guesses in all at once.
        const steps: Array<{ client: TestClient; flow: string; captcha: { id: string; answer: string } }> = [];
        for (let i = 0; i < GUESSERS; i++) {
          const { client, flow } = await passwordStep(t, "race-guesses@example.com");
          steps.push({ client, flow, captcha: await solveCAPTCHA(client, "signin") });
        }
        const answers = await Promise.all(
          steps.map(({ client, flow, captcha }, i) =>
            client.request("POST", "/api/v1/session/second-factor", { json: { flow, method: "totp", code: String(100000 + i), captcha } }),
          ),
        );
        const codes = answers.map((r) => r.json().error?.code as string);
        assert.equal(codes.filter((c) => c === "SECOND_FACTOR_INVALID").length, 9, codes.join(","));
        assert.equal(codes.filter((c) => c === "SECOND_FACTOR_LOCKED").length, GUESSERS - 9, codes.join(","));
        const checked = (await t.deps.stores.audit.listEvents({ accountId, types: ["second_factor.failed", "second_factor.locked"], limit: 100 })).length;
        assert.equal(checked, 10, "exactly ten guesses were checked");

        // The owner, with the right code, sees the pause and how long it lasts, then gets in once it is over.
        const owner = await passwordStep(t, "race-guesses@example.com");
        const code = () => generateTOTPCode(secret, totpStepAt(t.clock.now()));
        const paused = await owner.client.request("POST", "/api/v1/session/second-factor", {
          json: { flow: owner.flow, method: "totp", code: code(), captcha: await solveCAPTCHA(owner.client, "signin") },
        });
        assert.equal(paused.statusCode, 429, paused.body);
        assert.equal(paused.json().error.code, "SECOND_FACTOR_LOCKED");
        const wait = Number(paused.headers["retry-after"]);
        assert.ok(wait > 0 && wait <= 60, `Retry-After ${wait}`);
        t.clock.advance(wait * 1000 + 1000);
        const done = await owner.client.request("POST", "/api/v1/session/second-factor", {
          json: { flow: owner.flow, method: "totp", code: code(), captcha: await solveCAPTCHA(owner.client, "signin") },
        });
        assert.equal(done.statusCode, 200, done.body);
      } finally {
        await t.close();
      }
    });
  });
}
