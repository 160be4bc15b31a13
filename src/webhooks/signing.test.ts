import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { TEST_SECRET } from "../../test/helpers/app.ts";
import { createCryptoRandom } from "../lib/random.ts";
import { generateWebhookSecret, sealWebhookSecret, signWebhook, unsealWebhookSecret } from "./signing.ts";

describe("webhook signing", () => {
  const random = createCryptoRandom();

  it("signs exactly as the standardwebhooks package does", () => {
    const secret = generateWebhookSecret(random);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const at = new Date("2026-12-01T08:00:00Z");
    const body = JSON.stringify({ id: "evt_1", type: "account.created", occurredAt: at.toISOString(), data: { accountId: "a1", name: "Zoë ✓" } });
    const headers = signWebhook([secret], "evt_1", at, body);
    assert.deepEqual(headers, { "webhook-id": "evt_1", "webhook-timestamp": "1796112000", "webhook-signature": new Webhook(secret).sign("evt_1", at, body) });
  });

  it("signs with each secret given, space-separated, so a receiver that knows either one accepts the request", () => {
    const [current, previous, other] = [generateWebhookSecret(random), generateWebhookSecret(random), generateWebhookSecret(random)];
    const at = new Date("2026-12-01T08:00:00Z");
    const body = JSON.stringify({ id: "evt_2", type: "password.changed", occurredAt: at.toISOString(), data: { accountId: "a1" } });
    const headers = signWebhook([current, previous], "evt_2", at, body);
    assert.equal(headers["webhook-signature"], `${new Webhook(current).sign("evt_2", at, body)} ${new Webhook(previous).sign("evt_2", at, body)}`);
    // The standardwebhooks package checks the timestamp against the real time: sign one of now to verify.
    const now = new Date();
    const fresh = signWebhook([current, previous], "evt_2", now, body);
    assert.deepEqual(new Webhook(current).verify(body, fresh), JSON.parse(body));
    assert.deepEqual(new Webhook(previous).verify(body, fresh), JSON.parse(body));
    assert.throws(() => new Webhook(other).verify(body, fresh));
  });

  it("keeps the secret sealed under LATCHKEY_SECRET and gives nothing back under another", () => {
    const secret = generateWebhookSecret(random);
    const sealed = sealWebhookSecret(TEST_SECRET, secret, random);
    assert.equal(sealed.includes(secret.slice(6)), false);
    assert.equal(unsealWebhookSecret(TEST_SECRET, sealed), secret);
    assert.equal(unsealWebhookSecret("another-secret-another-secret-another-0123", sealed), null);
  });
});
