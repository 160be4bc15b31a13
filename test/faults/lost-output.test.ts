// Standard output that goes away (its reader closed the pipe) or cannot be written (a full disk under a
// redirected log) loses the log lines and nothing else: the server keeps answering and still shuts down in
// order. Before, the first line written after that ended the process with an unhandled EPIPE or ENOSPC.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testEnv } from "../helpers/app.ts";
import { BIN, findFreePort, startServerProcess } from "../helpers/server-process.ts";

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** A request that fails after 5 s instead of waiting for a server that stopped answering. */
function request(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
}

async function waitForHealthz(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server ended (${child.exitCode ?? child.signalCode})`);
    try {
      if ((await request(`${base}/healthz`)).status === 200) return;
    } catch {
      // Not listening yet, or not answering.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the server did not answer /healthz within 30 s");
}

/** Stops the server with SIGTERM, as a service manager does, and expects the orderly exit (status 0). */
async function stopInOrder(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const { code, signal } = await done;
  clearTimeout(timer);
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, "the shutdown ran to its end");
}

/** The test environment for `latchkey serve` in development, with its request lines on standard output. */
function developmentEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...testEnv(dir),
    NODE_ENV: "development",
    LATCHKEY_LOG_LEVEL: "info",
    LATCHKEY_HOST: "127.0.0.1",
    LATCHKEY_PORT: "0",
  };
  // The trivial security check is for NODE_ENV=test only; nothing here needs it.
  delete env.LATCHKEY_CAPTCHA_TEST_MODE;
  return env;
}

// A server that stopped answering fails a test here instead of holding the run.
describe("standard output that is lost", { timeout: 120_000 }, () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-lost-output-"));
  });
  after(() => {
    for (const child of children) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("development: the reader of the readable log closes the pipe, and the server keeps answering", async () => {
    const server = await startServerProcess(developmentEnv(join(dataDir, "dev")));
    const { child, port } = server;
    children.push(child);
    // The reader goes away: every line the server writes from now on meets a closed pipe.
    child.stdout?.destroy();
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 20; i++) {
      const page = await request(`${base}/signin`);
      assert.equal(page.status, 200, `request ${i + 1}`);
      await page.text();
    }
    assert.equal((await request(`${base}/healthz`)).status, 200);
    assert.equal(child.exitCode, null, `still running; output: ${server.output()}`);
    await stopInOrder(child);
    assert.doesNotMatch(server.output(), /EPIPE/);
  });

  it("production: the JSON log and standard error go to a full disk, and the server keeps answering", async (t) => {
    if (!existsSync("/dev/full")) return t.skip("no /dev/full on this system");
    const full = openSync("/dev/full", "w");
    const port = await findFreePort();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...testEnv(join(dataDir, "production")),
      NODE_ENV: "production",
      LATCHKEY_BASE_URL: "https://signin.example.com",
      LATCHKEY_MAIL_FROM: "no-reply@example.com",
      LATCHKEY_MAIL_TRANSPORT: "outbox",
      LATCHKEY_SMS_PROVIDER: "outbox",
      LATCHKEY_LOG_LEVEL: "info",
      LATCHKEY_HOST: "127.0.0.1",
      LATCHKEY_PORT: String(port),
    };
    delete env.LATCHKEY_CAPTCHA_TEST_MODE;
    const child = spawn(process.execPath, [BIN, "serve"], { env, stdio: ["ignore", full, full] });
    children.push(child);
    closeSync(full);
    const base = `http://127.0.0.1:${port}`;
    await waitForHealthz(base, child);
    // Every refused sign-in writes log lines ("request refused", "request completed").
    for (let i = 0; i < 20; i++) {
      const answer = await request(`${base}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: `person${i}@example.com`, password: "not the password" }),
      });
      assert.equal(answer.status < 500, true, `request ${i + 1} answered ${answer.status}`);
      await answer.text();
    }
    assert.equal((await request(`${base}/healthz`)).status, 200);
    assert.equal(child.exitCode, null, "still running");
    await stopInOrder(child);
  });
});
