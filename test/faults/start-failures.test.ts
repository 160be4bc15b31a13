// `latchkey serve` that cannot start after reading its configuration ends with one message for the operator,
// "Latchkey cannot start: …", and what to do, instead of an uncaught error (which made Node.js print the
// compiled bundle's line where it was thrown, many kilobytes of code, before the message).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { describeStartFailure } from "../../src/start-failure.ts";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from "../helpers/cluster.ts";
import { BIN } from "../helpers/server-process.ts";

/** Starts `latchkey serve` on `dataDir` with `env` added, and waits for its exit. */
function serve(dataDir: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, "serve"], {
    env: { ...(process.env as Record<string, string>), ...testEnv(dataDir), LATCHKEY_HOST: "127.0.0.1", LATCHKEY_PORT: "0", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The message is for a person: no line of compiled code, no uncaught-error report. */
function assertReadable(stderr: string): void {
  assert.match(stderr, /^Latchkey cannot start: /m);
  for (const line of stderr.split("\n")) assert.ok(line.length < 400, `a line of ${line.length} characters: ${line.slice(0, 120)}…`);
  assert.doesNotMatch(stderr, /^Node\.js v\d+/m);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack unless debug logging asks for it");
}

describe("latchkey serve that cannot start", () => {
  let dataDir: string;
  let taken: Server;
  let takenPort: number;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-start-failure-"));
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("names the address another program holds, and the settings that choose another", () => {
    const run = serve(dataDir, { LATCHKEY_PORT: String(takenPort) });
    assert.equal(run.status, 1);
    assertReadable(run.stderr);
    assert.match(run.stderr, new RegExp(`Latchkey cannot start: 127\\.0\\.0\\.1:${takenPort} is already in use by another program\\..*LATCHKEY_PORT`));
    assert.doesNotMatch(run.stdout, /Latchkey is running/);
  });

  it("names a database file that is not a SQLite database, and points at the backups", () => {
    const other = mkdtempSync(join(tmpdir(), "latchkey-start-failure-"));
    try {
      writeFileSync(join(other, "latchkey.db"), "not a database, but some notes someone saved here\n");
      const run = serve(other);
      assert.equal(run.status, 1);
      assertReadable(run.stderr);
      assert.ok(run.stderr.includes(`Latchkey cannot start: ${join(other, "latchkey.db")} is not a SQLite database`), run.stderr);
      assert.match(run.stderr, /Restore Latchkey's database from a backup/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("ends in cluster mode too, where PostgreSQL and Redis connections were open when the port was refused", async (t) => {
    const skip = clusterSkipReason();
    if (skip) return t.skip(skip);
    const schema = await createTestSchema();
    const prefix = testRedisPrefix();
    try {
      const run = serve(dataDir, {
        LATCHKEY_PORT: String(takenPort),
        LATCHKEY_DATABASE_URL: schema.url,
        LATCHKEY_REDIS_URL: TEST_REDIS_URL as string,
        LATCHKEY_REDIS_PREFIX: prefix,
      });
      // Without an explicit end the open connections kept the process alive after the message.
      assert.equal(run.status, 1, `status ${run.status} (null: still running when the wait ended)\n${run.stderr}`);
      assert.match(run.stderr, /Latchkey cannot start: 127\.0\.0\.1:\d+ is already in use/);
    } finally {
      await schema.drop();
      await dropRedisPrefix(prefix);
    }
  });

  it("shows where the error came from when debug logging is on", () => {
    const run = serve(dataDir, { LATCHKEY_PORT: String(takenPort), LATCHKEY_LOG_LEVEL: "debug" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Latchkey cannot start: 127\.0\.0\.1:\d+ is already in use/);
    assert.match(run.stderr, /^\s+at /m);
  });
});

describe("describeStartFailure", () => {
  it("adds each cause that says something new, once", () => {
    const driver = new Error("SQLITE_CORRUPT: database disk image is malformed");
    const migration = new Error("migration 0042_sessions failed", { cause: driver });
    assert.equal(
      describeStartFailure(migration),
      "Latchkey cannot start: migration 0042_sessions failed\n  because: SQLITE_CORRUPT: database disk image is malformed",
    );
    const repeated = new Error(`${driver.message}: the SQLite database /data/latchkey.db cannot be written`, { cause: driver });
    assert.equal(describeStartFailure(repeated), `Latchkey cannot start: ${repeated.message}`);
  });

  it("explains listening addresses that are refused or not this machine's", () => {
    const refused = Object.assign(new Error("listen EACCES: permission denied 0.0.0.0:443"), {
      code: "EACCES",
      syscall: "listen",
      address: "0.0.0.0",
      port: 443,
    });
    assert.match(describeStartFailure(refused), /may not listen on 0\.0\.0\.0:443 .*LATCHKEY_PORT above 1023/);
    const foreign = Object.assign(new Error("listen EADDRNOTAVAIL"), { code: "EADDRNOTAVAIL", syscall: "listen", address: "10.9.9.9", port: 3000 });
    assert.match(describeStartFailure(foreign), /10\.9\.9\.9:3000 is not an address of this machine\. Set LATCHKEY_HOST/);
  });

  it("names the data file's folder and says to free space when the disk is full or fails to write", () => {
    const full = new SQLite.SqliteError("database or disk is full", "SQLITE_FULL");
    assert.equal(
      describeStartFailure(full, { sqliteFile: "/var/lib/latchkey/latchkey.db" }),
      "Latchkey cannot start: database or disk is full\n" +
        "  The disk holding /var/lib/latchkey is full or cannot be written (SQLITE_FULL). Free space there (df -h /var/lib/latchkey), " +
        "or if it has space check the disk and how it is mounted; then start Latchkey again.",
    );
    // What a full disk gives while the journal is written during a migration: "disk I/O error", nested.
    const ioError = new SQLite.SqliteError("disk I/O error", "SQLITE_IOERR_WRITE");
    const migration = new Error("migration 0001_accounts_sessions failed", { cause: ioError });
    const text = describeStartFailure(migration, { sqliteFile: "/data/latchkey.db" });
    assert.match(text, /^Latchkey cannot start: migration 0001_accounts_sessions failed\n {2}because: disk I\/O error\n/);
    assert.match(text, /The disk holding \/data is full or cannot be written \(SQLITE_IOERR_WRITE\)\. Free space there/);
    // Without the file's name the advice still says what to do.
    assert.match(describeStartFailure(ioError), /The disk holding Latchkey's data directory \(LATCHKEY_DATA_DIR\) is full .*Free space there/);
    // Other SQLite errors get no disk advice.
    assert.doesNotMatch(describeStartFailure(new SQLite.SqliteError("database is locked", "SQLITE_BUSY")), /Free space/);
  });

  it("describes what is not an Error too", () => {
    assert.equal(describeStartFailure("a plain string"), "Latchkey cannot start: a plain string");
    assert.equal(describeStartFailure(undefined), "Latchkey cannot start: undefined");
  });
});
