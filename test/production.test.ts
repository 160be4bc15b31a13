// The production process: `latchkey serve` from the compiled dist/, with NODE_ENV=production. It must run
// without any TypeScript loader, find its assets (styles, help articles, fonts, voices) from dist/, and log JSON.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { solvePowPuzzle } from "../src/pow/puzzles.ts";
import { TEST_SECRET } from "./helpers/app.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(ROOT, "bin", "latchkey.js");
const START_TIMEOUT_MS = 60_000;

/** This machine's environment without Latchkey settings or a NODE_OPTIONS that could add a loader. */
function productionEnv(dataDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("LATCHKEY_") && key !== "NODE_ENV" && key !== "NODE_OPTIONS") env[key] = value;
  }
  return {
    ...env,
    NODE_ENV: "production",
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET: TEST_SECRET,
    LATCHKEY_HOST: "127.0.0.1",
    LATCHKEY_PORT: "0",
    LATCHKEY_MAIL_TRANSPORT: "outbox",
    LATCHKEY_MAIL_FROM: "no-reply@example.com",
    LATCHKEY_SMS_PROVIDER: "outbox",
    LATCHKEY_ARGON2_MEMORY_KIB: "1024",
    LATCHKEY_ARGON2_TIME_COST: "1",
  };
}

/** The ids of the child processes of `pid` (every thread's children). */
function childProcessesOf(pid: number): number[] {
  const ids: number[] = [];
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${thread}/children`, "utf8").trim();
    if (text) ids.push(...text.split(/\s+/).map(Number));
  }
  return ids;
}

describe("the production process (compiled dist/)", { skip: process.platform !== "linux" ? "reads /proc" : false }, () => {
  let dataDir: string;
  let child: ChildProcess;
  let output = "";
  let baseUrl = "";

  before(async () => {
    // `npm test` builds first; a checkout without dist/ is built by bin/latchkey.js on first start.
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-production-"));
    child = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env: productionEnv(dataDir), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const started = Date.now();
    while (!/listening on 127\.0\.0\.1:(\d+)/.test(output)) {
      if (child.exitCode !== null) throw new Error(`the server stopped:\n${output}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`the server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    baseUrl = `http://127.0.0.1:${/listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]}`;
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs dist/ with no TypeScript loader in the process", () => {
    assert.ok(existsSync(join(ROOT, "dist", "bin.js")), "dist/bin.js exists");
    const pid = child.pid as number;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    // process.execArgv of the server: nothing between the node binary and the script.
    assert.deepEqual(argv.slice(1), [BIN, "serve"]);
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    assert.ok(!environ.some((entry) => entry.startsWith("NODE_OPTIONS=")), "no NODE_OPTIONS");
    // tsx compiles through an esbuild service process and maps its own files; neither may be present.
    const maps = readFileSync(`/proc/${pid}/maps`, "utf8");
    assert.doesNotMatch(maps, /tsx|esbuild/);
    for (const id of childProcessesOf(pid)) {
      const command = readFileSync(`/proc/${id}/cmdline`, "utf8");
      assert.doesNotMatch(command, /esbuild|tsx/, `child process ${id}: ${command}`);
    }
  });

  it("finds its styles, help articles, fonts and voices from dist/", async () => {
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
    const css = await fetch(`${baseUrl}/assets/style.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /text\/css/);
    const help = await fetch(`${baseUrl}/help`);
    assert.equal(help.status, 200);
    assert.match(await help.text(), /href="\/help\/[a-z0-9-]+"/);

    // Proof of work is on by default in production: a new security check needs a solved puzzle first.
    const refused = await fetch(`${baseUrl}/api/v1/captcha`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ purpose: "signin" }),
    });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "POW_REQUIRED");
    const asked = await fetch(`${baseUrl}/api/v1/pow`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ purpose: "captcha" }),
    });
    assert.equal(asked.status, 201);
    const cookie = (asked.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const puzzle = (await asked.json()) as { id: string; prefix: string; difficulty: number };
    const pow = { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) };
    const created = await fetch(`${baseUrl}/api/v1/captcha`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ purpose: "signin", pow }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const challenge = (await created.json()) as { imageUrl: string; audioUrl: string };
    const image = await fetch(new URL(challenge.imageUrl, baseUrl));
    assert.equal(image.status, 200);
    assert.deepEqual([...new Uint8Array(await image.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const audio = await fetch(new URL(challenge.audioUrl, baseUrl));
    assert.equal(audio.status, 200);
    assert.equal(
      Buffer.from(await audio.arrayBuffer())
        .subarray(0, 4)
        .toString("latin1"),
      "RIFF",
    );
  });

  it("logs one JSON object per line in production", async () => {
    await fetch(`${baseUrl}/healthz?probe=json-log`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logLines = output.split("\n").filter((line) => line.startsWith("{"));
    assert.ok(logLines.length > 0, output);
    for (const line of logLines) JSON.parse(line);
    // The request line is there, with its query value redacted like every query value in the log.
    assert.ok(
      logLines.some((line) => line.includes("/healthz?probe=[redacted]")),
      output,
    );
    assert.ok(!output.includes("json-log"), output);
  });
});

describe("development logs (compiled dist/, NODE_ENV=development)", () => {
  let dataDir: string;
  let child: ChildProcess;
  let output = "";

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-devlog-"));
    const env = { ...productionEnv(dataDir), NODE_ENV: "development", LATCHKEY_LOG_LEVEL: "info" };
    child = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const started = Date.now();
    while (!/listening on 127\.0\.0\.1:(\d+)/.test(output)) {
      if (child.exitCode !== null) throw new Error(`the server stopped:\n${output}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`the server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints one readable line per request (time, method, path, status, duration) and hides query values", async () => {
    const baseUrl = `http://127.0.0.1:${/listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]}`;
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${baseUrl}/verify?identifier=ada%40example.com&code=517418`)).status, 200);
    assert.equal((await fetch(`${baseUrl}/no-such-page`)).status, 404);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = output.split("\n");
    assert.equal(lines.filter((line) => / GET \/healthz /.test(line)).length, 1, output);
    assert.ok(
      lines.some((line) => /^\d\d:\d\d:\d\d\.\d{3} GET \/healthz 200 \d+\.\d ms$/.test(line)),
      output,
    );
    assert.ok(
      lines.some((line) => /^\d\d:\d\d:\d\d\.\d{3} GET \/verify\?identifier=…&code=… 200 \d+\.\d ms$/.test(line)),
      output,
    );
    assert.ok(
      lines.some((line) => / GET \/no-such-page 404 /.test(line)),
      output,
    );
    assert.doesNotMatch(output, /517418|ada%40example/);
    assert.ok(!lines.some((line) => line.startsWith("{")), "no JSON lines in development");
  });
});
