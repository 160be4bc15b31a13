// Operations: backup, migrate-data, /metrics, /readyz and the separate metrics port.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { Migrator } from "kysely";
import { buildApp } from "../src/app.ts";
import { runMigrateData } from "../src/cli/operations-commands.ts";
import { loadConfig } from "../src/config/load.ts";
import { clientSecretMatches, registerClient } from "../src/oidc/clients.ts";
import { backupSqliteDatabase } from "../src/operations/backup.ts";
import { sqliteMigrations } from "../src/stores/sql/migrations/index.ts";
import { openSqliteDatabase } from "../src/stores/sql/sqlite-database.ts";
import { addWebhookEndpoint, rotateWebhookSecret } from "../src/webhooks/endpoints.ts";
import { unsealWebhookSecret } from "../src/webhooks/signing.ts";
import { createDeps } from "../src/wiring.ts";
import { createVerifiedAccount, STRONG_PASSWORD } from "./helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "./helpers/app.ts";
import { TestClient } from "./helpers/client.ts";
import { clusterSkipReason, createTestSchema } from "./helpers/cluster.ts";

const BIN = fileURLToPath(new URL("../bin/latchkey.js", import.meta.url));
const quiet = { info() {}, warn() {}, error() {} };

describe("backup and migrate-data", () => {
  let t: TestApp;
  let env: Record<string, string>;
  before(async () => {
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0" });
    env = { ...(process.env as Record<string, string>), ...testEnv(t.dataDir) };
    await createVerifiedAccount(t, "one@example.com");
    await createVerifiedAccount(t, "+44 7911 123456", STRONG_PASSWORD, "+447911123456");
  });
  after(async () => {
    await t.close();
  });

  it("backs up the SQLite database while it is open, and refuses to overwrite", () => {
    const out = join(t.dataDir, "backup.db");
    const run = spawnSync(process.execPath, [BIN, "backup", "--out", out], { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Backed up .* to .*backup\.db/);
    const copy = new SQLite(out, { readonly: true });
    const rows = copy.prepare("select value from identifiers order by value").all() as Array<{ value: string }>;
    copy.close();
    assert.deepEqual(
      rows.map((r) => r.value),
      ["+447911123456", "one@example.com"],
    );
    const again = spawnSync(process.execPath, [BIN, "backup", "--out", out], { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists/);
    assert.equal(spawnSync(process.execPath, [BIN, "backup"], { env, encoding: "utf8", timeout: 60_000 }).status, 2);
  });

  const skip = clusterSkipReason();
  it("backupSqliteDatabase creates the copy readable by its owner only, like latchkey.db", async () => {
    const out = join(t.dataDir, "backup-mode.db");
    try {
      await backupSqliteDatabase(join(t.dataDir, "latchkey.db"), out);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      const copy = new SQLite(out, { readonly: true });
      assert.equal((copy.prepare("select count(*) as n from accounts").get() as { n: number }).n, 2);
      copy.close();
    } finally {
      rmSync(out, { force: true });
    }
  });

  it("migrate-data refuses a --from file that does not exist, creates nothing and leaves the target alone", async () => {
    const missing = join(t.dataDir, "does-not-exist.db");
    // Nothing listens on port 1: a command that reached the target would fail with ECONNREFUSED instead.
    const target = "postgres://nobody@127.0.0.1:1/none";
    await assert.rejects(runMigrateData(["--from", missing, "--to", target]), (error: Error) => {
      assert.equal(error.message, `no database at ${missing}`);
      return true;
    });
    assert.equal(existsSync(missing), false);
  });

  it("migrate-data refuses a --from file with an older schema, and leaves it unchanged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-migrate-data-"));
    try {
      const file = join(dir, "old.db");
      const old = openSqliteDatabase(file);
      await new Migrator({ db: old.db, provider: { getMigrations: async () => sqliteMigrations } }).migrateTo("0004_audit_events");
      await old.db.destroy();
      const before = readFileSync(file);
      await assert.rejects(runMigrateData(["--from", file, "--to", "postgres://nobody@127.0.0.1:1/none"]), (error: Error) => {
        assert.match(error.message, /has an older schema than this version of Latchkey \(missing 0008_oidc, .*\)\./);
        assert.match(error.message, /latchkey migrate/);
        return true;
      });
      assert.deepEqual(readFileSync(file), before);
      // A read-only reader of a WAL database leaves an empty -wal (and its -shm) behind; nothing is in it.
      if (existsSync(`${file}-wal`)) assert.equal(statSync(`${file}-wal`).size, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("migrate-data only reads the SQLite file: it is byte for byte the same afterwards", { skip }, async () => {
    const schema = await createTestSchema();
    const dir = mkdtempSync(join(tmpdir(), "latchkey-migrate-data-"));
    try {
      const file = join(dir, "latchkey.db");
      await backupSqliteDatabase(join(t.dataDir, "latchkey.db"), file);
      const before = readFileSync(file);
      assert.equal(await runMigrateData(["--from", file, "--to", schema.url]), 0);
      assert.deepEqual(readFileSync(file), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await schema.drop();
    }
  });

  it("migrate-data copies a webhook endpoint in its secret rotation's grace period with both secrets and the end of it", { skip }, async () => {
    const source = await createTestApp({ LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1" });
    const schema = await createTestSchema();
    try {
      const { endpoint, secret: oldSecret } = await addWebhookEndpoint(source.deps, { url: "http://127.0.0.1:9/hooks", events: "account.created" });
      const rotated = await rotateWebhookSecret(source.deps, endpoint.id, { graceSeconds: 3600 });
      const file = join(source.dataDir, "latchkey.db");
      assert.equal(await runMigrateData(["--from", file, "--to", schema.url]), 0);
      const deps = await createDeps(loadConfig({ ...testEnv(source.dataDir), LATCHKEY_DATABASE_URL: schema.url }), { logger: quiet });
      try {
        const copied = await deps.stores.webhooks.getEndpoint(endpoint.id);
        assert.equal(unsealWebhookSecret(deps.config.secret, copied?.secretSealed ?? ""), rotated.secret);
        assert.equal(unsealWebhookSecret(deps.config.secret, copied?.previousSecretSealed ?? ""), oldSecret);
        // SQLite keeps whole seconds.
        assert.equal(copied?.previousSecretExpiresAt?.getTime(), Math.floor((rotated.previousSecretValidUntil?.getTime() ?? 0) / 1000) * 1000);
      } finally {
        await deps.stores.close();
      }
    } finally {
      await source.close();
      await schema.drop();
    }
  });

  it("migrate-data carries the applications over: their registrations, the signing keys and the grants and tokens issued", { skip }, async () => {
    const source = await createTestApp();
    const schema = await createTestSchema();
    try {
      const { client, secret } = await registerClient(source.deps, {
        name: "Notes",
        redirectUris: ["https://notes.example/cb"],
        postLogoutRedirectUris: [],
        isPublic: false,
        firstParty: true,
      });
      // The provider makes its first signing key when it is first asked for its keys.
      const jwks = await source.app.inject({ method: "GET", url: "/oidc/jwks" });
      assert.equal(jwks.statusCode, 200);
      const sourceKids = (jwks.json().keys as Array<{ kid: string }>).map((k) => k.kid);
      assert.ok(sourceKids.length > 0);
      const refreshToken = { kind: "RefreshToken", id: "rt-1", payload: "{}", grantId: "g-1", uid: null, userCode: null, accountId: null, clientId: client.id };
      await source.deps.stores.oidcArtifacts.saveArtifact({ ...refreshToken, expiresAt: new Date(Date.now() + 3600_000) });
      const file = join(source.dataDir, "latchkey.db");
      assert.equal(await runMigrateData(["--from", file, "--to", schema.url]), 0);

      const deps = await createDeps(loadConfig({ ...testEnv(source.dataDir), LATCHKEY_DATABASE_URL: schema.url }), { logger: quiet });
      const app = await buildApp(deps, { logger: false });
      try {
        const copied = await deps.stores.oidcClients.getClient(client.id);
        assert.equal(copied?.name, "Notes");
        assert.equal(copied?.firstParty, true);
        assert.ok(copied?.secretHash && clientSecretMatches(copied.secretHash, secret as string), "the application's secret still matches");
        const targetJwks = await app.inject({ method: "GET", url: "/oidc/jwks" });
        assert.deepEqual(
          (targetJwks.json().keys as Array<{ kid: string }>).map((k) => k.kid),
          sourceKids,
          "tokens signed before the move still verify",
        );
        assert.equal((await deps.stores.oidcArtifacts.getArtifact("RefreshToken", "rt-1", new Date()))?.clientId, client.id);
      } finally {
        await app.close();
        await deps.stores.close();
      }
    } finally {
      await source.close();
      await schema.drop();
    }
  });

  it("moves a single-mode installation into PostgreSQL, and the accounts sign in there", { skip }, async () => {
    const schema = await createTestSchema();
    try {
      const file = join(t.dataDir, "latchkey.db");
      const run = spawnSync(process.execPath, [BIN, "migrate-data", "--from", file, "--to", schema.url], { env, encoding: "utf8", timeout: 120_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /accounts\t2\t2/);
      assert.match(run.stdout, /identifiers\t2\t2/);
      assert.match(run.stdout, /All \d+ tables copied and counted/);
      const config = loadConfig({ ...testEnv(t.dataDir), LATCHKEY_DATABASE_URL: schema.url });
      const deps = await createDeps(config, { logger: quiet });
      const app = await buildApp(deps, { logger: false });
      try {
        for (const identifier of ["one@example.com", "+447911123456"]) {
          const r = await app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier, password: STRONG_PASSWORD } });
          assert.equal(r.statusCode, 200, identifier);
        }
      } finally {
        await app.close();
        await deps.stores.close();
      }
      const twice = spawnSync(process.execPath, [BIN, "migrate-data", "--from", file, "--to", schema.url], { env, encoding: "utf8", timeout: 120_000 });
      assert.equal(twice.status, 1);
      assert.match(twice.stderr, /already holds accounts/);
    } finally {
      await schema.drop();
    }
  });
});

describe("metrics and readiness", () => {
  it("serves Prometheus text with sign-in outcomes, hash time and HTTP latency by route", async () => {
    const t = await createTestApp();
    try {
      await new TestClient(t.app).request("POST", "/api/v1/session", { json: { identifier: "m@example.com", password: "whatever-it-is" } });
      const r = await t.app.inject({ method: "GET", url: "/metrics" });
      assert.equal(r.statusCode, 200);
      assert.match(r.headers["content-type"] as string, /text\/plain/);
      assert.match(r.body, /latchkey_signin_total\{outcome="failed"\} 1/);
      assert.match(r.body, /latchkey_password_hash_duration_seconds_count\{operation="verify"\} 1/);
      assert.match(r.body, /latchkey_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/session",status="401"\} 1/);
      assert.match(r.body, /latchkey_nodejs_eventloop_lag_seconds/);
      assert.match(r.body, /latchkey_captcha_total\{outcome="created"\} 0/);
      assert.equal((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it("answers /readyz 503 when storage is unreachable", async () => {
    const t = await createTestApp({ LATCHKEY_REDIS_URL: "redis://127.0.0.1:9", LATCHKEY_REDIS_TIMEOUT: "1s" });
    try {
      const r = await t.app.inject({ method: "GET", url: "/readyz" });
      assert.equal(r.statusCode, 503);
      assert.equal((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200, "the process itself is alive");
    } finally {
      await t.close();
    }
  });

  it("moves /metrics to a separate port when asked, and stops on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "latchkey-metrics-"));
    const child = spawn(process.execPath, [BIN, "serve"], {
      env: { ...(process.env as Record<string, string>), ...testEnv(dataDir), LATCHKEY_PORT: "0", LATCHKEY_METRICS_PORT: "0", LATCHKEY_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = "";
        const timer = setTimeout(() => reject(new Error(`no start: ${text}`)), 30_000);
        child.stdout.on("data", (d: Buffer) => {
          text += d.toString();
          if (/monitoring on/.test(text) && /listening on/.test(text)) {
            clearTimeout(timer);
            resolve(text);
          }
        });
      });
      const main = /listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      const metrics = /monitoring on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      assert.ok(main && metrics, output);
      const onMetricsPort = await fetch(`http://127.0.0.1:${metrics}/metrics`);
      assert.equal(onMetricsPort.status, 200);
      assert.match(await onMetricsPort.text(), /latchkey_signin_total/);
      assert.equal((await fetch(`http://127.0.0.1:${metrics}/readyz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${main}/metrics`)).status, 404, "not on the public port");
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0, "a clean stop on SIGTERM");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
    assert.equal(existsSync(dataDir), false);
  });
});
