// Two workers with their own connections to one database (as two processes or instances have) take
// webhook deliveries: each delivery goes to exactly one of them, an expired lease is taken again, and
// every event is delivered once, in order per account. On SQLite always, on PostgreSQL when configured.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Config, loadConfig } from "../../src/config/load.ts";
import { createMailer } from "../../src/delivery/mailer.ts";
import { createManualClock } from "../../src/lib/clock.ts";
import { createCryptoRandom } from "../../src/lib/random.ts";
import { openStores } from "../../src/stores/index.ts";
import type { Stores } from "../../src/stores/types.ts";
import { addWebhookEndpoint } from "../../src/webhooks/endpoints.ts";
import { passwordChangedEvent } from "../../src/webhooks/events.ts";
import { runWebhookDeliveryRound, webhookLeaseMs } from "../../src/webhooks/worker.ts";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, type TestSchema } from "../helpers/cluster.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

const N = 20;
const ACCOUNTS = 8;
const EVENTS_PER_ACCOUNT = 5;
const noLog = { info() {}, warn() {}, error() {} };

interface Backend {
  name: string;
  skip: string | false;
  env(dir: string): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: "SQLite", skip: false, env: async (dir) => ({ env: { LATCHKEY_DATABASE_URL: join(dir, "shared.db") }, cleanup: async () => undefined }) },
  {
    name: "PostgreSQL",
    skip: clusterSkipReason(),
    env: async () => {
      const schema: TestSchema = await createTestSchema();
      return { env: { LATCHKEY_DATABASE_URL: schema.url }, cleanup: () => schema.drop() };
    },
  },
];

