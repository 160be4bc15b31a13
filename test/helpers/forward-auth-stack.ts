// What the reverse-proxy end-to-end tests (nginx, Caddy) share: a tiny app with no login of its own that
// trusts the Remote-* headers, a real Latchkey process with accounts made by the CLI, Chromium resolving
// *.latchkey.test to loopback, and starting and stopping the proxy's child process.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { testEnv } from "./app.ts";
import { CHROMIUM_PATH } from "./browser.ts";
import { BIN, findFreePort } from "./server-process.ts";

export const FORWARD_AUTH_PASSWORD = "Correct-Horse-Battery-Staple-42";

/**
 * The reason to skip a proxy's suite on this machine, or false to run it. Without CI a missing proxy or
 * browser skips; in CI (`CI` set) it never skips, so starting the missing program fails the test.
 */
export function proxySuiteSkip(proxyPath: string, debianPackage: string): string | false {
  if (process.env.CI) return false;
  if (!existsSync(proxyPath)) return `${proxyPath} is missing (apt-get install ${debianPackage})`;
  if (!existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  return false;
}

/** Resolves once the child answers HTTP on the loopback port; rejects with its output if it exits or takes 30 s. */
async function waitUntilServing(child: ChildProcess, port: number, what: string): Promise<void> {
  let text = "";
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // "error" comes instead of "exit" when the program cannot start at all (a missing binary in CI).
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code) => reject(new Error(`${what} exited ${code}: ${text}`)));
    child.once("error", (error) => reject(new Error(`${what} did not start: ${error.message}`)));
  });
  exited.catch(() => {});
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const listening = fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" }).then(
      () => true,
      () => false,
    );
    if (await Promise.race([listening, exited])) return;
    await Promise.race([new Promise((r) => setTimeout(r, 50)), exited]);
  }
  throw new Error(`${what} did not listen on ${port} within 30 s: ${text}`);
}

/** SIGTERM, then waits for the exit; nothing to do for a child that never started or already ended. */
function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

/** The protected app: no login of its own, it shows the Remote-* headers the proxy set and the path it got. */
async function startProtectedApp(port: number): Promise<Server> {
  const app = createServer((req, res) => {
    const header = (name: string): string => String(req.headers[name] ?? "");
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(
      `<!doctype html><title>Tiny app</title><h1>Tiny app</h1><p id="user">${header("remote-user") || "nobody"}</p><p id="email">${header("remote-email")}</p><p id="phone">${header("remote-phone")}</p><p id="groups">${header("remote-groups")}</p><p id="path">${req.url}</p>`,
    );
  });
  await new Promise<void>((resolve) => app.listen(port, "127.0.0.1", resolve));
  return app;
}

function closeServer(server: Server | undefined): Promise<void> {
  return new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

export interface ForwardAuthAccount {
  identifier: string;
  name: string;
  admin?: boolean;
}

interface ForwardAuthLatchkeyOptions {
  dataDir: string;
  port: number;
  /** LATCHKEY_BASE_URL: the origin the browser uses for Latchkey. */
  baseUrl: string;
  accounts: ForwardAuthAccount[];
  /** Further LATCHKEY_* settings (e.g. LATCHKEY_FORWARD_AUTH_RULES). */
  env?: Record<string, string>;
}

/**
 * `latchkey serve` for forward-auth on *.latchkey.test: the session cookie on latchkey.test, sign-in may
 * return to any *.latchkey.test host, the proxy on loopback trusted; the accounts (password
 * FORWARD_AUTH_PASSWORD) are created with the CLI first.
 */
async function startForwardAuthLatchkey(options: ForwardAuthLatchkeyOptions): Promise<ChildProcess> {
  const env = {
    ...(process.env as Record<string, string>),
    ...testEnv(options.dataDir, {
      LATCHKEY_HOST: "127.0.0.1",
      LATCHKEY_PORT: String(options.port),
      LATCHKEY_BASE_URL: options.baseUrl,
      LATCHKEY_COOKIE_DOMAIN: "latchkey.test",
      LATCHKEY_ALLOWED_RETURN_HOSTS: "*.latchkey.test",
      LATCHKEY_TRUST_PROXY: "127.0.0.1",
      LATCHKEY_LOG_LEVEL: "warn",
      ...options.env,
    }),
  };
  for (const account of options.accounts) {
    const args = [BIN, "accounts", "create", "--identifier", account.identifier, "--name", account.name, ...(account.admin ? ["--admin"] : [])];
    const created = spawnSync(process.execPath, args, { env, input: FORWARD_AUTH_PASSWORD, encoding: "utf8", timeout: 60_000 });
    assert.equal(created.status, 0, created.stderr);
  }
  const latchkey = spawn(process.execPath, [BIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    await waitUntilServing(latchkey, options.port, "latchkey");
  } catch (error) {
    await stopChild(latchkey);
    throw error;
  }
  return latchkey;
}

/** Debian's Chromium with every *.latchkey.test host resolved to 127.0.0.1. */
function launchChromiumForLatchkeyTest(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--host-resolver-rules=MAP *.latchkey.test 127.0.0.1"],
  });
}

