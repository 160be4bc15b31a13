// Child processes of the benchmark: servers started with a bounded wait for readiness, stopped by their own
// pid, and their resident memory sampled from /proc while they run.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ChildServer {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  /** Everything the child wrote so far (for error messages). */
  output(): string;
  /** Highest resident memory in MB seen since start (VmHWM, or the highest sampled VmRSS). */
  peakRSSMB(): number;
  /** CPU seconds the process used so far, all threads, user and system. */
  cpuSeconds(): number;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface StartChildServerOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Matches a line of the child's stdout that carries the listening port in its first group. */
  ready: RegExp;
  timeoutMs?: number;
}

/** Reads a `Vm…:  123 kB` line of /proc/<pid>/status in MB; null when the process is gone. */
function readStatusMB(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

export interface CPUSeconds {
  user: number;
  /** Time in the kernel on the process's behalf (system calls, page faults). */
  system: number;
}

/** User and system CPU seconds of a process, all its threads; zeros when it is gone. */
export function readCPUTimes(pid: number): CPUSeconds {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name in parentheses may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
  } catch {
    return { user: 0, system: 0 };
  }
}

/**
 * Milliseconds the process's main thread (the event loop) has run on a CPU, user and kernel time together
 * (`/proc/<pid>/task/<pid>/schedstat`, in nanoseconds, so short rounds still measure it); 0 when it is gone.
 */
export function readMainThreadMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return 0;
  }
}

/** User plus system CPU seconds of a process, all its threads; 0 when it is gone. */
export function readCPUSeconds(pid: number): number {
  const { user, system } = readCPUTimes(pid);
  return user + system;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts a server process and resolves once it printed its port. Rejects (and ends it) on timeout or exit. */
export async function startChildServer(options: StartChildServerOptions): Promise<ChildServer> {
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let peakSampled = 0;
  let lastHWM = 0;
  const sample = (): void => {
    if (child.pid === undefined) return;
    const rss = readStatusMB(child.pid, "VmRSS");
    if (rss !== null && rss > peakSampled) peakSampled = rss;
    lastHWM = readStatusMB(child.pid, "VmHWM") ?? lastHWM;
  };
  const sampler = setInterval(sample, 100);
  sampler.unref();
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.name} did not start within ${options.timeoutMs ?? 60000} ms:\n${output}`));
    }, options.timeoutMs ?? 60000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = options.ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
  const pid = child.pid;

  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    output: () => output,
    cpuSeconds: () => readCPUSeconds(pid),
    peakRSSMB() {
      sample();
      return Math.max(peakSampled, lastHWM);
    },
    async stop(graceMs = 10000) {
      sample();
      clearInterval(sampler);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = waitForExit(child);
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a process to completion and returns its stdout; rejects on a non-zero exit or after `timeoutMs`. */
export function runChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${name} failed (${signal ?? code}):\n${stderr}${stdout}`));
    });
  });
}