for (const backend of backends) {
  describe(`webhook delivery claims on ${backend.name}`, { skip: backend.skip }, () => {
    const clock = createManualClock(new Date());
    const random = createCryptoRandom();
    let dir: string;
    let config: Config;
    let one: Stores;
    let two: Stores;
    let cleanup: () => Promise<void>;
    let receiver: WebhookReceiver;
    const workerDeps = (stores: Stores) => ({ stores, clock, random, config, logger: noLog, mailer: createMailer(config, clock, random) });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "latchkey-claims-"));
      const backendEnv = await backend.env(dir);
      cleanup = backendEnv.cleanup;
      config = loadConfig(testEnv(dir, { ...backendEnv.env, LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "5s" }));
      one = await openStores(config, clock);
      two = await openStores(config, clock, { migrate: false });
      receiver = await startWebhookReceiver();
    });
    after(async () => {
      await receiver?.close();
      await one?.close();
      await two?.close();
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it(`of ${N} concurrent claims on one due delivery exactly one gets it, and an expired lease is taken again`, async () => {
      const { endpoint } = await addWebhookEndpoint(workerDeps(one), { url: `${receiver.url}/single`, events: "password.changed" });
      await one.webhooks.recordEvents([passwordChangedEvent({ clock, random }, "acct-single")]);
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + 30_000);
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) => (i % 2 ? one : two).webhooks.claimDeliveries({ leaseToken: `worker-${i}`, now, leaseUntil, limit: 10 })),
      );
      const winners = results.filter((r) => r.length > 0);
      assert.equal(winners.length, 1, "one claim wins");
      assert.equal(winners[0]?.[0]?.attempts, 1);
      // Held: nobody else gets it before the lease ends.
      const early = new Date(leaseUntil.getTime() - 1000);
      assert.deepEqual(await two.webhooks.claimDeliveries({ leaseToken: "late", now: early, leaseUntil: new Date(early.getTime() + 30_000), limit: 10 }), []);
      // The holder died: after the lease ends another worker takes it, and the dead holder can no longer record a failure.
      const later = new Date(leaseUntil.getTime() + 1000);
      const retaken = await one.webhooks.claimDeliveries({ leaseToken: "rescuer", now: later, leaseUntil: new Date(later.getTime() + 30_000), limit: 10 });
      assert.equal(retaken.length, 1);
      assert.equal(retaken[0]?.attempts, 2);
      const stale = await two.webhooks.failDelivery(retaken[0]?.id as string, winners[0]?.[0]?.leaseToken as string, {
        at: later,
        statusCode: 500,
        error: "late",
        retryAt: later,
        pauseReason: "late",
      });
      assert.equal(stale.paused, false);
      assert.equal((await one.webhooks.getDelivery(retaken[0]?.id as string))?.lastError, null, "the stale holder's failure was ignored");
      await one.webhooks.deleteEndpoint(endpoint.id);
    });

    it("a claim with perEndpoint leaves an endpoint no more deliveries under lease than its share, counting other workers' leases", async () => {
      const { endpoint: busy } = await addWebhookEndpoint(workerDeps(one), { url: `${receiver.url}/busy`, events: "password.changed" });
      const { endpoint: quiet } = await addWebhookEndpoint(workerDeps(one), { url: `${receiver.url}/quiet`, events: "password.changed" });
      await one.webhooks.recordEvents(Array.from({ length: 12 }, (_, i) => passwordChangedEvent({ clock, random }, `acct-share-${i}`)));
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + 30_000);
      const claim = (stores: Stores, leaseToken: string, at = now) =>
        stores.webhooks.claimDeliveries({ leaseToken, now: at, leaseUntil: new Date(at.getTime() + 30_000), limit: 10, perEndpoint: 3 });
      const count = (claimed: { endpointId: string }[], endpointId: string): number => claimed.filter((d) => d.endpointId === endpointId).length;
      const first = await claim(one, "first");
      assert.deepEqual([count(first, busy.id), count(first, quiet.id)], [3, 3], "three of each endpoint, oldest first");
      const second = await claim(two, "second");
      assert.deepEqual(second, [], "the other worker finds both shares taken");
      // One delivery of the busy endpoint is finished: one more of it can be taken, none of the other.
      const done = first.find((d) => d.endpointId === busy.id);
      await one.webhooks.completeDelivery(done?.id as string, { at: now, statusCode: 200, error: null });
      const third = await claim(two, "third");
      assert.deepEqual([count(third, busy.id), count(third, quiet.id)], [1, 0]);
      // Expired leases no longer count.
      const later = await claim(two, "later", new Date(leaseUntil.getTime() + 1000));
      assert.deepEqual([count(later, busy.id), count(later, quiet.id)], [3, 3]);
      // Asked by id (the CLI's test), a delivery is taken whatever the share.
      const [waiting] = (await one.webhooks.listDeliveries({ endpointId: quiet.id, limit: 100 })).filter((d) => d.attempts === 0);
      const byId = await two.webhooks.claimDeliveries({ leaseToken: "by-id", now, leaseUntil, limit: 10, perEndpoint: 3, deliveryId: waiting?.id as string });
      assert.equal(byId.length, 1);
      await one.webhooks.deleteEndpoint(busy.id);
      await one.webhooks.deleteEndpoint(quiet.id);
    });

    it(`two workers deliver ${ACCOUNTS * EVENTS_PER_ACCOUNT} events once each, in order per account`, async () => {
      const { endpoint } = await addWebhookEndpoint(workerDeps(one), { url: `${receiver.url}/many`, events: "password.changed" });
      const expected = new Map<string, string[]>();
      for (let e = 0; e < EVENTS_PER_ACCOUNT; e++) {
        for (let a = 0; a < ACCOUNTS; a++) {
          const event = passwordChangedEvent({ clock, random }, `acct-${a}`);
          expected.set(`acct-${a}`, [...(expected.get(`acct-${a}`) ?? []), event.id]);
          await (a % 2 ? one : two).webhooks.recordEvents([event]);
        }
      }
      // A receiver that answers after a short, varying pause, so the two workers overlap.
      receiver.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 5 + Math.floor(Math.random() * 10)));
      const taken = { one: 0, two: 0 };
      const work = async (stores: Stores, name: "one" | "two"): Promise<void> => {
        for (let idle = 0; idle < 5; ) {
          const round = await runWebhookDeliveryRound(workerDeps(stores));
          taken[name] += round.length;
          idle = round.length === 0 ? idle + 1 : 0;
          if (round.length === 0) await new Promise((r) => setTimeout(r, 10));
        }
      };
      await Promise.all([work(one, "one"), work(two, "two")]);
      const got = receiver.received.filter((r) => r.path === "/hooks/many");
      const ids = got.map((r) => r.id);
      assert.equal(ids.length, ACCOUNTS * EVENTS_PER_ACCOUNT, "every event arrived");
      assert.equal(new Set(ids).size, ids.length, "none twice");
      assert.equal(taken.one + taken.two, ids.length);
      for (const [account, order] of expected) {
        assert.deepEqual(
          got.filter((r) => r.accountId === account).map((r) => r.id),
          order,
          `${account}'s events in the order they happened`,
        );
      }
      const log = await one.webhooks.listDeliveries({ endpointId: endpoint.id, limit: 1000 });
      assert.ok(log.every((d) => d.status === "delivered" && d.attempts === 1));
      // A lease outlives the request it covers.
      assert.ok(webhookLeaseMs(config) > config.webhooks.timeoutMs);
    });
  });
}