/** Fills Latchkey's sign-in page and submits it; resolves once the browser is at a URL matching `next`. */
export async function signInOnPage(page: Page, identifier: string, next: string | RegExp): Promise<void> {
  await page.getByLabel("E-mail or mobile number").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(FORWARD_AUTH_PASSWORD);
  await Promise.all([page.waitForURL(next), page.getByRole("button", { name: "Sign in" }).click()]);
}

/** Where the proxy under test runs: its own folder and the ports it must use. */
export interface ProxyPlace {
  /** A folder under /tmp/latchkey-* for the proxy's configuration and files, removed at the end. */
  dir: string;
  proxyPort: number;
  latchkeyPort: number;
  appPort: number;
}

export interface ForwardAuthStackOptions {
  /** Names the temporary folder: /tmp/latchkey-<name>-*. */
  name: string;
  /** True: the browser reaches Latchkey through the proxy (auth.latchkey.test on the proxy's port); false: on Latchkey's own port. */
  latchkeyBehindProxy: boolean;
  accounts: ForwardAuthAccount[];
  env?: Record<string, string>;
  /** Writes the proxy's configuration and spawns it (stdout and stderr piped), once the app and Latchkey listen. */
  spawnProxy(place: ProxyPlace): ChildProcess;
}

export interface ForwardAuthStack {
  /** `http://app.latchkey.test:<proxy port>` */
  appOrigin: string;
  /** `http://auth.latchkey.test:<port>`, Latchkey's base URL. */
  authOrigin: string;
  /** `http://127.0.0.1:<Latchkey's port>`: Latchkey itself, not through the proxy, for a test's own API calls. */
  latchkeyOrigin: string;
  browser: Browser;
  /** Stops the browser, the proxy, Latchkey and the app, and removes the folder. */
  stop(): Promise<void>;
}

/** The app, Latchkey (with the accounts) and the proxy on free loopback ports, and Chromium to drive them. */
async function startForwardAuthStack(options: ForwardAuthStackOptions): Promise<ForwardAuthStack> {
  const dir = mkdtempSync(join(tmpdir(), `latchkey-${options.name}-`));
  const place: ProxyPlace = { dir, proxyPort: await findFreePort(), latchkeyPort: await findFreePort(), appPort: await findFreePort() };
  const authOrigin = `http://auth.latchkey.test:${options.latchkeyBehindProxy ? place.proxyPort : place.latchkeyPort}`;
  let app: Server | undefined;
  let latchkey: ChildProcess | undefined;
  let proxy: ChildProcess | undefined;
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    await browser?.close().catch(() => {});
    await stopChild(proxy);
    await stopChild(latchkey);
    await closeServer(app);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    app = await startProtectedApp(place.appPort);
    latchkey = await startForwardAuthLatchkey({
      dataDir: join(dir, "data"),
      port: place.latchkeyPort,
      baseUrl: authOrigin,
      accounts: options.accounts,
      ...(options.env ? { env: options.env } : {}),
    });
    proxy = options.spawnProxy(place);
    await waitUntilServing(proxy, place.proxyPort, options.name);
    browser = await launchChromiumForLatchkeyTest();
    return { appOrigin: `http://app.latchkey.test:${place.proxyPort}`, authOrigin, latchkeyOrigin: `http://127.0.0.1:${place.latchkeyPort}`, browser, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts the stack before the suite's tests and stops it after them (call inside `describe`); the getter
 * returns the running stack.
 */
export function useForwardAuthStack(options: ForwardAuthStackOptions): () => ForwardAuthStack {
  let stack: ForwardAuthStack | undefined;
  before(async () => {
    stack = await startForwardAuthStack(options);
  });
  after(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error("the forward-auth stack did not start");
    return stack;
  };
}

/** A fresh browser context (its own cookies) on the stack's Chromium, and a page in it. */
export async function openPage(stack: ForwardAuthStack, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext(options);
  return { context, page: await context.newPage() };
}
