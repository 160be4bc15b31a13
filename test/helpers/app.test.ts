// The test app helper leaves nothing behind, also when the app it is asked for cannot start.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createTestApp } from "./app.ts";

/** Files this process holds open under `folder` (the SQLite database and its -wal and -shm files while open). */
function openFilesUnder(folder: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${folder}/`)) open.push(target);
    } catch {
      // Closed between the listing and the read (readdirSync's own descriptor).
    }
  }
  return open;
}

describe("createTestApp", () => {
  // os.tmpdir() reads TMPDIR on every call: the helper's folders go to a folder of this test alone, so a
  // test file running beside this one cannot add or take any.
  let root: string;
  let savedTmpdir: string | undefined;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "app-helper-"));
    savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = root;
  });
  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    rmSync(root, { recursive: true, force: true });
  });

  it("removes the data folder when the app is closed", async () => {
    const t = await createTestApp();
    assert.deepEqual(readdirSync(root), [t.dataDir.slice(root.length + 1)]);
    assert.ok(
      readdirSync(t.dataDir).some((name) => name.endsWith(".db")),
      "the app had its SQLite file there",
    );
    await t.close();
    assert.deepEqual(openFilesUnder(root), []);
    assert.deepEqual(readdirSync(root), []);
  });

  it("removes the data folder when a setting stops the app before its storage opens", async () => {
    await assert.rejects(createTestApp({ LATCHKEY_DEFAULT_REGION: "XX" }), /LATCHKEY_DEFAULT_REGION/);
    assert.deepEqual(readdirSync(root), []);
  });

  it("closes the storage and removes the data folder when the app fails after its storage opened", async () => {
    let sawDatabase = false;
    const failingRoute = () => {
      sawDatabase = openFilesUnder(root).some((file) => file.endsWith(".db"));
      throw new Error("a route that cannot be registered");
    };
    await assert.rejects(createTestApp({}, { onRoute: failingRoute }), /a route that cannot be registered/);
    assert.ok(sawDatabase, "the database was open when the app failed");
    assert.deepEqual(openFilesUnder(root), []);
    assert.deepEqual(readdirSync(root), []);
  });
});
