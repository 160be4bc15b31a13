// The results: the JSON of architecture §9 (bench/results/latest.json) and the Markdown tables on stdout.
import type { CAPTCHAOutcome } from "./captcha.ts";
import type { ClusterOutcome } from "./cluster.ts";
import type { LatencySummary, TimingComparison } from "./latchkey-http.ts";
import type { LoadFigures } from "./load.ts";
import type { ModeFigures } from "./measure-mode.ts";
import type { StrengthFigures } from "./password-strength.ts";
import type { PeerFigures } from "./peers/better-auth.ts";
import type { StartupFigures } from "./startup.ts";

export interface ScaleFigures {
  accounts: number;
  referenceAccounts: number;
  signin: LatencySummary;
  referenceSignin: LatencySummary;
}

export interface BenchRun {
  environment: {
    node: string;
    cpus: number;
    cpuModel: string;
    /** The host's transparent huge page setting (`always`, `madvise`, `never`), null where it does not say: with `never`, every hash costs several times the CPU. */
    transparentHugePages: string | null;
    loadavgStart: number[];
    loadavgEnd: number[];
  };
  settings: {
    accounts: number;
    durationSeconds: number;
    rounds: number;
    warmupSeconds: number;
    signinWarmup: number;
    checkWarmup: number;
    connections: number;
    samples: number;
    argon2: { memoryCost: number; timeCost: number; parallelism: number };
  };
  sqlite: ModeFigures;
  rssMBPeak: number;
  /** The peak before the strength estimates (sign-ins and checks only). */
  rssMBPeakBeforeStrength: number;
  startup: StartupFigures;
  passwordStrength: StrengthFigures;
  captcha: CAPTCHAOutcome;
  scale: ScaleFigures | { skipped: string };
  peer: PeerFigures | { skipped: string };
  cluster: ClusterOutcome;
}

export const TARGETS = {
  signinHashRatio: 0.9,
  sessionBaselineRatio: 0.5,
  captchaImageMs: 5,
  captchaAudioMs: 25,
  rssMB: 150,
  startupMs: 600,
  startupRssMB: 90,
  strengthMsP99: 20,
  scaleRatio: 1.1,
};

export interface TargetRow {
  name: string;
  required: string;
  measured: string;
  met: boolean | null;
  verdict: string;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

const roundOrNull = (value: number | null, digits: number): number | null => (value === null ? null : round(value, digits));

/** a ÷ b, or null when either is missing. */
const ratioOf = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);

const fixed = (value: number | null, digits: number): string => (value === null ? "-" : value.toFixed(digits));

function loadJSON(figures: LoadFigures): Record<string, unknown> {
  return {
    per_s: round(figures.perSecond, 2),
    server_cpu_ms_per_answer: roundOrNull(figures.serverCPUMsPerAnswer, 3),
    server_kernel_ms_per_answer: roundOrNull(figures.serverKernelMsPerAnswer, 3),
    server_main_thread_ms_per_answer: roundOrNull(figures.serverMainThreadMsPerAnswer, 3),
    client_cpu_ms_per_answer: roundOrNull(figures.clientCPUMsPerAnswer, 3),
    latency_ms_p50: figures.latencyMsP50,
    latency_ms_p90: figures.latencyMsP90,
    ok: figures.ok,
    seconds: round(figures.seconds, 2),
    unexpected: figures.unexpected,
  };
}

function timingJSON(timing: TimingComparison): Record<string, number> {
  return {
    samples: timing.known.samples,
    known_ms_p50: round(timing.known.msP50, 2),
    known_ms_p90: round(timing.known.msP90, 2),
    unknown_ms_p50: round(timing.unknown.msP50, 2),
    unknown_ms_p90: round(timing.unknown.msP90, 2),
    difference_ms: round(timing.differenceMs, 2),
    difference_pct: round(timing.differencePct, 2),
  };
}

