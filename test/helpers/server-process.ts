// A real `latchkey serve` process for tests that need one (several instances, kills, raw connections): it
// listens on a free port, and the promise resolves once the process says where it listens.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));

/** A loopback port that was free a moment ago (for a server whose address must be known before it starts). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  exited: Promise<number | null>;
}

export interface ServerProcessOptions {
  /** Start from this process's environment and add `env` on top (default true). */
  inheritEnv?: boolean;
  cwd?: string;
}

/** Starts `latchkey serve` with `env` (LATCHKEY_PORT is always 0) and waits until it listens. */
export async function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const base = options.inheritEnv === false ? {} : (process.env as Record<string, string>);
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: { ...base, ...env, LATCHKEY_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let text = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${text}`)), 60_000);
    const onData = (d: Buffer): void => {
      text += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${text}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, port, child, output: () => text, exited };
}

/** A tiny cookie-keeping client for real HTTP. */
export class HttpBrowser {
  cookies = new Map<string, string>();
  async call(base: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (json !== undefined) headers["content-type"] = "application/json";
    const r = await fetch(`${base}${path}`, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    for (const line of r.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = (pair ?? "").split("=");
      if (!name) continue;
      const value = rest.join("=");
      if (value === "" || /Expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}
