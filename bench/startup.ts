// Start-up figures: `node bin/latchkey.js serve` (with the settings and flags of `npm start`) on a fresh data directory, timed from spawn until `/healthz`
// answers 200, with the server's CPU time and its memory right then (VmRSS, and the peak so far, VmHWM).
// Runnable alone: `npx tsx bench/startup.ts [runs]`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanEnvironment, latchkeyServerEnv, PROJECT_DIR, SERVER_ENV, SERVER_NODE_FLAGS } from "./latchkey-server.ts";
import { readCPUSeconds } from "./processes.ts";

export interface StartupFigures {
  runs: number;
  /** Median wall time from spawn until /healthz answered 200. */
  msP50: number;
  /** Median CPU time of the server process (all threads) until then. */
  cpuMsP50: number;
  /** Median resident memory right after start (VmRSS), and the peak during start (VmHWM). */
  rssMBP50: number;
  hwmMBP50: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function statusMB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/healthz", method: "GET", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** Starts one server, waits for /healthz, reads its figures, stops it. */
async function measureOneStart(port: number): Promise<{ ms: number; cpuMs: number; rssMB: number; hwmMB: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-startup-"));
  const env = { ...cleanEnvironment(), ...SERVER_ENV, ...latchkeyServerEnv(dataDir, { LATCHKEY_PORT: String(port) }) };
  const started = performance.now();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, "bin/latchkey.js", "serve"], { cwd: PROJECT_DIR, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server stopped during start-up: ${stderr}`);
      if ((await healthStatus(port)) === 200) break;
      if (performance.now() - started > 60_000) throw new Error("the server did not answer /healthz within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ms = performance.now() - started;
    const pid = child.pid as number;
    return { ms, cpuMs: readCPUSeconds(pid) * 1000, rssMB: statusMB(pid, "VmRSS"), hwmMB: statusMB(pid, "VmHWM") };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A port nothing listens on right now (the system picks it), for a server started next. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the server `runs` times, one after another, each on a port free at that moment; medians of each figure. */
export async function measureStartup(runs: number): Promise<StartupFigures> {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measureOneStart(await freePort()));
  return {
    runs,
    msP50: median(results.map((r) => r.ms)),
    cpuMsP50: median(results.map((r) => r.cpuMs)),
    rssMBP50: median(results.map((r) => r.rssMB)),
    hwmMBP50: median(results.map((r) => r.hwmMB)),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measureStartup(Number(process.argv[2] ?? 5));
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
