// Race tests for second factors: one authenticator-app code and one recovery code, each used by 20
// concurrent requests, succeed exactly once, on SQLite, PostgreSQL and PostgreSQL + Redis (the last two
// when the test environment names them), on two store handles of one storage (as two instances hold them).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { consumeRecoveryCode, regenerateRecoveryCodes } from "../../src/factors/recovery-codes.ts";
import { acceptTOTPCode, generateTOTPCode, generateTOTPSecret, sealTOTPSecret, totpStepAt } from "../../src/factors/totp.ts";
import { createManualClock } from "../../src/lib/clock.ts";
import { generateId } from "../../src/lib/crypto.ts";
import { createCryptoRandom } from "../../src/lib/random.ts";
import { openStores } from "../../src/stores/index.ts";
import type { Stores } from "../../src/stores/types.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";

const N = 20;
const START = new Date("2030-06-01T12:00:10Z");
const config = { secret: "race-secret-race-secret-race-secret-0123" } as never;

async function seedAccount(stores: Stores): Promise<string> {
  const id = generateId(createCryptoRandom());
  const value = `${id.toLowerCase()}@example.com`;
  const created = await stores.accounts.createVerifiedAccount({
    id,
    name: null,
    passwordHash: "hash",
    createdAt: START,
    identifier: { id: `${id}-i`, kind: "email", value, display: value },
  });
  assert.ok(created);
  return id;
}

for (const backend of allBackends()) {
  describe(`second-factor races on ${backend.name}`, { skip: backend.skip }, () => {
    it(`one authenticator-app code sent by ${N} concurrent requests is accepted once`, async () => {
      const storesConfig = await backend.freshStores();
      const clock = createManualClock(START);
      const first = await openStores(storesConfig, clock);
      const second = await openStores(storesConfig, clock, { migrate: false });
      try {
        const random = createCryptoRandom();
        const accountId = await seedAccount(first);
        const secret = generateTOTPSecret({ random });
        await first.factors.startTOTPSetup(accountId, sealTOTPSecret({ config, random }, secret), START);
        assert.ok(await first.factors.confirmTOTPFactor(accountId, totpStepAt(START) - 1, START));
        const code = generateTOTPCode(secret, totpStepAt(START));
        const verdicts = await Promise.all(
          Array.from({ length: N }, (_, i) => acceptTOTPCode({ config, clock, random, stores: i % 2 ? second : first }, accountId, code)),
        );
        assert.equal(verdicts.filter(Boolean).length, 1, verdicts.join(","));
      } finally {
        await first.close();
        await second.close();
      }
    });

    it(`one recovery code sent by ${N} concurrent requests is accepted once`, async () => {
      const storesConfig = await backend.freshStores();
      const clock = createManualClock(START);
      const first = await openStores(storesConfig, clock);
      const second = await openStores(storesConfig, clock, { migrate: false });
      try {
        const random = createCryptoRandom();
        const accountId = await seedAccount(first);
        const codes = await regenerateRecoveryCodes({ config, clock, random, stores: first }, accountId);
        const code = codes[3] as string;
        const verdicts = await Promise.all(
          Array.from({ length: N }, (_, i) => consumeRecoveryCode({ config, clock, random, stores: i % 2 ? second : first }, accountId, code)),
        );
        assert.equal(verdicts.filter(Boolean).length, 1, verdicts.join(","));
        assert.equal(await second.factors.countUnusedRecoveryCodes(accountId), 9);
      } finally {
        await first.close();
        await second.close();
      }
    });

    it(`one authenticator-app code and one recovery code, each sent by ${N} concurrent confirmations through the API, succeed once`, async () => {
      const t = await createTestApp(await backend.freshAppEnv());
      try {
        const client = await createVerifiedAccount(t, "race-confirm@example.com");
        const setup = (await client.request("POST", "/api/v1/account/totp")).json() as { secret: string };
        const confirmed = await client.request("POST", "/api/v1/account/totp/confirm", {
          json: { code: generateTOTPCode(setup.secret, totpStepAt(t.clock.now())) },
        });
        const recoveryCodes = confirmed.json().recoveryCodes as string[];
        t.clock.advance(30_000);
        const code = generateTOTPCode(setup.secret, totpStepAt(t.clock.now()));
        const byCode = await Promise.all(Array.from({ length: N }, () => client.request("POST", "/api/v1/account/confirm", { json: { code } })));
        assert.equal(byCode.filter((r) => r.statusCode === 204).length, 1, byCode.map((r) => r.statusCode).join(","));
        // The requests that lost count as wrong codes (the security check from the 4th on). 13 hours
        // without a failure forget them; the session has expired by then, so sign in again.
        t.clock.advance(13 * 3600_000);
        const again = await client.request("POST", "/api/v1/session", { json: { identifier: "race-confirm@example.com", password: STRONG_PASSWORD } });
        assert.equal(again.json().error?.code, "SECOND_FACTOR_REQUIRED");
        const next = generateTOTPCode(setup.secret, totpStepAt(t.clock.now()));
        const finished = await client.request("POST", "/api/v1/session/second-factor", { json: { flow: again.json().flow, method: "totp", code: next } });
        assert.equal(finished.statusCode, 200, finished.body);
        const recovery = recoveryCodes[0] as string;
        const byRecovery = await Promise.all(Array.from({ length: N }, () => client.request("POST", "/api/v1/account/confirm", { json: { code: recovery } })));
        assert.equal(byRecovery.filter((r) => r.statusCode === 204).length, 1, byRecovery.map((r) => r.statusCode).join(","));
        const accountId = (await client.get("/api/v1/session")).json().account.id as string;
        assert.equal(await t.deps.stores.factors.countUnusedRecoveryCodes(accountId), 9);
      } finally {
        await t.close();
      }
    });
  });
}
