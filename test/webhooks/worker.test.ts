// The running webhook worker (startWebhookWorker, as `latchkey serve` starts it) against real receivers on
// loopback: a receiver that never answers must not hold up the deliveries to the other endpoints.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addWebhookEndpoint } from "../../src/webhooks/endpoints.ts";
import { passwordChangedEvent } from "../../src/webhooks/events.ts";
import { startWebhookWorker, WEBHOOK_DELIVERY_RULES } from "../../src/webhooks/worker.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { startWebhookReceiver } from "../helpers/webhook-receiver.ts";

const ACCOUNTS = 40;

describe("webhook worker", () => {
  let t: TestApp;
  before(async () => {
    // A timeout far longer than the test needs: until it, a request to the silent receiver stays open.
    t = await createTestApp({ LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "60s", LATCHKEY_WEBHOOKS_POLL_INTERVAL: "1s" });
  });
  after(async () => {
    await t.close();
  });

  it("delivers every event to a working receiver while another endpoint's receiver never answers, and sends that one only its share", async () => {
    const silent = await startWebhookReceiver();
    silent.respond = () => new Promise<undefined>(() => undefined);
    const working = await startWebhookReceiver();
    const { endpoint: silentEndpoint } = await addWebhookEndpoint(t.deps, { url: silent.url, events: "password.changed" });
    await addWebhookEndpoint(t.deps, { url: working.url, events: "password.changed" });
    // One event per account, so no delivery waits for an earlier one of its account.
    await t.deps.stores.webhooks.recordEvents(Array.from({ length: ACCOUNTS }, (_, i) => passwordChangedEvent(t.deps, `acct-${i}`)));

    const worker = startWebhookWorker(t.deps);
    try {
      // Every request to the silent receiver stays open for the whole test; all events still reach the working one.
      const delivered = await working.waitFor(ACCOUNTS, 30_000);
      assert.equal(new Set(delivered.map((r) => r.accountId)).size, ACCOUNTS);
      await silent.waitFor(WEBHOOK_DELIVERY_RULES.perEndpoint, 30_000);
      const silentLog = await t.deps.stores.webhooks.listDeliveries({ endpointId: silentEndpoint.id, limit: 1000 });
      assert.equal(silentLog.length, ACCOUNTS);
      assert.equal(
        silentLog.filter((d) => d.attempts > 0).length,
        WEBHOOK_DELIVERY_RULES.perEndpoint,
        "the silent receiver holds only its endpoint's share of requests; the rest wait",
      );
      assert.ok(silentLog.every((d) => d.status === "pending"));
    } finally {
      const stopping = worker.stop();
      await silent.close();
      await working.close();
      await stopping;
    }
  });
});
