// The webhook outbox contract, on SQLite always and on PostgreSQL when configured: store verbs write their
// events in the change's own transaction, only when the change takes effect, and never when it rolls back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { createManualClock } from "../../src/lib/clock.ts";
import { generateId } from "../../src/lib/crypto.ts";
import { createCryptoRandom } from "../../src/lib/random.ts";
import { openDatabase, openStores } from "../../src/stores/index.ts";
import { insertWebhookEvents } from "../../src/stores/sql/webhook-store.ts";
import type { Stores } from "../../src/stores/types.ts";
import {
  accountDeletedEvent,
  accountDisabledEvent,
  accountUpdatedEvent,
  identifierAddedEvent,
  identifierRemovedEvent,
  passwordChangedEvent,
  passwordResetEvent,
  secondFactorAddedEvent,
  secondFactorRemovedEvent,
  sessionsRevokedEvent,
  WEBHOOK_EVENT_TYPES,
} from "../../src/webhooks/events.ts";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema } from "../helpers/cluster.ts";

const backends = [
  { name: "SQLite", skip: false as const, url: async (dir: string) => ({ url: join(dir, "outbox.db"), drop: async () => undefined }) },
  {
    name: "PostgreSQL",
    skip: clusterSkipReason(),
    url: async () => {
      const schema = await createTestSchema();
      return { url: schema.url, drop: () => schema.drop() };
    },
  },
];

