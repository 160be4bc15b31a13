// Debian's nginx protects a tiny app with auth_request against a real Latchkey process, with the server
// block of docs/integrations.md as written (only its names, ports and listen line are swapped for loopback
// ones); Chromium (with *.latchkey.test resolved to loopback) opens the app, lands on Latchkey's sign-in
// page, signs in, and comes back to the URL it asked for, where the app sees the Remote-* headers. One
// session cookie on the parent domain (LATCHKEY_COOKIE_DOMAIN) serves both hosts, and signing out ends it
// for the app too. Remote-* headers a visitor forges never reach the app, and a Host header naming another
// host never changes which rule applies.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FORWARD_AUTH_PASSWORD, openPage, type ProxyPlace, proxySuiteSkip, signInOnPage, useForwardAuthStack } from "../helpers/forward-auth-stack.ts";

const NGINX = "/usr/sbin/nginx";

/** What a visitor sends to try to pass as someone else: the app must never see these values. */
const FORGED = {
  "Remote-User": "forged-user-id",
  "Remote-Email": "forged@example.com",
  "Remote-Phone": "+15555550100",
  "Remote-Name": "Forged Name",
  "Remote-Groups": "admins,forged",
};

/** The nginx server block of docs/integrations.md, on loopback: each swap must find its text, or the docs changed. */
function documentedServerBlock({ proxyPort, latchkeyPort, appPort }: ProxyPlace): string {
  const doc = readFileSync(new URL("../../docs/integrations.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("### nginx"));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "docs/integrations.md has an nginx block under ### nginx");
  let text = block;
  const swap = (from: string, to: string): void => {
    assert.ok(text.includes(from), `the documented nginx block has ${JSON.stringify(from)}`);
    text = text.replaceAll(from, to);
  };
  swap("listen 443 ssl;", `listen 127.0.0.1:${proxyPort};`);
  swap("app.example.com", "app.latchkey.test");
  swap("http://127.0.0.1:3000/", `http://127.0.0.1:${latchkeyPort}/`);
  swap("http://127.0.0.1:8080", `http://127.0.0.1:${appPort}`);
  return text;
}

/** nginx.conf with everything under place.dir around the documented server block, then nginx in the foreground. */
function spawnNginx(place: ProxyPlace): ChildProcess {
  const { dir } = place;
  mkdirSync(join(dir, "tmp"));
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
${documentedServerBlock(place)}
}
`,
  );
  return spawn(NGINX, ["-p", dir, "-c", conf, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
}

/** The session cookie (name=value) of a sign-in through Latchkey's JSON API. */
async function sessionCookie(authOrigin: string, identifier: string): Promise<string> {
  const response = await fetch(`${authOrigin.replace("auth.latchkey.test", "127.0.0.1")}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier, password: FORWARD_AUTH_PASSWORD }),
  });
  assert.equal(response.status, 200, await response.text());
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("latchkey_session="));
  assert.ok(cookie, "a session cookie");
  return cookie.split(";")[0] as string;
}

/** A GET to nginx with exactly this Host header (fetch would not send one that differs from the URL). */
function getThroughNginx(port: number, host: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/reports", headers: { host, cookie } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("nginx auth_request in front of an app, Latchkey signing in", { skip: proxySuiteSkip(NGINX, "nginx") }, () => {
  // The protected app has no login of its own: it trusts the Remote-* headers nginx sets.
  const stack = useForwardAuthStack({
    name: "nginx",
    latchkeyBehindProxy: false,
    accounts: [
      { identifier: "nina@example.com", name: "Nina", admin: true },
      { identifier: "omar@example.com", name: "Omar" },
    ],
    env: { LATCHKEY_FORWARD_AUTH_RULES: "app.latchkey.test=admins" },
    spawnProxy: spawnNginx,
  });

  it("sends a visitor without a session to sign-in and back to the page they asked for", async () => {
    const { appOrigin, authOrigin } = stack();
    const { context, page } = await openPage(stack());
    await page.goto(`${appOrigin}/reports/2026?sort=desc&page=2`);
    assert.equal(new URL(page.url()).origin, authOrigin, `landed on ${page.url()}`);
    assert.equal(new URL(page.url()).pathname, "/signin");
    await signInOnPage(page, "nina@example.com", `${appOrigin}/**`);
    assert.equal(page.url(), `${appOrigin}/reports/2026?sort=desc&page=2`);
    const user = await page.locator("#user").textContent();
    assert.match(String(user), /^[A-Za-z0-9_-]{20}$/, "the app sees the stable account id in Remote-User");
    assert.equal(await page.locator("#email").textContent(), "nina@example.com");
    assert.equal(await page.locator("#groups").textContent(), "admins");

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

  it("never lets Remote-* headers sent by the browser reach the app as an identity", async () => {
    const { appOrigin } = stack();
    const { context, page } = await openPage(stack(), { extraHTTPHeaders: FORGED });
    await page.goto(`${appOrigin}/reports`);
    await signInOnPage(page, "nina@example.com", `${appOrigin}/**`);
    assert.match(String(await page.locator("#user").textContent()), /^[A-Za-z0-9_-]{20}$/);
    assert.equal(await page.locator("#email").textContent(), "nina@example.com");
    assert.equal(await page.locator("#phone").textContent(), "", "an account without a phone number never carries the visitor's");
    assert.equal(await page.locator("#groups").textContent(), "admins");
    await context.close();
  });

  it("applies the protected host's rule whatever Host header the visitor sends", async () => {
    const { appOrigin, authOrigin } = stack();
    const port = Number(new URL(appOrigin).port);
    const omar = await sessionCookie(authOrigin, "omar@example.com");
    assert.equal((await getThroughNginx(port, `app.latchkey.test:${port}`, omar)).status, 403, "the rule keeps a non-admin out");
    // nginx hands a request for a host it has no server block for to its only (default) server block.
    for (const host of ["wiki.latchkey.test", "unlisted.example", ""]) {
      const answer = await getThroughNginx(port, host, omar);
      assert.equal(answer.status, 403, `Host: ${JSON.stringify(host)} reached the app: ${answer.body.slice(0, 200)}`);
    }
    const nina = await sessionCookie(authOrigin, "nina@example.com");
    assert.equal((await getThroughNginx(port, "wiki.latchkey.test", nina)).status, 200, "an administrator still passes");
  });
});
