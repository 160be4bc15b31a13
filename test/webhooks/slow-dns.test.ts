// A webhook receiver whose name never resolves must not stall sign-ins. Name lookups (getaddrinfo) run on
// libuv's thread pool, which also verifies passwords; libuv lets such slow work take at most half of the
// pool's threads, so hashes keep the rest. The real server runs here in a mount namespace of its own whose
// /etc/resolv.conf names this test's DNS server on 127.0.0.77, which takes every query and answers none.
// With a pool of one thread (UV_THREADPOOL_SIZE=1, where half is that thread) the sign-in waits for the
// resolver and the test fails. Root only (unshare and mount).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { addWebhookEndpoint } from "../../src/webhooks/endpoints.ts";
import { passwordChangedEvent } from "../../src/webhooks/events.ts";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { BIN } from "../helpers/server-process.ts";

const ENDPOINTS = 6;
const ACCOUNTS = 40;
const SETTINGS: Record<string, string> = { LATCHKEY_WEBHOOKS_TIMEOUT: "60s", LATCHKEY_WEBHOOKS_POLL_INTERVAL: "1s" };
const skip = process.getuid?.() !== 0 ? "needs root (unshare --mount)" : false;

/** The name asked in a DNS query (RFC 1035 4.1.2: labels after the 12-byte header). */
function questionName(packet: Buffer): string {
  const labels: string[] = [];
  let at = 12;
  while (at < packet.length && packet[at] !== 0) {
    const length = packet[at] as number;
    labels.push(packet.subarray(at + 1, at + 1 + length).toString("latin1"));
    at += 1 + length;
  }
  return labels.join(".").toLowerCase();
}

describe("webhooks to a name whose DNS never answers", { skip }, () => {
  let t: TestApp;
  let dns: Socket;
  const asked = new Set<string>();
  before(async () => {
    dns = createSocket("udp4");
    dns.on("message", (packet) => asked.add(questionName(packet)));
    await new Promise<void>((resolve) => dns.bind(53, "127.0.0.77", resolve));
    t = await createTestApp(SETTINGS);
  });
  after(async () => {
    dns.close();
    await t.close();
  });

  it("a sign-in is answered while every webhook lookup hangs", async () => {
    await seedVerifiedAccount(t, "dns-wait@example.com");
    for (let i = 0; i < ENDPOINTS; i++) await addWebhookEndpoint(t.deps, { url: `http://hook${i}.unanswered.test/`, events: "password.changed" });
    // Enough deliveries for every endpoint's share in flight at once (5 each): 30 lookups without a limit.
    await t.deps.stores.webhooks.recordEvents(Array.from({ length: ACCOUNTS }, (_, i) => passwordChangedEvent(t.deps, `acct-${i}`)));
    const resolvConf = join(t.dataDir, "resolv.conf");
    // One try of 30 seconds (the most the resolver takes): every lookup hangs for the whole test.
    writeFileSync(resolvConf, "nameserver 127.0.0.77\noptions timeout:30 attempts:1\n");
    const server = spawn(
      "unshare",
      ["--mount", "--", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, process.execPath, BIN, "serve"],
      { env: { ...(process.env as Record<string, string>), ...testEnv(t.dataDir, SETTINGS), LATCHKEY_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let output = "";
      const port = await new Promise<number>((resolve, reject) => {
        const onData = (d: Buffer): void => {
          output += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
          if (m?.[1]) resolve(Number(m[1]));
        };
        server.stdout.on("data", onData);
        server.stderr.on("data", onData);
        server.once("exit", (code) => reject(new Error(`the server exited (${code}): ${output}`)));
      });
      while (asked.size === 0) await sleep(50);
      // Time for every delivery the worker claimed to reach its lookup (30 of them: 5 for each endpoint).
      await sleep(1000);
      // The request gives up well before the resolver would (30 s): a stalled thread pool fails it.
      const signin = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: "dns-wait@example.com", password: STRONG_PASSWORD }),
        signal: AbortSignal.timeout(15_000),
      });
      assert.equal(signin.status, 200, await signin.text());
      const deliveries = await t.deps.stores.webhooks.listDeliveries({ limit: 1000 });
      assert.equal(deliveries.length, ENDPOINTS * ACCOUNTS);
      assert.ok(
        deliveries.every((d) => d.lastError === null && d.status === "pending"),
        "every lookup was still hanging when the sign-in was answered",
      );
    } finally {
      server.kill("SIGTERM");
      if (server.exitCode === null) await new Promise((resolve) => server.once("exit", resolve));
    }
  });
});
