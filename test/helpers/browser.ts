// Real-browser tests: the real server as a child process (`latchkey serve` on a free port, its own data
// directory and outbox), Debian's Chromium driven by playwright-core, axe-core checks and screenshots.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Locator, type Page, request } from "playwright-core";
import { testEnv } from "./app.ts";
import { readEmails, readSMS } from "./outbox.ts";
import { findFreePort } from "./server-process.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const ROOT_DIR = fileURLToPath(new URL("../../", import.meta.url));
export const RESULTS_DIR = join(ROOT_DIR, "test-results");
const BIN = join(ROOT_DIR, "bin", "latchkey.js");
const AXE_SOURCE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Passwords that pass the strength policy (score ≥ 3, no identifier inside). */
export const PASSWORD = "Correct-Horse-Battery-Staple-42";
export const NEW_PASSWORD = "Violet-Lantern-Orbit-Canyon-77";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SERVER_START_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 10_000;
const OUTBOX_WAIT_MS = 10_000;
const AXE_TIMEOUT_MS = 30_000;

/**
 * The reason to skip the browser suites on this machine, or false to run them. Without CI a missing
 * browser skips with this message; in CI (`CI` set) it never skips, and starting the suite fails instead.
 */
export function browserSuiteSkip(): string | false {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return false;
  return `browser tests skipped: ${CHROMIUM_PATH} is missing (install Debian's chromium: apt-get install chromium; in CI this is a failure)`;
}

/** The environment of this process without any LATCHKEY_* setting a developer may have exported. */
function cleanProcessEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("LATCHKEY_") && key !== "NODE_ENV") env[key] = value;
  }
  return env;
}

interface RunningServer {
  child: ChildProcess;
  output: () => string;
}

