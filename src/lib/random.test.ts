import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { createCryptoRandom, createSeededRandom, type Random } from "./random.ts";

function draw(random: Random): string {
  return [random.bytes(7).toString("hex"), random.int(1000), random.float(), random.bytes(40).toString("hex")].join("|");
}

describe("createSeededRandom", () => {
  test("the same seed gives the same stream", () => {
    assert.equal(draw(createSeededRandom("seed")), draw(createSeededRandom("seed")));
    assert.equal(draw(createSeededRandom(Buffer.from("seed"))), draw(createSeededRandom("seed")));
  });

  test("the stream is SHA-256 of the seed followed by a decimal block counter", () => {
    // Twelve blocks: the counter goes to two digits, written after the seed like the one-digit ones.
    for (const seed of ["seed", Buffer.from([0, 255, 7, 0])]) {
      const expected = Buffer.concat(Array.from({ length: 12 }, (_, block) => createHash("sha256").update(seed).update(String(block)).digest()));
      assert.deepEqual(createSeededRandom(seed).bytes(expected.length), expected);
    }
  });

  test("different seeds give different streams", () => {
    assert.notEqual(draw(createSeededRandom("seed")), draw(createSeededRandom("seed2")));
  });

  test("the stream moves on: successive reads differ", () => {
    const random = createSeededRandom("seed");
    const a = random.bytes(32).toString("hex");
    const b = random.bytes(32).toString("hex");
    assert.notEqual(a, b);
  });

  test("reading in pieces gives the same bytes as reading at once", () => {
    const whole = createSeededRandom("pieces").bytes(100);
    const split = createSeededRandom("pieces");
    const parts = Buffer.concat([split.bytes(1), split.bytes(31), split.bytes(33), split.bytes(35)]);
    assert.deepEqual(parts, whole);
  });

  test("bytes returns exactly n bytes", () => {
    const random = createSeededRandom("n");
    assert.equal(random.bytes(0).length, 0);
    assert.equal(random.bytes(5).length, 5);
    assert.equal(random.bytes(1000).length, 1000);
  });

  test("int stays within [0, max) and reaches both ends", () => {
    const random = createSeededRandom("bounds");
    for (const max of [1, 2, 3, 7, 10, 1000]) {
      const seen = new Set<number>();
      for (let i = 0; i < 2000; i++) {
        const v = random.int(max);
        assert.ok(Number.isInteger(v) && v >= 0 && v < max, `int(${max}) gave ${v}`);
        seen.add(v);
      }
      if (max <= 10) assert.equal(seen.size, max, `every value of int(${max}) appears`);
      else {
        assert.ok(seen.has(0) || seen.has(1), `int(${max}) reaches the low end`);
        assert.ok(
          [...seen].some((v) => v >= max - 3),
          `int(${max}) reaches the high end`,
        );
      }
    }
  });

  test("int is uniform: each of 6 outcomes near 1/6 of 60000 draws", () => {
    const random = createSeededRandom("uniform");
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const v = random.int(6);
      counts[v] = (counts[v] ?? 0) + 1;
    }
    for (const count of counts) assert.ok(Math.abs(count - 10_000) < 600, `count ${count}`);
  });

  test("int accepts the largest range it can draw from uniformly (2^32)", () => {
    const v = createSeededRandom("big").int(2 ** 32);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
  });

  test("int rejects a bad max", () => {
    const random = createSeededRandom("bad");
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32 + 1, 2 ** 40]) {
      assert.throws(() => random.int(bad), RangeError, String(bad));
    }
  });

  test("float is in [0, 1) and spread out", () => {
    const random = createSeededRandom("float");
    let below = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = random.float();
      assert.ok(f >= 0 && f < 1, String(f));
      if (f < 0.5) below++;
    }
    assert.ok(Math.abs(below - 5000) < 300, `below half: ${below}`);
  });
});

describe("createCryptoRandom", () => {
  test("gives fresh bytes each time and ints within bounds", () => {
    const random = createCryptoRandom();
    assert.notDeepEqual(random.bytes(32), random.bytes(32));
    for (let i = 0; i < 1000; i++) {
      const v = random.int(7);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 7);
      const f = random.float();
      assert.ok(f >= 0 && f < 1);
    }
  });

  test("int rejects a bad max", () => {
    const random = createCryptoRandom();
    // node:crypto's randomInt: RangeError for a range that is empty, TypeError for a fraction.
    for (const bad of [0, -1, 1.5]) assert.throws(() => random.int(bad), String(bad));
  });
});
