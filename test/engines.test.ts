// The Node.js lines Latchkey supports (24 and 22, and 20 kept working) against what every installed package
// declares: `npm install` must print no EBADENGINE warning on a supported line.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import semver from "semver";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL("../package-lock.json", import.meta.url), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

/**
 * The oldest release of each supported line (22.12 is the first 22 that loads ES modules with require()), and
 * 20.19, kept working while machines run it: `npm install` must be quiet there too.
 */
const SUPPORTED = ["20.19.0", "22.12.0", "24.0.0"];

function packagesRefusing(version: string): string[] {
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (path && range && !semver.satisfies(version, range)) refused.push(`${path.replace(/^.*node_modules\//, "")}@${entry.version} wants ${range}`);
  }
  return refused;
}

describe("supported Node.js lines", () => {
  it("every locked package accepts the oldest release of each supported line", () => {
    for (const version of SUPPORTED) {
      assert.ok(semver.satisfies(version, manifest.engines.node), `package.json engines accepts ${version}`);
      assert.deepEqual(packagesRefusing(version), [], `on Node.js ${version}`);
    }
  });

  it("package.json engines accepts the running Node.js and Node.js 20.19 (kept working), not older 20 or 22 releases", () => {
    assert.ok(semver.satisfies(process.versions.node, manifest.engines.node), process.versions.node);
    assert.ok(semver.satisfies("20.19.0", manifest.engines.node));
    // Before 20.19 and 22.12, CommonJS packages cannot require() ES-module-only packages.
    assert.ok(!semver.satisfies("20.18.0", manifest.engines.node));
    assert.ok(!semver.satisfies("22.11.0", manifest.engines.node));
  });
});
