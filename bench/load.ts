// Load generation: throughput runs with autocannon (a warm-up, then the measured run) and sequential
// latency samples over one keep-alive connection.
import { Agent, request } from "node:http";
import autocannon, { type AutocannonRequest } from "autocannon";
import { type CPUSeconds, readCPUTimes, readMainThreadMs } from "./processes.ts";

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadFigures {
  /** Answers with the expected status per second of the measured run. */
  perSecond: number;
  latencyMsP50: number;
  latencyMsP90: number;
  /** Answers with the expected status. */
  ok: number;
  /** Length of the measured run(s). */
  seconds: number;
  /** CPU the server process spent (all threads) per expected answer; null without a server pid. */
  serverCPUMsPerAnswer: number | null;
  /** The part of serverCPUMsPerAnswer spent in the kernel (system calls, page faults); null without a server pid. */
  serverKernelMsPerAnswer: number | null;
  /**
   * The part of serverCPUMsPerAnswer spent by the server's main thread, the event loop (the rest is the
   * thread pool that hashes and V8's helpers); null without a server pid.
   */
  serverMainThreadMsPerAnswer: number | null;
  /**
   * CPU this process (the load generator) spent per expected answer in the same window: CPU the server
   * could not use, since both share the machine. Null without a server pid.
   */
  clientCPUMsPerAnswer: number | null;
  /** Expected answers inside the CPU window. */
  cpuAnswers: number;
  /** Every other answer by status, plus connection errors and timeouts. */
  unexpected: Record<string, number>;
}

export interface LoadTarget {
  url: string;
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** A new body for every request (e.g. the next account), or none. */
  nextBody?: () => string;
  expectStatus: number;
  /** The server's process, to account the CPU it spends. */
  serverPid?: number;
}

/** The target's request for autocannon: a new body for every request when the target has one. */
function autocannonRequests(target: LoadTarget): AutocannonRequest[] {
  const nextBody = target.nextBody;
  const base: AutocannonRequest = { method: target.method, path: target.path, headers: { ...target.headers } };
  return [nextBody ? { ...base, setupRequest: (req) => ({ ...req, body: nextBody() }) } : base];
}

/**
 * One autocannon run. The server's CPU is read at two moments inside the run, a margin after its start and
 * before its end, and divided by the expected answers in between: a window of steady load, so requests
 * still in flight at either end neither add CPU nor go missing.
 */
async function runAutocannon(target: LoadTarget, connections: number, durationSeconds: number): Promise<LoadFigures> {
  const instance = autocannon({ url: target.url, connections, duration: durationSeconds, timeout: 30, requests: autocannonRequests(target) });
  const pid = target.serverPid;
  const zero: CPUSeconds = { user: 0, system: 0 };
  /**
   * At both edges of the window: the server's CPU (all threads, seconds) and its main thread's run time (ms);
   * and this process's CPU from the window's start to its end (microseconds).
   */
  const window = {
    counting: false,
    answers: 0,
    cpuStart: zero,
    cpuEnd: zero,
    mainStart: 0,
    mainEnd: 0,
    clientStart: process.cpuUsage(),
    client: { user: 0, system: 0 },
  };
  const timers: NodeJS.Timeout[] = [];
  if (pid !== undefined) {
    const margin = Math.min(250, (durationSeconds * 1000) / 10);
    instance.on("response", (_client, statusCode) => {
      if (window.counting && statusCode === target.expectStatus) window.answers++;
    });
    timers.push(
      setTimeout(() => {
        window.cpuStart = readCPUTimes(pid);
        window.mainStart = readMainThreadMs(pid);
        window.clientStart = process.cpuUsage();
        window.counting = true;
      }, margin),
      setTimeout(
        () => {
          window.cpuEnd = readCPUTimes(pid);
          window.mainEnd = readMainThreadMs(pid);
          window.client = process.cpuUsage(window.clientStart);
          window.counting = false;
        },
        durationSeconds * 1000 - margin,
      ),
    );
  }
  const result = await instance;
  for (const timer of timers) clearTimeout(timer);
  const unexpected: Record<string, number> = {};
  let ok = 0;
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    if (Number(status) === target.expectStatus) ok += count;
    else unexpected[status] = count;
  }
  if (result.errors > 0) unexpected.errors = result.errors;
  if (result.timeouts > 0) unexpected.timeouts = result.timeouts;
  const seconds = result.duration > 0 ? result.duration : durationSeconds;
  const cpuMs = (window.cpuEnd.user + window.cpuEnd.system - window.cpuStart.user - window.cpuStart.system) * 1000;
  const kernelMs = (window.cpuEnd.system - window.cpuStart.system) * 1000;
  const clientMs = (window.client.user + window.client.system) / 1000;
  const measured = window.answers > 0 && cpuMs > 0;
  return {
    perSecond: ok / seconds,
    latencyMsP50: result.latency.p50,
    latencyMsP90: result.latency.p90,
    ok,
    seconds,
    serverCPUMsPerAnswer: measured ? cpuMs / window.answers : null,
    serverKernelMsPerAnswer: measured ? kernelMs / window.answers : null,
    serverMainThreadMsPerAnswer: measured ? (window.mainEnd - window.mainStart) / window.answers : null,
    clientCPUMsPerAnswer: measured ? clientMs / window.answers : null,
    cpuAnswers: window.answers,
    unexpected,
  };
}

