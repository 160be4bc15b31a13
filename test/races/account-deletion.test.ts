// Race test for deleting an account: 20 concurrent deletions of one account (the owner's page and API, an
// admin, retried requests), through two store handles of one storage as two instances hold them (one on
// SQLite, whose file one process writes), delete it
// once: one answers deleted and writes the one account.deleted event, every other answers not_found. On
// SQLite, PostgreSQL and PostgreSQL + Redis (the last two when the test environment names them).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createManualClock } from "../../src/lib/clock.ts";
import { createCryptoRandom } from "../../src/lib/random.ts";
import { openStores } from "../../src/stores/index.ts";
import { accountDeletedEvent, WEBHOOK_EVENT_TYPES } from "../../src/webhooks/events.ts";
import { allBackends } from "../helpers/backends.ts";

const N = 20;
const ROUNDS = 3;
const START = new Date("2030-06-01T12:00:10Z");

for (const backend of allBackends()) {
  describe(`account deletion races on ${backend.name}`, { skip: backend.skip }, () => {
    it(`${N} concurrent deletions of one account delete it once, with one account.deleted event`, async () => {
      const storesConfig = await backend.freshStores();
      const clock = createManualClock(START);
      const random = createCryptoRandom();
      const first = await openStores(storesConfig, clock);
      // Two SQLite handles in one thread cannot both run a transaction: the second one's wait for the lock
      // blocks the thread the first needs to finish (as in test/races/single-use.test.ts). One SQLite file
      // is written by one server process; its handle's transactions take turns.
      const second = backend.name === "SQLite" ? first : await openStores(storesConfig, clock, { migrate: false });
      try {
        await first.webhooks.createEndpoint({
          id: "ep_deletion",
          url: "https://example.com/h",
          events: [...WEBHOOK_EVENT_TYPES],
          secretSealed: "x",
          createdAt: START,
        });
        for (let round = 0; round < ROUNDS; round++) {
          const id = `deletion-race-${round}`;
          const value = `${id}@example.com`;
          const created = await first.accounts.createVerifiedAccount({
            id,
            name: null,
            passwordHash: "hash",
            createdAt: START,
            identifier: { id: `${id}-i`, kind: "email", value, display: value },
          });
          assert.ok(created);
          const results = await Promise.all(
            Array.from({ length: N }, (_, i) =>
              (i % 2 ? second : first).accounts.deleteAccount(id, [accountDeletedEvent({ clock, random }, id, { kind: "account" })]),
            ),
          );
          assert.equal(results.filter((r) => r === "deleted").length, 1, results.join(","));
          assert.equal(results.filter((r) => r === "not_found").length, N - 1);
          assert.equal(await first.accounts.getAccountById(id), null);
          const events = (await first.webhooks.listDeliveries({ endpointId: "ep_deletion", limit: 1000 })).filter(
            (d) => d.orderingKey === id && d.eventType === "account.deleted",
          );
          assert.equal(events.length, 1);
        }
      } finally {
        await first.close();
        if (second !== first) await second.close();
      }
    });
  });
}
