// Debian's nginx protects a tiny app with auth_request against a real Latchkey process, with the server
// block of docs/integrations.md as written (only its names, ports and listen line are swapped for loopback
// ones); Chromium (with *.latchkey.test resolved to loopback) opens the app, lands on Latchkey's sign-in
// page, signs in, and comes back to the URL it asked for, where the app sees the Remote-* headers. One
// session cookie on the parent domain (LATCHKEY_COOKIE_DOMAIN) serves both hosts, and signing out ends it
// for the app too. Remote-* headers a visitor forges never reach the app, and a Host header naming another
// host never changes which rule applies.
import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { NGINX, spawnNginx } from "../helpers/forward-auth-proxies.ts";
import { FORWARD_AUTH_PASSWORD, openPage, proxySuiteSkip, signInOnPage, useForwardAuthStack } from "../helpers/forward-auth-stack.ts";

/** What a visitor sends to try to pass as someone else: the app must never see these values. */
const FORGED = {
  "Remote-User": "forged-user-id",
  "Remote-Email": "forged@example.com",
  "Remote-Phone": "+15555550100",
  "Remote-Name": "Forged Name",
  "Remote-Groups": "admins,forged",
};

/** The session cookie (name=value) of a sign-in through Latchkey's JSON API. */
async function sessionCookie(latchkeyOrigin: string, identifier: string): Promise<string> {
  const response = await fetch(`${latchkeyOrigin}/api/v1/session`, {
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
    const { appOrigin, latchkeyOrigin } = stack();
    const port = Number(new URL(appOrigin).port);
    const omar = await sessionCookie(latchkeyOrigin, "omar@example.com");
    assert.equal((await getThroughNginx(port, `app.latchkey.test:${port}`, omar)).status, 403, "the rule keeps a non-admin out");
    // nginx hands a request for a host it has no server block for to its only (default) server block.
    for (const host of ["wiki.latchkey.test", "unlisted.example", ""]) {
      const answer = await getThroughNginx(port, host, omar);
      assert.equal(answer.status, 403, `Host: ${JSON.stringify(host)} reached the app: ${answer.body.slice(0, 200)}`);
    }
    const nina = await sessionCookie(latchkeyOrigin, "nina@example.com");
    assert.equal((await getThroughNginx(port, "wiki.latchkey.test", nina)).status, 200, "an administrator still passes");
  });
});
