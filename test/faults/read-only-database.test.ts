// A SQLite database that cannot be written stops the start with a message that names the file and the
// fix; a write refused while running is a 503 whose logged detail names them too.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { toAppError } from "../../src/http/errors.ts";
import { classifyStorageOutage } from "../../src/stores/outage.ts";
import { testEnv } from "../helpers/app.ts";

const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));
// Permissions do not bind root: as root, the server runs as the unprivileged user "nobody" (65534).
const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? { uid: 65534, gid: 65534 } : {};

describe("a read-only SQLite database", () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  // As root the refusals are checked by running the server as "nobody", which needs to reach Node.js and
  // the project. A Node.js under root's home (CI's second line) is copied beside the database for it; a
  // checkout there is out of its reach.
  let unprivilegedRun = "";
  let node = process.execPath;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-readonly-"));
    chmodSync(dir, 0o755);
    env = { ...(process.env as Record<string, string>), ...testEnv(dir), HOME: dir, LATCHKEY_PORT: "0" };
    const made = spawnSync(process.execPath, [BIN, "migrate"], { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(made.status, 0, made.stderr);
    file = join(dir, "latchkey.db");
    if (asRoot) {
      const reaches = (candidate: string): boolean =>
        spawnSync(candidate, ["-e", `require("node:fs").accessSync(${JSON.stringify(BIN)})`], { encoding: "utf8", timeout: 60_000, ...runAs }).status === 0;
      if (!reaches(node)) {
        node = join(dir, "node");
        copyFileSync(process.execPath, node);
        chmodSync(node, 0o755);
      }
      if (!reaches(node)) unprivilegedRun = `the unprivileged user cannot run Node.js on ${BIN}`;
    }
  });
  after(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  function serve(): { status: number | null; stderr: string } {
    const run = spawnSync(node, [BIN, "serve"], { env, encoding: "utf8", timeout: 60_000, ...runAs });
    return { status: run.status, stderr: run.stderr };
  }

  it("refuses to start, naming the file and how to fix it, when the file cannot be written", (t) => {
    if (unprivilegedRun) return t.skip(unprivilegedRun);
    chmodSync(file, 0o444);
    chmodSync(dir, 0o777);
    const run = serve();
    assert.equal(run.status, 1);
    assert.ok(run.stderr.includes(file), run.stderr);
    assert.match(run.stderr, /cannot be written/);
    assert.match(run.stderr, /writable by the user that runs Latchkey/);
    assert.match(run.stderr, /-wal and .*-shm/);
  });

  it("says the same when the directory cannot be written", (t) => {
    if (unprivilegedRun) return t.skip(unprivilegedRun);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    chmodSync(file, 0o644);
    chmodSync(dir, 0o555);
    const run = serve();
    assert.equal(run.status, 1);
    assert.ok(run.stderr.includes(file), run.stderr);
    assert.match(run.stderr, /writable by the user that runs Latchkey/);
  });

  it("answers 503 SERVICE_UNAVAILABLE for a write refused while running, and the log names the file", () => {
    const readOnly = new SQLite(file, { readonly: true });
    let refused: unknown;
    try {
      readOnly.prepare("insert into short_lived (key, value, expires_at) values ('k', 'v', 0)").run();
    } catch (error) {
      refused = error;
    } finally {
      readOnly.close();
    }
    assert.equal((refused as { code?: string }).code, "SQLITE_READONLY");
    const appError = toAppError(refused, file);
    assert.equal(appError.code, "SERVICE_UNAVAILABLE");
    assert.equal(appError.status, 503);
    assert.ok(appError.detail?.includes(file));
    assert.equal(classifyStorageOutage(refused, file)?.kind, "unwritable");
  });
});
