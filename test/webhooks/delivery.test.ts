// Webhook delivery against a real receiver on loopback (single mode, SQLite): what each change sends,
// signatures checked by an independent implementation, retries, order per account, rollback, pausing,
// and the address rule.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import { openDatabase } from "../../src/stores/index.ts";
import { insertWebhookEvents } from "../../src/stores/sql/webhook-store.ts";
import { addWebhookEndpoint, removeWebhookEndpoint, resumeWebhookEndpoint, sendTestWebhook, WebhookInputError } from "../../src/webhooks/endpoints.ts";
import { accountDeletedEvent, passwordChangedEvent, WEBHOOK_EVENT_TYPES } from "../../src/webhooks/events.ts";
import { runWebhookDeliveryRound, type WebhookAttemptResult } from "../../src/webhooks/worker.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";
import { type ReceivedWebhook, startWebhookReceiver, verifyWithStandardWebhooks, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

const ALL_EVENTS = WEBHOOK_EVENT_TYPES.join(",");
const NEW_PASSWORD = "Lantern-Orchard-Velvet-Comet-9";

/** The scheme's check written out from its specification, for deliveries signed at a test clock's time. */
function verifyBySpecification(secret: string, webhook: ReceivedWebhook): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${webhook.headers["webhook-id"]}.${webhook.headers["webhook-timestamp"]}.${webhook.body}`;
  const expected = createHmac("sha256", key).update(signed).digest();
  return (webhook.headers["webhook-signature"] ?? "").split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    const given = Buffer.from(signature ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe("webhook delivery (SQLite)", () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const endpoints: string[] = [];

  before(async () => {
    t = await createTestApp({ LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "1s" });
  });
  after(async () => {
    await t.close();
  });
  afterEach(async () => {
    for (const id of endpoints.splice(0)) await removeWebhookEndpoint(t.deps, id);
    await receiver?.close();
  });

  async function addEndpoint(url: string, events = ALL_EVENTS): Promise<{ id: string; secret: string }> {
    const { endpoint, secret } = await addWebhookEndpoint(t.deps, { url, events });
    endpoints.push(endpoint.id);
    return { id: endpoint.id, secret };
  }

  /** Runs delivery rounds until nothing is due now. */
  async function deliverDue(): Promise<WebhookAttemptResult[]> {
    const all: WebhookAttemptResult[] = [];
    for (let i = 0; i < 50; i++) {
      const round = await runWebhookDeliveryRound(t.deps);
      if (round.length === 0) break;
      all.push(...round);
    }
    return all;
  }

  it("confirming a registration sends account.created then account.verified, verified by the standardwebhooks package", async () => {
    receiver = await startWebhookReceiver();
    const { secret } = await addEndpoint(receiver.url, "account.created,account.verified");
    await createVerifiedAccount(t, "hooked@example.com");
    assert.equal(receiver.received.length, 0, "nothing is sent by the request itself");
    const results = await deliverDue();
    assert.deepEqual(
      results.map((r) => r.outcome),
      ["delivered", "delivered"],
    );
    assert.deepEqual(
      receiver.received.map((r) => r.type),
      ["account.created", "account.verified"],
    );
    const account = await t.deps.stores.accounts.getAccountByIdentifier("hooked@example.com");
    for (const webhook of receiver.received) {
      const payload = verifyWithStandardWebhooks(secret, webhook) as { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
      assert.deepEqual(Object.keys(payload).sort(), ["data", "id", "occurredAt", "type"]);
      assert.equal(webhook.headers["webhook-id"], payload.id);
      assert.match(payload.id, /^evt_/);
      assert.equal(payload.data.accountId, account?.account.id);
      assert.ok(!Number.isNaN(Date.parse(payload.occurredAt)));
      // No secret, no hash, no password ever leaves in an event.
      assert.doesNotMatch(webhook.body, /argon2|passwordHash|password_hash|Correct-Horse/);
    }
    const created = JSON.parse(receiver.received[0]?.body ?? "{}");
    assert.deepEqual(
      created.data.identifiers.map((i: { kind: string; value: string }) => [i.kind, i.value]),
      [["email", "hooked@example.com"]],
    );
    assert.throws(
      () => verifyWithStandardWebhooks("whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", receiver.received[0] as ReceivedWebhook),
      /signature/i,
      "another secret does not verify",
    );
  });

  it("sends an event for every change that has one, each only to endpoints subscribed to it", async () => {
    receiver = await startWebhookReceiver();
    const { secret } = await addEndpoint(receiver.url);
    const other = await startWebhookReceiver();
    await addEndpoint(other.url, "password.reset");
    try {
      const owner = await createVerifiedAccount(t, "changes@example.com");
      const second = new TestClient(t.app);
      assert.equal(
        (await second.request("POST", "/api/v1/session", { json: { identifier: "changes@example.com", password: STRONG_PASSWORD } })).statusCode,
        200,
      );

      // Add and remove an identifier.
      assert.equal((await owner.request("POST", "/api/v1/account/identifiers", { json: { identifier: "extra@example.com" } })).statusCode, 202);
      await t.deps.tasks.settle();
      const code = await latestCode(t.config.outboxDir, "extra@example.com");
      const added = await owner.request("POST", "/api/v1/account/identifiers/verify", { json: { identifier: "extra@example.com", code } });
      assert.equal(added.statusCode, 201);
      const extraId = (added.json().account.identifiers as Array<{ id: string; value: string }>).find((i) => i.value === "extra@example.com")?.id;
      assert.equal((await owner.request("DELETE", `/api/v1/account/identifiers/${extraId}`)).statusCode, 204);
      // Sign out everywhere else.
      assert.equal((await owner.request("DELETE", "/api/v1/sessions")).statusCode, 200);
      // Change the password, with one other session to end.
      assert.equal(
        (await second.request("POST", "/api/v1/session", { json: { identifier: "changes@example.com", password: STRONG_PASSWORD } })).statusCode,
        200,
      );
      const changed = await owner.request("PUT", "/api/v1/password", {
        json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, captcha: await solveCAPTCHA(owner, "password_change") },
      });
      assert.equal(changed.statusCode, 204, changed.body);
      // Reset it by e-mail link.
      const anon = new TestClient(t.app);
      await anon.request("POST", "/api/v1/password-resets", {
        json: { identifier: "changes@example.com", captcha: await solveCAPTCHA(anon, "password_reset") },
      });
      await t.deps.tasks.settle();
      const mail = (await readEmails(t.config.outboxDir)).filter((m) => m.subject === "Reset your password").at(-1);
      const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1];
      const reset = await anon.request("POST", "/api/v1/password-resets/complete", { json: { token, password: "Quartz-Meadow-Lantern-Fable-77" } });
      assert.equal(reset.statusCode, 204);

      await deliverDue();
      const types = receiver.received.map((r) => r.type);
      assert.deepEqual(types, [
        "account.created",
        "account.verified",
        "identifier.added",
        "identifier.removed",
        "session.revoked",
        "password.changed",
        "session.revoked",
        "password.reset",
        "session.revoked",
      ]);
      for (const webhook of receiver.received) assert.ok(verifyBySpecification(secret, webhook));
      const bodies = receiver.received.map((r) => JSON.parse(r.body));
      assert.deepEqual(bodies[2].data.identifier.value, "extra@example.com");
      assert.deepEqual(bodies[3].data.identifier.value, "extra@example.com");
      assert.deepEqual([bodies[4].data.reason, bodies[4].data.exceptCurrent, bodies[4].data.count], ["signed_out_other_sessions", true, 1]);
      assert.equal(bodies[6].data.reason, "password_changed");
      assert.equal(bodies[7].data.via, "link");
      assert.equal(bodies[8].data.reason, "password_reset");
      // The endpoint subscribed to password.reset got that one only.
      assert.deepEqual(
        other.received.map((r) => r.type),
        ["password.reset"],
      );
      assert.equal(other.received[0]?.id, bodies[7].id, "the same event id for every endpoint");
    } finally {
      await other.close();
    }
  });

  it("retries after a 500 with growing delays, and the delivery log shows each outcome", async () => {
    receiver = await startWebhookReceiver();
    const { id, secret } = await addEndpoint(receiver.url, "password.changed");
    let failures = 2;
    receiver.respond = () => (failures-- > 0 ? 500 : 204);
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-retry")]);
    assert.equal((await deliverDue())[0]?.outcome, "retry");
    let [delivery] = await t.deps.stores.webhooks.listDeliveries({ endpointId: id, limit: 10 });
    assert.equal(delivery?.status, "pending");
    assert.equal(delivery?.lastStatusCode, 500);
    const firstDelay = (delivery?.nextAttemptAt.getTime() ?? 0) - t.clock.now().getTime();
    assert.ok(firstDelay >= 3000 && firstDelay <= 7000, `first retry after about 5 s (${firstDelay} ms)`);
    assert.equal((await deliverDue()).length, 0, "not before its time");
    t.clock.advance(firstDelay + 1000);
    assert.equal((await deliverDue())[0]?.outcome, "retry");
    [delivery] = await t.deps.stores.webhooks.listDeliveries({ endpointId: id, limit: 10 });
    const secondDelay = (delivery?.nextAttemptAt.getTime() ?? 0) - t.clock.now().getTime();
    assert.ok(secondDelay >= 7000 && secondDelay <= 13000, `second retry after about 10 s (${secondDelay} ms)`);
    t.clock.advance(secondDelay + 1000);
    assert.equal((await deliverDue())[0]?.outcome, "delivered");
    [delivery] = await t.deps.stores.webhooks.listDeliveries({ endpointId: id, limit: 10 });
    assert.equal(delivery?.status, "delivered");
    assert.equal(delivery?.attempts, 3);
    assert.equal(delivery?.lastStatusCode, 204);
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size, 1, "every retry carries the same webhook-id");
    assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1, "and the same body");
    for (const webhook of receiver.received) assert.ok(verifyBySpecification(secret, webhook));
  });

  it("retries while the receiver is down and delivers once it is back", async () => {
    receiver = await startWebhookReceiver();
    const port = receiver.port;
    await addEndpoint(receiver.url, "password.changed");
    await receiver.close();
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-down")]);
    const [first] = await deliverDue();
    assert.equal(first?.outcome, "retry");
    assert.match(first?.error ?? "", /ECONNREFUSED/);
    receiver = await startWebhookReceiver(port);
    t.clock.advance(60_000);
    assert.equal((await deliverDue())[0]?.outcome, "delivered");
    assert.equal(receiver.received.length, 1);
  });

  it("keeps the order per account: a later event waits while an earlier one is retried; other accounts go on", async () => {
    receiver = await startWebhookReceiver();
    await addEndpoint(receiver.url, "password.changed,account.deleted");
    let failFirst = true;
    receiver.respond = (r) => {
      if (failFirst && r.accountId === "acct-a") {
        failFirst = false;
        return 503;
      }
      return 200;
    };
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-a")]);
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-b")]);
    await t.deps.stores.webhooks.recordEvents([accountDeletedEvent(t.deps, "acct-a", { kind: "system" })]);
    await deliverDue();
    assert.deepEqual(
      receiver.received.map((r) => `${r.accountId} ${r.type}`),
      ["acct-a password.changed", "acct-b password.changed"],
      "acct-a's second event waits for its first; acct-b is not held up",
    );
    t.clock.advance(60_000);
    await deliverDue();
    assert.deepEqual(
      receiver.received.map((r) => `${r.accountId} ${r.type}`),
      ["acct-a password.changed", "acct-b password.changed", "acct-a password.changed", "acct-a account.deleted"],
    );
  });

  it("delivers nothing for a change that was rolled back", async () => {
    receiver = await startWebhookReceiver();
    const { id } = await addEndpoint(receiver.url, "password.changed,account.deleted");
    await createVerifiedAccount(t, "rollback@example.com");
    const found = await t.deps.stores.accounts.getAccountByIdentifier("rollback@example.com");
    assert.ok(found);
    // A store verb whose transaction fails after the change: the same event twice breaks the unique id,
    // so the password update and the first event row roll back together.
    const event = passwordChangedEvent(t.deps, found.account.id);
    await assert.rejects(t.deps.stores.accounts.updatePasswordHash(found.account.id, "not-a-real-hash", t.clock.now(), [event, event]));
    assert.equal((await t.deps.stores.accounts.getAccountById(found.account.id))?.passwordHash, found.account.passwordHash, "the change was rolled back");
    // The helper for other transactions: an admin action that fails after writing its event.
    const { db, codec } = openDatabase(t.config);
    try {
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom("accounts").where("id", "=", found.account.id).execute();
          await insertWebhookEvents(trx, codec, [accountDeletedEvent(t.deps, found.account.id, { kind: "admin", accountId: "admin-1" })]);
          throw new Error("the admin action fails after its event was written");
        }),
        /fails after/,
      );
    } finally {
      await db.destroy();
    }
    assert.ok(await t.deps.stores.accounts.getAccountById(found.account.id), "the account is still there");
    assert.deepEqual(await t.deps.stores.webhooks.listDeliveries({ endpointId: id, limit: 10 }), []);
    await deliverDue();
    assert.equal(receiver.received.length, 0);
  });

  it("pauses an endpoint that failed for more than a day, tells the admins, and resumes it on request", async () => {
    receiver = await startWebhookReceiver();
    receiver.respond = () => 500;
    const { id } = await addEndpoint(receiver.url, "password.changed");
    await createVerifiedAccount(t, "boss@example.com");
    const boss = await t.deps.stores.accounts.getAccountByIdentifier("boss@example.com");
    await t.deps.stores.accounts.setAccountAdmin(boss?.account.id as string, true, t.clock.now());
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-pause")]);
    const start = t.clock.now().getTime();
    let outcomes: string[] = [];
    while (t.clock.now().getTime() - start < 26 * 3600 * 1000) {
      outcomes = outcomes.concat((await deliverDue()).map((r) => r.outcome));
      if (outcomes.includes("failed")) break;
      t.clock.advance(10 * 60 * 1000);
    }
    assert.equal(outcomes.at(-1), "failed");
    assert.ok(outcomes.length > 20, `retried through the day (${outcomes.length} attempts)`);
    const endpoint = await t.deps.stores.webhooks.getEndpoint(id);
    assert.ok(endpoint?.pausedAt, "the endpoint is paused");
    assert.ok((endpoint?.pausedAt?.getTime() ?? 0) - start >= 24 * 3600 * 1000, "only after at least 24 h of retries");
    const notice = (await readEmails(t.config.outboxDir)).filter((m) => m.subject === "A webhook endpoint was paused");
    assert.equal(notice.length, 1, "one e-mail, to the one admin");
    assert.match(notice[0]?.to ?? "", /boss@example\.com/);
    assert.match(notice[0]?.text ?? "", new RegExp(`latchkey webhooks resume ${id}`));
    const audit = await t.deps.stores.audit.listEvents({ types: ["webhook.endpoint_paused"], limit: 10 });
    assert.equal(audit[0]?.detail?.endpointId, id);
    // Paused: a new event waits and nothing is sent.
    receiver.respond = () => 200;
    const sentBefore = receiver.received.length;
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-pause-2")]);
    await deliverDue();
    assert.equal(receiver.received.length, sentBefore);
    assert.equal((await sendTestWebhook(t.deps, id)).attempt, null, "a test waits too");
    assert.equal(await resumeWebhookEndpoint(t.deps, id), true);
    await deliverDue();
    assert.deepEqual(
      receiver.received.slice(sentBefore).map((r) => r.type),
      ["password.changed", "webhook.test"],
    );
  });

  it("follows no redirect and gives up on a receiver that does not answer in time", async () => {
    receiver = await startWebhookReceiver();
    const { id } = await addEndpoint(`${receiver.url}/redirect`, "password.changed");
    receiver.respond = (r, res) => {
      if (r.path.endsWith("/redirect")) {
        res.writeHead(307, { location: `${receiver.url}/elsewhere` }).end();
        return undefined;
      }
      return 200;
    };
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-redirect")]);
    const [redirected] = await deliverDue();
    assert.equal(redirected?.outcome, "retry");
    assert.match(redirected?.error ?? "", /307 \(redirects are not followed\)/);
    assert.deepEqual(
      receiver.received.map((r) => r.path),
      ["/hooks/redirect"],
    );
    await removeWebhookEndpoint(t.deps, id);

    // Holds the request open: the 1 s timeout ends it.
    receiver.respond = () => new Promise<undefined>(() => undefined);
    const { id: slowId } = await addEndpoint(`${receiver.url}/slow`, "password.changed");
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-slow")]);
    const [slow] = await deliverDue();
    assert.equal(slow?.outcome, "retry");
    assert.match(slow?.error ?? "", /no answer within 1000 ms/);
    const [logged] = await t.deps.stores.webhooks.listDeliveries({ endpointId: slowId, limit: 1 });
    assert.match(logged?.lastError ?? "", /no answer/);
  });

  it("sends a test event to one endpoint on request", async () => {
    receiver = await startWebhookReceiver();
    const { id, secret } = await addEndpoint(receiver.url, "account.deleted");
    const { eventId, attempt } = await sendTestWebhook(t.deps, id);
    assert.equal(attempt?.outcome, "delivered");
    // Earlier tests moved the clock a day on, so the package's five-minute window would refuse it: the written-out check.
    assert.ok(verifyBySpecification(secret, receiver.received[0] as ReceivedWebhook));
    const payload = JSON.parse(receiver.received[0]?.body ?? "") as { id: string; type: string; data: { endpointId: string } };
    assert.equal(payload.id, eventId);
    assert.equal(payload.type, "webhook.test");
    assert.equal(payload.data.endpointId, id);
    await assert.rejects(sendTestWebhook(t.deps, "ep_missing"), WebhookInputError);
  });

  it("refuses unknown events and malformed URLs when an endpoint is added", async () => {
    await assert.rejects(
      addWebhookEndpoint(t.deps, { url: "https://example.com/hook", events: "account.created,account.exploded" }),
      /unknown event account\.exploded/,
    );
    await assert.rejects(addWebhookEndpoint(t.deps, { url: "https://example.com/hook", events: "" }), /at least one event/);
    await assert.rejects(addWebhookEndpoint(t.deps, { url: "ftp://example.com/hook", events: "account.created" }), /https/);
    await assert.rejects(addWebhookEndpoint(t.deps, { url: "https://user:pw@example.com/hook", events: "account.created" }), /user name or password/);
    await assert.rejects(addWebhookEndpoint(t.deps, { url: `https://example.com/${"a".repeat(2100)}`, events: "account.created" }), /1–2048/);
  });
});

