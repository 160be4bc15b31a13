// One authorization code, 20 concurrent redemptions: exactly one gets tokens. Through the real token
// endpoint on SQLite, on PostgreSQL alone (codes in the database) and on PostgreSQL with Redis (codes in
// Redis); and the artifact stores' consume on each backend directly. The same for a refresh token.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as client from "openid-client";
import { createManualClock } from "../../src/lib/clock.ts";
import { createProviderAdapter } from "../../src/oidc/adapter.ts";
import { openStores } from "../../src/stores/index.ts";
import type { OIDCArtifactStore, Stores } from "../../src/stores/types.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_DATABASE_URL, TEST_REDIS_URL, testRedisPrefix } from "../helpers/cluster.ts";
import { addClient, HTTPBrowser, type HTTPTestApp, PASSWORD, seedAccount, startHTTPTestApp } from "../helpers/oidc.ts";

const N = 20;
const REDIRECT = "http://127.0.0.1:9/callback";
const dir = mkdtempSync(join(tmpdir(), "latchkey-oidc-races-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function raceConsume(store: OIDCArtifactStore, kind: string): Promise<void> {
  const clock = createManualClock(new Date());
  const id = `${kind}-${Math.random().toString(36).slice(2)}`;
  await store.saveArtifact({
    kind,
    id,
    payload: "{}",
    grantId: "g1",
    uid: null,
    userCode: null,
    accountId: "a1",
    clientId: "c1",
    expiresAt: new Date(clock.now().getTime() + 60_000),
  });
  const results = await Promise.all(Array.from({ length: N }, () => store.consumeArtifact(kind, id, clock.now())));
  assert.equal(results.filter(Boolean).length, 1, `exactly one of ${N} consumers wins`);
  assert.equal(await store.consumeArtifact(kind, id, clock.now()), false, "and nobody after");
  const stored = await store.getArtifact(kind, id, clock.now());
  assert.ok(stored?.consumedAt, "the artifact is marked consumed, not lost");
  // An expired artifact cannot be consumed at all.
  const late = `${id}-late`;
  await store.saveArtifact({
    kind,
    id: late,
    payload: "{}",
    grantId: null,
    uid: null,
    userCode: null,
    accountId: null,
    clientId: null,
    expiresAt: new Date(clock.now().getTime() + 1000),
  });
  assert.equal(await store.consumeArtifact(kind, late, new Date(clock.now().getTime() + 1000)), false);
}

/** Signs in through /signin and returns a fresh code with its verifier. */
async function freshCode(t: HTTPTestApp, config: client.Configuration): Promise<{ callback: URL; verifier: string; state: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid offline_access",
    prompt: "consent",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  const browser = new HTTPBrowser();
  let page = await browser.follow(url.href, t.base);
  page = await browser.signIn(page, t.base, "race@example.com", PASSWORD);
  assert.ok(page.location?.startsWith(REDIRECT), `expected the callback, got ${page.status} ${page.url}`);
  return { callback: new URL(page.location ?? ""), verifier, state };
}

async function raceTokenEndpoint(env: Record<string, string>): Promise<void> {
  const t = await startHTTPTestApp(env);
  try {
    await seedAccount(t, "race@example.com");
    const registered = await addClient(t, { redirectUris: [REDIRECT] });
    const config = await client.discovery(new URL(t.base), registered.id, registered.secret ?? undefined, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const { callback, verifier } = await freshCode(t, config);
    const code = callback.searchParams.get("code") ?? "";
    const basic = `Basic ${Buffer.from(`${registered.id}:${registered.secret}`).toString("base64")}`;
    const redeem = () =>
      fetch(`${t.base}/oidc/token`, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier }).toString(),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: string; refresh_token?: string } }));
    const answers = await Promise.all(Array.from({ length: N }, redeem));
    assert.equal(answers.filter((a) => a.status === 200).length, 1, `statuses: ${answers.map((a) => a.status).join(",")}`);
    assert.ok(answers.filter((a) => a.status !== 200).every((a) => a.status === 400 && a.body.error === "invalid_grant"));

    // A replayed code revokes what it gave (RFC 6749 §4.1.2), so the refresh race starts from a fresh code
    // redeemed once: 20 concurrent rotations of its refresh token, one new refresh token.
    const second = await freshCode(t, config);
    const tokens = await client.authorizationCodeGrant(config, second.callback, { pkceCodeVerifier: second.verifier, expectedState: second.state });
    const refreshToken = tokens.refresh_token ?? "";
    const rotate = () =>
      fetch(`${t.base}/oidc/token`, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
      }).then((r) => r.status);
    const rotations = await Promise.all(Array.from({ length: N }, rotate));
    assert.equal(rotations.filter((s) => s === 200).length, 1, `statuses: ${rotations.join(",")}`);
  } finally {
    await t.close();
  }
}