/** Starts `latchkey serve` and resolves once it prints its address; rejects with its output if it stops. */
function spawnServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not start within ${SERVER_START_TIMEOUT_MS} ms:\n${output}`));
    }, SERVER_START_TIMEOUT_MS);
    const onData = (): void => {
      if (!output.includes("Latchkey is running at")) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      resolve({ child, output: () => output });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`the server stopped before it started (exit ${code ?? signal}):\n${output}`));
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface ServerOptions {
  /**
   * The host name of the base URL (the server listens on 127.0.0.1 either way). Passkeys need a domain
   * name: WebAuthn refuses an IP address as the relying party, so their tests use "localhost".
   */
  baseHost?: string;
}

export interface LatchkeyServer {
  baseUrl: string;
  dataDir: string;
  outboxDir: string;
  /** The server's environment (for running the CLI against the same data). */
  env: Record<string, string>;
  /** What the server printed (for diagnosing a failure). */
  output(): string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `latchkey serve` as a child process on a free port, in test mode (NODE_ENV=test, CAPTCHA test
 * mode, cheap argon2, per-address limits lifted), with a new data directory; `env` adds or overrides.
 */
export async function startLatchkeyServer(env: Record<string, string> = {}, options: ServerOptions = {}): Promise<LatchkeyServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-e2e-"));
  let server: RunningServer | null = null;
  let serverEnv: Record<string, string> = {};
  let baseUrl = "";
  try {
    // The port is chosen before the start because the base URL (which the origin check compares with)
    // must name it; another process can take it in between, so try a few times.
    for (let attempt = 1; server === null; attempt++) {
      const port = await findFreePort();
      baseUrl = `http://${options.baseHost ?? "127.0.0.1"}:${port}`;
      serverEnv = {
        ...cleanProcessEnv(),
        ...testEnv(dataDir, { LATCHKEY_HOST: "127.0.0.1", LATCHKEY_PORT: String(port), LATCHKEY_BASE_URL: baseUrl, LATCHKEY_LOG_LEVEL: "warn", ...env }),
      };
      try {
        server = await spawnServer(serverEnv);
      } catch (error) {
        if (attempt >= 3 || !String(error).includes("EADDRINUSE")) throw error;
      }
    }
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { child, output } = server;
  // Should this test process end without stop() (a crash, a cancelled run), the server goes with it.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  return {
    baseUrl,
    dataDir,
    outboxDir: join(dataDir, "outbox"),
    env: serverEnv,
    output,
    async stop() {
      await stopServer(child);
      process.off("exit", killOnExit);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserSuite {
  baseUrl: string;
  dataDir: string;
  outboxDir: string;
  browser: Browser;
  /** A page in a fresh browser context (1280×800 unless `options` say otherwise). */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Closes every context opened so far (call after each test). */
  closeContexts(): Promise<void>;
  /** Registers and confirms an account through the JSON API, as another app would. */
  createAccount(identifier: string, password?: string): Promise<void>;
  /** Records `count` failed sign-ins for `identifier` through the JSON API. */
  failSignins(identifier: string, count: number): Promise<void>;
  /** Runs `latchkey <args>` against this server's data directory; throws on a non-zero exit. */
  cli(args: string[], input?: string): string;
  /** Uncaught script errors and console errors seen by `page` (resource 404s excepted). */
  pageProblems(page: Page): string[];
  close(): Promise<void>;
}

/** Starts a server and a browser for one test file. `env` adds or overrides server settings. */
export async function startBrowserSuite(env: Record<string, string> = {}, options: ServerOptions = {}): Promise<BrowserSuite> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing and CI is set: the browser tests must run here (apt-get install chromium)`);
  }
  const server = await startLatchkeyServer(env, options);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const { baseUrl, dataDir, outboxDir } = server;
  const launched = browser;
  const contexts = new Set<BrowserContext>();
  const problems = new WeakMap<Page, string[]>();

  const watch = (page: Page): void => {
    const seen: string[] = [];
    problems.set(page, seen);
    page.on("pageerror", (error) => seen.push(`uncaught: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      // A deliberate 404 page (and a used-up challenge picture) log "Failed to load resource"; that is not a script problem.
      if (message.text().startsWith("Failed to load resource")) return;
      seen.push(`console: ${message.text()}`);
    });
  };

  const apiFor = async () => request.newContext({ baseURL: baseUrl });

  const suite: BrowserSuite = {
    baseUrl,
    dataDir,
    outboxDir,
    browser: launched,
    async newPage(options = {}) {
      const context = await launched.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 }, ...options });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      contexts.add(context);
      context.on("page", watch);
      const page = await context.newPage();
      return page;
    },
    async closeContexts() {
      const open = [...contexts];
      contexts.clear();
      await Promise.all(open.map((c) => c.close().catch(() => {})));
    },
    async createAccount(identifier, password = PASSWORD) {
      const api = await apiFor();
      try {
        const challenge = await api.post("/api/v1/captcha", { data: { purpose: "registration" } });
        assert.equal(challenge.status(), 201, await challenge.text());
        const { id } = (await challenge.json()) as { id: string };
        const before = await outboxFiles(outboxDir);
        const registered = await api.post("/api/v1/accounts", { data: { identifier, password, captcha: { id, answer: "testme" } } });
        assert.equal(registered.status(), 202, await registered.text());
        const code = await waitForCode(outboxDir, identifier, before);
        const verified = await api.post("/api/v1/accounts/verify", { data: { identifier, code } });
        assert.equal(verified.status(), 200, await verified.text());
      } finally {
        await api.dispose();
      }
    },
    async failSignins(identifier, count) {
      const api = await apiFor();
      try {
        for (let i = 0; i < count; i++) {
          const answer = await api.post("/api/v1/session", { data: { identifier, password: `wrong-password-${i}` } });
          assert.equal(answer.status(), 401, await answer.text());
        }
      } finally {
        await api.dispose();
      }
    },
    cli(args, input = "") {
      const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT_DIR, env: server.env, input, encoding: "utf8", timeout: 60_000 });
      if (result.status !== 0) throw new Error(`latchkey ${args.join(" ")} exited ${result.status}: ${result.stderr}${result.stdout}`);
      return result.stdout;
    },
    pageProblems(page) {
      return problems.get(page) ?? [];
    },
    async close() {
      await suite.closeContexts();
      await launched.close().catch(() => {});
      await server.stop();
    },
  };
  return suite;
}

/** Names of the files in the outbox now (to tell new messages from old ones). */
export async function outboxFiles(outboxDir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const e of await readEmails(outboxDir)) names.add(e.file);
  for (const s of readSMS(outboxDir)) names.add(s.file);
  return names;
}