describe("webhook addresses without LATCHKEY_WEBHOOKS_ALLOW_PRIVATE", () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  before(async () => {
    t = await createTestApp({ LATCHKEY_WEBHOOKS_TIMEOUT: "2s" });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  it("refuses a loopback or private address literal when the endpoint is added", async () => {
    for (const url of [
      receiver.url,
      "http://10.1.2.3/hook",
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://169.254.169.254/latest",
      "http://0.0.0.0/",
    ]) {
      await assert.rejects(addWebhookEndpoint(t.deps, { url, events: "password.changed" }), /loopback, private or reserved/, url);
    }
    // Public addresses and names are accepted.
    for (const url of ["https://93.184.215.14/hook", "https://[2606:4700:4700::1111]/hook", "https://hooks.example.com/latchkey"]) {
      const { endpoint } = await addWebhookEndpoint(t.deps, { url, events: "password.changed" });
      await t.deps.stores.webhooks.deleteEndpoint(endpoint.id);
    }
  });

  it("refuses at connection time a name that resolves to loopback, so nothing reaches the receiver", async () => {
    // "localhost" passes the check on adding (it is a name); what it resolves to is checked when connecting,
    // which is what stops a name that is rebound to an internal address after it was added.
    const { endpoint } = await addWebhookEndpoint(t.deps, { url: `http://localhost:${receiver.port}/hooks`, events: "password.changed" });
    await t.deps.stores.webhooks.recordEvents([passwordChangedEvent(t.deps, "acct-private")]);
    const [result] = await runWebhookDeliveryRound(t.deps);
    assert.equal(result?.outcome, "retry");
    assert.match(result?.error ?? "", /loopback, private or reserved/);
    assert.equal(receiver.received.length, 0);
    const [logged] = await t.deps.stores.webhooks.listDeliveries({ endpointId: endpoint.id, limit: 1 });
    assert.match(logged?.lastError ?? "", /LATCHKEY_WEBHOOKS_ALLOW_PRIVATE/);
  });
});
