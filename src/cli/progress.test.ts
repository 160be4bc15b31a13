import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createProgressReporter, formatProgressBar } from "./progress.ts";

describe("formatProgressBar", () => {
  test("draws the share done, the rows and the rejections", () => {
    assert.equal(formatProgressBar({ fraction: 0.52, rows: 52_000, rejected: 3 }, 10), "[#####     ] 52% 52,000 rows, 3 rejected");
    assert.equal(formatProgressBar({ fraction: 1, rows: 1, rejected: 0 }, 4), "[####] 100% 1 rows, 0 rejected");
    assert.equal(formatProgressBar({ fraction: Number.NaN, rows: 0, rejected: 0 }, 4), "[####] 100% 0 rows, 0 rejected");
    assert.equal(formatProgressBar({ fraction: -1, rows: 0, rejected: 0 }, 4), "[    ] 0% 0 rows, 0 rejected");
  });
});

describe("createProgressReporter", () => {
  const snapshot = { fraction: 0.5, rows: 10, rejected: 1 };

  test("on a terminal, redraws in place at most ten times a second and ends the line", () => {
    const written: string[] = [];
    let time = 0;
    const reporter = createProgressReporter({ isTTY: true, write: (text) => written.push(text) }, () => time);
    for (let i = 0; i < 100; i++) {
      time += 10;
      reporter.update(snapshot);
    }
    assert.equal(written.length, 10, "1000 ms of updates every 10 ms");
    assert.ok(written.every((text) => text.startsWith("\r[") && !text.includes("\n")));
    reporter.finish({ ...snapshot, fraction: 1 });
    assert.match(written.at(-1) ?? "", /^\r\[#+\] 100% .*\n$/);
  });

  test("elsewhere, writes a plain line every five seconds and nothing at the end", () => {
    const written: string[] = [];
    let time = 0;
    const reporter = createProgressReporter({ write: (text) => written.push(text) }, () => time);
    for (let i = 0; i < 120; i++) {
      time += 100;
      reporter.update(snapshot);
    }
    reporter.finish(snapshot);
    assert.deepEqual(written, Array(2).fill("progress: [##########          ] 50% 10 rows, 1 rejected\n"));
  });
});
