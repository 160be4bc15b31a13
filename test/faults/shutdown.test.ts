// Shutting down while PostgreSQL hangs: SIGTERM stops accepting at once, closes the requests still open at
// LATCHKEY_SHUTDOWN_TIMEOUT, and the process ends a little later even though its pool cannot close.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, TEST_DATABASE_URL, type TestSchema } from "../helpers/cluster.ts";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.ts";
import { startServerProcess } from "../helpers/server-process.ts";

const skip = clusterSkipReason();

describe("shutdown while storage hangs", { skip, timeout: 120_000 }, () => {
  let schema: TestSchema;
  let database: FaultProxy;
  let dataDir: string;
  before(async () => {
    schema = await createTestSchema();
    const pgUrl = new URL(TEST_DATABASE_URL as string);
    database = await startFaultProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-shutdown-"));
  });
  after(async () => {
    await database?.close();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("ends the process after SIGTERM although PostgreSQL answers nothing", async () => {
    const url = new URL(schema.url);
    url.hostname = "127.0.0.1";
    url.port = String(database.port);
    const server = await startServerProcess({
      ...testEnv(dataDir),
      LATCHKEY_HOST: "127.0.0.1",
      LATCHKEY_DATABASE_URL: url.href,
      LATCHKEY_DATABASE_TIMEOUT: "60s",
      LATCHKEY_REQUEST_TIMEOUT: "60s",
      LATCHKEY_SHUTDOWN_TIMEOUT: "1s",
    });
    try {
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      database.freeze();
      // A sign-in that waits on the hung database, still open when the signal comes.
      const pending = fetch(`${server.url}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: "someone@example.com", password: "Correct-Horse-Battery-Staple-42" }),
      }).then(
        (response) => response.status,
        () => "no answer",
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      server.child.kill("SIGTERM");
      // 1 s for the requests, 5 s for the pools: well before this bound unless it hangs for good.
      const bound = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 30_000).unref());
      const code = await Promise.race([server.exited, bound]);
      assert.equal(code, 1, `exit status (output: ${server.output()})`);
      assert.match(server.output(), /requests still open after 1s; closing their connections/);
      assert.match(server.output(), /Shutdown: storage still not closed 6s after SIGTERM; exiting without waiting for it\./);
      assert.equal(await pending, "no answer");
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
      await database.restore();
    }
  });
});
