// Proof of work, measured: the client CPU one solve costs at the default and at the raised difficulty
// (Node's SHA-256, the same search as the page's worker), and the server's cost to verify one proof:
// the hash check alone, and the whole verification against a SQLite short-lived store.
// Run: node --import tsx bench/pow.ts [solves]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSystemClock } from "../src/lib/clock.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
import { POW_RAISE_BITS } from "../src/pow/difficulty.ts";
import { createPowPuzzle, leadingZeroBits, solvePowPuzzle, verifyPowProof } from "../src/pow/puzzles.ts";
import { openStores } from "../src/stores/index.ts";

const DEFAULT_BITS = 14;
const solves = Number(process.argv[2] ?? "40");
const random = createCryptoRandom();

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function measureSolves(bits: number): { bits: number; meanMs: number; medianMs: number; p95Ms: number } {
  const times: number[] = [];
  for (let i = 0; i < solves; i++) {
    const prefix = random.bytes(16).toString("hex");
    times.push(cpuMs(() => solvePowPuzzle(prefix, bits)));
  }
  times.sort((a, b) => a - b);
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return { bits, meanMs, medianMs: percentile(times, 50), p95Ms: percentile(times, 95) };
}

async function measureVerify(): Promise<{ hashCheckMs: number; fullVerifyMs: number }> {
  const prefix = random.bytes(16).toString("hex");
  const nonce = solvePowPuzzle(prefix, DEFAULT_BITS);
  const rounds = 100_000;
  const hashCheckMs = cpuMs(() => {
    for (let i = 0; i < rounds; i++) leadingZeroBits(prefix, nonce);
  }) / rounds;

  const dir = mkdtempSync(join(tmpdir(), "latchkey-pow-bench-"));
  const clock = createSystemClock();
  const stores = await openStores({ database: { kind: "sqlite", file: join(dir, "bench.db") } } as never, clock);
  try {
    const deps = { stores, clock, random, config: {} as never };
    const proofs = [];
    for (let i = 0; i < 2000; i++) {
      const puzzle = await createPowPuzzle(deps, { purpose: "signin", binding: "b:bench", difficulty: 4 });
      proofs.push({ id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) });
    }
    const start = process.hrtime.bigint();
    for (const proof of proofs) {
      if ((await verifyPowProof(deps, { proof, purpose: "signin", binding: "b:bench" })) !== "valid") throw new Error("a proof did not verify");
    }
    const fullVerifyMs = Number(process.hrtime.bigint() - start) / 1e6 / proofs.length;
    return { hashCheckMs, fullVerifyMs };
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = measureSolves(DEFAULT_BITS);
const raised = measureSolves(DEFAULT_BITS + POW_RAISE_BITS);
const verify = await measureVerify();
console.log(`| difficulty | client CPU per solve: mean | median | p95 |`);
console.log(`|---|---|---|---|`);
for (const row of [base, raised]) console.log(`| ${row.bits} bits | ${row.meanMs.toFixed(1)} ms | ${row.medianMs.toFixed(1)} ms | ${row.p95Ms.toFixed(1)} ms |`);
console.log();
console.log(`server: hash check ${(verify.hashCheckMs * 1000).toFixed(2)} µs CPU per proof; whole verification (SQLite getAndDelete + check) ${verify.fullVerifyMs.toFixed(3)} ms wall per proof`);
console.log(`(${solves} solves per difficulty, Node ${process.version})`);
