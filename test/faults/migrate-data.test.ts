// `latchkey migrate-data` killed mid-way leaves the PostgreSQL target as empty as it was, and the same
// command run again copies everything.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrateSqliteDatabase, openSqliteDatabase } from "../../src/stores/sql/sqlite-database.ts";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, TEST_DATABASE_URL, type TestSchema } from "../helpers/cluster.ts";

const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));
const skip = clusterSkipReason();
const ACCOUNTS = 6000;

/** A single-mode database with many accounts, written directly (registration would take minutes). */
async function seedSqlite(file: string): Promise<void> {
  const { db, raw } = openSqliteDatabase(file);
  await migrateSqliteDatabase(db);
  const at = Math.floor(Date.now() / 1000);
  const account = raw.prepare(
    "insert into accounts (id, name, password_hash, is_admin, disabled_at, created_at, updated_at) values (?, null, 'x', 0, null, ?, ?)",
  );
  const identifier = raw.prepare("insert into identifiers (id, account_id, kind, value, display, verified_at, created_at) values (?, ?, 'email', ?, ?, ?, ?)");
  const event = raw.prepare(
    "insert into audit_events (id, at, type, account_id, ip, user_agent, detail) values (?, ?, 'signin.succeeded', ?, null, null, null)",
  );
  raw.transaction(() => {
    for (let i = 0; i < ACCOUNTS; i++) {
      const id = `acc${String(i).padStart(6, "0")}`;
      account.run(id, at, at);
      identifier.run(`idf${i}`, id, `user${i}@example.com`, `user${i}@example.com`, at, at);
      event.run(`evt${i}`, at, id);
    }
  })();
  await db.destroy();
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("migrate-data interrupted", { skip }, () => {
  let schema: TestSchema;
  let dir: string;
  let file: string;
  before(async () => {
    schema = await createTestSchema();
    dir = mkdtempSync(join(tmpdir(), "latchkey-migrate-"));
    file = join(dir, "latchkey.db");
    await seedSqlite(file);
  });
  after(async () => {
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves the target empty when killed mid-copy, and a second run copies everything", async () => {
    const applicationName = `latchkey_migrate_${schema.name.slice(-12)}`;
    const target = new URL(schema.url);
    target.searchParams.set("application_name", applicationName);
    const env = { ...(process.env as Record<string, string>), ...testEnv(dir) };
    const child = spawn(process.execPath, [BIN, "migrate-data", "--from", file, "--to", target.href], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // Kill it once the accounts are written and identifiers are being copied.
    let seen = false;
    for (let i = 0; i < 3000 && !seen && child.exitCode === null; i++) {
      const rows = await query<{ n: string }>(
        TEST_DATABASE_URL as string,
        `select count(*) as n from pg_stat_activity where application_name = $1 and query ilike 'insert into "identifiers"%'`,
        [applicationName],
      );
      seen = Number(rows[0]?.n) > 0;
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(seen, `the copy was caught mid-way: ${output}`);
    child.kill("SIGKILL");
    await exited;

    // PostgreSQL rolls back the open transaction when the connection drops.
    let accounts = -1;
    for (let i = 0; i < 50; i++) {
      const open = await query<{ n: string }>(TEST_DATABASE_URL as string, "select count(*) as n from pg_stat_activity where application_name = $1", [
        applicationName,
      ]);
      accounts = Number((await query<{ n: string }>(schema.url, "select count(*) as n from accounts"))[0]?.n);
      if (Number(open[0]?.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(accounts, 0, "no half-filled target");
    assert.equal(Number((await query<{ n: string }>(schema.url, "select count(*) as n from identifiers"))[0]?.n), 0);

    const again = spawnSync(process.execPath, [BIN, "migrate-data", "--from", file, "--to", schema.url], { env, encoding: "utf8", timeout: 180_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`accounts\\t${ACCOUNTS}\\t${ACCOUNTS}`));
    assert.match(again.stdout, new RegExp(`identifiers\\t${ACCOUNTS}\\t${ACCOUNTS}`));
    assert.match(again.stdout, new RegExp(`audit_events\\t${ACCOUNTS}\\t${ACCOUNTS}`));
  });
});
