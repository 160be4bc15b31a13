// The "by hand" verification function of docs/webhooks.md, taken from the page as written, checked against
// real deliveries to a receiver on loopback: receivers copy it, so it must refuse what it claims to refuse.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { addWebhookEndpoint, rotateWebhookSecret } from "../../src/webhooks/endpoints.ts";
import { passwordChangedEvent } from "../../src/webhooks/events.ts";
import { runWebhookDeliveryRound } from "../../src/webhooks/worker.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

type Verify = (secret: string, headers: Record<string, string | undefined>, rawBody: string) => boolean;

/** The code block of docs/webhooks.md that defines verifyLatchkeyWebhook, loaded as a module. */
async function loadDocumentedVerifier(dir: string): Promise<Verify> {
  const doc = readFileSync(new URL("../../docs/webhooks.md", import.meta.url), "utf8");
  const block = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((code) => code.includes("function verifyLatchkeyWebhook"));
  assert.ok(block, "docs/webhooks.md shows verifyLatchkeyWebhook");
  const file = join(dir, "verify.mjs");
  writeFileSync(file, `${block}\nexport { verifyLatchkeyWebhook };\n`);
  const module = (await import(pathToFileURL(file).href)) as { verifyLatchkeyWebhook: Verify };
  return module.verifyLatchkeyWebhook;
}

describe("the verification example in docs/webhooks.md", () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let dir: string;
  let verify: Verify;
  let secret: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-verify-example-"));
    verify = await loadDocumentedVerifier(dir);
    // The test clock starts at the real time, which the example compares the timestamp with.
    t = await createTestApp({ LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "5s" });
    receiver = await startWebhookReceiver();
    ({ secret } = await addWebhookEndpoint(t.deps, { url: receiver.url, events: "password.changed" }));
  });
  after(async () => {
    await receiver.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deliver(accountId: string): Promise<ReceivedWebhook> {
    const before = receiver.received.length;
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, accountId)]);
    const [result] = await runWebhookDeliveryRound(t.deps);
    assert.equal(result?.outcome, "delivered");
    return receiver.received[before] as ReceivedWebhook;
  }

  it("accepts a delivery as sent, and refuses it with another body or secret", async () => {
    const webhook = await deliver("acct-fresh");
    assert.equal(verify(secret, webhook.headers, webhook.body), true);
    assert.equal(verify(secret, webhook.headers, webhook.body.replace("acct-fresh", "acct-other")), false);
    const otherSecret = (await addWebhookEndpoint(t.deps, { url: `${receiver.url}/other`, events: "account.deleted" })).secret;
    assert.equal(verify(otherSecret, webhook.headers, webhook.body), false);
  });

  it("refuses a request that lacks a header instead of throwing", () => {
    const webhook = receiver.received[0] as ReceivedWebhook;
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const { [name]: _left, ...headers } = webhook.headers;
      assert.equal(verify(secret, headers, webhook.body), false, `without ${name}`);
    }
  });

  it("refuses a request signed ten minutes ago (a replay), and a timestamp that is not a number even when signed", async () => {
    t.clock.advance(-10 * 60 * 1000);
    const old = await deliver("acct-replayed");
    t.clock.advance(10 * 60 * 1000);
    assert.equal(verify(secret, old.headers, old.body), false);
    // Signed over whatever the timestamp header says: a value that is no number must not skip the window.
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    for (const timestamp of ["soon", "", "1e99"]) {
      const signature = createHmac("sha256", key).update(`${old.headers["webhook-id"]}.${timestamp}.${old.body}`).digest("base64");
      const headers = { ...old.headers, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
      assert.equal(verify(secret, headers, old.body), false, `timestamp ${JSON.stringify(timestamp)}`);
    }
  });

  it("accepts a request sent during a secret rotation's grace period with either secret, and after it with the new one only", async () => {
    const endpointId = (await t.deps.stores.webhooks.listEndpoints()).find((e) => e.url === receiver.url)?.id ?? "";
    const { secret: newSecret } = await rotateWebhookSecret(t.deps, endpointId, { graceSeconds: 60 });
    const during = await deliver("acct-rotating");
    assert.equal(during.headers["webhook-signature"]?.split(" ").length, 2);
    assert.equal(verify(secret, during.headers, during.body), true, "with the old secret");
    assert.equal(verify(newSecret, during.headers, during.body), true, "with the new secret");
    // Either signature alone, in either place of the header, is enough.
    const [first, second] = (during.headers["webhook-signature"] ?? "").split(" ");
    assert.equal(verify(secret, { ...during.headers, "webhook-signature": `${second} ${first}` }, during.body), true);
    assert.equal(verify(newSecret, { ...during.headers, "webhook-signature": `${first}` }, during.body), true);
    assert.equal(verify(secret, { ...during.headers, "webhook-signature": `${first}` }, during.body), false);

    t.clock.advance(61 * 1000);
    const later = await deliver("acct-rotated");
    assert.equal(verify(newSecret, later.headers, later.body), true);
    assert.equal(verify(secret, later.headers, later.body), false);
    secret = newSecret;
  });
});
