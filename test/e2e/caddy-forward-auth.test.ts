// Debian's Caddy protects a tiny app with forward_auth against a real Latchkey process, which Caddy also
// serves on its own host; Chromium (with *.latchkey.test resolved to loopback) opens the app, is sent to
// Latchkey's sign-in page by the 302 that Caddy passes on, signs in and comes back to the URL it asked for,
// where the app sees the Remote-* headers Caddy copied. Headers the browser forges never reach the app as
// an identity, a per-host rule keeps another account out with 403, and signing out ends access to the app.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CADDY, spawnCaddy } from "../helpers/forward-auth-proxies.ts";
import { openPage, proxySuiteSkip, signInOnPage, useForwardAuthStack } from "../helpers/forward-auth-stack.ts";

/** What a visitor sends to try to pass as someone else: the app must never see these values. */
const FORGED = {
  "Remote-User": "forged-user-id",
  "Remote-Email": "forged@example.com",
  "Remote-Phone": "+15555550100",
  "Remote-Groups": "admins,forged",
};

describe("Caddy forward_auth in front of an app, Latchkey signing in", { skip: proxySuiteSkip(CADDY, "caddy") }, () => {
  // Caddy serves both hosts on one port: the app behind forward_auth, and Latchkey itself.
  const stack = useForwardAuthStack({
    name: "caddy",
    latchkeyBehindProxy: true,
    accounts: [
      { identifier: "nina@example.com", name: "Nina", admin: true },
      { identifier: "omar@example.com", name: "Omar" },
    ],
    env: { LATCHKEY_FORWARD_AUTH_RULES: "app.latchkey.test=admins" },
    spawnProxy: spawnCaddy,
  });

  it("sends a visitor without a session to sign-in and back to the exact URL, with the headers Caddy copied", async () => {
    const { appOrigin, authOrigin } = stack();
    const { context, page } = await openPage(stack());
    const asked = `${appOrigin}/reports/2026?sort=desc&page=2&q=a%20b`;
    await page.goto(asked);
    const signin = new URL(page.url());
    assert.equal(signin.origin, authOrigin, `landed on ${page.url()}`);
    assert.equal(signin.pathname, "/signin");
    assert.equal(signin.searchParams.get("return_to"), asked, "Latchkey read X-Forwarded-Proto/Host/Uri from Caddy");
    await signInOnPage(page, "nina@example.com", `${appOrigin}/**`);
    assert.equal(page.url(), asked);
    assert.equal(await page.locator("#path").textContent(), "/reports/2026?sort=desc&page=2&q=a%20b");
    assert.match(String(await page.locator("#user").textContent()), /^[A-Za-z0-9_-]{20}$/, "the app sees the stable account id in Remote-User");
    assert.equal(await page.locator("#email").textContent(), "nina@example.com");
    assert.equal(await page.locator("#groups").textContent(), "admins");

    // Signing out of Latchkey (through Caddy) signs out of the app as well.
    await page.goto(`${authOrigin}/account`);
    assert.equal(new URL(page.url()).pathname, "/account");
    await Promise.all([page.waitForURL(/\/signin/), page.getByRole("button", { name: "Sign out" }).click()]);
    await page.goto(`${appOrigin}/reports`);
    assert.equal(new URL(page.url()).origin, authOrigin);
    assert.equal(new URL(page.url()).pathname, "/signin");
    await context.close();
  });

  it("never lets Remote-* headers sent by the browser reach the app as an identity", async () => {
    const { appOrigin, authOrigin } = stack();
    const { context, page } = await openPage(stack(), { extraHTTPHeaders: FORGED });
    // Without a session the forged headers get the visitor nowhere but the sign-in page.
    await page.goto(`${appOrigin}/admin-only`);
    assert.equal(new URL(page.url()).origin, authOrigin, `landed on ${page.url()}`);

    // Signed in, every Remote-* header the app sees is Latchkey's, including the ones left empty (no phone).
    await signInOnPage(page, "nina@example.com", `${appOrigin}/**`);
    const user = String(await page.locator("#user").textContent());
    assert.notEqual(user, FORGED["Remote-User"]);
    assert.match(user, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(await page.locator("#email").textContent(), "nina@example.com");
    assert.equal(await page.locator("#phone").textContent(), "", "an account without a phone number never carries the visitor's");
    assert.equal(await page.locator("#groups").textContent(), "admins");
    await context.close();
  });

  it("answers 403 to an account that the host's rule keeps out", async () => {
    const { appOrigin, authOrigin } = stack();
    const { context, page } = await openPage(stack());
    await page.goto(`${appOrigin}/reports`);
    assert.equal(new URL(page.url()).origin, authOrigin, `landed on ${page.url()}`);
    const [denied] = await Promise.all([
      page.waitForResponse((response) => response.url().startsWith(`${appOrigin}/reports`)),
      signInOnPage(page, "omar@example.com", `${appOrigin}/**`),
    ]);
    assert.equal(denied.status(), 403);
    assert.equal(await page.locator("#user").count(), 0, "the app was never reached");
    assert.match(String(await page.textContent("body")), /omar@example\.com/);
    // The refusal is shown at the app's address: its link leads to Latchkey, not to the app (which would
    // refuse again), and it leaves no cookie of Latchkey's on the app's host.
    const appHost = new URL(appOrigin).hostname;
    assert.deepEqual(
      (await context.cookies()).filter((c) => c.domain === appHost).map((c) => c.name),
      [],
      "no host-only cookie on the app",
    );
    await Promise.all([page.waitForURL(`${authOrigin}/**`), page.getByRole("link", { name: "sign in with another account" }).click()]);
    assert.equal(new URL(page.url()).pathname, "/account");
    assert.match(String(await page.textContent("main")), /omar@example\.com/);
    await context.close();
  });
});
