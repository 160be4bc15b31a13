// Debian's nginx protects a tiny app with auth_request against a real Latchkey process; Chromium (with
// *.latchkey.test resolved to loopback) opens the app, lands on Latchkey's sign-in page, signs in, and
// comes back to the URL it asked for, where the app sees Remote-User. One session cookie on the parent
// domain (LATCHKEY_COOKIE_DOMAIN) serves both hosts, and signing out ends it for the app too.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { testEnv } from "../helpers/app.ts";
import { CHROMIUM_PATH } from "../helpers/browser.ts";
import { findFreePort } from "../helpers/server-process.ts";

const NGINX = "/usr/sbin/nginx";
const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));
const PASSWORD = "Correct-Horse-Battery-Staple-42";

function skipReason(): string | false {
  if (process.env.CI) return false;
  if (!existsSync(NGINX)) return `${NGINX} is missing (apt-get install nginx)`;
  if (!existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  return false;
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${text}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited ${code}: ${text}`)));
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

describe("nginx auth_request in front of an app, Latchkey signing in", { skip: skipReason() }, () => {
  let dir: string;
  let latchkey: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  let app: Server;
  let browser: Browser;
  let appOrigin: string;
  let authOrigin: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-nginx-"));
    const [latchkeyPort, nginxPort, appPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    authOrigin = `http://auth.latchkey.test:${latchkeyPort}`;
    appOrigin = `http://app.latchkey.test:${nginxPort}`;

    // The protected app has no login of its own: it trusts the Remote-User header nginx sets.
    app = createServer((req, res) => {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(
        `<!doctype html><title>Tiny app</title><h1>Tiny app</h1><p id="user">${String(req.headers["remote-user"] ?? "nobody")}</p><p id="email">${String(req.headers["remote-email"] ?? "")}</p><p id="path">${req.url}</p>`,
      );
    });
    await new Promise<void>((resolve) => app.listen(appPort, "127.0.0.1", resolve));

    const env = {
      ...(process.env as Record<string, string>),
      ...testEnv(join(dir, "data"), {
        LATCHKEY_HOST: "127.0.0.1",
        LATCHKEY_PORT: String(latchkeyPort),
        LATCHKEY_BASE_URL: authOrigin,
        LATCHKEY_COOKIE_DOMAIN: "latchkey.test",
        LATCHKEY_ALLOWED_RETURN_HOSTS: "*.latchkey.test",
        LATCHKEY_TRUST_PROXY: "127.0.0.1",
        LATCHKEY_LOG_LEVEL: "warn",
      }),
    };
    const created = spawnSync(process.execPath, [BIN, "accounts", "create", "--identifier", "nina@example.com", "--name", "Nina"], {
      env,
      input: PASSWORD,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(created.status, 0, created.stderr);
    latchkey = spawn(process.execPath, [BIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    await waitForOutput(latchkey, /Latchkey is running at/, "latchkey");

    for (const sub of ["tmp"]) mkdirSync(join(dir, sub));
    const conf = join(dir, "nginx.conf");
    writeFileSync(
      conf,
      `user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${nginxPort};
    server_name app.latchkey.test;
    location = /_latchkey {
      internal;
      proxy_pass http://127.0.0.1:${latchkeyPort}/api/v1/authz/auth-request;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
    location / {
      auth_request /_latchkey;
      auth_request_set $latchkey_user $upstream_http_remote_user;
      auth_request_set $latchkey_email $upstream_http_remote_email;
      auth_request_set $latchkey_signin $upstream_http_location;
      error_page 401 =302 $latchkey_signin;
      proxy_set_header Remote-User $latchkey_user;
      proxy_set_header Remote-Email $latchkey_email;
      proxy_pass http://127.0.0.1:${appPort};
    }
  }
}
`,
    );
    nginx = spawn(NGINX, ["-p", dir, "-c", conf, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
    await waitForPort(nginxPort);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--host-resolver-rules=MAP *.latchkey.test 127.0.0.1"],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stop(nginx);
    await stop(latchkey);
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a visitor without a session to sign-in and back to the page they asked for", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/reports/2026?sort=desc&page=2`);
    assert.equal(new URL(page.url()).origin, authOrigin, `landed on ${page.url()}`);
    assert.equal(new URL(page.url()).pathname, "/signin");
    await page.getByLabel("E-mail or mobile number").fill("nina@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await Promise.all([page.waitForURL(`${appOrigin}/**`), page.getByRole("button", { name: "Sign in" }).click()]);
    assert.equal(page.url(), `${appOrigin}/reports/2026?sort=desc&page=2`);
    const user = await page.locator("#user").textContent();
    assert.match(String(user), /^[A-Za-z0-9_-]{20}$/, "the app sees the stable account id in Remote-User");
    assert.equal(await page.locator("#email").textContent(), "nina@example.com");

    // One cookie on latchkey.test: Latchkey's own pages know the person too.
    const cookies = await context.cookies();
    assert.ok(
      cookies.some((c) => c.name === "latchkey_session" && c.domain === ".latchkey.test"),
      JSON.stringify(cookies.map((c) => [c.name, c.domain])),
    );
    await page.goto(`${authOrigin}/account`);
    assert.equal(new URL(page.url()).pathname, "/account");

    // Signing out of Latchkey signs out of the app as well.
    await Promise.all([page.waitForURL(/\/signin/), page.getByRole("button", { name: "Sign out" }).click()]);
    await page.goto(`${appOrigin}/reports`);
    assert.equal(new URL(page.url()).origin, authOrigin);
    await context.close();
  });
});