function modeJSON(mode: ModeFigures): Record<string, unknown> {
  return {
    signin_per_s: round(mode.signin.perSecond, 2),
    hash_limit_per_s: round(mode.hashLimit.perSecond, 2),
    signin_hash_ratio: round(mode.signin.perSecond / mode.hashLimit.perSecond, 3),
    verify_only_per_s: round(mode.verifyOnly.perSecond, 2),
    verify_only_hash_ratio: round(mode.verifyOnly.perSecond / mode.hashLimit.perSecond, 3),
    signin_verify_only_ratio: round(mode.signin.perSecond / mode.verifyOnly.perSecond, 3),
    verify_only_cpu_ms: roundOrNull(mode.verifyOnly.serverCPUMsPerAnswer, 2),
    verify_only_client_cpu_ms: roundOrNull(mode.verifyOnly.clientCPUMsPerAnswer, 2),
    verify_only_main_thread_ms: roundOrNull(mode.verifyOnly.serverMainThreadMsPerAnswer, 3),
    verify_only_warmup_answers: mode.verifyOnlyWarmup.answers,
    session_check_per_s: round(mode.sessionCheck.perSecond, 1),
    baseline_per_s: round(mode.baseline.perSecond, 1),
    session_baseline_ratio: round(mode.sessionCheck.perSecond / mode.baseline.perSecond, 3),
    forward_auth_per_s: round(mode.forwardAuth.perSecond, 1),
    forward_auth_baseline_ratio: round(mode.forwardAuth.perSecond / mode.forwardAuthBaseline.perSecond, 3),
    hash_single_ms_p50: roundOrNull(mode.hashLimit.singleMsP50, 2),
    signin_cpu_ms: roundOrNull(mode.signin.serverCPUMsPerAnswer, 2),
    hash_cpu_ms: round(mode.hashLimit.cpuMsPerVerify, 2),
    hash_kernel_ms: round(mode.hashLimit.kernelMsPerVerify, 2),
    signin_kernel_ms: roundOrNull(mode.signin.serverKernelMsPerAnswer, 2),
    signin_client_cpu_ms: roundOrNull(mode.signin.clientCPUMsPerAnswer, 2),
    signin_main_thread_ms: roundOrNull(mode.signin.serverMainThreadMsPerAnswer, 3),
    signin_warmup_answers: mode.signinWarmup.answers,
    signin_warmup_s: round(mode.signinWarmup.seconds, 1),
    check_warmup_answers: {
      session_check: mode.checkWarmups.session.answers,
      baseline: mode.checkWarmups.baseline.answers,
      forward_auth: mode.checkWarmups.forwardAuth.answers,
    },
    signin_cpu_hash_share: roundOrNull(ratioOf(mode.hashLimit.cpuMsPerVerify, mode.signin.serverCPUMsPerAnswer), 3),
    session_check_cpu_ms: roundOrNull(mode.sessionCheck.serverCPUMsPerAnswer, 3),
    baseline_cpu_ms: roundOrNull(mode.baseline.serverCPUMsPerAnswer, 3),
    session_baseline_cpu_ratio: roundOrNull(ratioOf(mode.baseline.serverCPUMsPerAnswer, mode.sessionCheck.serverCPUMsPerAnswer), 3),
    signin: loadJSON(mode.signin),
    verify_only: loadJSON(mode.verifyOnly),
    session_check: loadJSON(mode.sessionCheck),
    baseline: loadJSON(mode.baseline),
    timing: timingJSON(mode.timing),
  };
}

function verdict(met: boolean, gap: string): string {
  return met ? "met" : `gap: ${gap}`;
}

