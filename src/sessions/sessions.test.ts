// validateSessionTokenAtOnce answers without waiting only when validateSessionToken would answer the same and
// write nothing: against a real SQLite file, with a clock the test moves.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.ts";
import { createManualClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import { openStores } from "../stores/index.ts";
import { createSession, validateSessionToken, validateSessionTokenAtOnce } from "./sessions.ts";

const dir = mkdtempSync(join(tmpdir(), "latchkey-sessions-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function setUp(name: string) {
  const config = loadConfig(
    { NODE_ENV: "test", LATCHKEY_DATA_DIR: join(dir, name), LATCHKEY_SECRET: "sessions-test-secret-0123456789-abcdefghij" },
    fileURLToPath(new URL("../../", import.meta.url)),
  );
  const clock = createManualClock(new Date("2026-12-03T06:00:00Z"));
  const stores = await openStores({ database: { kind: "sqlite", file: join(dir, `${name}.db`) } }, clock);
  const deps = { config, clock, stores, random: createCryptoRandom() };
  const created = await stores.accounts.createVerifiedAccount({
    id: `acc-${name}-0000000000`,
    name: "Ada",
    passwordHash: "hash",
    createdAt: clock.now(),
    identifier: { id: `idf-${name}-0000000000`, kind: "email", value: `${name}@example.com`, display: `${name}@example.com` },
  });
  assert.ok(created);
  const { token } = await createSession(deps, { accountId: created.account.id, remember: false, context: { userAgent: null, ip: null } });
  return { config, clock, stores, deps, token, accountId: created.account.id };
}

describe("validateSessionTokenAtOnce", () => {
  it("refuses a malformed token at once, and waits for storage until the session's rows are at hand", async () => {
    const { deps, stores, token, accountId } = await setUp("at-hand");
    assert.equal(validateSessionTokenAtOnce(deps, "not-a-token"), null);
    assert.equal(validateSessionTokenAtOnce(deps, token), undefined, "nothing read yet");
    assert.equal((await validateSessionToken(deps, token))?.account.id, accountId);
    assert.equal(validateSessionTokenAtOnce(deps, token)?.account.id, accountId);

    const [id, secret] = token.split(".") as [string, string];
    const wrongSecret = `${id}.${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    assert.equal(validateSessionTokenAtOnce(deps, wrongSecret), null, "the secret is still checked");
    await stores.close();
  });

  it("leaves to validateSessionToken what needs a write: sliding the idle expiry, deleting an expired session", async () => {
    const { config, clock, deps, stores, token } = await setUp("writes");
    const first = await validateSessionToken(deps, token);
    assert.ok(first);
    const interval = Math.min(3600, Math.floor(config.sessions.idleSeconds / 4)) * 1000;
    clock.advance(interval);
    assert.equal(validateSessionTokenAtOnce(deps, token), undefined, "the idle expiry is due to slide");
    const slid = await validateSessionToken(deps, token);
    assert.ok(slid && slid.session.idleExpiresAt > first.session.idleExpiresAt);
    assert.equal(validateSessionTokenAtOnce(deps, token), undefined, "sliding was a write");
    assert.ok(await validateSessionToken(deps, token));
    assert.ok(validateSessionTokenAtOnce(deps, token), "read again since: at hand");

    clock.advance(config.sessions.idleSeconds * 1000);
    assert.equal(validateSessionTokenAtOnce(deps, token), undefined, "expired: it must be deleted");
    assert.equal(await validateSessionToken(deps, token), null);
    assert.equal(await stores.sessions.getSession(slid.session.id), null, "deleted");
    await stores.close();
  });

  it("refuses at once the session of an account disabled since it was read", async () => {
    const { deps, stores, token, clock, accountId } = await setUp("disabled");
    assert.ok(await validateSessionToken(deps, token));
    assert.ok(await stores.accounts.setAccountDisabled(accountId, clock.now()));
    assert.equal(validateSessionTokenAtOnce(deps, token), undefined, "written since: read again");
    assert.equal(await validateSessionToken(deps, token), null);
    assert.equal(validateSessionTokenAtOnce(deps, token), null);
    await stores.close();
  });
});
