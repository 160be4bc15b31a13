// Passkeys in a real browser, with Chromium's virtual authenticator (DevTools protocol WebAuthn domain):
// adding one from the security page (recovery codes shown once), signing in with the button and with the
// browser's autofill offer (conditional mediation), a copied authenticator whose counter went backwards,
// confirming it's you with the passkey, and removing it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { CDPSession, Page } from "playwright-core";
import { createManualClock } from "../../src/lib/clock.ts";
import { openStores } from "../../src/stores/index.ts";
import { type BrowserSuite, browserSuiteSkip, checkAccessibility, navigateBy, PASSWORD, startBrowserSuite, visibleText } from "../helpers/browser.ts";

interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

/** A platform authenticator with user verification (like a laptop's fingerprint reader), always consenting. */
async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  await page.addInitScript(() => {
    if (localStorage.getItem("test:no-autofill")) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function signInWithPassword(page: Page, identifier: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("E-mail or mobile number").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
  assert.equal(new URL(page.url()).pathname, "/account");
}

function ignoreAbortedNavigation(error: unknown): void {
  // Chromium reports the abort as net::ERR_ABORTED, or Playwright as the load being "interrupted by another
  // navigation" (the autofill's, to the account page), depending on which comes first.
  const text = String(error);
  if (!text.includes("net::ERR_ABORTED") && !/interrupted by another navigation to "[^"]*\/account"/.test(text)) throw error;
}

/** Waits until the page shows `path`, loaded, whatever navigations it went through (an aborted one included). */
async function waitForPath(page: Page, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (new URL(page.url()).pathname !== path) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the page stayed at ${page.url()} instead of ${path}`);
    await page.waitForURL((url) => url.pathname === path, { timeout: left }).catch(ignoreAbortedNavigation);
  }
  await page.waitForLoadState("load");
}

async function signOut(page: Page): Promise<void> {
  await navigateBy(page, () => page.getByRole("button", { name: "Sign out", exact: true }).first().click());
}

describe("passkeys in the browser", { skip: browserSuiteSkip(), timeout: 180_000 }, () => {
  let suite: BrowserSuite;
  before(async () => {
    suite = await startBrowserSuite({}, { baseHost: "localhost" });
    await suite.createAccount("passkey@example.com");
    await suite.createAccount("pages@example.com");
  });
  afterEach(async () => {
    await suite?.closeContexts();
  });
  after(async () => {
    await suite?.close();
  });

  it("adds a passkey, signs in with the button and with autofill, refuses a copied one, and removes it", async () => {
    const page = await suite.newPage();
    const authenticator = await addVirtualAuthenticator(page);
    await signInWithPassword(page, "passkey@example.com");
    // Another browser signed in with the password alone: the first second factor ends its session.
    const elsewhere = await suite.newPage();
    await signInWithPassword(elsewhere, "passkey@example.com");

    // Adding: the first second factor brings the recovery codes, shown this once.
    await page.goto("/account/security");
    await page.getByLabel("Name for a new passkey").fill("Test laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("heading", { name: "Passkey added. Your recovery codes" }).waitFor();
    assert.equal(await page.locator(".recovery-codes li").count(), 10);
    await navigateBy(page, () => page.getByRole("link", { name: "I have saved them" }).click());
    assert.match(await visibleText(page.locator("#passkeys-title + p + ul")), /Test laptop/);
    const { credentials } = await authenticator.cdp.send("WebAuthn.getCredentials", { authenticatorId: authenticator.authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]?.isResidentCredential, true, "a discoverable credential: sign-in needs no identifier");
    const original = credentials[0];
    assert.ok(original);
    await elsewhere.goto("/account");
    assert.equal(new URL(elsewhere.url()).pathname, "/signin", "the other password-only session ended");
    await elsewhere.close();
    {
      const stores = await openStores({ database: { kind: "sqlite", file: join(suite.dataDir, "latchkey.db") } }, createManualClock(new Date()), {
        migrate: false,
      });
      try {
        const account = await stores.accounts.getAccountByIdentifier("passkey@example.com");
        assert.ok(account);
        const sessions = await stores.sessions.listSessionsOfAccount(account.account.id, new Date());
        assert.equal(sessions.length, 1, "the session that added the passkey is kept, alone");
        const amr = sessions[0]?.amr ?? [];
        assert.ok(amr.includes("pwd") && amr.includes("mfa") && (amr.includes("hwk") || amr.includes("swk")), `upgraded: ${amr.join(",")}`);
      } finally {
        await stores.close();
      }
    }

    // "Confirm it's you" with the passkey, and back to where it was asked.
    await page.goto("/account/confirm?return_to=/account/security");
    await navigateBy(page, () => page.getByRole("button", { name: "Confirm with a passkey" }).click());
    assert.equal(new URL(page.url()).pathname, "/account/security");
    await page.goto("/account");
    assert.match(await visibleText(page.locator("#activity-title + ul")), /Confirmed it was you/);

    // Conditional mediation: the sign-in page asks for a passkey in the background and the browser offers
    // it in the identifier field's autofill; the virtual authenticator accepts at once, so the page moves on
    // with nothing typed and no button pressed.
    await signOut(page);
    // The page's markup is read with a request of its own, signed out like the page: the navigation's
    // response can no longer be read once the autofill has already moved the page on to the account.
    const signinMarkup = await page.request.get("/signin");
    assert.match(await signinMarkup.text(), /id="identifier"[^>]*autocomplete="username webauthn"/);
    // The autofill can move the page on before the sign-in page has finished loading, which aborts that
    // load (net::ERR_ABORTED, or "interrupted by another navigation", each seen in CI): such an abort is
    // the expected race, not a failure.
    await page.goto("/signin").catch(ignoreAbortedNavigation);
    await waitForPath(page, "/account", 10_000);
    assert.match(await visibleText(page.locator("#activity-title + ul")), /Signed in with a passkey/);

    // The button, in a browser without the autofill offer (turned off in the page before its scripts run).
    await page.evaluate(() => localStorage.setItem("test:no-autofill", "1"));
    await signOut(page);
    await page.goto("/signin");
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in with a passkey" }).click());
    assert.equal(new URL(page.url()).pathname, "/account");

    // A copied authenticator: the same key with the counter of an earlier copy.
    await signOut(page);
    await authenticator.cdp.send("WebAuthn.removeCredential", { authenticatorId: authenticator.authenticatorId, credentialId: original.credentialId });
    await authenticator.cdp.send("WebAuthn.addCredential", { authenticatorId: authenticator.authenticatorId, credential: { ...original, signCount: 0 } });
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    const error = page.locator("[data-passkey-signin] [data-passkey-error]");
    await error.waitFor({ state: "visible" });
    assert.match(await visibleText(error), /passkey could not be used/);
    assert.equal(new URL(page.url()).pathname, "/signin");

    const stores = await openStores({ database: { kind: "sqlite", file: join(suite.dataDir, "latchkey.db") } }, createManualClock(new Date()), {
      migrate: false,
    });
    try {
      const events = await stores.audit.searchEvents({ types: ["passkey.counter_regression"], limit: 5 });
      assert.equal(events.length, 1, "recorded in the audit trail");
    } finally {
      await stores.close();
    }

    // The password now needs a second step: the passkey (its counter moved past the copy's again). Signing
    // in counts as the recent confirmation for removing it.
    await authenticator.cdp.send("WebAuthn.removeCredential", { authenticatorId: authenticator.authenticatorId, credentialId: original.credentialId });
    await authenticator.cdp.send("WebAuthn.addCredential", { authenticatorId: authenticator.authenticatorId, credential: { ...original, signCount: 1000 } });
    await page.goto("/signin");
    await page.getByLabel("E-mail or mobile number").fill("passkey@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await navigateBy(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    await page.getByRole("heading", { name: "One more step" }).waitFor();
    await navigateBy(page, () => page.getByRole("button", { name: "Use a passkey" }).click());
    assert.equal(new URL(page.url()).pathname, "/account");
    await page.goto("/account/security");
    await navigateBy(page, () => page.getByRole("button", { name: "Remove Test laptop" }).click());
    assert.match(await visibleText(page.getByRole("status").first()), /Passkey removed/);
    assert.match(await visibleText(page.locator("#passkeys-title ~ p").nth(1)), /no passkeys yet/);
    assert.deepEqual(suite.pageProblems(page), []);
  });

  it("the security, authenticator-app set-up, confirmation and deletion pages pass axe", async () => {
    const page = await suite.newPage();
    await signInWithPassword(page, "pages@example.com");
    const problems: string[] = [];
    const audit = async (name: string): Promise<void> => {
      const report = await checkAccessibility(page);
      if (report.blocking) problems.push(`${name}: ${report.blocking}`);
    };
    await page.goto("/account/security");
    await audit("security");
    await navigateBy(page, () => page.getByRole("button", { name: "Set up an authenticator app" }).click());
    assert.equal(new URL(page.url()).pathname, "/account/security/totp");
    assert.equal(await page.getByRole("img", { name: /QR code for your authenticator app/ }).count(), 1);
    await audit("authenticator app set-up");
    await page.goto("/account/confirm?return_to=/account/security");
    await audit("confirm it's you");
    await page.goto("/account/delete");
    await audit("delete account");
    assert.deepEqual(problems, []);
    assert.deepEqual(suite.pageProblems(page), []);
  });
});
