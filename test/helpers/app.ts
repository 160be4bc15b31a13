// Builds a real application for tests: a temporary data directory with a real SQLite file, the outbox
// for messages, an injected clock, and cheaper argon2 parameters so the suite stays quick.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type AppOptions, buildApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config/load.ts";
import type { Deps } from "../../src/deps.ts";
import { createManualClock, type ManualClock } from "../../src/lib/clock.ts";
import type { StatementObserver } from "../../src/stores/sql/precompiled.ts";
import { createDeps } from "../../src/wiring.ts";

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  config: Config;
  clock: ManualClock;
  dataDir: string;
  close(): Promise<void>;
}

export const TEST_SECRET = "test-secret-test-secret-test-secret-0123456789";

/** Environment for a test server; `env` overrides or adds variables. */
export function testEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET: TEST_SECRET,
    LATCHKEY_BASE_URL: "http://localhost:3000",
    LATCHKEY_LOG_LEVEL: "silent",
    // Every security check reads TESTME / 1234567; single use, expiry and binding work as in production.
    LATCHKEY_CAPTCHA_TEST_MODE: "1",
    // Proof of work is off unless a test turns it on (test/pow/): existing flows post no proof.
    LATCHKEY_POW: "0",
    // Every test request comes from 127.0.0.1: per-address limits are lifted, except where a test sets them.
    LATCHKEY_RATE_SIGNIN: "100000/1m",
    LATCHKEY_RATE_CAPTCHA: "100000/1m",
    LATCHKEY_RATE_CAPTCHA_AUDIO: "100000/1m",
    LATCHKEY_RATE_CAPTCHA_IMAGE: "100000/1m",
    LATCHKEY_RATE_RESET: "100000/1m",
    LATCHKEY_RATE_VERIFICATION: "100000/1m",
    LATCHKEY_RATE_FEEDBACK: "100000/1m",
    LATCHKEY_RATE_HELP_VIEWS: "100000/1m",
    LATCHKEY_RATE_CODE_ENTRY: "100000/1m",
    LATCHKEY_RATE_PASSKEY_OPTIONS: "100000/1m",
    LATCHKEY_RATE_PASSWORD_STRENGTH: "100000/1m",
    // Cheaper than production (19456 KiB, t=2) so hundreds of sign-ins fit in a test run.
    LATCHKEY_ARGON2_MEMORY_KIB: "1024",
    LATCHKEY_ARGON2_TIME_COST: "1",
    ...env,
  };
}

export async function createTestApp(
  env: Record<string, string> = {},
  options: { clock?: ManualClock; onRoute?: AppOptions["onRoute"]; logger?: AppOptions["logger"]; onStatement?: StatementObserver } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-test-"));
  const clock = options.clock ?? createManualClock(new Date());
  let deps: Deps | undefined;
  try {
    const config = loadConfig(testEnv(dataDir, env));
    deps = await createDeps(config, { clock, logger: { info() {}, warn() {}, error() {} }, onStatement: options.onStatement });
    const app = await buildApp(deps, { logger: options.logger ?? false, ...(options.onRoute ? { onRoute: options.onRoute } : {}) });
    await app.ready();
    const opened = deps;
    return {
      app,
      deps: opened,
      config,
      clock,
      dataDir,
      async close() {
        await app.close();
        await opened.tasks.settle();
        await opened.stores.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    // A test that expects the start to fail (a bad setting) has no app to close: what was opened goes here.
    if (deps) {
      await deps.tasks.settle();
      await deps.stores.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