/** The text of the newest message to `to` that is not in `before`, waiting for it to arrive (sending runs in the background). */
export async function waitForMessage(outboxDir: string, to: string, before: Set<string>): Promise<string> {
  const deadline = Date.now() + OUTBOX_WAIT_MS;
  const wanted = to.toLowerCase();
  for (;;) {
    const emails = (await readEmails(outboxDir))
      .filter((e) => !before.has(e.file) && e.to.toLowerCase().includes(wanted))
      .map((e) => ({ file: e.file, text: e.text }));
    const sms = readSMS(outboxDir)
      .filter((s) => !before.has(s.file) && s.to === to)
      .map((s) => ({ file: s.file, text: s.body }));
    const newest = [...emails, ...sms].sort((a, b) => a.file.localeCompare(b.file)).at(-1);
    if (newest) return newest.text;
    if (Date.now() > deadline) throw new Error(`no new message to ${to} within ${OUTBOX_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The 6-digit code in the newest new message to `to` (an e-mail address, or a number in E.164). */
export async function waitForCode(outboxDir: string, to: string, before: Set<string>): Promise<string> {
  const text = await waitForMessage(outboxDir, to, before);
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`the message to ${to} holds no code:\n${text}`);
  return code;
}

/** Saves a full-page screenshot as test-results/<name>.png. */
export async function capture(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true });
}

/** Pixels whose colour may move by anti-aliasing noise alone (one channel step of up to this much). */
const PIXEL_NOISE = 16;

/**
 * Saves a screenshot of the viewport at `path` (relative to the repository) for committing, but only
 * when it looks different from the one there: Chromium's anti-aliasing varies a few pixels from run to
 * run, and rewriting the file for that would leave the working tree changed after every test run.
 * Returns whether the file was written.
 */
export async function saveViewportScreenshot(page: Page, path: string): Promise<boolean> {
  const target = join(ROOT_DIR, path);
  const fresh = await page.screenshot({ fullPage: false });
  if (existsSync(target)) {
    const old = readFileSync(target);
    if (old.equals(fresh)) return false;
    // Decode both in a blank page of the same browser (no Content-Security-Policy there) and compare.
    const blank = await page.context().newPage();
    try {
      const changed = await blank.evaluate(
        async ([a, b, noise]) => {
          // No named functions in here: tsx would wrap them in a helper that the page does not have.
          const pixels: ImageData[] = [];
          for (const src of [a, b] as string[]) {
            const image = new Image();
            image.src = src;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width;
            canvas.height = image.height;
            const context = canvas.getContext("2d") as CanvasRenderingContext2D;
            context.drawImage(image, 0, 0);
            pixels.push(context.getImageData(0, 0, image.width, image.height));
          }
          const [before, after] = pixels as [ImageData, ImageData];
          if (before.width !== after.width || before.height !== after.height) return Number.POSITIVE_INFINITY;
          let count = 0;
          for (let i = 0; i < before.data.length; i += 4) {
            for (let k = 0; k < 3; k++) {
              if (Math.abs((before.data[i + k] as number) - (after.data[i + k] as number)) > (noise as number)) {
                count++;
                break;
              }
            }
          }
          return count;
        },
        [`data:image/png;base64,${old.toString("base64")}`, `data:image/png;base64,${fresh.toString("base64")}`, PIXEL_NOISE] as const,
      );
      if (changed === 0) return false;
    } finally {
      await blank.close();
    }
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fresh);
  return true;
}

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

export interface AccessibilityReport {
  /** Serious and critical violations, formatted for an assertion message; empty when there are none. */
  blocking: string;
  /** Ids of the minor and moderate violations, for the log. */
  minor: string[];
}

let axeSource: string | null = null;

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now.
 *
 * The script goes in through the DevTools protocol (page.evaluate), not page.addScriptTag: an added
 * <script> is inline, which the page's Content-Security-Policy (script-src 'self') rightly refuses, and
 * turning the policy off (bypassCSP) would let axe judge a page that users never see.
 */
export async function checkAccessibility(page: Page): Promise<AccessibilityReport> {
  // page.evaluate has no time limit of its own (and never returns in a context without JavaScript).
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`axe did not finish within ${AXE_TIMEOUT_MS} ms on ${page.url()} (is JavaScript enabled?)`)), AXE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([runAxe(page), limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function runAxe(page: Page): Promise<AccessibilityReport> {
  axeSource ??= readFileSync(AXE_SOURCE_PATH, "utf8");
  const source = axeSource;
  // Colours caught in the middle of a CSS transition (after a change of colour scheme or of width) are
  // not the page's colours: let every transition that ends, end first.
  await page.evaluate(async () => {
    const ending = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY);
    await Promise.all(ending.map((a) => a.finished.catch(() => undefined)));
  });
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  if (!loaded) await page.evaluate(source);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return result.violations;
  })) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const blocking = serious
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    - ${JSON.stringify(n.target)}\n      ${n.html.slice(0, 200)}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`)
        .join("\n");
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s))\n    ${v.helpUrl}\n${nodes}`;
    })
    .join("\n");
  return { blocking, minor: violations.filter((v) => !serious.includes(v)).map((v) => `${v.id} (${v.impact})`) };
}

/** Clicks (or presses a key on) something that submits a form or follows a link, and waits for the next page to load. */
export async function navigateBy(page: Page, action: () => Promise<void>): Promise<void> {
  const navigated = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() });
  await action();
  await navigated;
  await page.waitForLoadState("load");
}

/** Fails with axe's findings when the page as it is now has serious or critical violations. */
export async function assertAccessible(page: Page, name: string): Promise<void> {
  const report = await checkAccessibility(page);
  assert.equal(report.blocking, "", `${name} (${page.url()}): axe found serious or critical violations:\n${report.blocking}`);
}

/** The text a person sees in `locator`: rendered text, hidden parts left out, trimmed. */
export async function visibleText(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText on purpose: what is shown, not the DOM's text.
  return (await locator.innerText()).trim();
}
