// Rotating an endpoint's signing secret, on SQLite and PostgreSQL, against a real receiver on loopback: the
// endpoint keeps its id and waiting deliveries; during the grace period each request verifies with either
// secret, after it with the new one only; both secrets are stored only encrypted; concurrent rotations chain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { runMaintenance } from "../../src/maintenance.ts";
import {
  addWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  rotateWebhookSecret,
  WEBHOOK_SECRET_GRACE_DEFAULT_SECONDS,
  WebhookInputError,
} from "../../src/webhooks/endpoints.ts";
import { passwordChangedEvent } from "../../src/webhooks/events.ts";
import { generateWebhookSecret, unsealWebhookSecret } from "../../src/webhooks/signing.ts";
import { runWebhookDeliveryRound, type WebhookAttemptResult } from "../../src/webhooks/worker.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { type ReceivedWebhook, startWebhookReceiver, verifyWithStandardWebhooks, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

const HOUR_MS = 3600 * 1000;

/** The request's signatures, as the `webhook-signature` header lists them. */
function signaturesOf(webhook: ReceivedWebhook): string[] {
  return (webhook.headers["webhook-signature"] ?? "").split(" ");
}

/**
 * Whether one of the request's signatures is the one `secret` makes, computed by the standardwebhooks
 * package from the request's own id and timestamp (so it holds at any test clock time).
 */
function isSignedWith(secret: string, webhook: ReceivedWebhook): boolean {
  const at = new Date(Number(webhook.headers["webhook-timestamp"]) * 1000);
  const expected = new Webhook(secret).sign(webhook.headers["webhook-id"] ?? "", at, webhook.body);
  return signaturesOf(webhook).includes(expected);
}

