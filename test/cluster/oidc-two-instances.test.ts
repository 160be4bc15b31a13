// Two server processes sharing PostgreSQL and Redis complete a whole OpenID Connect flow with every request
// going to the other instance than the one before: sign-in, interaction, code (in Redis), tokens, userinfo,
// refresh, and an ID token signed by one instance verified with the JWKS of the other.
import assert from "node:assert/strict";
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLocalJWKSet, jwtVerify } from "jose";
import * as client from "openid-client";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_REDIS_URL, type TestSchema, testRedisPrefix } from "../helpers/cluster.ts";
import { HTTPBrowser, PASSWORD } from "../helpers/oidc.ts";
import { BIN, startServerProcess } from "../helpers/server-process.ts";

const ISSUER = "http://latchkey.cluster.test";
const REDIRECT = "https://app.example.com/callback";

async function startInstance(env: Record<string, string>): Promise<{ origin: string; child: ChildProcess }> {
  const server = await startServerProcess(env, { inheritEnv: false });
  return { origin: server.url, child: server.child };
}

describe("OpenID Connect across two instances", { skip: clusterSkipReason() }, () => {
  let schema: TestSchema;
  const prefix = testRedisPrefix();
  let dataDir: string;
  let instances: Array<{ origin: string; child: ChildProcess }> = [];
  const hits: number[] = [0, 0];
  let turn = 0;
  /** Every request goes to the instance that did not answer the previous one. */
  const route = (url: string): string => {
    const target = instances[turn % 2];
    hits[turn % 2] = (hits[turn % 2] ?? 0) + 1;
    turn++;
    return url.replace(ISSUER, target?.origin ?? "");
  };

  before(async () => {
    schema = await createTestSchema();
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-oidc-cluster-"));
    const env = {
      ...(process.env as Record<string, string>),
      ...testEnv(dataDir),
      LATCHKEY_BASE_URL: ISSUER,
      LATCHKEY_DATABASE_URL: schema.url,
      LATCHKEY_REDIS_URL: TEST_REDIS_URL as string,
      LATCHKEY_REDIS_PREFIX: prefix,
    };
    const created = spawnSync(process.execPath, [BIN, "accounts", "create", "--identifier", "kim@example.com"], {
      env,
      input: PASSWORD,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(created.status, 0, created.stderr);
    instances = [await startInstance(env), await startInstance(env)];
    const added = spawnSync(process.execPath, [BIN, "clients", "add", "--name", "Cluster app", "--redirect-uri", REDIRECT, "--first-party", "--json"], {
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(added.status, 0, added.stderr);
    Object.assign(registered, JSON.parse(added.stdout));
  });
  const registered: { id: string; secret: string } = { id: "", secret: "" };

  after(async () => {
    for (const instance of instances) {
      const exited = new Promise((resolve) => instance.child.once("exit", resolve));
      instance.child.kill("SIGTERM");
      await exited;
    }
    await schema?.drop();
    await dropRedisPrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("completes sign-in, code, tokens, userinfo and refresh with every request on the other instance", async () => {
    const alternate: client.CustomFetch = (input, init) => fetch(route(input), init as RequestInit);
    const config = await client.discovery(new URL(ISSUER), registered.id, registered.secret, undefined, {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: alternate,
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid email offline_access",
      prompt: "consent",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "cluster",
    });
    const browser = new HTTPBrowser(route);
    let page = await browser.follow(url.href, ISSUER);
    assert.match(page.url, /\/signin\?return_to=/);
    page = await browser.signIn(page, ISSUER, "kim@example.com", PASSWORD);
    assert.ok(page.location?.startsWith(REDIRECT), `ended at ${page.status} ${page.url}`);

    const tokens = await client.authorizationCodeGrant(config, new URL(page.location ?? ""), { pkceCodeVerifier: verifier, expectedState: "cluster" });
    const info = await client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck);
    assert.equal(info.email, "kim@example.com");
    const refreshed = await client.refreshTokenGrant(config, String(tokens.refresh_token));
    assert.ok(refreshed.access_token);

    // Each instance's JWKS verifies the ID tokens, whichever instance signed them.
    for (const instance of instances) {
      const jwks = (await (await fetch(`${instance.origin}/oidc/jwks`)).json()) as Parameters<typeof createLocalJWKSet>[0];
      await jwtVerify(String(tokens.id_token), createLocalJWKSet(jwks), { issuer: ISSUER, audience: registered.id });
      await jwtVerify(String(refreshed.id_token), createLocalJWKSet(jwks), { issuer: ISSUER, audience: registered.id });
    }
    assert.ok((hits[0] ?? 0) > 5 && (hits[1] ?? 0) > 5, `requests per instance: ${hits.join(", ")}`);
  });
});
