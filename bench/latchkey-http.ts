// Measurements of a running Latchkey server over HTTP: sign-ins, session checks, the time of a failed
// sign-in for a known versus an unknown identifier, and sequential sign-in latency.
import { randomInt } from "node:crypto";
import {
  cookieHeaderFrom,
  createKeepAliveAgent,
  type LoadFigures,
  type LoadSettings,
  type LoadTarget,
  measureThroughput,
  quantile,
  timedRequest,
  type WarmUp,
  warmUpUntil,
} from "./load.ts";
import { BENCH_PASSWORD, benchIdentifier, unknownIdentifier, WRONG_PASSWORD } from "./seed.ts";

const JSON_HEADERS = { "content-type": "application/json" };

/** The longest the sign-in warm-up may take, however few sign-ins it reached. */
export const SIGNIN_WARMUP_CAP_SECONDS = 60;

/**
 * Visits account indices 0..count-1 in a random order, round and round. Two requests in flight never
 * share an account (unless there are fewer accounts than connections), so the per-identifier throttle,
 * which asks for a CAPTCHA once 3 attempts of one identifier are open, never interferes.
 */
export function createAccountCycle(count: number): () => number {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  let next = 0;
  return () => {
    const index = order[next] as number;
    next = (next + 1) % count;
    return index;
  };
}

/** Signs in once and returns the cookies to send back (session and browser id). */
export async function signInForCookie(url: string, identifier: string): Promise<string> {
  const agent = createKeepAliveAgent();
  try {
    const answer = await timedRequest(agent, url, "POST", "/api/v1/session", { identifier, password: BENCH_PASSWORD });
    if (answer.status !== 200) throw new Error(`sign-in for the session check answered ${answer.status}: ${answer.body}`);
    return cookieHeaderFrom(answer.headers);
  } finally {
    agent.destroy();
  }
}

/** Where a sign-in is posted (the baseline's verify-only route answers there too). */
export const SIGNIN_PATH = "/api/v1/session";

/** A running server: where it listens and its process (for its CPU time). */
export interface ServerUnderTest {
  url: string;
  pid: number;
}

function signinTarget(server: ServerUnderTest, nextAccount: () => number): LoadTarget {
  return {
    url: server.url,
    serverPid: server.pid,
    method: "POST",
    path: SIGNIN_PATH,
    headers: JSON_HEADERS,
    nextBody: () => JSON.stringify({ identifier: benchIdentifier(nextAccount()), password: BENCH_PASSWORD }),
    expectStatus: 200,
  };
}

/**
 * Full sign-ins (POST /api/v1/session, verified account, correct password) under load; against the
 * baseline, its verify-only route with the same requests.
 */
export function measureSignins(server: ServerUnderTest, nextAccount: () => number, settings: LoadSettings): Promise<LoadFigures> {
  return measureThroughput(signinTarget(server, nextAccount), settings);
}

/** Sign-ins that are not measured (see warmUpUntil), before the measured rounds. */
export function warmUpSignins(server: ServerUnderTest, nextAccount: () => number, connections: number, answers: number): Promise<WarmUp> {
  return warmUpUntil(signinTarget(server, nextAccount), connections, answers, SIGNIN_WARMUP_CAP_SECONDS);
}

/** GET /api/v1/session with a valid session cookie under load. */
export function measureSessionChecks(server: ServerUnderTest, cookie: string, settings: LoadSettings): Promise<LoadFigures> {
  return measureThroughput(sessionCheckTarget(server, cookie), settings);
}

export function sessionCheckTarget(server: ServerUnderTest, cookie: string): LoadTarget {
  return { url: server.url, serverPid: server.pid, method: "GET", path: "/api/v1/session", headers: { cookie }, expectStatus: 200 };
}

/**
 * The longest a check's warm-up may take, however few answers it reached. Measured on one server, session
 * checks in a row (3 s each): its CPU per check went from about 0.10 ms in the first 3 seconds to 0.08 and
 * then 0.07 ms; the first thousands of checks run while V8 still optimizes and the heap still grows.
 */