// Webhooks live in SQL only: PostgreSQL + Redis stores them as PostgreSQL does.
for (const backend of allBackends().filter((b) => b.name !== "PostgreSQL + Redis")) {
  describe(`webhook secret rotation (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;

    before(async () => {
      t = await createTestApp({ ...(await backend.freshAppEnv()), LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "2s" });
      receiver = await startWebhookReceiver();
    });
    after(async () => {
      await receiver?.close();
      await t?.close();
    });

    async function addEndpoint(): Promise<{ id: string; secret: string }> {
      const { endpoint, secret } = await addWebhookEndpoint(t.deps, { url: receiver.url, events: "password.changed" });
      return { id: endpoint.id, secret };
    }

    /** Runs delivery rounds until nothing is due now. */
    async function deliverDue(): Promise<WebhookAttemptResult[]> {
      const all: WebhookAttemptResult[] = [];
      for (let i = 0; i < 20; i++) {
        const round = await runWebhookDeliveryRound(t.deps);
        if (round.length === 0) break;
        all.push(...round);
      }
      return all;
    }

    /** Records a password.changed event for endpoint `endpointId` only and delivers it; returns the request received. */
    async function deliverNewEvent(endpointId: string, accountId: string): Promise<ReceivedWebhook> {
      const count = receiver.received.length;
      await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, accountId)], { endpointId });
      const results = await deliverDue();
      assert.deepEqual(
        results.map((r) => r.outcome),
        ["delivered"],
      );
      assert.equal(receiver.received.length, count + 1);
      return receiver.received[count] as ReceivedWebhook;
    }

    it("keeps the endpoint's id and waiting deliveries, signs with both secrets for the grace period, then with the new one only", async () => {
      const { id, secret: oldSecret } = await addEndpoint();
      // A delivery that failed and waits for its retry when the secret is rotated.
      receiver.respond = () => 503;
      await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-waiting")], { endpointId: id });
      assert.deepEqual(
        (await deliverDue()).map((r) => r.outcome),
        ["retry"],
      );
      const waiting = await listWebhookDeliveries(t.deps, { endpointId: id });
      assert.deepEqual(
        waiting.map((d) => d.status),
        ["pending"],
      );

      const rotatedAt = t.clock.now();
      const rotated = await rotateWebhookSecret(t.deps, id);
      assert.equal(rotated.endpoint.id, id);
      assert.match(rotated.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.notEqual(rotated.secret, oldSecret);
      assert.equal(rotated.previousSecretValidUntil?.getTime(), rotatedAt.getTime() + WEBHOOK_SECRET_GRACE_DEFAULT_SECONDS * 1000);
      const newSecret = rotated.secret;
      assert.deepEqual(
        (await listWebhookEndpoints(t.deps)).filter((e) => e.id === id).map((e) => [e.url, e.events]),
        [[receiver.url, ["password.changed"]]],
      );
      assert.deepEqual(
        (await listWebhookDeliveries(t.deps, { endpointId: id })).map((d) => [d.id, d.status, d.attempts]),
        waiting.map((d) => [d.id, "pending", 1]),
      );
      const audit = await t.deps.stores.audit.listEvents({ types: ["webhook.endpoint_secret_rotated"], limit: 100 });
      assert.deepEqual(
        audit.filter((e) => e.detail?.endpointId === id).map((e) => e.detail),
        [{ endpointId: id, graceSeconds: WEBHOOK_SECRET_GRACE_DEFAULT_SECONDS }],
      );

      // The waiting delivery goes out with both signatures; a receiver with either secret accepts it.
      receiver.respond = () => 200;
      t.clock.advance(60 * 1000);
      const count = receiver.received.length;
      assert.deepEqual(
        (await deliverDue()).map((r) => r.outcome),
        ["delivered"],
      );
      const retried = receiver.received[count] as ReceivedWebhook;
      assert.equal(retried.accountId, "acct-waiting");
      assert.equal(signaturesOf(retried).length, 2);
      assert.ok(isSignedWith(newSecret, retried) && isSignedWith(oldSecret, retried));
      // An independent implementation, as receivers use it (the test clock is a minute from the real time).
      assert.equal((verifyWithStandardWebhooks(oldSecret, retried) as { data: { accountId: string } }).data.accountId, "acct-waiting");
      assert.equal((verifyWithStandardWebhooks(newSecret, retried) as { data: { accountId: string } }).data.accountId, "acct-waiting");
      assert.throws(() => verifyWithStandardWebhooks(generateWebhookSecret(t.deps.random), retried));

      // A new event at the end of the grace period: still both.
      t.clock.set(new Date(rotatedAt.getTime() + 24 * HOUR_MS - 1000));
      const late = await deliverNewEvent(id, "acct-late");
      assert.ok(isSignedWith(newSecret, late) && isSignedWith(oldSecret, late));

      // After it: the new secret only.
      t.clock.set(new Date(rotatedAt.getTime() + 24 * HOUR_MS));
      const after = await deliverNewEvent(id, "acct-after");
      assert.equal(signaturesOf(after).length, 1);
      assert.equal(isSignedWith(newSecret, after), true);
      assert.equal(isSignedWith(oldSecret, after), false);

      // The old secret is then forgotten altogether, even encrypted.
      assert.ok((await t.deps.stores.webhooks.getEndpoint(id))?.previousSecretSealed);
      assert.equal((await runMaintenance(t.deps)).webhookSecrets, 1);
      const stored = await t.deps.stores.webhooks.getEndpoint(id);
      assert.equal(stored?.previousSecretSealed, null);
      assert.equal(stored?.previousSecretExpiresAt, null);
      assert.equal(unsealWebhookSecret(t.config.secret, stored?.secretSealed ?? ""), newSecret);
    });

    it("stores both secrets only encrypted", async () => {
      const { id, secret: oldSecret } = await addEndpoint();
      const { secret: newSecret } = await rotateWebhookSecret(t.deps, id, { graceSeconds: 3600 });
      const stored = await t.deps.stores.webhooks.getEndpoint(id);
      assert.ok(stored?.previousSecretSealed);
      for (const sealed of [stored.secretSealed, stored.previousSecretSealed]) {
        for (const secret of [oldSecret, newSecret]) assert.equal(sealed.includes(secret.slice("whsec_".length)), false);
      }
      assert.equal(unsealWebhookSecret(t.config.secret, stored.secretSealed), newSecret);
      assert.equal(unsealWebhookSecret(t.config.secret, stored.previousSecretSealed), oldSecret);
    });

    it("with --grace 0 signs with the new secret only at once, and rotating again in the grace period drops the oldest secret", async () => {
      const { id, secret: first } = await addEndpoint();
      const { secret: second } = await rotateWebhookSecret(t.deps, id, { graceSeconds: 3600 });
      const { secret: third } = await rotateWebhookSecret(t.deps, id);
      const twice = await deliverNewEvent(id, "acct-twice");
      assert.deepEqual(
        [first, second, third].map((s) => isSignedWith(s, twice)),
        [false, true, true],
      );
      assert.equal(
        signaturesOf(twice)[0],
        new Webhook(third).sign(twice.headers["webhook-id"] ?? "", new Date(Number(twice.headers["webhook-timestamp"]) * 1000), twice.body),
      );

      const immediate = await rotateWebhookSecret(t.deps, id, { graceSeconds: 0 });
      assert.equal(immediate.previousSecretValidUntil, null);
      const after = await deliverNewEvent(id, "acct-immediate");
      assert.deepEqual(
        [first, second, third, immediate.secret].map((s) => isSignedWith(s, after)),
        [false, false, false, true],
      );
      assert.equal(signaturesOf(after).length, 1);
    });

    it("refuses an unknown endpoint and a grace period out of range, and changes nothing", async () => {
      const { id } = await addEndpoint();
      const before = await t.deps.stores.webhooks.getEndpoint(id);
      await assert.rejects(
        rotateWebhookSecret(t.deps, "ep_missing"),
        (error: unknown) => error instanceof WebhookInputError && /no webhook endpoint/.test(error.message),
      );
      for (const graceSeconds of [-1, 7 * 24 * 3600 + 1, 1.5]) {
        await assert.rejects(rotateWebhookSecret(t.deps, id, { graceSeconds }), WebhookInputError);
      }
      assert.deepEqual(await t.deps.stores.webhooks.getEndpoint(id), before);
    });

    it("applies concurrent rotations one after another: the secret kept as previous is the one the rotation before set", async () => {
      const { id } = await addEndpoint();
      let current = "";
      let previous = "";
      // Two rotations at once from the same secret, ten times: whichever goes second keeps the first one's
      // secret as its previous. A rotation that read the secret and then wrote it (a lost update) keeps the
      // secret both started from, which neither rotation's caller was shown.
      for (let round = 0; round < 10; round++) {
        const before = unsealWebhookSecret(t.config.secret, (await t.deps.stores.webhooks.getEndpoint(id))?.secretSealed ?? "");
        const pair = (await Promise.all([rotateWebhookSecret(t.deps, id), rotateWebhookSecret(t.deps, id)])).map((r) => r.secret);
        const stored = await t.deps.stores.webhooks.getEndpoint(id);
        current = unsealWebhookSecret(t.config.secret, stored?.secretSealed ?? "") ?? "";
        previous = unsealWebhookSecret(t.config.secret, stored?.previousSecretSealed ?? "") ?? "";
        assert.ok(pair.includes(current), `round ${round}: the current secret is one that was shown`);
        assert.deepEqual(
          [previous, current].sort(),
          [...pair].sort(),
          `round ${round}: the previous secret is the other one shown, not ${previous === before ? "the one both started from" : "another"}`,
        );
      }
      const webhook = await deliverNewEvent(id, "acct-race");
      assert.deepEqual(
        [current, previous].map((s) => isSignedWith(s, webhook)),
        [true, true],
      );
      assert.equal(signaturesOf(webhook).length, 2);
    });
  });
}
