// Command-line options of `npm run bench -- …`, with the defaults that keep a run near 4 minutes on 2 cores.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Measured seconds of each figure, split into `rounds` alternating with its reference. */
  durationSeconds: number;
  /** Figures and their references (sign-ins and hash limit, session checks and baseline) alternate this often. */
  rounds: number;
  /** Seconds of warm-up before the first round of each load. */
  warmupSeconds: number;
  /** Unmeasured sign-ins before the sign-in rounds of each server (Latchkey's and the peer's). */
  signinWarmup: number;
  /** Unmeasured answers of each check (and of the baseline) before its rounds. */
  checkWarmup: number;
  /** Verified accounts seeded into the measured server. */
  accounts: number;
  /** Connections of each HTTP load run (sign-in, session check, baseline, peer). */
  connections: number;
  /** Sequential requests per side for the latency comparisons (known vs unknown, many vs few accounts). */
  samples: number;
  /** Pictures and clips rendered for the CAPTCHA medians. */
  captchaIterations: number;
  peer: boolean;
  cluster: boolean;
  /** Write a V8 CPU profile of each Latchkey server into bench/results/profiles/. */
  cpuProfile: boolean;
}

const HELP = `Usage: npm run bench -- [options]
  --duration S            measured seconds of each figure (default 10)
  --rounds R              alternate each figure with its reference R times (default 5)
  --signin-warmup N       unmeasured sign-ins before the sign-in rounds, at most 60 s (default 2500; 0: none)
  --check-warmup N        unmeasured answers of each check and of the baseline before their rounds, at most 30 s
                          (default 40000; 0: none)
  --accounts N            verified accounts to seed (default 1000; 1000000 adds the scale comparison)
  --connections C         connections per load run (default 2 x CPUs)
  --samples N             sequential requests per side in latency comparisons (default 200)
  --captcha-iterations N  CAPTCHA pictures and clips to render (default 50)
  --no-peer               skip the Better Auth peer
  --no-cluster            skip the PostgreSQL + Redis run
  --cpu-prof              write CPU profiles of the Latchkey server to bench/results/profiles/
`;

/** A whole number of at least 0 (0 turns the step off). */
function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ""));
  if (!Number.isInteger(value) || value < 0 || text.trim() === "") throw new Error(`--${name} must be a whole number, 0 or more, not ${JSON.stringify(text)}`);
  return value;
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ""));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number, not ${JSON.stringify(text)}`);
  return value;
}

/** Parses the options; prints the usage and exits on --help. Throws on a bad value. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string" },
      rounds: { type: "string" },
      accounts: { type: "string" },
      connections: { type: "string" },
      samples: { type: "string" },
      "signin-warmup": { type: "string" },
      "check-warmup": { type: "string" },
      "captcha-iterations": { type: "string" },
      "no-peer": { type: "boolean" },
      "no-cluster": { type: "boolean" },
      "cpu-prof": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const durationSeconds = positiveInteger("duration", values.duration, 10);
  return {
    durationSeconds,
    rounds: Math.min(durationSeconds, positiveInteger("rounds", values.rounds, 5)),
    warmupSeconds: Math.min(3, Math.max(1, Math.round(durationSeconds / 5))),
    signinWarmup: wholeNumber("signin-warmup", values["signin-warmup"], 2500),
    checkWarmup: wholeNumber("check-warmup", values["check-warmup"], 40_000),
    accounts: positiveInteger("accounts", values.accounts, 1000),
    connections: positiveInteger("connections", values.connections, 2 * availableParallelism()),
    samples: positiveInteger("samples", values.samples, 200),
    captchaIterations: positiveInteger("captcha-iterations", values["captcha-iterations"], 50),
    peer: !values["no-peer"],
    cluster: !values["no-cluster"],
    cpuProfile: values["cpu-prof"] ?? false,
  };
}