export function targetRows(run: BenchRun): TargetRow[] {
  const m = run.sqlite;
  const rows: TargetRow[] = [];
  const signinRatio = m.signin.perSecond / m.hashLimit.perSecond;
  rows.push({
    name: "Sign-ins per second vs hash limit",
    required: `>= ${TARGETS.signinHashRatio} x hash limit`,
    measured: `${m.signin.perSecond.toFixed(1)}/s vs ${m.hashLimit.perSecond.toFixed(1)}/s = ${signinRatio.toFixed(2)}`,
    met: signinRatio >= TARGETS.signinHashRatio,
    verdict: verdict(
      signinRatio >= TARGETS.signinHashRatio,
      `${(TARGETS.signinHashRatio * m.hashLimit.perSecond - m.signin.perSecond).toFixed(1)} sign-ins/s short`,
    ),
  });
  const sessionRatio = m.sessionCheck.perSecond / m.baseline.perSecond;
  rows.push({
    name: "Session checks per second vs bare Fastify",
    required: `>= ${TARGETS.sessionBaselineRatio} x baseline`,
    measured: `${m.sessionCheck.perSecond.toFixed(0)}/s vs ${m.baseline.perSecond.toFixed(0)}/s = ${sessionRatio.toFixed(2)}`,
    met: sessionRatio >= TARGETS.sessionBaselineRatio,
    verdict: verdict(
      sessionRatio >= TARGETS.sessionBaselineRatio,
      `${(TARGETS.sessionBaselineRatio * m.baseline.perSecond - m.sessionCheck.perSecond).toFixed(0)} checks/s short`,
    ),
  });
  const forwardAuthRatio = m.forwardAuth.perSecond / m.forwardAuthBaseline.perSecond;
  rows.push({
    name: "Forward-auth checks per second vs bare Fastify",
    required: `>= ${TARGETS.sessionBaselineRatio} x baseline`,
    measured: `${m.forwardAuth.perSecond.toFixed(0)}/s vs ${m.forwardAuthBaseline.perSecond.toFixed(0)}/s = ${forwardAuthRatio.toFixed(2)}`,
    met: forwardAuthRatio >= TARGETS.sessionBaselineRatio,
    verdict: verdict(
      forwardAuthRatio >= TARGETS.sessionBaselineRatio,
      `${(TARGETS.sessionBaselineRatio * m.forwardAuthBaseline.perSecond - m.forwardAuth.perSecond).toFixed(0)} checks/s short`,
    ),
  });
  if ("skipped" in run.captcha) {
    for (const name of ["CAPTCHA picture, median", "CAPTCHA audio, median"]) {
      rows.push({
        name,
        required: name.includes("picture") ? `<= ${TARGETS.captchaImageMs} ms` : `<= ${TARGETS.captchaAudioMs} ms`,
        measured: "-",
        met: null,
        verdict: `not measured: ${run.captcha.skipped}`,
      });
    }
  } else {
    const { imageMsP50, audioMsP50 } = run.captcha;
    rows.push({
      name: "CAPTCHA picture, median",
      required: `<= ${TARGETS.captchaImageMs} ms`,
      measured: `${imageMsP50.toFixed(2)} ms`,
      met: imageMsP50 <= TARGETS.captchaImageMs,
      verdict: verdict(imageMsP50 <= TARGETS.captchaImageMs, `${(imageMsP50 - TARGETS.captchaImageMs).toFixed(2)} ms over`),
    });
    rows.push({
      name: "CAPTCHA audio, median",
      required: `<= ${TARGETS.captchaAudioMs} ms`,
      measured: `${audioMsP50.toFixed(2)} ms`,
      met: audioMsP50 <= TARGETS.captchaAudioMs,
      verdict: verdict(audioMsP50 <= TARGETS.captchaAudioMs, `${(audioMsP50 - TARGETS.captchaAudioMs).toFixed(2)} ms over`),
    });
  }
  const { startup, passwordStrength } = run;
  rows.push({
    name: "Start until /healthz answers (median of 5)",
    required: `<= ${TARGETS.startupMs} ms`,
    measured: `${startup.msP50.toFixed(0)} ms (${startup.cpuMsP50.toFixed(0)} ms CPU)`,
    met: startup.msP50 <= TARGETS.startupMs,
    verdict: verdict(startup.msP50 <= TARGETS.startupMs, `${(startup.msP50 - TARGETS.startupMs).toFixed(0)} ms over`),
  });
  rows.push({
    name: "Memory right after start (RSS)",
    required: `<= ${TARGETS.startupRssMB} MB`,
    measured: `${startup.rssMBP50.toFixed(0)} MB`,
    met: startup.rssMBP50 <= TARGETS.startupRssMB,
    verdict: verdict(startup.rssMBP50 <= TARGETS.startupRssMB, `${(startup.rssMBP50 - TARGETS.startupRssMB).toFixed(0)} MB over`),
  });
  rows.push({
    name: "Password-strength estimate over HTTP, p99",
    required: `<= ${TARGETS.strengthMsP99} ms, never blocking other requests`,
    measured: `${passwordStrength.msP99.toFixed(1)} ms (p50 ${passwordStrength.msP50.toFixed(1)}; the first, which starts the worker, ${passwordStrength.firstMs.toFixed(0)} ms); /healthz at most ${passwordStrength.healthMsMaxDuringEstimates.toFixed(1)} ms during 20 concurrent estimates`,
    met: passwordStrength.msP99 <= TARGETS.strengthMsP99,
    verdict: verdict(passwordStrength.msP99 <= TARGETS.strengthMsP99, `${(passwordStrength.msP99 - TARGETS.strengthMsP99).toFixed(1)} ms over`),
  });
  rows.push({
    name: "Peak RSS of the server under load",
    required: `<= ${TARGETS.rssMB} MB`,
    measured: `${run.rssMBPeak.toFixed(0)} MB (${run.rssMBPeakBeforeStrength.toFixed(0)} MB before the strength estimator's worker started)`,
    met: run.rssMBPeak <= TARGETS.rssMB,
    verdict: verdict(run.rssMBPeak <= TARGETS.rssMB, `${(run.rssMBPeak - TARGETS.rssMB).toFixed(0)} MB over`),
  });
  if ("skipped" in run.scale) {
    rows.push({
      name: "Median sign-in latency, many vs 1,000 accounts",
      required: `<= ${TARGETS.scaleRatio} x`,
      measured: "-",
      met: null,
      verdict: `not measured: ${run.scale.skipped}`,
    });
  } else {
    const s = run.scale;
    const ratio = s.signin.msP50 / s.referenceSignin.msP50;
    rows.push({
      name: `Median sign-in latency, ${s.accounts.toLocaleString("en")} vs ${s.referenceAccounts.toLocaleString("en")} accounts`,
      required: `<= ${TARGETS.scaleRatio} x`,
      measured: `${s.signin.msP50.toFixed(1)} ms vs ${s.referenceSignin.msP50.toFixed(1)} ms = ${ratio.toFixed(3)}`,
      met: ratio <= TARGETS.scaleRatio,
      verdict: verdict(ratio <= TARGETS.scaleRatio, `${((ratio - 1) * 100).toFixed(1)} % slower`),
    });
  }
  return rows;
}

