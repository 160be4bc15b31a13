// Two server processes sharing PostgreSQL and Redis deliver webhooks: when the instance that is sending an
// event is killed in the middle of the request, its lease runs out and the other instance delivers it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_REDIS_URL, type TestSchema, testRedisPrefix } from "../helpers/cluster.ts";
import { readEmails } from "../helpers/outbox.ts";
import { BIN, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { startWebhookReceiver, verifyWithStandardWebhooks, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

const skip = clusterSkipReason() || (process.platform !== "linux" ? "needs /proc to tell which instance sent a request" : false);
const PASSWORD = "Correct-Horse-Battery-Staple-42";

type Instance = ServerProcess;

const startInstance = (env: Record<string, string>): Promise<Instance> => startServerProcess(env);

/** Which of `pids` owns the TCP connection whose local port is `port` (Linux: /proc/net/tcp and the fds). */
function pidOwningLocalPort(port: number, pids: number[]): number | null {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[1]?.endsWith(hex) && columns[9]) inodes.add(columns[9]);
    }
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      // That process has ended.
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode && inodes.has(inode)) return pid;
      } catch {
        // The fd closed meanwhile.
      }
    }
  }
  return null;
}

describe("webhooks with two instances on PostgreSQL", { skip }, () => {
  let schema: TestSchema;
  const prefix = testRedisPrefix();
  let dataDir: string;
  let env: Record<string, string>;
  let receiver: WebhookReceiver;
  const instances: Instance[] = [];

  before(async () => {
    schema = await createTestSchema();
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-webhooks-cluster-"));
    receiver = await startWebhookReceiver();
    env = {
      ...testEnv(dataDir),
      LATCHKEY_DATABASE_URL: schema.url,
      LATCHKEY_REDIS_URL: TEST_REDIS_URL as string,
      LATCHKEY_REDIS_PREFIX: prefix,
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
      LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1",
      // A 2 s timeout makes the lease 9 s, so the test waits seconds, not minutes.
      LATCHKEY_WEBHOOKS_TIMEOUT: "2s",
      LATCHKEY_WEBHOOKS_POLL_INTERVAL: "1s",
    };
  });
  after(async () => {
    for (const i of instances) i.child.kill("SIGKILL");
    await receiver?.close();
    await schema?.drop();
    await dropRedisPrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { env: { ...(process.env as Record<string, string>), ...env }, encoding: "utf8", timeout: 60_000 });

  it("the other instance delivers an event whose sender was killed mid-request", async () => {
    const added = cli(["webhooks", "add", "--url", receiver.url, "--events", "account.created", "--json"]);
    assert.equal(added.status, 0, added.stderr);
    const { id: endpointId, secret } = JSON.parse(added.stdout) as { id: string; secret: string };
    instances.push(await startInstance(env), await startInstance(env));
    const pids = instances.map((i) => i.child.pid as number);

    let killed: number | null = null;
    const senders: Array<number | null> = [];
    receiver.respond = (request) => {
      const sender = pidOwningLocalPort(request.remotePort, pids);
      senders.push(sender);
      if (killed === null && sender !== null) {
        // Kill the instance while its request is open: it never learns the answer, nor records one.
        killed = sender;
        process.kill(sender, "SIGKILL");
        return new Promise<undefined>(() => undefined);
      }
      return 200;
    };

    const [a] = instances as [Instance, Instance];
    const register = await fetch(`${a.url}/api/v1/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier: "cluster-hook@example.com", password: PASSWORD }),
    });
    assert.equal(register.status, 202);
    const code = /\b(\d{6})\b/.exec((await readEmails(join(dataDir, "outbox"))).at(-1)?.text ?? "")?.[1];
    const verify = await fetch(`${a.url}/api/v1/accounts/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier: "cluster-hook@example.com", code, password: PASSWORD }),
    });
    assert.equal(verify.status, 200);

    const [first, second] = await receiver.waitFor(2, 60_000);
    assert.ok(killed !== null, "the first request came from one of the instances");
    assert.equal(senders.length, 2);
    assert.notEqual(senders[1], killed, "the second came from the instance still alive");
    assert.ok(pids.includes(senders[1] as number), "and it is one of ours");
    assert.equal(first?.headers["webhook-id"], second?.headers["webhook-id"], "the same event, so the receiver can dedupe");
    const payload = verifyWithStandardWebhooks(secret, second as NonNullable<typeof second>) as { type: string };
    assert.equal(payload.type, "account.created");

    // The survivor recorded the delivery; the killed instance's attempt counts as the first one.
    let log: Array<{ status: string; attempts: number }> = [];
    for (let i = 0; i < 50; i++) {
      const listed = cli(["webhooks", "deliveries", endpointId, "--json"]);
      assert.equal(listed.status, 0, listed.stderr);
      log = JSON.parse(listed.stdout);
      if (log[0]?.status === "delivered") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(log.length, 1);
    assert.equal(log[0]?.status, "delivered");
    assert.equal(log[0]?.attempts, 2);
    // Nothing more arrives: delivered once the survivor had its answer.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(receiver.received.length, 2);
  });
});
