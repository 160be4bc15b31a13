// Race tests for proof-of-work puzzles: one solved puzzle used 20 times at once is accepted exactly once,
// on SQLite, PostgreSQL and PostgreSQL + Redis (the last two when the test environment names them), on
// two store handles of one storage (as two instances would hold them) and through the HTTP API.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createManualClock } from "../../src/lib/clock.ts";
import { createCryptoRandom } from "../../src/lib/random.ts";
import { createPowPuzzle, solvePowPuzzle, verifyPowProof } from "../../src/pow/puzzles.ts";
import { openStores } from "../../src/stores/index.ts";
import { createTestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { TestClient } from "../helpers/client.ts";

const N = 20;
const START = new Date("2030-06-01T12:00:00Z");

for (const backend of allBackends()) {
  describe(`proof-of-work races on ${backend.name}`, { skip: backend.skip }, () => {
    it(`${N} concurrent verifications of one solved puzzle on two store handles: exactly one valid`, async () => {
      const config = await backend.freshStores();
      const clock = createManualClock(START);
      const first = await openStores(config, clock);
      const second = await openStores(config, clock, { migrate: false });
      try {
        const random = createCryptoRandom();
        const base = { clock, random, config: { pow: { enabled: true, difficulty: 8 } } as never };
        const puzzle = await createPowPuzzle({ ...base, stores: first }, { purpose: "signin", binding: "b:race", difficulty: 8 });
        const proof = { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) };
        const verdicts = await Promise.all(
          Array.from({ length: N }, (_, i) => verifyPowProof({ ...base, stores: i % 2 ? second : first }, { proof, purpose: "signin", binding: "b:race" })),
        );
        assert.equal(verdicts.filter((v) => v === "valid").length, 1, verdicts.join(","));
      } finally {
        await first.close();
        await second.close();
      }
    });

    it(`${N} concurrent sign-ins with one solved puzzle through the API: exactly one gets past it`, async () => {
      const t = await createTestApp({ ...(await backend.freshAppEnv()), LATCHKEY_POW: "1", LATCHKEY_POW_DIFFICULTY: "8" });
      try {
        const client = new TestClient(t.app);
        const asked = await client.request("POST", "/api/v1/pow", { json: { purpose: "signin" } });
        const puzzle = asked.json() as { id: string; prefix: string; difficulty: number };
        const pow = { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) };
        const answers = await Promise.all(
          Array.from({ length: N }, () =>
            client.request("POST", "/api/v1/session", { json: { identifier: "race@example.com", password: "a wrong password", pow } }),
          ),
        );
        const codes = answers.map((a) => (a.json() as { error?: { code: string } }).error?.code);
        assert.equal(codes.filter((c) => c === "POW_INVALID").length, N - 1, codes.join(","));
        assert.equal(codes.filter((c) => c === "SIGNIN_FAILED").length, 1, codes.join(","));
      } finally {
        await t.close();
      }
    });
  });
}
