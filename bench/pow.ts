// Proof of work, measured: the client CPU one solve costs at the default and at the raised difficulties
// (Node's SHA-256, the same search as the page's worker), and the server's cost to verify one proof: the
// hash check alone, and the whole verification against a SQLite short-lived store (read-and-delete of the
// puzzle, plus the identifier's failure count when the request names one, as a sign-in does).
// Part of `npm run bench`; alone: node --import tsx bench/pow.ts [solves]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createSystemClock } from "../src/lib/clock.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
import { POW_RAISE_BITS } from "../src/pow/difficulty.ts";
import { createPowPuzzle, leadingZeroBits, solvePowPuzzle, verifyPowProof } from "../src/pow/puzzles.ts";
import { openStores } from "../src/stores/index.ts";

/** The default of LATCHKEY_POW_DIFFICULTY. */
const DEFAULT_BITS = 14;
/** The server's target for checking one proof. */
export const POW_VERIFY_TARGET_MS = 0.05;
const VERIFY_PROOFS = 2000;

export interface PowSolveFigures {
  bits: number;
  meanMs: number;
  medianMs: number;
  p95Ms: number;
}

export interface PowFigures {
  solves: number;
  /** Base and one raise (busy address or identifier with failures); both raises cost 16 times one. */
  client: PowSolveFigures[];
  /** CPU per hash check (SHA-256 and counting zero bits), in milliseconds. */
  hashCheckMs: number;
  /** Whole verification without an identifier: wall and CPU milliseconds per proof. */
  wholeWallMs: number;
  wholeCPUMs: number;
  /** Whole verification naming an identifier (its failure count is read too). */
  withIdentifierWallMs: number;
  withIdentifierCPUMs: number;
}

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function measureSolves(bits: number, solves: number): PowSolveFigures {
  const random = createCryptoRandom();
  const times: number[] = [];
  for (let i = 0; i < solves; i++) {
    const prefix = random.bytes(16).toString("hex");
    times.push(cpuMs(() => solvePowPuzzle(prefix, bits)));
  }
  times.sort((a, b) => a - b);
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return { bits, meanMs, medianMs: percentile(times, 50), p95Ms: percentile(times, 95) };
}

async function measureVerify(): Promise<Omit<PowFigures, "solves" | "client">> {
  const random = createCryptoRandom();
  const prefix = random.bytes(16).toString("hex");
  const nonce = solvePowPuzzle(prefix, DEFAULT_BITS);
  const rounds = 100_000;
  const hashCheckMs =
    cpuMs(() => {
      for (let i = 0; i < rounds; i++) leadingZeroBits(prefix, nonce);
    }) / rounds;

  const dir = mkdtempSync(join(tmpdir(), "latchkey-pow-bench-"));
  const clock = createSystemClock();
  const stores = await openStores({ database: { kind: "sqlite", file: join(dir, "bench.db") } } as never, clock);
  try {
    const config = { secret: "bench-secret", defaultRegion: undefined, pow: { enabled: true, difficulty: 4 } } as never;
    const deps = { stores, clock, random, config };
    const timeVerifications = async (identifier: string | undefined): Promise<{ wallMs: number; cpuMs: number }> => {
      const proofs = [];
      for (let i = 0; i < VERIFY_PROOFS; i++) {
        const puzzle = await createPowPuzzle(deps, { purpose: "signin", binding: "b:bench", difficulty: 4, identifier });
        proofs.push({ id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) });
      }
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (const proof of proofs) {
        if ((await verifyPowProof(deps, { proof, purpose: "signin", binding: "b:bench", identifier })) !== "valid") throw new Error("a proof did not verify");
      }
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6 / proofs.length;
      const used = process.cpuUsage(cpuStart);
      return { wallMs, cpuMs: (used.user + used.system) / 1000 / proofs.length };
    };
    const whole = await timeVerifications(undefined);
    const named = await timeVerifications("ada@example.com");
    return { hashCheckMs, wholeWallMs: whole.wallMs, wholeCPUMs: whole.cpuMs, withIdentifierWallMs: named.wallMs, withIdentifierCPUMs: named.cpuMs };
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures `solves` solves at each difficulty and the server's verification. */
export async function measurePow(solves: number): Promise<PowFigures> {
  const client = [DEFAULT_BITS, DEFAULT_BITS + POW_RAISE_BITS].map((bits) => measureSolves(bits, solves));
  return { solves, client, ...(await measureVerify()) };
}

/** The keys `npm run bench` adds to bench/results/latest.json. */
export function powResultsJSON(figures: PowFigures | { skipped: string }): Record<string, unknown> {
  if ("skipped" in figures) return { pow: { skipped: figures.skipped } };
  const round = (x: number, digits: number): number => Number(x.toFixed(digits));
  return {
    pow_client_cpu_ms_default: round(figures.client[0]?.meanMs ?? 0, 2),
    pow_client_cpu_ms_raised: round(figures.client[1]?.meanMs ?? 0, 2),
    pow_verify_hash_ms: round(figures.hashCheckMs, 5),
    pow_verify_whole_ms: round(figures.wholeWallMs, 4),
    pow_verify_whole_cpu_ms: round(figures.wholeCPUMs, 4),
    pow_verify_with_identifier_ms: round(figures.withIdentifierWallMs, 4),
  };
}

/** A Markdown section for the benchmark report. */
export function powMarkdown(figures: PowFigures | { skipped: string }): string {
  if ("skipped" in figures) return `\n## Proof of work\n\nnot measured: ${figures.skipped}\n`;
  const lines = [
    "",
    "## Proof of work",
    "",
    "| difficulty | client CPU per sign-in attempt: mean | median | p95 |",
    "|---|---|---|---|",
    ...figures.client.map((row) => `| ${row.bits} bits | ${row.meanMs.toFixed(1)} ms | ${row.medianMs.toFixed(1)} ms | ${row.p95Ms.toFixed(1)} ms |`),
    "",
    `| server, per proof | measured | target <= ${POW_VERIFY_TARGET_MS} ms |`,
    "|---|---|---|",
    `| hash check (CPU) | ${figures.hashCheckMs.toFixed(4)} ms | ${figures.hashCheckMs <= POW_VERIFY_TARGET_MS ? "met" : "missed"} |`,
    `| whole check, SQLite read-and-delete (wall / CPU) | ${figures.wholeWallMs.toFixed(3)} / ${figures.wholeCPUMs.toFixed(3)} ms | ${figures.wholeWallMs <= POW_VERIFY_TARGET_MS ? "met" : "missed: the storage round trip, not the hash"} |`,
    `| whole check naming an identifier (+ its failure count; wall / CPU) | ${figures.withIdentifierWallMs.toFixed(3)} / ${figures.withIdentifierCPUMs.toFixed(3)} ms | ${figures.withIdentifierWallMs <= POW_VERIFY_TARGET_MS ? "met" : "missed: the storage round trips, not the hash"} |`,
    "",
    `(${figures.solves} solves per difficulty, Node's SHA-256 on one core; a client raised for both reasons needs ${POW_RAISE_BITS} more bits, ${2 ** POW_RAISE_BITS} times the raised figure)`,
    "",
  ];
  return lines.join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(powMarkdown(await measurePow(Number(process.argv[2] ?? "40"))));
}
