// Child process: how many password verifications per second a fresh Node process manages with the default
// libuv thread pool, calling exactly what the server calls, with `concurrency` verifications in flight.
// No HTTP. Prints one JSON line: {"perSecond", "verifies", "seconds", "singleMsP50", "cpuMsPerVerify",
// "kernelMsPerVerify"}
// (singleMsP50: one verification at a time for --single-seconds, null with 0, to compare with sequential
// sign-in latency; cpuMsPerVerify: process CPU, all threads, per verification, to compare with the
// server's CPU per sign-in; kernelMsPerVerify: the part of it spent in the kernel).
//   argon2  Latchkey's verifyPasswordHash (src/accounts/password-hash.ts, @node-rs/argon2)
//   scrypt  Better Auth's default verifyPassword (better-auth/crypto, node:crypto scrypt)
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { hashPassword as hashBetterAuthPassword, verifyPassword as verifyBetterAuthPassword } from "better-auth/crypto";
import { createArgon2Hasher } from "../src/accounts/password-hash.ts";

type Verify = () => Promise<boolean>;

const PASSWORD = "Correct-Horse-Battery-Staple-42";

async function createVerify(kind: string, argon2: { memoryCost: number; timeCost: number; parallelism: number }): Promise<Verify> {
  if (kind === "argon2") {
    const hasher = createArgon2Hasher(argon2);
    const hash = await hasher.hashPassword(PASSWORD);
    return () => hasher.verifyPasswordHash(hash, PASSWORD);
  }
  if (kind === "scrypt") {
    const hash = await hashBetterAuthPassword(PASSWORD);
    return () => verifyBetterAuthPassword({ hash, password: PASSWORD });
  }
  throw new Error(`unknown hash kind ${kind}`);
}

interface VerifyWindow {
  verifies: number;
  seconds: number;
  cpuMs: number;
  /** The part of cpuMs spent in the kernel. */
  kernelMs: number;
  /** Milliseconds of each verification completed inside the window. */
  durations: number[];
}

/**
 * Keeps `concurrency` verifications in flight throughout; after `warmupSeconds` it opens a window of
 * `seconds` and counts the verifications completed and the process CPU used (all threads) inside it.
 * Work in flight at either edge of the window is the same on average, so it neither adds nor goes missing.
 */
async function measureWindow(verify: Verify, concurrency: number, warmupSeconds: number, seconds: number): Promise<VerifyWindow> {
  let stopped = false;
  let counting = false;
  const durations: number[] = [];
  const lane = async (): Promise<void> => {
    while (!stopped) {
      const before = performance.now();
      if (!(await verify())) throw new Error("the benchmark password did not verify");
      if (counting) durations.push(performance.now() - before);
    }
  };
  const lanes = Promise.all(Array.from({ length: concurrency }, lane));
  await sleep(warmupSeconds * 1000);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  counting = true;
  await sleep(seconds * 1000);
  counting = false;
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = (performance.now() - started) / 1000;
  const verifies = durations.length;
  stopped = true;
  await lanes;
  return { verifies, seconds: elapsed, cpuMs: (cpu.user + cpu.system) / 1000, kernelMs: cpu.system / 1000, durations };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kind: { type: "string" },
      seconds: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      "single-seconds": { type: "string" },
      "memory-cost": { type: "string" },
      "time-cost": { type: "string" },
      parallelism: { type: "string" },
    },
  });
  const argon2 = {
    memoryCost: Number(values["memory-cost"] ?? 19456),
    timeCost: Number(values["time-cost"] ?? 2),
    parallelism: Number(values.parallelism ?? 1),
  };
  const verify = await createVerify(values.kind ?? "argon2", argon2);
  const concurrency = Number(values.concurrency ?? 16);
  const run = await measureWindow(verify, concurrency, Number(values.warmup ?? 1), Number(values.seconds ?? 10));
  const singleSeconds = Number(values["single-seconds"] ?? 2);
  const single = singleSeconds > 0 ? await measureWindow(verify, 1, 0.2, singleSeconds) : null;
  const sorted = single ? single.durations.sort((a, b) => a - b) : [];
  const singleMsP50 = sorted[Math.floor(sorted.length / 2)] ?? null;
  process.stdout.write(
    `${JSON.stringify({ perSecond: run.verifies / run.seconds, verifies: run.verifies, seconds: run.seconds, singleMsP50, cpuMsPerVerify: run.cpuMs / run.verifies, kernelMsPerVerify: run.kernelMs / run.verifies })}\n`,
  );
}

await main();
