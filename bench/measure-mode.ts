// Every HTTP figure of one running Latchkey server, each measured beside its reference: sign-ins
// alternating with the hash limit and with the baseline's verify-only sign-in route, session checks
// alternating with the bare Fastify baseline, and the known-versus-unknown timing.
import type { Config } from "../src/config/load.ts";
import { combineHashFigures, type HashFigures, measureHashLimit } from "./hash-limit.ts";
import {
  CHECK_WARMUP_CAP_SECONDS,
  forwardAuthTarget,
  measureForwardAuthChecks,
  measureKnownVersusUnknown,
  measureSessionChecks,
  measureSignins,
  type ServerUnderTest,
  sessionCheckTarget,
  signInForCookie,
  type TimingComparison,
  warmUpSignins,
} from "./latchkey-http.ts";
import {
  alternateRounds,
  combineLoadFigures,
  createKeepAliveAgent,
  type LoadFigures,
  type LoadSettings,
  type LoadTarget,
  measureThroughput,
  timedRequest,
  type WarmUp,
  warmUpUntil,
} from "./load.ts";
import { benchIdentifier } from "./seed.ts";

export interface ModeFigures {
  signin: LoadFigures;
  hashLimit: HashFigures;
  /**
   * The same sign-in requests to a bare Fastify route that verifies the password and does nothing else
   * (bench/baseline-server.ts): how far HTTP and the load generator alone keep a sign-in from the hash limit.
   */
  verifyOnly: LoadFigures;
  sessionCheck: LoadFigures;
  baseline: LoadFigures;
  /** nginx auth_request checks (the forward-auth hot path), alternated with the same baseline. */
  forwardAuth: LoadFigures;
  forwardAuthBaseline: LoadFigures;
  timing: TimingComparison;
  /** The unmeasured sign-ins before the first round. */
  signinWarmup: WarmUp;
  /** The same for the verify-only route. */
  verifyOnlyWarmup: WarmUp;
  /** The unmeasured answers before the check rounds: session checks, the baseline, forward-auth checks. */
  checkWarmups: { session: WarmUp; baseline: WarmUp; forwardAuth: WarmUp };
}

export interface MeasureModeOptions {
  server: ServerUnderTest;
  nextAccount: () => number;
  baseline: ServerUnderTest;
  baselinePath: string;
  argon2: Config["argon2"];
  rounds: number;
  /** Load settings of one round (the first round adds the warm-up). */
  round: LoadSettings;
  /** Unmeasured sign-ins before the sign-in rounds (0: none); see warmUpUntil. */
  signinWarmup: number;
  /** Unmeasured answers of each check and of the baseline before their rounds (0: none). */
  checkWarmup: number;
  samples: number;
  log: (line: string) => void;
}

export async function measureLatchkeyMode(options: MeasureModeOptions): Promise<ModeFigures> {
  const { log } = options;
  const settingsFor = (round: number): LoadSettings => ({ ...options.round, warmupSeconds: round === 0 ? options.round.warmupSeconds : 0 });

  log(`  known vs unknown identifier: ${options.samples} sequential wrong-password sign-ins each`);
  const timing = await measureKnownVersusUnknown(options.server.url, options.nextAccount, options.samples);

  log(`  sign-in warm-up: ${options.signinWarmup} sign-ins to the server and as many to the verify-only route, not measured`);
  const signinWarmup = await warmUpSignins(options.server, options.nextAccount, options.round.connections, options.signinWarmup);
  // The verify-only route gets the same unmeasured sign-ins: a reference that still ran unoptimized code
  // would flatter the sign-ins beside it.
  const verifyOnlyWarmup = await warmUpSignins(options.baseline, options.nextAccount, options.round.connections, options.signinWarmup);

  log(`  sign-ins vs hash limit and the verify-only route: ${options.rounds} rounds of ${options.round.durationSeconds} s each`);
  const signinRounds = await alternateRounds(
    options.rounds,
    (round) => measureHashLimit("argon2", options.round.durationSeconds, options.argon2, round === 0 ? 2 : 0),
    async (round) => ({
      latchkey: await measureSignins(options.server, options.nextAccount, settingsFor(round)),
      verifyOnly: await measureSignins(options.baseline, options.nextAccount, settingsFor(round)),
    }),
  );

  log(`  session checks vs baseline: ${options.rounds} rounds of ${options.round.durationSeconds} s each`);
  const cookie = await signInForCookie(options.server.url, benchIdentifier(options.nextAccount()));
  const probe = createKeepAliveAgent();
  const check = await timedRequest(probe, options.server.url, "GET", "/api/v1/session", undefined, { cookie });
  probe.destroy();
  if (check.status !== 200) throw new Error(`the session check answered ${check.status}: ${check.body}`);
  const baselineTarget: LoadTarget = {
    url: options.baseline.url,
    serverPid: options.baseline.pid,
    method: "GET",
    path: options.baselinePath,
    expectStatus: 200,
  };
  const warmUpChecks = (target: LoadTarget): Promise<WarmUp> => warmUpUntil(target, options.round.connections, options.checkWarmup, CHECK_WARMUP_CAP_SECONDS);
  log(`  check warm-up: ${options.checkWarmup} session checks and as many baseline answers, not measured`);
  const sessionWarmup = await warmUpChecks(sessionCheckTarget(options.server, cookie));
  const baselineWarmup = await warmUpChecks(baselineTarget);
  const sessionRounds = await alternateRounds(
    options.rounds,
    (round) => measureThroughput(baselineTarget, settingsFor(round)),
    (round) => measureSessionChecks(options.server, cookie, settingsFor(round)),
  );

  log(`  forward-auth checks vs baseline: ${options.rounds} rounds of ${options.round.durationSeconds} s each`);
  const forwardAuthWarmup = await warmUpChecks(forwardAuthTarget(options.server, cookie));
  const forwardAuthRounds = await alternateRounds(
    options.rounds,
    (round) => measureThroughput(baselineTarget, settingsFor(round)),
    (round) => measureForwardAuthChecks(options.server, cookie, settingsFor(round)),
  );

  return {
    signin: combineLoadFigures(signinRounds.second.map((round) => round.latchkey)),
    hashLimit: combineHashFigures(signinRounds.first),
    verifyOnly: combineLoadFigures(signinRounds.second.map((round) => round.verifyOnly)),
    sessionCheck: combineLoadFigures(sessionRounds.second),
    baseline: combineLoadFigures(sessionRounds.first),
    forwardAuth: combineLoadFigures(forwardAuthRounds.second),
    forwardAuthBaseline: combineLoadFigures(forwardAuthRounds.first),
    timing,
    signinWarmup,
    verifyOnlyWarmup,
    checkWarmups: { session: sessionWarmup, baseline: baselineWarmup, forwardAuth: forwardAuthWarmup },
  };
}
