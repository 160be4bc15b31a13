// `latchkey webhooks …` and the account commands' events, run as real processes against a real SQLite file
// and a real receiver on loopback.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { createManualClock } from "../../src/lib/clock.ts";
import { runWebhookDeliveryRound } from "../../src/webhooks/worker.ts";
import { createDeps } from "../../src/wiring.ts";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { testEnv } from "../helpers/app.ts";
import { type CLIResult, runCLI } from "../helpers/cli-process.ts";
import { type ReceivedWebhook, startWebhookReceiver, verifyWithStandardWebhooks, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

describe("latchkey webhooks", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let receiver: WebhookReceiver;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-webhooks-cli-"));
    env = { ...(process.env as Record<string, string>), ...testEnv(dataDir, { LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "2s" }) };
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the CLI without blocking this process, whose receiver must keep answering meanwhile. */
  const run = (args: string[], extraEnv: Record<string, string> = {}, input = ""): Promise<CLIResult> => runCLI({ ...env, ...extraEnv }, args, input);

  /** Delivers what is due, as a running server's worker would (`aheadMs` from now, for retries). */
  async function deliverDue(aheadMs = 0): Promise<void> {
    const clock = createManualClock(new Date(Date.now() + aheadMs));
    const deps = await createDeps(loadConfig(env), { clock, logger: { info() {}, warn() {}, error() {} } });
    try {
      for (let i = 0; i < 20 && (await runWebhookDeliveryRound(deps)).length > 0; i++);
    } finally {
      await deps.stores.close();
    }
  }

  it("adds an endpoint, shows its secret once, tests it, logs deliveries, sends account events and removes it", async () => {
    const added = await run([
      "webhooks",
      "add",
      "--url",
      receiver.url,
      "--events",
      "account.created,account.disabled,account.enabled,session.revoked",
      "--json",
    ]);
    assert.equal(added.status, 0, added.stderr);
    const endpoint = JSON.parse(added.stdout) as { id: string; secret: string; events: string[]; status: string };
    assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(endpoint.events, ["account.created", "account.disabled", "account.enabled", "session.revoked"]);
    // Stored encrypted: the secret is nowhere in the database file.
    const database = readFileSync(join(dataDir, "latchkey.db"));
    assert.equal(database.includes(endpoint.secret.slice(6)), false);

    const listed = await run(["webhooks", "list", "--json"]);
    assert.equal(listed.status, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.equal(list[0]?.id, endpoint.id);
    assert.equal(list[0]?.status, "active");
    assert.equal(listed.stdout.includes(endpoint.secret), false, "the secret is not shown again");

    const tested = await run(["webhooks", "test", endpoint.id]);
    assert.equal(tested.status, 0, `${tested.stdout} ${tested.stderr}`);
    assert.match(tested.stdout, /Delivered test event evt_\S+ \(answered 200\)/);
    assert.equal(
      (verifyWithStandardWebhooks(endpoint.secret, receiver.received[0] as NonNullable<(typeof receiver.received)[0]>) as { type: string }).type,
      "webhook.test",
    );

    for (const [args, input] of [
      [["accounts", "create", "--identifier", "cli-hook@example.com"], `${STRONG_PASSWORD}\n`],
      [["accounts", "disable", "cli-hook@example.com"], ""],
      [["accounts", "enable", "cli-hook@example.com"], ""],
    ] as const) {
      const done = await run([...args], {}, input);
      assert.equal(done.status, 0, `${args.join(" ")}: ${done.stderr}`);
    }
    await deliverDue();
    const types = receiver.received.slice(1).map((r) => r.type);
    assert.deepEqual(types, ["account.created", "account.disabled", "account.enabled"], "no session.revoked: the account had no session");
    const disabled = JSON.parse(receiver.received[2]?.body ?? "{}");
    assert.deepEqual(disabled.data.actor, { kind: "admin" });
    for (const r of receiver.received) verifyWithStandardWebhooks(endpoint.secret, r);

    const deliveries = await run(["webhooks", "deliveries", endpoint.id, "--json"]);
    assert.equal(deliveries.status, 0, deliveries.stderr);
    const log = JSON.parse(deliveries.stdout) as Array<{ eventType: string; status: string; attempts: number; lastStatusCode: number }>;
    assert.deepEqual(
      log.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode]),
      [
        ["account.enabled", "delivered", 1, 200],
        ["account.disabled", "delivered", 1, 200],
        ["account.created", "delivered", 1, 200],
        ["webhook.test", "delivered", 1, 200],
      ],
    );
    const text = await run(["webhooks", "deliveries"]);
    assert.match(text.stdout, /account\.enabled\tevt_\S+\tdelivered\t1\tanswered 200/);
    assert.match(text.stdout, /4 deliveries/);

    const resumed = await run(["webhooks", "resume", endpoint.id]);
    assert.equal(resumed.status, 1);
    assert.match(resumed.stderr, /not a paused webhook endpoint/);
    assert.equal((await run(["webhooks", "remove", endpoint.id])).status, 0);
    const again = await run(["webhooks", "remove", endpoint.id]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /no webhook endpoint/);
    assert.match((await run(["webhooks", "list"])).stdout, /0 endpoint\(s\)/);
  });

  it("rotate-secret shows the new secret once, keeps the endpoint and its waiting deliveries, and signs with both secrets for the grace period", async () => {
    const added = await run(["webhooks", "add", "--url", receiver.url, "--events", "account.created", "--json"]);
    assert.equal(added.status, 0, added.stderr);
    const endpoint = JSON.parse(added.stdout) as { id: string; secret: string };
    // A delivery waits (the receiver is down) while the secret is rotated.
    receiver.respond = () => 503;
    assert.equal((await run(["webhooks", "test", endpoint.id])).status, 1);
    receiver.respond = () => 200;

    const startedAt = Date.now();
    const rotated = await run(["webhooks", "rotate-secret", endpoint.id, "--grace", "2h", "--json"]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const shown = JSON.parse(rotated.stdout) as { id: string; secret: string; previousSecretValidUntil: string; status: string };
    assert.equal(shown.id, endpoint.id);
    assert.match(shown.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(shown.secret, endpoint.secret);
    assert.equal(rotated.stdout.includes(endpoint.secret), false, "the old secret is not shown");
    const until = Date.parse(shown.previousSecretValidUntil);
    assert.ok(until >= startedAt + 2 * 3600 * 1000 - 1000 && until <= Date.now() + 2 * 3600 * 1000, shown.previousSecretValidUntil);
    const database = readFileSync(join(dataDir, "latchkey.db"));
    for (const secret of [endpoint.secret, shown.secret]) assert.equal(database.includes(secret.slice(6)), false, "stored encrypted");

    for (const args of [
      ["webhooks", "list"],
      ["webhooks", "list", "--json"],
    ]) {
      const listed = await run(args);
      assert.equal(listed.status, 0, listed.stderr);
      for (const secret of [endpoint.secret, shown.secret]) assert.equal(listed.stdout.includes(secret.slice(6)), false, `${args.join(" ")} shows no secret`);
      assert.ok(listed.stdout.includes(shown.previousSecretValidUntil), `${args.join(" ")} shows until when the old secret signs`);
    }
    const waiting = JSON.parse((await run(["webhooks", "deliveries", endpoint.id, "--json"])).stdout) as Array<{ status: string }>;
    assert.deepEqual(
      waiting.map((d) => d.status),
      ["pending"],
    );

    // The waiting test event goes out at its retry (a running server's worker sends it) with both signatures.
    const before = receiver.received.length;
    await deliverDue(60 * 1000);
    const sent = receiver.received.slice(before);
    assert.equal(sent.length, 1);
    for (const secret of [endpoint.secret, shown.secret])
      assert.equal((verifyWithStandardWebhooks(secret, sent[0] as ReceivedWebhook) as { type: string }).type, "webhook.test");

    const text = await run(["webhooks", "rotate-secret", endpoint.id, "--grace", "0"]);
    assert.equal(text.status, 0, text.stderr);
    const [newest] = text.stdout.match(/whsec_[A-Za-z0-9+/]{43}=/g) ?? [];
    assert.ok(newest);
    assert.match(text.stdout, /shown only now/);
    assert.match(text.stdout, /signed with the new secret only/);
    const tested = await run(["webhooks", "test", endpoint.id]);
    assert.equal(tested.status, 0, tested.stderr);
    const last = receiver.received.at(-1) as ReceivedWebhook;
    verifyWithStandardWebhooks(newest, last);
    assert.throws(() => verifyWithStandardWebhooks(shown.secret, last));

    for (const [args, status, message] of [
      [["webhooks", "rotate-secret", endpoint.id, "--grace", "soon"], 2, /--grace takes a duration/],
      [["webhooks", "rotate-secret", endpoint.id, "--grace", "8d"], 1, /grace period must be 0 to 7 days/],
      [["webhooks", "rotate-secret", "ep_missing"], 1, /no webhook endpoint ep_missing/],
      [["webhooks", "rotate-secret"], 2, /needs the endpoint id/],
      [["webhooks", "list", "--grace", "1h"], 2, /--grace is only for webhooks rotate-secret/],
    ] as const) {
      const refused = await run([...args]);
      assert.equal(refused.status, status, `${args.join(" ")}: ${refused.stderr}`);
      assert.match(refused.stderr, message);
    }
    assert.match((await run(["--help"])).stdout, /webhooks rotate-secret ID \[--grace 24h\] \[--json\]/);
    assert.equal((await run(["webhooks", "remove", endpoint.id])).status, 0);
  });

  it("refuses unknown events, a private address without the setting, and wrong usage", async () => {
    const unknown = await run(["webhooks", "add", "--url", "https://example.com/h", "--events", "account.created,account.exploded"]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown event account\.exploded/);
    const privateAddress = await run(["webhooks", "add", "--url", "http://192.168.1.10/h", "--events", "account.created"], {
      LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "0",
    });
    assert.equal(privateAddress.status, 1);
    assert.match(privateAddress.stderr, /loopback, private or reserved address/);
    const missing = await run(["webhooks", "add", "--url", "https://example.com/h"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--events/);
    assert.equal((await run(["webhooks", "frobnicate"])).status, 2);
    assert.match((await run(["--help"])).stdout, /webhooks add --url URL --events a,b \[--json\]/);
  });
});
