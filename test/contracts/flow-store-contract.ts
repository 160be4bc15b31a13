// FlowStore as a part of the store contract: a flow is bound to its kind and browser, expires by the
// injected clock, and completing a step is a compare-and-set on its version, also under races.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { ManualClock } from "../../src/lib/clock.ts";
import type { FlowRecord, Stores } from "../../src/stores/types.ts";

function unique(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("base64url")}`;
}

export function describeFlowStoreContract(stores: () => Stores, clock: () => ManualClock): void {
  async function newFlow(state = '{"step":"password"}', ttlSeconds = 600): Promise<FlowRecord> {
    return stores().flows.createFlow({ id: unique("flow"), kind: "signin", owner: unique("owner"), state, ttlSeconds });
  }

  describe("FlowStore", () => {
    test("createFlow stores a flow at version 1 that getFlow returns with every field", async () => {
      const created = await newFlow('{"step":"password","identifier":"ann@example.com ✓"}');
      assert.equal(created.version, 1);
      const found = await stores().flows.getFlow(created.id, "signin", created.owner);
      assert.ok(found);
      assert.deepEqual({ ...found, expiresAt: found.expiresAt.getTime() }, { ...created, expiresAt: created.expiresAt.getTime() });
      assert.equal(found.expiresAt.getTime(), clock().now().getTime() + 600_000);
    });

    test("getFlow is null for an unknown id, another browser or another kind", async () => {
      const flow = await newFlow();
      assert.equal(await stores().flows.getFlow(unique("flow"), "signin", flow.owner), null);
      assert.equal(await stores().flows.getFlow(flow.id, "signin", unique("owner")), null);
      assert.equal(await stores().flows.getFlow(flow.id, "password_reset", flow.owner), null);
    });

    test("a flow expires after its ttl and cannot be advanced then", async () => {
      const flow = await newFlow(undefined, 10);
      clock().advance(9_000);
      assert.ok(await stores().flows.getFlow(flow.id, "signin", flow.owner));
      clock().advance(1_000);
      assert.equal(await stores().flows.getFlow(flow.id, "signin", flow.owner), null);
      assert.equal(await stores().flows.advanceFlow(flow.id, "signin", flow.owner, 1, "{}", 600), null);
    });

    test("advanceFlow replaces the state, adds one to the version and moves the expiry", async () => {
      const flow = await newFlow(undefined, 10);
      clock().advance(5_000);
      const next = await stores().flows.advanceFlow(flow.id, "signin", flow.owner, 1, '{"step":"captcha"}', 60);
      assert.ok(next);
      assert.equal(next.version, 2);
      assert.equal(next.state, '{"step":"captcha"}');
      const found = await stores().flows.getFlow(flow.id, "signin", flow.owner);
      assert.equal(found?.version, 2);
      assert.equal(found?.state, '{"step":"captcha"}');
      clock().advance(30_000);
      assert.ok(await stores().flows.getFlow(flow.id, "signin", flow.owner), "the new expiry counts from the step");
    });

    test("a completed step cannot be replayed: the old version, another browser or kind change nothing", async () => {
      const flow = await newFlow();
      assert.ok(await stores().flows.advanceFlow(flow.id, "signin", flow.owner, 1, '{"step":"done"}', 60));
      assert.equal(await stores().flows.advanceFlow(flow.id, "signin", flow.owner, 1, '{"step":"replayed"}', 60), null);
      assert.equal(await stores().flows.advanceFlow(flow.id, "signin", unique("owner"), 2, '{"step":"stolen"}', 60), null);
      assert.equal(await stores().flows.advanceFlow(flow.id, "password_reset", flow.owner, 2, '{"step":"other"}', 60), null);
      assert.equal(await stores().flows.advanceFlow(unique("flow"), "signin", flow.owner, 1, "{}", 60), null);
      const found = await stores().flows.getFlow(flow.id, "signin", flow.owner);
      assert.equal(found?.version, 2);
      assert.equal(found?.state, '{"step":"done"}');
    });

    for (const racers of [2, 20]) {
      test(`${racers} concurrent completions of one step: exactly one wins`, async () => {
        const flow = await newFlow();
        const results = await Promise.all(
          Array.from({ length: racers }, (_, i) => stores().flows.advanceFlow(flow.id, "signin", flow.owner, 1, JSON.stringify({ step: "done", by: i }), 60)),
        );
        const winners = results.filter((r) => r !== null);
        assert.equal(winners.length, 1);
        const found = await stores().flows.getFlow(flow.id, "signin", flow.owner);
        assert.equal(found?.version, 2);
        assert.equal(found?.state, winners[0]?.state, "the stored state is the winner's");
      });
    }

    test("deleteExpiredFlows removes expired flows and keeps live ones", async () => {
      const gone = await newFlow(undefined, 5);
      const live = await newFlow(undefined, 60);
      clock().advance(5_000);
      const removed = await stores().flows.deleteExpiredFlows();
      // A backend that expires keys on its own (Redis) has nothing left to remove and reports 0.
      assert.ok(removed === 1 || removed === 0, `removed ${removed}`);
      assert.equal(await stores().flows.deleteExpiredFlows(), 0);
      assert.equal(await stores().flows.getFlow(gone.id, "signin", gone.owner), null);
      assert.ok(await stores().flows.getFlow(live.id, "signin", live.owner));
    });
  });
}
