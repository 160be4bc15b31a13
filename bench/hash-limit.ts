// The hash limit: password verifications per second in a fresh process with the server's thread pool and
// parameters, no HTTP (bench/hash-worker.ts does the work).
import type { Config } from "../src/config/load.ts";
import { cleanEnvironment, PROJECT_DIR } from "./latchkey-server.ts";
import { runChild } from "./processes.ts";

export type HashKind = "argon2" | "scrypt";

export interface HashFigures {
  perSecond: number;
  verifies: number;
  seconds: number;
  /** Median time of one verification when nothing else runs; null when not measured. */
  singleMsP50: number | null;
  /** Process CPU (all threads) per verification. */
  cpuMsPerVerify: number;
  /** The part of cpuMsPerVerify spent in the kernel. */
  kernelMsPerVerify: number;
}

/** Verifications in flight, more than the thread pool has threads, so the pool never idles. */
export const HASH_CONCURRENCY = 16;

/** Runs the hash worker for `seconds`; with `singleSeconds` > 0 it also times lone verifications. */
export async function measureHashLimit(kind: HashKind, seconds: number, argon2: Config["argon2"], singleSeconds = 0): Promise<HashFigures> {
  const args = [
    "--import",
    "tsx",
    "bench/hash-worker.ts",
    `--kind=${kind}`,
    `--seconds=${seconds}`,
    `--concurrency=${HASH_CONCURRENCY}`,
    `--single-seconds=${singleSeconds}`,
    `--memory-cost=${argon2.memoryCost}`,
    `--time-cost=${argon2.timeCost}`,
    `--parallelism=${argon2.parallelism}`,
  ];
  const stdout = await runChild(`hash worker (${kind})`, process.execPath, args, cleanEnvironment(), PROJECT_DIR, (seconds + 60) * 1000);
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as HashFigures;
}

/** Adds up rounds measured at different moments into one rate. */
export function combineHashFigures(rounds: readonly HashFigures[]): HashFigures {
  const verifies = rounds.reduce((sum, r) => sum + r.verifies, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const single = rounds.find((r) => r.singleMsP50 !== null)?.singleMsP50 ?? null;
  const perVerify = (figure: (r: HashFigures) => number): number => rounds.reduce((sum, r) => sum + figure(r) * r.verifies, 0) / verifies;
  return {
    perSecond: verifies / seconds,
    verifies,
    seconds,
    singleMsP50: single,
    cpuMsPerVerify: perVerify((r) => r.cpuMsPerVerify),
    kernelMsPerVerify: perVerify((r) => r.kernelMsPerVerify),
  };
}
