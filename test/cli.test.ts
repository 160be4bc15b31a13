// The `latchkey` command, run as a real process against a real SQLite file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config/load.ts";
import { createDeps } from "../src/wiring.ts";
import { STRONG_PASSWORD } from "./helpers/accounts.ts";
import { testEnv } from "./helpers/app.ts";
import { HttpBrowser, startServerProcess } from "./helpers/server-process.ts";

const BIN = fileURLToPath(new URL("../bin/latchkey.js", import.meta.url));

describe("latchkey CLI", () => {
  let dataDir: string;
  let env: Record<string, string>;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-cli-"));
    env = { ...(process.env as Record<string, string>), ...testEnv(dataDir) };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { env, input: input ?? "", encoding: "utf8", timeout: 60_000 });

  async function signInStatus(identifier: string, password: string): Promise<number> {
    const deps = await createDeps(loadConfig(env), { logger: { info() {}, warn() {}, error() {} } });
    const app = await buildApp(deps, { logger: false });
    try {
      const response = await app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier, password } });
      return response.statusCode;
    } finally {
      await app.close();
      await deps.stores.close();
    }
  }

  it("prints help and exits 0; no command exits 2", () => {
    const help = run(["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /accounts create --identifier X/);
    assert.equal(run([]).status, 2);
    const unknown = run(["frobnicate"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command: frobnicate/);
  });

  it("migrates, creates a verified account from stdin, lists, disables and enables it", async () => {
    const migrate = run(["migrate"]);
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(run(["migrate"]).stdout, /up to date/);

    const created = run(["accounts", "create", "--identifier", "Ops@Example.com", "--name", "Ops"], `${STRONG_PASSWORD}\n`);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Created account \S+ for Ops@example\.com/);
    assert.equal(await signInStatus("ops@example.com", STRONG_PASSWORD), 200);

    const duplicate = run(["accounts", "create", "--identifier", "ops@example.com"], `${STRONG_PASSWORD}\n`);
    assert.equal(duplicate.status, 1);
    assert.match(duplicate.stderr, /already used/);

    const list = run(["accounts", "list"]);
    assert.equal(list.status, 0);
    assert.match(list.stdout, /Ops@example\.com\tOps\tactive/);

    assert.equal(run(["accounts", "disable", "ops@example.com"]).status, 0);
    assert.equal(await signInStatus("ops@example.com", STRONG_PASSWORD), 401);
    assert.match(run(["accounts", "list"]).stdout, /disabled/);
    assert.equal(run(["accounts", "enable", "OPS@example.com"]).status, 0);
    assert.equal(await signInStatus("ops@example.com", STRONG_PASSWORD), 200);
  });

  it("creates an admin account and records the grant beside the creation", () => {
    const created = run(["accounts", "create", "--identifier", "first-admin@example.com", "--admin"], `${STRONG_PASSWORD}\n`);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Created account \S+ for first-admin@example\.com \(admin\)/);
    const audit = run(["audit", "--account", "first-admin@example.com"]);
    assert.equal(audit.status, 0, audit.stderr);
    const types = audit.stdout
      .split("\n")
      .slice(1)
      .map((line) => line.split("\t")[1])
      .filter(Boolean);
    assert.deepEqual(types.sort(), ["admin.account_created", "admin.admin_granted"]);
    // Granting again changes nothing and records nothing more.
    assert.match(run(["accounts", "grant-admin", "first-admin@example.com"]).stdout, /already an admin/);
  });

  it("disables an account while the server runs: the server's next session check refuses it", async () => {
    assert.equal(run(["accounts", "create", "--identifier", "live@example.com"], `${STRONG_PASSWORD}\n`).status, 0);
    const server = await startServerProcess(env, { inheritEnv: false });
    try {
      const browser = new HttpBrowser();
      const signin = await browser.call(server.url, "POST", "/api/v1/session", { identifier: "live@example.com", password: STRONG_PASSWORD });
      assert.equal(signin.status, 200);
      const check = async () => (await browser.call(server.url, "GET", "/api/v1/session")).status;
      // The second check answers from the rows the first one read: nothing was written in between.
      assert.equal(await check(), 200);
      assert.equal(await check(), 200);
      assert.equal(run(["accounts", "disable", "live@example.com"]).status, 0);
      assert.equal(await check(), 401);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("refuses a weak password, a malformed identifier and an unknown account with clear errors", () => {
    const weak = run(["accounts", "create", "--identifier", "weak@example.com"], "password1\n");
    assert.equal(weak.status, 1);
    assert.match(weak.stderr, /easy to guess/);
    const malformed = run(["accounts", "create", "--identifier", "07700 900123"], `${STRONG_PASSWORD}\n`);
    assert.equal(malformed.status, 1);
    assert.match(malformed.stderr, /country code/);
    const missing = run(["accounts", "disable", "ghost@example.com"]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no account uses ghost@example\.com/);
  });

  it("refuses to start on bad configuration, naming every bad value", () => {
    const bad = spawnSync(process.execPath, [BIN, "migrate"], {
      env: { ...env, LATCHKEY_PORT: "http", LATCHKEY_BASE_URL: "ftp://x", NODE_ENV: "production", LATCHKEY_SECRET: "" },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(bad.status, 78);
    assert.match(bad.stderr, /LATCHKEY_PORT/);
    assert.match(bad.stderr, /LATCHKEY_BASE_URL/);
    assert.match(bad.stderr, /LATCHKEY_SECRET/);
  });
});
