// The peer: Better Auth (e-mail + password on SQLite, its defaults) measured the way Latchkey is: sign-ins
// per second against its own hash limit, and session checks per second, over HTTP with the same settings.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config/load.ts";
import { combineHashFigures, type HashFigures, measureHashLimit } from "../hash-limit.ts";
import { CHECK_WARMUP_CAP_SECONDS, createAccountCycle, SIGNIN_WARMUP_CAP_SECONDS } from "../latchkey-http.ts";
import { cleanEnvironment, PROJECT_DIR } from "../latchkey-server.ts";
import {
  alternateRounds,
  combineLoadFigures,
  cookieHeaderFrom,
  createKeepAliveAgent,
  type LoadFigures,
  type LoadSettings,
  type LoadTarget,
  measureThroughput,
  timedRequest,
  type WarmUp,
  warmUpUntil,
} from "../load.ts";
import { startChildServer } from "../processes.ts";
import { BENCH_PASSWORD } from "../seed.ts";

export interface PeerFigures {
  name: string;
  version: string;
  passwordHash: string;
  signin: LoadFigures;
  hashLimit: HashFigures;
  sessionCheck: LoadFigures;
  rssMBPeak: number;
  signinWarmup: WarmUp;
}

export interface PeerRunOptions {
  rounds: number;
  /** Load settings of one round (the first round adds the warm-up). */
  round: LoadSettings;
  /** Unmeasured sign-ins before the sign-in rounds, as for Latchkey. */
  signinWarmup: number;
  /** Unmeasured session checks before the check rounds. */
  checkWarmup: number;
  /** Argon2 parameters are not used by the peer; the hash worker takes them for its argon2 mode only. */
  argon2: Config["argon2"];
}

const JSON_HEADERS = { "content-type": "application/json" };

function peerIdentifier(index: number): string {
  return `peer${String(index).padStart(7, "0")}@bench.example`;
}

function betterAuthVersion(): string {
  const manifest = JSON.parse(readFileSync(join(PROJECT_DIR, "node_modules/better-auth/package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/** Creates accounts through Better Auth's own sign-up endpoint, `parallel` at a time. */
async function signUpAccounts(url: string, count: number, parallel: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    const agent = createKeepAliveAgent();
    try {
      while (next < count) {
        const index = next++;
        const answer = await timedRequest(agent, url, "POST", "/api/auth/sign-up/email", {
          email: peerIdentifier(index),
          password: BENCH_PASSWORD,
          name: `Peer ${index}`,
        });
        if (answer.status !== 200) throw new Error(`Better Auth sign-up answered ${answer.status}: ${answer.body}`);
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

export async function measureBetterAuthPeer(options: PeerRunOptions): Promise<PeerFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-bench-peer-"));
  const server = await startChildServer({
    name: "Better Auth",
    command: process.execPath,
    args: ["--import", "tsx", "bench/peers/better-auth-server.ts"],
    // Outside production Better Auth's rate limiter is off by default, as Latchkey's per-address limits
    // are lifted for its run: both are measured without per-address limits.
    env: {
      ...cleanEnvironment(),
      NODE_ENV: "development",
      BENCH_PEER_DATA_DIR: dataDir,
      BENCH_PEER_SECRET: randomBytes(32).toString("base64url"),
      BETTER_AUTH_TELEMETRY: "0",
    },
    cwd: PROJECT_DIR,
    ready: /LISTENING (\d+)/,
  });
  try {
    const accounts = Math.max(8, 2 * options.round.connections);
    await signUpAccounts(server.url, accounts, 4);
    const nextAccount = createAccountCycle(accounts);
    const settingsFor = (round: number): LoadSettings => ({ ...options.round, warmupSeconds: round === 0 ? options.round.warmupSeconds : 0 });

    const signinTarget: LoadTarget = {
      url: server.url,
      serverPid: server.pid,
      method: "POST",
      path: "/api/auth/sign-in/email",
      headers: JSON_HEADERS,
      nextBody: () => JSON.stringify({ email: peerIdentifier(nextAccount()), password: BENCH_PASSWORD }),
      expectStatus: 200,
    };
    // The same unmeasured sign-ins as Latchkey's before its rounds.
    const signinWarmup = await warmUpUntil(signinTarget, options.round.connections, options.signinWarmup, SIGNIN_WARMUP_CAP_SECONDS);
    const signinRounds = await alternateRounds(
      options.rounds,
      (round) => measureHashLimit("scrypt", options.round.durationSeconds, options.argon2, round === 0 ? 2 : 0),
      (round) => measureThroughput(signinTarget, settingsFor(round)),
    );

    const agent = createKeepAliveAgent();
    const signedIn = await timedRequest(agent, server.url, "POST", "/api/auth/sign-in/email", { email: peerIdentifier(0), password: BENCH_PASSWORD });
    if (signedIn.status !== 200) throw new Error(`Better Auth sign-in answered ${signedIn.status}: ${signedIn.body}`);
    const cookie = cookieHeaderFrom(signedIn.headers);
    // Without a valid session its get-session answers 200 with `null`, so check the body once.
    const check = await timedRequest(agent, server.url, "GET", "/api/auth/get-session", undefined, { cookie });
    agent.destroy();
    if (check.status !== 200 || !check.body.includes('"session"')) throw new Error(`Better Auth get-session answered ${check.status}: ${check.body}`);
    const sessionTarget: LoadTarget = {
      url: server.url,
      serverPid: server.pid,
      method: "GET",
      path: "/api/auth/get-session",
      headers: { cookie },
      expectStatus: 200,
    };
    // The same unmeasured checks as Latchkey's before its rounds.
    await warmUpUntil(sessionTarget, options.round.connections, options.checkWarmup, CHECK_WARMUP_CAP_SECONDS);
    const sessionRounds: LoadFigures[] = [];
    for (let round = 0; round < options.rounds; round++) sessionRounds.push(await measureThroughput(sessionTarget, settingsFor(round)));
    return {
      name: "Better Auth",
      version: betterAuthVersion(),
      passwordHash: "scrypt N=16384 r=16 p=1 (node:crypto, its default)",
      signin: combineLoadFigures(signinRounds.second),
      hashLimit: combineHashFigures(signinRounds.first),
      sessionCheck: combineLoadFigures(sessionRounds),
      rssMBPeak: server.peakRSSMB(),
      signinWarmup,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