/** What an unmeasured warm-up did: the expected answers it got and how long it took. */
export interface WarmUp {
  answers: number;
  seconds: number;
}

/**
 * Load that is not measured, until `answers` expected answers came back or `capSeconds` passed, whichever is
 * first: enough requests for V8 to compile the request's code with its optimizing tier, in the server and in
 * this process (a function is optimized after a number of calls, not after a time). Resolves with what it
 * did.
 */
export async function warmUpUntil(target: LoadTarget, connections: number, answers: number, capSeconds: number): Promise<WarmUp> {
  if (answers <= 0) return { answers: 0, seconds: 0 };
  const started = performance.now();
  const instance = autocannon({ url: target.url, connections, duration: capSeconds, timeout: 30, requests: autocannonRequests(target) });
  let count = 0;
  instance.on("response", (_client, statusCode) => {
    if (statusCode === target.expectStatus && ++count === answers) instance.stop();
  });
  await instance;
  return { answers: count, seconds: (performance.now() - started) / 1000 };
}

/** A warm-up run (discarded) when `warmupSeconds` > 0, then the measured run with the same settings. */
export async function measureThroughput(target: LoadTarget, settings: LoadSettings): Promise<LoadFigures> {
  if (settings.warmupSeconds > 0) await runAutocannon(target, settings.connections, settings.warmupSeconds);
  return runAutocannon(target, settings.connections, settings.durationSeconds);
}

function medianOf(values: number[]): number {
  return quantile(values, 0.5);
}

/** Adds up runs measured at different moments: total answers over total time; latency is the median run's. */
export function combineLoadFigures(rounds: readonly LoadFigures[]): LoadFigures {
  const ok = rounds.reduce((sum, r) => sum + r.ok, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const unexpected: Record<string, number> = {};
  for (const round of rounds) {
    for (const [key, count] of Object.entries(round.unexpected)) unexpected[key] = (unexpected[key] ?? 0) + count;
  }
  const cpuRounds = rounds.filter((r) => r.serverCPUMsPerAnswer !== null);
  const cpuAnswers = cpuRounds.reduce((sum, r) => sum + r.cpuAnswers, 0);
  /** The answer-weighted mean of one per-answer figure over the rounds that measured CPU. */
  const perAnswer = (figure: (r: LoadFigures) => number | null): number | null =>
    cpuAnswers === 0 ? null : cpuRounds.reduce((sum, r) => sum + (figure(r) ?? 0) * r.cpuAnswers, 0) / cpuAnswers;
  return {
    perSecond: ok / seconds,
    serverCPUMsPerAnswer: perAnswer((r) => r.serverCPUMsPerAnswer),
    serverKernelMsPerAnswer: perAnswer((r) => r.serverKernelMsPerAnswer),
    serverMainThreadMsPerAnswer: perAnswer((r) => r.serverMainThreadMsPerAnswer),
    clientCPUMsPerAnswer: perAnswer((r) => r.clientCPUMsPerAnswer),
    cpuAnswers,
    latencyMsP50: medianOf(rounds.map((r) => r.latencyMsP50)),
    latencyMsP90: medianOf(rounds.map((r) => r.latencyMsP90)),
    ok,
    seconds,
    unexpected,
  };
}

export interface TimedAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

/** One request over `agent`, timed from the call to the end of the answer. */
export function timedRequest(
  agent: Agent,
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<TimedAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      target,
      {
        method,
        agent,
        headers: { ...headers, ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, ms: performance.now() - started });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(30000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

export function createKeepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** The value at quantile q (0..1) of `values`, by linear interpolation between the nearest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/** The cookies a response sets, as one Cookie header value. */
export function cookieHeaderFrom(headers: TimedAnswer["headers"]): string {
  const setCookie = headers["set-cookie"];
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((line) => line.split(";")[0]).join("; ");
}

/**
 * Runs `first` and `second` alternately, `rounds` times each, so that a change in the machine's load during
 * the run (other processes) affects both sides alike.
 */
export async function alternateRounds<A, B>(
  rounds: number,
  first: (round: number) => Promise<A>,
  second: (round: number) => Promise<B>,
): Promise<{ first: A[]; second: B[] }> {
  const a: A[] = [];
  const b: B[] = [];
  for (let round = 0; round < rounds; round++) {
    a.push(await first(round));
    b.push(await second(round));
  }
  return { first: a, second: b };
}
