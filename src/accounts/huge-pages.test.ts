import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { describeHugePagesOff, parseHugePageSetting } from "./huge-pages.ts";

const dir = mkdtempSync(join(tmpdir(), "latchkey-huge-pages-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/** A setting file with the given text. */
function settingFile(text: string): string {
  const path = join(dir, `enabled-${++count}`);
  writeFileSync(path, text);
  return path;
}

describe("parseHugePageSetting", () => {
  test("reads the bracketed choice", () => {
    assert.equal(parseHugePageSetting("always [madvise] never\n"), "madvise");
    assert.equal(parseHugePageSetting("[always] madvise never\n"), "always");
    assert.equal(parseHugePageSetting("always madvise [never]\n"), "never");
    assert.equal(parseHugePageSetting("always madvise never\n"), null);
  });
});

describe("describeHugePagesOff", () => {
  test("warns, with the hash's memory and the fix, when the host has huge pages off", () => {
    const file = settingFile("always madvise [never]\n");
    const warning = describeHugePagesOff(19456, file);
    assert.ok(warning);
    assert.ok(warning.startsWith(`Warning: transparent huge pages are off on this host (${file} is set to never)`), warning);
    assert.match(warning, /19 MiB/);
    assert.match(warning, /Set \/sys\/kernel\/mm\/transparent_hugepage\/enabled to madvise/);
    assert.match(warning, /docs\/deployment\.md, "Transparent huge pages"/);
    assert.match(describeHugePagesOff(65536, file) ?? "", /64 MiB/);
  });

  test("stays silent when huge pages are on, always or on request", () => {
    assert.equal(describeHugePagesOff(19456, settingFile("always [madvise] never\n")), null);
    assert.equal(describeHugePagesOff(19456, settingFile("[always] madvise never\n")), null);
  });

  test("stays silent where the host does not say (no such file: not Linux, or a kernel without huge pages)", () => {
    assert.equal(describeHugePagesOff(19456, join(dir, "missing")), null);
  });
});
