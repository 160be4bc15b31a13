// `latchkey clients update` and `clients rotate-secret` through the real command, against a server that
// applications sign in to with openid-client: the client keeps its id, a code is redeemed only at a redirect
// URI still registered, and a rotated secret works at the token endpoint while the old one stops after its
// grace period.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { runMaintenance } from "../../src/maintenance.ts";
import { hashClientSecret } from "../../src/oidc/clients.ts";
import { testEnv } from "../helpers/app.ts";
import { runCLI } from "../helpers/cli-process.ts";
import { HTTPBrowser, type HTTPTestApp, PASSWORD, pkceAuthorization, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const OLD_REDIRECT = "http://127.0.0.1:9/old/callback";
const NEW_REDIRECT = "http://127.0.0.1:9/new/callback";

describe("latchkey clients update and rotate-secret", () => {
  let t: HTTPTestApp;
  let env: Record<string, string>;

  before(async () => {
    t = await startHTTPTestApp();
    env = { ...(process.env as Record<string, string>), ...testEnv(t.dataDir, { LATCHKEY_BASE_URL: t.base }) };
    await seedAccount(t, "ada@example.com");
  });
  after(async () => t.close());

  const cli = async (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => runCLI(env, args);

  async function addWithCLI(args: string[]): Promise<{ id: string; secret?: string }> {
    const added = await cli(["clients", "add", "--name", "Wiki", "--first-party", "--json", ...args]);
    assert.equal(added.status, 0, added.stderr);
    return JSON.parse(added.stdout) as { id: string; secret?: string };
  }

  async function configFor(id: string, secret: string | undefined): Promise<client.Configuration> {
    return client.discovery(new URL(t.base), id, secret, undefined, { execute: [client.allowInsecureRequests] });
  }

  /** Signs in at the authorization endpoint: where the browser was sent back, code included, and the PKCE verifier. */
  async function authorize(config: client.Configuration, redirectUri: string): Promise<{ callback: URL; verifier: string }> {
    const browser = new HTTPBrowser();
    const { url, verifier } = await pkceAuthorization(config, { redirectUri, scope: "openid email offline_access", prompt: "consent", state: "st" });
    const page = await browser.signIn(await browser.follow(url.href, t.base), t.base, "ada@example.com", PASSWORD);
    assert.ok(page.location?.startsWith(`${redirectUri}?`), `ended at ${page.status} ${page.url} ${page.location}`);
    return { callback: new URL(String(page.location)), verifier };
  }

  async function signInAt(config: client.Configuration, redirectUri: string): Promise<client.TokenEndpointResponse> {
    const { callback, verifier } = await authorize(config, redirectUri);
    return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: "st" });
  }

  it("changes the redirect URI in place: the app signs in at the new one, a code issued for the old one is refused, its tokens stay", async () => {
    const { id, secret } = await addWithCLI(["--redirect-uri", OLD_REDIRECT]);
    const config = await configFor(id, secret);
    const earlier = await signInAt(config, OLD_REDIRECT);
    const pending = await authorize(config, OLD_REDIRECT);

    const updated = await cli(["clients", "update", id, "--redirect-uri", NEW_REDIRECT, "--json"]);
    assert.equal(updated.status, 0, updated.stderr);
    const out = JSON.parse(updated.stdout) as { id: string; redirectUris: string[]; firstParty: boolean };
    assert.deepEqual(out.redirectUris, [NEW_REDIRECT]);
    assert.equal(out.id, id);
    assert.equal(out.firstParty, true, "what was not named stays");
    assert.deepEqual((await t.deps.stores.oidcClients.getClient(id))?.redirectUris, [NEW_REDIRECT]);

    // The code was issued before the change, for a URI the client no longer has.
    await assert.rejects(
      client.authorizationCodeGrant(config, pending.callback, { pkceCodeVerifier: pending.verifier, expectedState: "st" }),
      (error: Error & { error?: string }) => error.error === "invalid_grant",
    );
    // Same id, same secret: the application signs in at its new address.
    const tokens = await signInAt(config, NEW_REDIRECT);
    assert.ok(tokens.id_token);
    // The old address is not accepted any more: the error page, no redirect.
    const refused = await new HTTPBrowser().request(
      client.buildAuthorizationUrl(config, { redirect_uri: OLD_REDIRECT, scope: "openid", code_challenge: "x".repeat(43), code_challenge_method: "S256" }).href,
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.location, null);
    // The grant issued before the change still works.
    const refreshed = await client.refreshTokenGrant(config, String(earlier.refresh_token));
    assert.ok(refreshed.access_token);

    // --add-redirect-uri / --remove-redirect-uri edit the list.
    const edited = await cli(["clients", "update", id, "--add-redirect-uri", OLD_REDIRECT, "--remove-redirect-uri", NEW_REDIRECT, "--json"]);
    assert.equal(edited.status, 0, edited.stderr);
    assert.deepEqual((JSON.parse(edited.stdout) as { redirectUris: string[] }).redirectUris, [OLD_REDIRECT]);
    assert.ok((await signInAt(config, OLD_REDIRECT)).access_token);
  });

  it("changes the name, party, resource server and post-logout URIs, with the same checks as clients add", async () => {
    const { id } = await addWithCLI(["--redirect-uri", OLD_REDIRECT]);
    const changed = await cli([
      "clients",
      "update",
      id,
      "--name",
      "Team wiki",
      "--third-party",
      "--resource-server",
      "--post-logout-redirect-uri",
      "https://wiki.example.com/bye",
    ]);
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(changed.stdout, /Updated Team wiki/);
    const stored = await t.deps.stores.oidcClients.getClient(id);
    assert.equal(stored?.name, "Team wiki");
    assert.equal(stored?.firstParty, false);
    assert.equal(stored?.resourceServer, true);
    assert.deepEqual(stored?.postLogoutRedirectUris, ["https://wiki.example.com/bye"]);

    const before = JSON.stringify(await t.deps.stores.oidcClients.getClient(id));
    for (const [args, message] of [
      [["--redirect-uri", "http://wiki.example.com/cb"], /must use https/],
      [["--redirect-uri", "https://wiki.example.com/cb#x"], /must not have a fragment/],
      [["--name", " "], /--name must be/],
      [["--remove-redirect-uri", NEW_REDIRECT], /is not registered/],
      [["--redirect-uri", "com.example.wiki:/cb", "--redirect-uri", "http://wiki.example.com/cb"], /beside a reverse-domain scheme/],
    ] as const) {
      const refused = await cli(["clients", "update", id, ...args]);
      assert.equal(refused.status, 2, `${args.join(" ")}: ${refused.stderr}`);
      assert.match(refused.stderr, message);
    }
    const pub = await addWithCLI(["--redirect-uri", OLD_REDIRECT, "--public"]);
    const publicRS = await cli(["clients", "update", pub.id, "--resource-server"]);
    assert.equal(publicRS.status, 2);
    assert.match(publicRS.stderr, /--resource-server needs a secret/);
    for (const args of [["--redirect-uri", NEW_REDIRECT, "--add-redirect-uri", OLD_REDIRECT], ["--first-party", "--third-party"], ["--public"], []]) {
      assert.equal((await cli(["clients", "update", id, ...args])).status, 2, args.join(" "));
    }
    assert.equal(JSON.stringify(await t.deps.stores.oidcClients.getClient(id)), before, "nothing refused was written");
    const unknown = await cli(["clients", "update", "no-such-client", "--name", "X"]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no client has the id/);
  });

  it("rotates the secret: the new one works at the token endpoint, the old one only during the grace period", async () => {
    const { id, secret: oldSecret } = await addWithCLI(["--redirect-uri", OLD_REDIRECT]);
    const oldConfig = await configFor(id, oldSecret);
    let refreshToken = String((await signInAt(oldConfig, OLD_REDIRECT)).refresh_token);

    const rotated = await cli(["clients", "rotate-secret", id, "--grace", "1h", "--json"]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const out = JSON.parse(rotated.stdout) as { secret: string; previousSecretValidUntil: string };
    assert.match(out.secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(out.secret, oldSecret);
    assert.ok(Date.parse(out.previousSecretValidUntil) > Date.now());
    const stored = await t.deps.stores.oidcClients.getClient(id);
    assert.ok(!JSON.stringify(stored).includes(out.secret) && !JSON.stringify(stored).includes(String(oldSecret)), "only hashes are stored");
    const newConfig = await configFor(id, out.secret);

    refreshToken = String((await client.refreshTokenGrant(newConfig, refreshToken)).refresh_token);
    // During the grace period the old secret works too.
    refreshToken = String((await client.refreshTokenGrant(oldConfig, refreshToken)).refresh_token);
    const listed = JSON.parse((await cli(["clients", "list", "--json"])).stdout) as Array<{ id: string; previousSecretValidUntil: string | null }>;
    assert.equal(listed.find((c) => c.id === id)?.previousSecretValidUntil, out.previousSecretValidUntil);

    t.clock.advance(2 * 3600 * 1000);
    await assert.rejects(client.refreshTokenGrant(oldConfig, refreshToken), (error: Error & { error?: string }) => error.error === "invalid_client");
    refreshToken = String((await client.refreshTokenGrant(newConfig, refreshToken)).refresh_token);
    // The hourly maintenance then forgets the old secret's hash, which nothing accepts any more.
    assert.ok((await runMaintenance(t.deps)).oidcClientSecrets >= 1);
    const forgotten = await t.deps.stores.oidcClients.getClient(id);
    assert.equal(forgotten?.previousSecretHash, null);
    assert.equal(forgotten?.previousSecretExpiresAt, null);
    assert.equal(forgotten?.secretHash, stored?.secretHash, "the current secret stays");
    assert.ok((await client.refreshTokenGrant(newConfig, refreshToken)).access_token);
  });

  it("rotates with --grace 0: the old secret stops at once; a public client has no secret to rotate", async () => {
    const { id, secret: oldSecret } = await addWithCLI(["--redirect-uri", OLD_REDIRECT]);
    const oldConfig = await configFor(id, oldSecret);
    const refreshToken = String((await signInAt(oldConfig, OLD_REDIRECT)).refresh_token);
    const rotated = await cli(["clients", "rotate-secret", id, "--grace", "0"]);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, /previous secret no longer works/);
    const secret = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(rotated.stdout)?.[1];
    assert.ok(secret, rotated.stdout);
    await assert.rejects(client.refreshTokenGrant(oldConfig, refreshToken), (error: Error & { error?: string }) => error.error === "invalid_client");
    assert.ok((await client.refreshTokenGrant(await configFor(id, secret), refreshToken)).access_token);

    const pub = await addWithCLI(["--redirect-uri", OLD_REDIRECT, "--public"]);
    const refused = await cli(["clients", "rotate-secret", pub.id]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /public client/);
    assert.equal((await cli(["clients", "rotate-secret", id, "--grace", "8d"])).status, 2);
    assert.equal((await cli(["clients", "rotate-secret", "no-such-client"])).status, 1);
  });

  it("records registering, changing, rotating and removing an application in the audit trail, never with a secret", async () => {
    const TYPES = ["oidc.client_added", "oidc.client_updated", "oidc.client_secret_rotated", "oidc.client_removed"];
    const { id, secret } = await addWithCLI(["--redirect-uri", OLD_REDIRECT, "--name", "Audited wiki"]);
    const changed = await cli(["clients", "update", id, "--name", "Audited wiki 2", "--add-redirect-uri", NEW_REDIRECT]);
    assert.equal(changed.status, 0, changed.stderr);
    // Neither an update that changes nothing nor a refused one is recorded.
    assert.equal((await cli(["clients", "update", id, "--name", "Audited wiki 2"])).status, 0);
    assert.equal((await cli(["clients", "update", id, "--redirect-uri", "http://wiki.example.com/cb"])).status, 2);
    const rotated = await cli(["clients", "rotate-secret", id, "--grace", "1h", "--json"]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const newSecret = (JSON.parse(rotated.stdout) as { secret: string }).secret;
    assert.equal((await cli(["clients", "remove", id])).status, 0);
    assert.equal((await cli(["clients", "remove", id])).status, 1, "removing it again changes and records nothing");

    const events = (await t.deps.stores.audit.listEvents({ types: TYPES, limit: 1000 })).filter((e) => e.detail?.client === id);
    const byType = new Map(events.map((e) => [e.type, e]));
    assert.equal(events.length, 4, JSON.stringify(events));
    assert.deepEqual(byType.get("oidc.client_added")?.detail, { client: id, name: "Audited wiki", public: false, firstParty: true });
    assert.deepEqual(byType.get("oidc.client_updated")?.detail, { client: id, changed: "name,redirectUris" });
    assert.deepEqual(byType.get("oidc.client_secret_rotated")?.detail, { client: id, graceSeconds: 3600 });
    assert.deepEqual(byType.get("oidc.client_removed")?.detail, { client: id, name: "Audited wiki 2" });
    for (const e of events) {
      assert.equal(e.userAgent, "latchkey CLI", `${e.type} is the operator's, at the terminal`);
      assert.equal(e.ip, null);
      assert.equal(e.accountId, null);
    }
    const recorded = JSON.stringify(events);
    for (const s of [String(secret), newSecret, hashClientSecret(String(secret)), hashClientSecret(newSecret)])
      assert.ok(!recorded.includes(s), "no secret or hash");

    // The operator reads them with `latchkey audit`.
    const audit = await cli(["audit", ...TYPES.flatMap((type) => ["--type", type]), "--limit", "1000"]);
    assert.equal(audit.status, 0, audit.stderr);
    const lines = audit.stdout.split("\n").filter((line) => line.includes(`client=${id}`));
    assert.deepEqual(lines.map((line) => line.split("\t")[1]).sort(), [...TYPES].sort());
    assert.ok(!audit.stdout.includes(newSecret));

    // And in the admin console's security events, by name in the filter and in the list.
    const adminId = await seedAccount(t, "audit-admin@example.com");
    assert.equal(await t.deps.stores.accounts.grantAdmin(adminId, t.clock.now()), "changed");
    const browser = new HTTPBrowser();
    await browser.signIn(await browser.follow(`${t.base}/signin`, t.base), t.base, "audit-admin@example.com", PASSWORD);
    const page = await browser.request(`${t.base}/admin/events?type=oidc.client_secret_rotated`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<option value="oidc.client_removed"[^>]*>[^<]*Application removed/);
    assert.match(
      page.body,
      /<tr data-event-type="oidc.client_secret_rotated">.*?<td data-label="What">Application client secret rotated<\/td>.*?<bdi>latchkey CLI<\/bdi>/,
    );
  });
});