export const CHECK_WARMUP_CAP_SECONDS = 30;

export interface LatencySummary {
  samples: number;
  msP50: number;
  msP90: number;
}

function summarize(values: number[]): LatencySummary {
  return { samples: values.length, msP50: quantile(values, 0.5), msP90: quantile(values, 0.9) };
}

export interface TimingComparison {
  known: LatencySummary;
  unknown: LatencySummary;
  /** Median for an unknown identifier minus median for a known one. */
  differenceMs: number;
  /** The difference relative to the known median. */
  differencePct: number;
}

/**
 * A wrong password for an existing identifier versus any password for an unknown one, one request at a
 * time, in pairs whose order is drawn at random. Every attempt uses an identifier not tried before in the
 * run, so each is a first failure (no CAPTCHA, no lock), the production path.
 */
export async function measureKnownVersusUnknown(url: string, nextAccount: () => number, samples: number): Promise<TimingComparison> {
  const agent = createKeepAliveAgent();
  const known: number[] = [];
  const unknown: number[] = [];
  const tag = randomInt(1_000_000);
  const attempt = async (identifier: string, into: number[]): Promise<void> => {
    const answer = await timedRequest(agent, url, "POST", "/api/v1/session", { identifier, password: WRONG_PASSWORD });
    if (answer.status !== 401 || !answer.body.includes("SIGNIN_FAILED")) throw new Error(`a wrong password answered ${answer.status}: ${answer.body}`);
    into.push(answer.ms);
  };
  try {
    // A few unmeasured attempts first, so neither side pays for the first JIT compilation.
    for (let i = 0; i < 5; i++) await attempt(unknownIdentifier(tag * 10 + i), []);
    for (let i = 0; i < samples; i++) {
      const knownFirst = randomInt(2) === 0;
      const knownAttempt = () => attempt(benchIdentifier(nextAccount()), known);
      const unknownAttempt = () => attempt(`x${tag}-${unknownIdentifier(i)}`, unknown);
      if (knownFirst) {
        await knownAttempt();
        await unknownAttempt();
      } else {
        await unknownAttempt();
        await knownAttempt();
      }
    }
  } finally {
    agent.destroy();
  }
  const k = summarize(known);
  const u = summarize(unknown);
  return { known: k, unknown: u, differenceMs: u.msP50 - k.msP50, differencePct: ((u.msP50 - k.msP50) / k.msP50) * 100 };
}

export interface SequentialTarget {
  url: string;
  nextAccount: () => number;
}

/** Successful sign-ins one at a time, alternating between the targets; the latency summary of each. */
export async function measureSequentialSignins(targets: readonly SequentialTarget[], samples: number): Promise<LatencySummary[]> {
  const agents = targets.map(() => createKeepAliveAgent());
  const times: number[][] = targets.map(() => []);
  try {
    for (let i = -5; i < samples; i++) {
      for (const [t, target] of targets.entries()) {
        const answer = await timedRequest(agents[t]!, target.url, "POST", "/api/v1/session", {
          identifier: benchIdentifier(target.nextAccount()),
          password: BENCH_PASSWORD,
        });
        if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.body}`);
        // The first five rounds warm up both servers and are not counted.
        if (i >= 0) times[t]!.push(answer.ms);
      }
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return times.map(summarize);
}

/**
 * GET /api/v1/authz/auth-request (nginx auth_request) with a valid session cookie under load: the check a
 * reverse proxy makes on every request of every protected app. Compare with the bare route (target: at
 * least half its requests per second).
 */
export function measureForwardAuthChecks(server: ServerUnderTest, cookie: string, settings: LoadSettings): Promise<LoadFigures> {
  return measureThroughput(forwardAuthTarget(server, cookie), settings);
}

export function forwardAuthTarget(server: ServerUnderTest, cookie: string): LoadTarget {
  return {
    url: server.url,
    serverPid: server.pid,
    method: "GET",
    path: "/api/v1/authz/auth-request",
    headers: { cookie, "x-original-url": "https://app.example.com/" },
    expectStatus: 200,
  };
}