describe("authorization codes and refresh tokens are redeemed once", () => {
  test("SQLite: artifact store consume", async () => {
    const stores: Stores = await openStores({ database: { kind: "sqlite", file: join(dir, "consume.db") } }, createManualClock());
    try {
      await raceConsume(stores.oidcShortLivedArtifacts, "AuthorizationCode");
      await raceConsume(stores.oidcArtifacts, "RefreshToken");
    } finally {
      await stores.close();
    }
  });

  test("SQLite: the provider's adapter lets one of 20 consumers through and refuses the rest", async () => {
    const clock = createManualClock(new Date());
    const stores = await openStores({ database: { kind: "sqlite", file: join(dir, "adapter.db") } }, clock);
    try {
      const Adapter = createProviderAdapter({ stores, clock });
      const codes = new Adapter("AuthorizationCode");
      await codes.upsert("code-1", { grantId: "g1", accountId: "a1", clientId: "c1", exp: 0 }, 60);
      const results = await Promise.allSettled(Array.from({ length: N }, () => codes.consume("code-1")));
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      assert.ok(results.every((r) => r.status === "fulfilled" || (r.reason as { error?: string }).error === "invalid_grant"));
      assert.equal(typeof (await codes.find("code-1"))?.consumed, "number", "find reports it consumed");
    } finally {
      await stores.close();
    }
  });

  test("SQLite: 20 concurrent token requests with one code", async () => {
    await raceTokenEndpoint({});
  });

  describe("cluster backends", { skip: clusterSkipReason() }, () => {
    test("PostgreSQL and Redis: artifact store consume", async () => {
      const schema = await createTestSchema();
      const prefix = testRedisPrefix();
      const stores = await openStores(
        {
          database: { kind: "postgres", url: schema.url, poolSize: 10, connectTimeoutMs: 5000 },
          redis: { url: TEST_REDIS_URL as string, prefix, commandTimeoutMs: 2000 },
        },
        createManualClock(),
      );
      try {
        assert.notEqual(stores.oidcShortLivedArtifacts, stores.oidcArtifacts, "codes live in Redis");
        await raceConsume(stores.oidcShortLivedArtifacts, "AuthorizationCode");
        await raceConsume(stores.oidcArtifacts, "RefreshToken");
        await raceConsume(stores.oidcArtifacts, "AuthorizationCode");
      } finally {
        await stores.close();
        await schema.drop();
        await dropRedisPrefix(prefix);
      }
    });

    test("PostgreSQL alone: 20 concurrent token requests with one code", async () => {
      const schema = await createTestSchema(TEST_DATABASE_URL);
      try {
        await raceTokenEndpoint({ LATCHKEY_DATABASE_URL: schema.url });
      } finally {
        await schema.drop();
      }
    });

    test("PostgreSQL with Redis: 20 concurrent token requests with one code", async () => {
      const schema = await createTestSchema(TEST_DATABASE_URL);
      const prefix = testRedisPrefix();
      try {
        await raceTokenEndpoint({ LATCHKEY_DATABASE_URL: schema.url, LATCHKEY_REDIS_URL: TEST_REDIS_URL as string, LATCHKEY_REDIS_PREFIX: prefix });
      } finally {
        await schema.drop();
        await dropRedisPrefix(prefix);
      }
    });
  });
});
