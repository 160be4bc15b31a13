// Every public error code is provoked by some test: a code that no test file names (as the string
// "CODE" in an assertion) fails here, unless it is on the short list below of codes that no request can
// provoke, each with its reason.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { errorCatalogue } from "../src/errors/catalogue.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Codes that no test can provoke, and why. Keep it short: a code here is a code nobody checks. */
const CANNOT_BE_PROVOKED: Record<string, string> = {
  SECOND_FACTOR_REQUIRED: "answered by the sign-in flow's second-factor state, which the password sign-in does not enter yet",
};

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path));
    else if (entry.name.endsWith(".test.ts") || (dir.startsWith("test") && entry.name.endsWith(".ts"))) out.push(path);
  }
  return out;
}

describe("error code coverage", () => {
  it("every catalogue code is named by a test that provokes it", () => {
    const self = "test/error-coverage.test.ts";
    const files = [...testFiles("test"), ...testFiles("src")].filter((f) => f !== self && !f.startsWith("test/helpers"));
    const text = files.map((f) => readFileSync(join(ROOT, f), "utf8")).join("\n");
    const untested = Object.keys(errorCatalogue).filter((code) => !text.includes(`"${code}"`) && !Object.hasOwn(CANNOT_BE_PROVOKED, code));
    assert.deepEqual(untested, [], `no test provokes: ${untested.join(", ")}`);
  });

  it("the list of codes that cannot be provoked names only real codes, each with a reason", () => {
    for (const [code, reason] of Object.entries(CANNOT_BE_PROVOKED)) {
      assert.ok(Object.hasOwn(errorCatalogue, code), `${code} is a catalogue code`);
      assert.ok(reason.length > 20, `${code} has a reason`);
    }
  });
});
