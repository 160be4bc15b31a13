// `latchkey clients …` and `latchkey keys rotate` as real processes against a real SQLite file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config/load.ts";
import { clientSecretMatches } from "../../src/oidc/clients.ts";
import { createDeps } from "../../src/wiring.ts";
import { testEnv } from "../helpers/app.ts";

const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));

describe("latchkey clients and keys", () => {
  let dataDir: string;
  let env: Record<string, string>;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-oidc-cli-"));
    env = { ...(process.env as Record<string, string>), ...testEnv(dataDir) };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 60_000 });

  async function withDeps<T>(fn: (deps: Awaited<ReturnType<typeof createDeps>>) => Promise<T>): Promise<T> {
    const deps = await createDeps(loadConfig(env), { logger: { info() {}, warn() {}, error() {} } });
    try {
      return await fn(deps);
    } finally {
      await deps.stores.close();
    }
  }

  it("registers a resource server, which needs no redirect URI but a secret", async () => {
    const added = run(["clients", "add", "--name", "Wiki API", "--resource-server", "--json"]);
    assert.equal(added.status, 0, added.stderr);
    const out = JSON.parse(added.stdout) as { id: string; secret: string; resourceServer: boolean; redirectUris: string[] };
    assert.equal(out.resourceServer, true);
    assert.deepEqual(out.redirectUris, []);
    assert.match(out.secret, /^[A-Za-z0-9_-]{43}$/);
    await withDeps(async (deps) => assert.equal((await deps.stores.oidcClients.getClient(out.id))?.resourceServer, true));
    const refused = run(["clients", "add", "--name", "Wiki API", "--resource-server", "--public"]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /--resource-server needs a secret/);
    assert.equal(run(["clients", "remove", out.id]).status, 0);
  });

  it("registers a confidential client, shows the secret once and stores only its hash", async () => {
    const added = run(["clients", "add", "--name", "Grafana", "--redirect-uri", "https://grafana.example.com/login/generic_oauth", "--first-party", "--json"]);
    assert.equal(added.status, 0, added.stderr);
    const out = JSON.parse(added.stdout) as { id: string; secret: string; public: boolean; firstParty: boolean; discovery: string };
    assert.equal(out.public, false);
    assert.equal(out.firstParty, true);
    assert.match(out.secret, /^[A-Za-z0-9_-]{43}$/);
    assert.match(out.discovery, /\/\.well-known\/openid-configuration$/);
    await withDeps(async (deps) => {
      const stored = await deps.stores.oidcClients.getClient(out.id);
      assert.ok(stored?.secretHash);
      assert.notEqual(stored.secretHash, out.secret);
      assert.ok(!JSON.stringify(stored).includes(out.secret), "the secret itself is stored nowhere");
      assert.ok(clientSecretMatches(stored.secretHash, out.secret));
      assert.ok(!clientSecretMatches(stored.secretHash, `${out.secret}x`));
    });
    const listed = run(["clients", "list", "--json"]);
    assert.equal(listed.status, 0);
    const clients = JSON.parse(listed.stdout) as Array<{ id: string; name: string }>;
    assert.deepEqual(
      clients.map((c) => c.name),
      ["Grafana"],
    );
    assert.ok(!listed.stdout.includes(out.secret));

    const removed = run(["clients", "remove", out.id]);
    assert.equal(removed.status, 0);
    assert.equal(run(["clients", "remove", out.id]).status, 1);
    assert.deepEqual(JSON.parse(run(["clients", "list", "--json"]).stdout), []);
  });

  it("registers a public client without a secret", () => {
    const added = run(["clients", "add", "--name", "SPA", "--redirect-uri", "http://localhost:5173/callback", "--public", "--json"]);
    assert.equal(added.status, 0, added.stderr);
    const out = JSON.parse(added.stdout) as { secret?: string; tokenEndpointAuthMethod: string };
    assert.equal(out.secret, undefined);
    assert.equal(out.tokenEndpointAuthMethod, "none");
  });

  it("refuses bad redirect URIs and missing names with exit code 2, naming each problem", () => {
    const bad = run([
      "clients",
      "add",
      "--redirect-uri",
      "http://app.example.com/cb",
      "--redirect-uri",
      "https://app.example.com/cb#frag",
      "--redirect-uri",
      "javascript:alert(1)",
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--name must be/);
    assert.match(bad.stderr, /http:\/\/app\.example\.com\/cb must use https/);
    assert.match(bad.stderr, /must not have a fragment/);
    assert.match(bad.stderr, /javascript:alert\(1\) must use https/);
  });

  it("rotates the signing key: the new key is published, the old one stays and signs until every instance publishes the new one", async () => {
    const before = await withDeps(async (deps) => {
      const app = await buildApp(deps, { logger: false });
      const jwks = (await app.inject({ method: "GET", url: "/oidc/jwks" })).json() as { keys: Array<{ kid: string; d?: string }> };
      await app.close();
      return jwks.keys;
    });
    assert.equal(before.length, 1);
    assert.equal(before[0]?.d, undefined, "only public keys are published");
    const rotated = run(["keys", "rotate", "--json"]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };
    const after = await withDeps(async (deps) => {
      const app = await buildApp(deps, { logger: false });
      const jwks = (await app.inject({ method: "GET", url: "/oidc/jwks" })).json() as { keys: Array<{ kid: string }> };
      const stored = await deps.stores.signingKeys.listSigningKeys();
      assert.ok(
        stored.every((k) => !k.sealedJwk.includes('"d"')),
        "private keys are stored sealed",
      );
      await app.close();
      return jwks.keys.map((k) => k.kid);
    });
    assert.deepEqual(after, [before[0]?.kid, kid], "the old key, which signs, comes first");
  });
});