for (const backend of backends) {
  describe(`webhook outbox on ${backend.name}`, { skip: backend.skip }, () => {
    const clock = createManualClock(new Date("2026-06-01T12:00:00Z"));
    const deps = { clock, random: createCryptoRandom() };
    let dir: string;
    let stores: Stores;
    let drop: () => Promise<void>;
    let config: ReturnType<typeof loadConfig>;
    let endpointId: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "latchkey-outbox-"));
      const target = await backend.url(dir);
      drop = target.drop;
      config = loadConfig(testEnv(dir, { LATCHKEY_DATABASE_URL: target.url }));
      stores = await openStores(config, clock);
      endpointId = `ep_${generateId(deps.random)}`;
      await stores.webhooks.createEndpoint({
        id: endpointId,
        url: "https://example.com/h",
        events: [...WEBHOOK_EVENT_TYPES],
        secretSealed: "x",
        createdAt: clock.now(),
      });
    });
    after(async () => {
      await stores?.close();
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    });

    const typesOf = async (accountId: string): Promise<string[]> =>
      (await stores.webhooks.listDeliveries({ endpointId, limit: 1000 }))
        .filter((d) => d.orderingKey === accountId)
        .reverse()
        .map((d) => d.eventType);

    async function newAccount(email: string) {
      const id = generateId(deps.random);
      const created = await stores.accounts.createPendingAccount({
        id,
        name: null,
        passwordHash: "hash-1",
        createdAt: clock.now(),
        identifier: { id: generateId(deps.random), kind: "email", value: email, display: email },
      });
      assert.ok(created);
      return created;
    }

    it("writes each verb's events when its change takes effect, and none when it does not", async () => {
      const { account, identifier } = await newAccount(`outbox-${backend.name}@example.com`);
      const id = account.id;
      assert.equal(await stores.accounts.markIdentifierVerified(identifier.id, clock.now(), [passwordChangedEvent(deps, id)]), true);
      assert.equal(
        await stores.accounts.markIdentifierVerified(identifier.id, clock.now(), [passwordChangedEvent(deps, id)]),
        false,
        "already verified: no event",
      );
      assert.deepEqual(await typesOf(id), ["password.changed"]);

      const extra = await stores.accounts.addVerifiedIdentifier(
        id,
        { id: generateId(deps.random), kind: "email", value: `extra-${backend.name}@example.com`, display: "x" },
        clock.now(),
        (added) => [identifierAddedEvent(deps, id, added)],
      );
      assert.ok(extra);
      assert.equal(await stores.accounts.removeIdentifier(id, identifier.id, (r) => [identifierRemovedEvent(deps, id, r)]), "removed");
      assert.equal(await stores.accounts.removeIdentifier(id, extra.id, (r) => [identifierRemovedEvent(deps, id, r)]), "last", "refused: no event");
      assert.equal(
        await stores.accounts.replacePasswordHash(id, "not-the-hash", "hash-2", clock.now(), [passwordChangedEvent(deps, id)]),
        false,
        "lost the race: no event",
      );
      assert.equal(await stores.accounts.replacePasswordHash(id, "hash-1", "hash-2", clock.now(), [passwordChangedEvent(deps, id)]), true);
      await stores.accounts.updatePasswordHash(id, "hash-3", clock.now(), [passwordResetEvent(deps, id, "code")]);
      assert.equal(await stores.sessions.deleteSessionsOfAccount(id, undefined, (n) => (n > 0 ? [sessionsRevokedEvent(deps, id, "admin", n, false)] : [])), 0);
      assert.equal(await stores.accounts.setAccountDisabled(id, clock.now(), [accountDisabledEvent(deps, id, { kind: "system" })]), true);
      assert.equal(await stores.accounts.deleteAccount(id, [accountDeletedEvent(deps, id, { kind: "system" })]), "deleted");
      assert.equal(await stores.accounts.deleteAccount(id, [accountDeletedEvent(deps, id, { kind: "system" })]), "not_found", "gone already: no event");
      assert.deepEqual(await typesOf(id), [
        "password.changed",
        "identifier.added",
        "identifier.removed",
        "password.changed",
        "password.reset",
        "account.disabled",
        "account.deleted",
      ]);
      const removed = (await stores.webhooks.listDeliveries({ endpointId, limit: 1000 })).find(
        (d) => d.orderingKey === id && d.eventType === "identifier.removed",
      );
      assert.ok(removed, "the deleted account's events stay for delivery");
    });

    it("second-factor and name changes write their events with the change, and none when nothing changed", async () => {
      const { account } = await newAccount(`factors-${backend.name}@example.com`);
      const id = account.id;
      const passkey = {
        id: generateId(deps.random),
        accountId: id,
        credentialId: generateId(deps.random),
        publicKey: "AA",
        counter: 0,
        transports: [],
        deviceType: "multiDevice" as const,
        backedUp: true,
        name: "Phone",
        createdAt: clock.now(),
        lastUsedAt: null,
      };
      const added = [secondFactorAddedEvent(deps, id, { id: passkey.id, kind: "passkey" })];
      assert.equal(await stores.factors.addPasskey(passkey, added), true);
      assert.equal(await stores.factors.addPasskey(passkey, added), false, "already there: no event");
      const removed = [secondFactorRemovedEvent(deps, id, { id: passkey.id, kind: "passkey" }, { kind: "account" })];
      assert.equal(await stores.factors.removePasskey("someone-else", passkey.id, removed), false, "not theirs: no event");
      assert.equal(await stores.factors.removePasskey(id, passkey.id, removed), true);
      await stores.factors.startTOTPSetup(id, "sealed", clock.now());
      assert.equal(
        await stores.factors.removeTOTPFactor(id, [secondFactorRemovedEvent(deps, id, { id: "totp", kind: "totp" }, { kind: "account" })]),
        true,
        "an abandoned set-up: removed without an event",
      );
      await stores.factors.startTOTPSetup(id, "sealed", clock.now());
      assert.ok(await stores.factors.confirmTOTPFactor(id, 5, clock.now(), [secondFactorAddedEvent(deps, id, { id: "totp", kind: "totp" })]));
      assert.equal(
        await stores.factors.confirmTOTPFactor(id, 6, clock.now(), [secondFactorAddedEvent(deps, id, { id: "totp", kind: "totp" })]),
        null,
        "confirmed already: no event",
      );
      await stores.factors.replaceRecoveryCodes(id, [{ id: generateId(deps.random), codeHash: "h" }], clock.now(), [
        secondFactorAddedEvent(deps, id, { id: "recovery_codes", kind: "recovery_codes" }),
      ]);
      assert.equal(await stores.accounts.setAccountName(id, "Ada", clock.now(), [accountUpdatedEvent(deps, id, { name: "Ada" }, { kind: "account" })]), true);
      assert.equal(
        await stores.accounts.setAccountName("nobody", "Ada", clock.now(), [accountUpdatedEvent(deps, id, { name: "Ada" }, { kind: "account" })]),
        false,
      );
      assert.deepEqual(await typesOf(id), ["second_factor.added", "second_factor.removed", "second_factor.added", "second_factor.added", "account.updated"]);
    });

    it("rolls the events back with the change, and the change back with the events", async () => {
      const { account } = await newAccount(`rollback-${backend.name}@example.com`);
      const event = passwordChangedEvent(deps, account.id);
      await assert.rejects(stores.accounts.replacePasswordHash(account.id, "hash-1", "hash-9", clock.now(), [event, event]));
      assert.equal((await stores.accounts.getAccountById(account.id))?.passwordHash, "hash-1");
      const { db, codec } = openDatabase(config);
      try {
        await assert.rejects(
          db.transaction().execute(async (trx) => {
            await insertWebhookEvents(trx, codec, [accountDeletedEvent(deps, account.id, { kind: "admin", accountId: "someone" })]);
            throw new Error("rolled back");
          }),
        );
      } finally {
        await db.destroy();
      }
      assert.deepEqual(await typesOf(account.id), []);
    });

    it("keeps no event that no endpoint wants, and clears finished deliveries after their time", async () => {
      const { account } = await newAccount(`cleanup-${backend.name}@example.com`);
      assert.equal(await stores.webhooks.recordEvents([{ ...passwordChangedEvent(deps, account.id), type: "not.subscribed" }]), 0);
      assert.equal(await stores.webhooks.recordEvents([passwordChangedEvent(deps, account.id)]), 1);
      const [delivery] = (await stores.webhooks.listDeliveries({ endpointId, limit: 1000 })).filter((d) => d.orderingKey === account.id);
      assert.ok(delivery);
      await stores.webhooks.completeDelivery(delivery.id, { at: clock.now(), statusCode: 200, error: null });
      assert.equal(await stores.webhooks.deleteFinishedDeliveries(clock.now()), 0, "not older than the cut-off");
      const removed = await stores.webhooks.deleteFinishedDeliveries(new Date(clock.now().getTime() + 1000));
      assert.ok(removed >= 1);
      assert.equal(await stores.webhooks.getDelivery(delivery.id), null);
    });
  });
}
