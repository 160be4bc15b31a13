// The provider's interaction steps are Latchkey's pages: sign-in (with prompt=login and max_age), consent
// for third-party applications, "Apps with access" on the account page, and single sign-out.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { pageText } from "../helpers/client.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, type Page, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const REDIRECT = "https://app.example.com/callback";

describe("OpenID Connect interactions on Latchkey's pages", () => {
  let t: HTTPTestApp;
  let firstParty: client.Configuration;
  let thirdParty: client.Configuration;
  let thirdPartyId: string;

  before(async () => {
    t = await startHTTPTestApp();
    await seedAccount(t, "grace@example.com", { name: "Grace" });
    const first = await addClient(t, { name: "Intranet", redirectUris: [REDIRECT], firstParty: true });
    const third = await addClient(t, { name: "Photo Printer", redirectUris: [REDIRECT], firstParty: false });
    thirdPartyId = third.id;
    const discover = (c: { id: string; secret: string | null }) =>
      client.discovery(new URL(t.base), c.id, c.secret ?? undefined, undefined, { execute: [client.allowInsecureRequests] });
    firstParty = await discover(first);
    thirdParty = await discover(third);
  });
  after(async () => t.close());

  async function start(cfg: client.Configuration, browser: HTTPBrowser, params: Record<string, string> = {}): Promise<Page> {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT,
      scope: "openid email profile",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "st",
      ...params,
    });
    return browser.follow(url.href, t.base);
  }
  const atApp = (page: Page) => page.location?.startsWith(REDIRECT) === true;

  it("asks again with prompt=login, and only a new sign-in counts", async () => {
    const browser = new HTTPBrowser();
    const first = await browser.signIn(await start(firstParty, browser), t.base, "grace@example.com", PASSWORD);
    assert.ok(atApp(first));
    const again = await start(firstParty, browser, { prompt: "login" });
    assert.match(again.url, /\/signin\?return_to=.*&prompt=login/);
    assert.match(again.body, /name="prompt" value="login"/, "the form remembers the application asked for a fresh sign-in");
    // A wrong password keeps the person on the form (not waved through by the old session).
    const wrong = await browser.follow(`${t.base}/signin`, t.base, {
      form: { ...hidden(again.body), identifier: "grace@example.com", password: "not-it-at-all" },
    });
    assert.match(wrong.url, /\/signin\?flow=/);
    assert.match(pageText(wrong.body), /Sign in/);
    const done = await browser.signIn(wrong, t.base, "grace@example.com", PASSWORD);
    assert.ok(atApp(done), `ended at ${done.url} ${done.location}`);
  });

  it("asks again when max_age is shorter than the time since sign-in", async () => {
    const browser = new HTTPBrowser();
    // Sign in "two minutes ago": the provider times sessions by the real clock, so the sign-in moves back.
    t.clock.advance(-120_000);
    assert.ok(atApp(await browser.signIn(await start(firstParty, browser), t.base, "grace@example.com", PASSWORD)));
    t.clock.advance(120_000);
    assert.ok(atApp(await start(firstParty, browser, { max_age: "600" })), "signed in two minutes ago: within max_age=600");
    const page = await start(firstParty, browser, { max_age: "60" });
    assert.match(page.url, /\/signin\?return_to=/);
    const done = await browser.signIn(page, t.base, "grace@example.com", PASSWORD);
    assert.ok(atApp(done), "a new sign-in satisfies max_age");
  });

  it("lets a new sign-in satisfy a short max_age however long the way back from /signin took, instead of asking again in a loop", async () => {
    for (const maxAge of ["1", "5"]) {
      const browser = new HTTPBrowser();
      const page = await start(firstParty, browser, { max_age: maxAge });
      assert.match(page.url, /\/signin\?return_to=/);
      // The sign-in answers 303 to the interaction; the browser comes back 6 s later (by the test's clock).
      const signedIn = await browser.request(`${t.base}/signin`, { form: { ...hidden(page.body), identifier: "grace@example.com", password: PASSWORD } });
      assert.equal(signedIn.status, 303);
      t.clock.advance(6_000);
      try {
        const done = await browser.follow(String(signedIn.location), t.base);
        assert.ok(atApp(done), `max_age=${maxAge}: ended at ${done.url} (${done.location}), not back at the app`);
      } finally {
        // The provider times its own checks by the real clock: keep the test's clock beside it.
        t.clock.advance(-6_000);
      }
    }
  });

  it("shows consent to a third-party application, remembers it, and the account page can take it back", async () => {
    const browser = new HTTPBrowser();
    const consent = await browser.signIn(await start(thirdParty, browser), t.base, "grace@example.com", PASSWORD);
    assert.equal(consent.status, 200);
    assert.match(pageText(consent.body), /Allow Photo Printer to use your Latchkey account\?/);
    assert.match(pageText(consent.body), /See your e-mail address/);
    assert.match(
      String(consent.headers.get("content-security-policy")),
      /form-action 'self' https:\/\/app\.example\.com/,
      "the redirect back to the app is allowed after the form",
    );
    const uid = /action="\/oidc\/interaction\/([^/]+)\/consent"/.exec(consent.body)?.[1];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(consent.body)?.[1];
    assert.ok(uid && csrf);
    const allowed = await browser.follow(`${t.base}/oidc/interaction/${uid}/consent`, t.base, { form: { _csrf: csrf, decision: "allow" } });
    assert.ok(atApp(allowed), `ended at ${allowed.url}`);
    const given = await t.deps.stores.audit.listEvents({ types: ["oidc.consent_given"], limit: 10 });
    assert.deepEqual(
      given.map((e) => e.detail),
      [{ client: thirdPartyId }],
      "allowing records one consent event naming the application",
    );
    assert.ok(atApp(await start(thirdParty, browser)), "consent is remembered");

    const account = await browser.request(`${t.base}/account`);
    assert.match(pageText(account.body), /Apps with access.*Photo Printer/);
    const accountCsrf = /action="\/account\/apps\/[^"]+\/remove"><input type="hidden" name="_csrf" value="([^"]+)"/.exec(account.body)?.[1];
    assert.ok(accountCsrf);
    const removed = await browser.follow(`${t.base}/account/apps/${thirdPartyId}/remove`, t.base, { form: { _csrf: accountCsrf } });
    assert.match(pageText(removed.body), /Access removed/);
    assert.doesNotMatch(pageText(removed.body), /Photo Printer/);
    const asked = await start(thirdParty, browser);
    assert.equal(asked.status, 200);
    assert.match(pageText(asked.body), /Allow Photo Printer/, "after removal the application must ask again");
  });

  it("sends access_denied back when the person does not allow", async () => {
    const browser = new HTTPBrowser();
    const consent = await browser.signIn(await start(thirdParty, browser), t.base, "grace@example.com", PASSWORD);
    const uid = /action="\/oidc\/interaction\/([^/]+)\/consent"/.exec(consent.body)?.[1];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(consent.body)?.[1];
    assert.ok(uid && csrf);
    const denied = await browser.follow(`${t.base}/oidc/interaction/${uid}/consent`, t.base, { form: { _csrf: csrf, decision: "deny" } });
    assert.ok(atApp(denied));
    assert.equal(new URL(denied.location ?? "").searchParams.get("error"), "access_denied");
  });

  it("refuses a consent post without the form's CSRF token", async () => {
    const browser = new HTTPBrowser();
    const consent = await browser.signIn(await start(thirdParty, browser), t.base, "grace@example.com", PASSWORD);
    const uid = /action="\/oidc\/interaction\/([^/]+)\/consent"/.exec(consent.body)?.[1];
    const refused = await browser.request(`${t.base}/oidc/interaction/${uid}/consent`, { form: { decision: "allow" } });
    assert.equal(refused.status, 403);
  });

  it("signing out of Latchkey ends single sign-on: prompt=none then answers login_required", async () => {
    const browser = new HTTPBrowser();
    assert.ok(atApp(await browser.signIn(await start(firstParty, browser), t.base, "grace@example.com", PASSWORD)));
    assert.ok(atApp(await start(firstParty, browser, { prompt: "none" })));
    const account = await browser.request(`${t.base}/account`);
    const csrf = /action="\/signout"><input type="hidden" name="_csrf" value="([^"]+)"/.exec(account.body)?.[1];
    assert.ok(csrf);
    await browser.request(`${t.base}/signout`, { form: { _csrf: csrf } });
    const silent = await start(firstParty, browser, { prompt: "none" });
    assert.ok(atApp(silent));
    assert.equal(new URL(silent.location ?? "").searchParams.get("error"), "login_required");
  });

  it("answers an unknown or finished interaction with a clear page, not an error", async () => {
    const page = await new HTTPBrowser().request(`${t.base}/oidc/interaction/nonexistent-interaction-id`);
    assert.equal(page.status, 400);
    assert.match(pageText(page.body), /took too long or was already finished/);
  });
});

function hidden(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const form = body.slice(body.indexOf('action="/signin"'));
  for (const m of form.slice(0, form.indexOf("</form>")).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1] as string] = m[2] as string;
  return fields;
}
