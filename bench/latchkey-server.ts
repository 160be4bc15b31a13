// The real Latchkey server for the benchmarks: `node bin/latchkey.js serve` in a child process, development
// mode, a temporary data directory, default argon2 parameters, and the per-address limits lifted (every
// request comes from 127.0.0.1). The per-identifier throttle stays on.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../src/config/load.ts";
import { type ChildServer, startChildServer } from "./processes.ts";

export const PROJECT_DIR = fileURLToPath(new URL("../", import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

const LIFTED = "1000000/1m";

/**
 * The environment variables and Node.js flags `npm start` runs the server with, read from package.json's
 * `start` script (`NAME=value … node --flag … bin/latchkey.js serve`), so the benchmark measures that.
 */
export const { SERVER_ENV, SERVER_NODE_FLAGS } = parseStartScript(
  (JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start,
);

export function parseStartScript(script: string): { SERVER_ENV: Record<string, string>; SERVER_NODE_FLAGS: string[] } {
  const match = /^((?:[A-Z_][A-Z0-9_]*=\S+ )*)node ((?:--\S+ )*)bin\/latchkey\.js serve$/.exec(script.trim());
  if (!match) throw new Error(`package.json's start script is not "NAME=value … node --flag … bin/latchkey.js serve": ${script}`);
  const env = Object.fromEntries(
    (match[1] ?? "")
      .trim()
      .split(" ")
      .filter(Boolean)
      .map((pair) => pair.split("=", 2) as [string, string]),
  );
  return { SERVER_ENV: env, SERVER_NODE_FLAGS: (match[2] ?? "").trim().split(" ").filter(Boolean) };
}

/** The process environment without any LATCHKEY_* setting of the caller's shell. */
export function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("LATCHKEY_") && name !== "NODE_ENV") env[name] = value;
  }
  return env;
}

/** The server's environment for a data directory; `extra` adds or overrides variables. */
export function latchkeyServerEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "development",
    LATCHKEY_HOST: "127.0.0.1",
    LATCHKEY_PORT: "0",
    LATCHKEY_BASE_URL: "http://127.0.0.1:3000",
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET: randomBytes(32).toString("base64url"),
    LATCHKEY_LOG_LEVEL: "warn",
    LATCHKEY_MAIL_TRANSPORT: "outbox",
    LATCHKEY_SMS_PROVIDER: "outbox",
    LATCHKEY_RATE_SIGNIN: LIFTED,
    LATCHKEY_RATE_CAPTCHA: LIFTED,
    LATCHKEY_RATE_CAPTCHA_AUDIO: LIFTED,
    LATCHKEY_RATE_RESET: LIFTED,
    LATCHKEY_RATE_VERIFICATION: LIFTED,
    LATCHKEY_RATE_FEEDBACK: LIFTED,
    LATCHKEY_RATE_PASSWORD_STRENGTH: LIFTED,
    ...extra,
  };
}

/** The configuration the server will derive from `env` (the same loader, so the same argon2 parameters). */
export function configFromEnv(env: Record<string, string>): Config {
  return loadConfig(env, PROJECT_DIR);
}

export interface StartLatchkeyOptions {
  name: string;
  env: Record<string, string>;
  /** Write a V8 CPU profile into this directory when the server stops. */
  cpuProfileDir?: string | undefined;
}

export async function startLatchkeyServer(options: StartLatchkeyOptions): Promise<ChildServer> {
  const nodeArgs: string[] = [];
  if (options.cpuProfileDir) {
    // One folder per server. Node names each file CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0
    // is the main thread (the others are tsx's module loader).
    const dir = join(options.cpuProfileDir, options.name);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  return startChildServer({
    name: options.name,
    command: process.execPath,
    args: [...nodeArgs, ...SERVER_NODE_FLAGS, "bin/latchkey.js", "serve"],
    env: { ...cleanEnvironment(), ...SERVER_ENV, ...options.env },
    cwd: PROJECT_DIR,
    ready: /listening on \S+:(\d+)/,
  });
}
