// Debian's nginx protects a tiny app with auth_request against a real Latchkey process; Chromium (with
// *.latchkey.test resolved to loopback) opens the app, lands on Latchkey's sign-in page, signs in, and
// comes back to the URL it asked for, where the app sees Remote-User. One session cookie on the parent
// domain (LATCHKEY_COOKIE_DOMAIN) serves both hosts, and signing out ends it for the app too.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openPage, type ProxyPlace, proxySuiteSkip, signInOnPage, useForwardAuthStack } from "../helpers/forward-auth-stack.ts";

const NGINX = "/usr/sbin/nginx";

/** nginx.conf with everything under place.dir, then nginx in the foreground. */
function spawnNginx({ dir, proxyPort: nginxPort, latchkeyPort, appPort }: ProxyPlace): ChildProcess {
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
  return spawn(NGINX, ["-p", dir, "-c", conf, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
}

describe("nginx auth_request in front of an app, Latchkey signing in", { skip: proxySuiteSkip(NGINX, "nginx") }, () => {
  // The protected app has no login of its own: it trusts the Remote-User header nginx sets.
  const stack = useForwardAuthStack({
    name: "nginx",
    latchkeyBehindProxy: false,
    accounts: [{ identifier: "nina@example.com", name: "Nina" }],
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
