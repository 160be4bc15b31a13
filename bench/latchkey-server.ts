// The real Latchkey server for the benchmarks: `node bin/latchkey.js serve` in a child process, development
// mode, a temporary data directory, default argon2 parameters, and the per-address limits lifted (every
// request comes from 127.0.0.1). The per-identifier throttle stays on.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../src/config/load.ts";
import { type ChildServer, startChildServer } from "./processes.ts";

export const PROJECT_DIR = fileURLToPath(new URL("../", import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

const LIFTED = "1000000/1m";

/** The Node.js flags `npm start` runs the server with (package.json). */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=2"];

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
    env: { ...cleanEnvironment(), ...options.env },
    cwd: PROJECT_DIR,
    ready: /listening on \S+:(\d+)/,
  });
}