/** The JSON of bench/results/latest.json: the keys of architecture §9 at the top level, details below. */
export function resultsJSON(run: BenchRun, rows: TargetRow[]): Record<string, unknown> {
  const m = run.sqlite;
  const captcha =
    "skipped" in run.captcha ? { image: null, audio: null } : { image: round(run.captcha.imageMsP50, 3), audio: round(run.captcha.audioMsP50, 3) };
  const peer =
    "skipped" in run.peer
      ? { skipped: run.peer.skipped }
      : {
          name: run.peer.name,
          version: run.peer.version,
          password_hash: run.peer.passwordHash,
          signin_per_s: round(run.peer.signin.perSecond, 2),
          hash_limit_per_s: round(run.peer.hashLimit.perSecond, 2),
          signin_hash_ratio: round(run.peer.signin.perSecond / run.peer.hashLimit.perSecond, 3),
          session_check_per_s: round(run.peer.sessionCheck.perSecond, 1),
          hash_single_ms_p50: roundOrNull(run.peer.hashLimit.singleMsP50, 2),
          signin_cpu_ms: roundOrNull(run.peer.signin.serverCPUMsPerAnswer, 2),
          hash_cpu_ms: round(run.peer.hashLimit.cpuMsPerVerify, 2),
          signin_cpu_hash_share: roundOrNull(ratioOf(run.peer.hashLimit.cpuMsPerVerify, run.peer.signin.serverCPUMsPerAnswer), 3),
          signin_warmup_answers: run.peer.signinWarmup.answers,
          signin_warmup_s: round(run.peer.signinWarmup.seconds, 1),
          session_check_cpu_ms: roundOrNull(run.peer.sessionCheck.serverCPUMsPerAnswer, 3),
          rss_mb_peak: round(run.peer.rssMBPeak, 1),
          signin: loadJSON(run.peer.signin),
          session_check: loadJSON(run.peer.sessionCheck),
        };
  const scale =
    "skipped" in run.scale
      ? { skipped: run.scale.skipped }
      : {
          accounts: run.scale.accounts,
          reference_accounts: run.scale.referenceAccounts,
          samples: run.scale.signin.samples,
          signin_ms_p50: round(run.scale.signin.msP50, 2),
          signin_ms_p90: round(run.scale.signin.msP90, 2),
          reference_signin_ms_p50: round(run.scale.referenceSignin.msP50, 2),
          reference_signin_ms_p90: round(run.scale.referenceSignin.msP90, 2),
          ratio: round(run.scale.signin.msP50 / run.scale.referenceSignin.msP50, 3),
        };
  const cluster =
    "skipped" in run.cluster
      ? { skipped: run.cluster.skipped }
      : { mode: "postgres+redis", accounts: run.cluster.accounts, rss_mb_peak: round(run.cluster.rssMBPeak, 1), ...modeJSON(run.cluster.figures) };
  const sqlite = modeJSON(m);
  return {
    signin_per_s: sqlite.signin_per_s,
    hash_limit_per_s: sqlite.hash_limit_per_s,
    session_check_per_s: sqlite.session_check_per_s,
    baseline_per_s: sqlite.baseline_per_s,
    forward_auth_per_s: sqlite.forward_auth_per_s,
    forward_auth_baseline_ratio: sqlite.forward_auth_baseline_ratio,
    captcha_image_ms_p50: captcha.image,
    captcha_audio_ms_p50: captcha.audio,
    rss_mb_peak: round(run.rssMBPeak, 1),
    rss_mb_peak_before_strength: round(run.rssMBPeakBeforeStrength, 1),
    startup_ms_p50: round(run.startup.msP50, 1),
    startup_cpu_ms_p50: round(run.startup.cpuMsP50, 1),
    rss_mb_after_start: round(run.startup.rssMBP50, 1),
    password_strength_ms_p50: round(run.passwordStrength.msP50, 2),
    password_strength_ms_p99: round(run.passwordStrength.msP99, 2),
    password_strength_ms_max: round(run.passwordStrength.msMax, 2),
    password_strength_first_ms: round(run.passwordStrength.firstMs, 1),
    healthz_ms_max_during_estimates: round(run.passwordStrength.healthMsMaxDuringEstimates, 2),
    node: run.environment.node,
    cpus: run.environment.cpus,
    signin_hash_ratio: sqlite.signin_hash_ratio,
    session_baseline_ratio: sqlite.session_baseline_ratio,
    mode: "sqlite",
    cpu_model: run.environment.cpuModel,
    transparent_huge_pages: run.environment.transparentHugePages,
    loadavg_start: run.environment.loadavgStart,
    loadavg_end: run.environment.loadavgEnd,
    settings: {
      accounts: run.settings.accounts,
      duration_s: run.settings.durationSeconds,
      rounds: run.settings.rounds,
      warmup_s: run.settings.warmupSeconds,
      signin_warmup: run.settings.signinWarmup,
      check_warmup: run.settings.checkWarmup,
      connections: run.settings.connections,
      samples: run.settings.samples,
      argon2: run.settings.argon2,
    },
    sqlite,
    timing: sqlite.timing,
    scale,
    peer,
    cluster,
    targets: rows.map((row) => ({ name: row.name, required: row.required, measured: row.measured, met: row.met })),
    generated_at: new Date().toISOString(),
  };
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function unexpectedText(figures: LoadFigures): string {
  const entries = Object.entries(figures.unexpected);
  return entries.length === 0 ? "" : ` (unexpected answers: ${entries.map(([k, v]) => `${k}: ${v}`).join(", ")})`;
}

export function markdownReport(run: BenchRun, rows: TargetRow[]): string {
  const m = run.sqlite;
  const out: string[] = [];
  const env = run.environment;
  out.push(
    `## Latchkey benchmarks\n\nNode ${env.node}, ${env.cpus} CPUs (${env.cpuModel}), transparent huge pages ${env.transparentHugePages ?? "not reported"}, load average ${env.loadavgStart.map((v) => v.toFixed(2)).join(" ")} at the start and ${env.loadavgEnd.map((v) => v.toFixed(2)).join(" ")} at the end. ` +
      `SQLite mode, ${run.settings.accounts.toLocaleString("en")} accounts, ${run.settings.connections} connections, ${run.settings.rounds} alternating rounds of ${run.settings.durationSeconds / run.settings.rounds} s, ` +
      `argon2id m=${run.settings.argon2.memoryCost} t=${run.settings.argon2.timeCost} p=${run.settings.argon2.parallelism}.\n`,
  );
  if ((env.loadavgStart[0] ?? 0) > env.cpus * 0.5 || (env.loadavgEnd[0] ?? 0) > env.cpus * 1.5) {
    out.push(
      "> Other processes kept the CPUs busy during this run (see the load averages): rates and latencies understate what this code does on a quiet machine. " +
        "Each figure alternated with its reference, so the ratios suffer less; the CPU-per-answer figures under Details are the least sensitive.\n",
    );
  }
  out.push(
    table(
      ["Target", "Required", "Measured", "Result"],
      rows.map((r) => [r.name, r.required, r.measured, r.verdict]),
    ),
  );

  const peer = "skipped" in run.peer ? null : run.peer;
  out.push("\n### Beside the peer\n");
  const peerCell = (value: (p: PeerFigures) => string): string => (peer ? value(peer) : "-");
  out.push(
    table(
      ["", "Latchkey", peer ? `Better Auth ${peer.version}` : "Better Auth"],
      [
        [
          "Password hash",
          `argon2id m=${run.settings.argon2.memoryCost} t=${run.settings.argon2.timeCost} p=${run.settings.argon2.parallelism}`,
          peerCell((p) => p.passwordHash),
        ],
        ["Hash limit (verifies/s, no HTTP)", m.hashLimit.perSecond.toFixed(1), peerCell((p) => p.hashLimit.perSecond.toFixed(1))],
        ["Sign-ins/s over HTTP", m.signin.perSecond.toFixed(1), peerCell((p) => p.signin.perSecond.toFixed(1))],
        [
          "Sign-ins ÷ hash limit",
          (m.signin.perSecond / m.hashLimit.perSecond).toFixed(2),
          peerCell((p) => (p.signin.perSecond / p.hashLimit.perSecond).toFixed(2)),
        ],
        ["A bare route that only verifies ÷ hash limit", (m.verifyOnly.perSecond / m.hashLimit.perSecond).toFixed(2), peerCell(() => "–")],
        ["Server CPU per sign-in (ms)", fixed(m.signin.serverCPUMsPerAnswer, 1), peerCell((p) => fixed(p.signin.serverCPUMsPerAnswer, 1))],
        ["CPU per verification alone (ms)", m.hashLimit.cpuMsPerVerify.toFixed(1), peerCell((p) => p.hashLimit.cpuMsPerVerify.toFixed(1))],
        [
          "Hash share of sign-in CPU",
          fixed(ratioOf(m.hashLimit.cpuMsPerVerify, m.signin.serverCPUMsPerAnswer), 2),
          peerCell((p) => fixed(ratioOf(p.hashLimit.cpuMsPerVerify, p.signin.serverCPUMsPerAnswer), 2)),
        ],
        ["Session checks/s", m.sessionCheck.perSecond.toFixed(0), peerCell((p) => p.sessionCheck.perSecond.toFixed(0))],
        ["Server CPU per session check (ms)", fixed(m.sessionCheck.serverCPUMsPerAnswer, 3), peerCell((p) => fixed(p.sessionCheck.serverCPUMsPerAnswer, 3))],
        [
          "Session checks ÷ bare Fastify",
          (m.sessionCheck.perSecond / m.baseline.perSecond).toFixed(2),
          peerCell((p) => (p.sessionCheck.perSecond / m.baseline.perSecond).toFixed(2)),
        ],
        [
          "Forward-auth checks/s ÷ bare Fastify",
          `${m.forwardAuth.perSecond.toFixed(0)} ÷ ${m.forwardAuthBaseline.perSecond.toFixed(0)} = ${(m.forwardAuth.perSecond / m.forwardAuthBaseline.perSecond).toFixed(2)}`,
          peerCell(() => "–"),
        ],
        ["Peak RSS (MB)", run.rssMBPeak.toFixed(0), peerCell((p) => p.rssMBPeak.toFixed(0))],
      ],
    ),
  );
  if (!peer && "skipped" in run.peer) out.push(`\nPeer not measured: ${run.peer.skipped}`);

  out.push("\n### Failed sign-in: known vs unknown identifier\n");
  const t = m.timing;
  out.push(
    table(
      ["Identifier", "Samples", "Median (ms)", "p90 (ms)"],
      [
        ["Known, wrong password", String(t.known.samples), t.known.msP50.toFixed(2), t.known.msP90.toFixed(2)],
        ["Unknown", String(t.unknown.samples), t.unknown.msP50.toFixed(2), t.unknown.msP90.toFixed(2)],
      ],
    ),
  );
  out.push(`\nDifference of the medians (unknown − known): ${t.differenceMs.toFixed(2)} ms (${t.differencePct.toFixed(1)} %).`);

  out.push("\n### Details\n");
  out.push(
    `- Before the sign-in rounds, ${m.signinWarmup.answers} sign-ins in ${m.signinWarmup.seconds.toFixed(0)} s (and ${m.verifyOnlyWarmup.answers} to the verify-only route) that were not measured (V8 optimizes a function after enough calls: the rounds measure a server in its steady state).`,
  );
  const w = m.checkWarmups;
  out.push(
    `- Before the check rounds, ${w.session.answers} session checks (${w.session.seconds.toFixed(0)} s), ${w.baseline.answers} baseline answers (${w.baseline.seconds.toFixed(0)} s) and ${w.forwardAuth.answers} forward-auth checks (${w.forwardAuth.seconds.toFixed(0)} s) that were not measured, for the same reason.`,
  );
  out.push(
    `- Sign-in latency under load: median ${m.signin.latencyMsP50} ms, p90 ${m.signin.latencyMsP90} ms${unexpectedText(m.signin)}; one verification alone: ${fixed(m.hashLimit.singleMsP50, 1)} ms.`,
  );
  out.push(
    `- Session check latency under load: median ${m.sessionCheck.latencyMsP50} ms${unexpectedText(m.sessionCheck)}; baseline median ${m.baseline.latencyMsP50} ms${unexpectedText(m.baseline)}.`,
  );
  out.push(
    `- The same sign-in requests to a bare Fastify route that verifies the password and does nothing else (no throttle, lookup, session or audit; \`bench/baseline-server.ts\`): ` +
      `${m.verifyOnly.perSecond.toFixed(1)}/s = ${(m.verifyOnly.perSecond / m.hashLimit.perSecond).toFixed(2)} x hash limit, ${fixed(m.verifyOnly.serverCPUMsPerAnswer, 2)} ms of server CPU and ${fixed(m.verifyOnly.clientCPUMsPerAnswer, 2)} ms of the load generator's per sign-in${unexpectedText(m.verifyOnly)}. ` +
      `Latchkey's sign-ins are ${(m.signin.perSecond / m.verifyOnly.perSecond).toFixed(2)} x that route: what HTTP and the load generator cost is the difference between the route and the hash limit, the rest is the sign-in's own work.`,
  );
  out.push(
    `- Server CPU per answer (all threads): sign-in ${fixed(m.signin.serverCPUMsPerAnswer, 2)} ms vs ${m.hashLimit.cpuMsPerVerify.toFixed(2)} ms per verification alone; ` +
      `session check ${fixed(m.sessionCheck.serverCPUMsPerAnswer, 3)} ms vs baseline ${fixed(m.baseline.serverCPUMsPerAnswer, 3)} ms. CPU per answer depends far less on other processes than rates do.`,
  );
  out.push(
    `- Of that CPU, in the kernel: ${fixed(m.signin.serverKernelMsPerAnswer, 2)} ms per sign-in, ${m.hashLimit.kernelMsPerVerify.toFixed(2)} ms per verification alone. ` +
      `The load generator (this process, on the same CPUs) spent ${fixed(m.signin.clientCPUMsPerAnswer, 2)} ms per sign-in and ${fixed(m.sessionCheck.clientCPUMsPerAnswer, 3)} ms per session check.`,
  );
  const otherThreads = (figures: LoadFigures): number | null =>
    figures.serverCPUMsPerAnswer === null || figures.serverMainThreadMsPerAnswer === null
      ? null
      : figures.serverCPUMsPerAnswer - figures.serverMainThreadMsPerAnswer;
  out.push(
    `- By thread, per sign-in: the main thread (HTTP, storage, cookies: the event loop) ${fixed(m.signin.serverMainThreadMsPerAnswer, 2)} ms against the verify-only route's ${fixed(m.verifyOnly.serverMainThreadMsPerAnswer, 2)} ms; ` +
      `the other threads (the hash in the thread pool, V8's helpers) ${fixed(otherThreads(m.signin), 2)} ms against the route's ${fixed(otherThreads(m.verifyOnly), 2)} ms and ${m.hashLimit.cpuMsPerVerify.toFixed(2)} ms per verification alone.`,
  );
  if (!("skipped" in run.scale)) {
    out.push(
      `- Sequential sign-in: ${run.scale.accounts.toLocaleString("en")} accounts median ${run.scale.signin.msP50.toFixed(1)} ms (p90 ${run.scale.signin.msP90.toFixed(1)}), ${run.scale.referenceAccounts.toLocaleString("en")} accounts median ${run.scale.referenceSignin.msP50.toFixed(1)} ms (p90 ${run.scale.referenceSignin.msP90.toFixed(1)}).`,
    );
  }
  if ("skipped" in run.cluster) {
    out.push(`- PostgreSQL + Redis mode: skipped (${run.cluster.skipped}).`);
  } else {
    const c = run.cluster.figures;
    out.push("\n### PostgreSQL + Redis mode\n");
    out.push(
      table(
        ["Figure", "Value"],
        [
          [
            "Sign-ins/s ÷ hash limit",
            `${c.signin.perSecond.toFixed(1)} ÷ ${c.hashLimit.perSecond.toFixed(1)} = ${(c.signin.perSecond / c.hashLimit.perSecond).toFixed(2)}`,
          ],
          [
            "Session checks/s ÷ baseline",
            `${c.sessionCheck.perSecond.toFixed(0)} ÷ ${c.baseline.perSecond.toFixed(0)} = ${(c.sessionCheck.perSecond / c.baseline.perSecond).toFixed(2)}`,
          ],
          [
            "Failed sign-in median, known / unknown",
            `${c.timing.known.msP50.toFixed(2)} / ${c.timing.unknown.msP50.toFixed(2)} ms (${c.timing.differencePct.toFixed(1)} %)`,
          ],
          ["Peak RSS", `${run.cluster.rssMBPeak.toFixed(0)} MB`],
        ],
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
