// Giving and taking admin access, from the admin console's JSON API and from `latchkey accounts grant-admin`
// and `revoke-admin` (a real process on the same storage), on SQLite, PostgreSQL and PostgreSQL + Redis: both
// change, record and tell the owner once however often they are asked, and neither leaves the installation
// without an enabled admin, also when the last two are demoted at the same moment; only the command line
// may take the role from the last one, and only with --force.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { type CLIResult, runCLI } from "../helpers/cli-process.ts";
import type { TestClient } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

const GRANTED = "Your account is now an administrator";
const REVOKED = "Your administrator access has been removed";

for (const backend of allBackends()) {
  describe(`giving and taking admin access (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestApp;
    let cliEnv: Record<string, string>;
    let root: TestClient;
    let rootId: string;
    let deputy: TestClient;
    let deputyId: string;

    before(async () => {
      const appEnv = await backend.freshAppEnv();
      t = await createTestApp(appEnv);
      // The command works on the app's own storage: the same data directory, database, Redis prefix and secret.
      cliEnv = { ...(process.env as Record<string, string>), ...testEnv(t.dataDir, appEnv) };
      root = await seedVerifiedAccount(t, "root@example.com");
      rootId = await idOf("root@example.com");
      deputy = await seedVerifiedAccount(t, "deputy@example.com");
      deputyId = await idOf("deputy@example.com");
      assert.equal(await t.deps.stores.accounts.grantAdmin(rootId, t.clock.now()), "changed");
    });
    after(async () => {
      await t?.close();
    });

    const cli = (args: string[]): Promise<CLIResult> => runCLI(cliEnv, args);

    async function idOf(identifier: string): Promise<string> {
      const found = await t.deps.stores.accounts.getAccountByIdentifier(identifier);
      assert.ok(found, `account for ${identifier}`);
      return found.account.id;
    }

    async function isAdmin(accountId: string): Promise<boolean> {
      return (await t.deps.stores.accounts.getAccountById(accountId))?.isAdmin === true;
    }

    async function roleAudit(accountId: string): Promise<Array<{ type: string; userAgent: string | null; detail: unknown }>> {
      const events = await t.deps.stores.audit.searchEvents({ accountId, types: ["admin.admin_granted", "admin.admin_revoked"], limit: 20 });
      // Several may share a second: compared in the order of their type (granted before revoked).
      return events.map((e) => ({ type: e.type, userAgent: e.userAgent, detail: e.detail })).sort((a, b) => a.type.localeCompare(b.type));
    }

    /** The subjects of the admin notices `address` was sent, by the app or by the command (the same outbox). */
    async function noticesTo(address: string): Promise<string[]> {
      await t.deps.tasks.settle();
      const subjects = (await readEmails(t.config.outboxDir)).filter((m) => m.to.includes(address) && [GRANTED, REVOKED].includes(m.subject));
      // Sent in the background: compared without their order.
      return subjects.map((m) => m.subject).sort((a, b) => [GRANTED, REVOKED].indexOf(a) - [GRANTED, REVOKED].indexOf(b));
    }

    it("latchkey accounts grant-admin and revoke-admin, each run twice: one change, one audit event and one notice each; the second says nothing changed", async () => {
      await seedVerifiedAccount(t, "helper@example.com");
      const id = await idOf("helper@example.com");

      const granted = await cli(["accounts", "grant-admin", "helper@example.com"]);
      assert.equal(granted.status, 0, granted.stderr);
      assert.match(granted.stdout, /^helper@example\.com is now an admin: it can open \/admin \(account \S+\)\. The owner has been told/);
      const grantedAgain = await cli(["accounts", "grant-admin", "Helper@example.com"]);
      assert.equal(grantedAgain.status, 0, grantedAgain.stderr);
      assert.match(grantedAgain.stdout, /^helper@example\.com is already an admin \(account \S+\): nothing changed/);
      assert.equal(await isAdmin(id), true);

      const revoked = await cli(["accounts", "revoke-admin", "helper@example.com"]);
      assert.equal(revoked.status, 0, revoked.stderr);
      assert.match(revoked.stdout, /^helper@example\.com is no longer an admin \(account \S+\)\. The owner has been told/);
      const revokedAgain = await cli(["accounts", "revoke-admin", "helper@example.com"]);
      assert.equal(revokedAgain.status, 0, revokedAgain.stderr);
      assert.match(revokedAgain.stdout, /^helper@example\.com is not an admin \(account \S+\): nothing changed/);
      assert.equal(await isAdmin(id), false);

      assert.deepEqual(await roleAudit(id), [
        { type: "admin.admin_granted", userAgent: "latchkey CLI", detail: null },
        { type: "admin.admin_revoked", userAgent: "latchkey CLI", detail: null },
      ]);
      assert.deepEqual(await noticesTo("helper@example.com"), [GRANTED, REVOKED], "the owner is told once of each, as from the console");
    });

    it("the console (JSON API), asked twice: changed, then unchanged, with one audit event and one notice each", async () => {
      await seedVerifiedAccount(t, "console-helper@example.com");
      const id = await idOf("console-helper@example.com");
      for (const action of ["grant-admin", "revoke-admin"]) {
        const url = `/api/v1/admin/accounts/${id}/${action}`;
        assert.deepEqual((await root.request("POST", url, { json: { password: STRONG_PASSWORD } })).json(), { changed: true }, action);
        assert.deepEqual((await root.request("POST", url, { json: { password: STRONG_PASSWORD } })).json(), { changed: false }, action);
      }
      assert.deepEqual(await roleAudit(id), [
        { type: "admin.admin_granted", userAgent: "lightMyRequest", detail: { admin: rootId } },
        { type: "admin.admin_revoked", userAgent: "lightMyRequest", detail: { admin: rootId } },
      ]);
      assert.deepEqual(await noticesTo("console-helper@example.com"), [GRANTED, REVOKED]);
    });

    it("latchkey accounts revoke-admin refuses the only enabled admin, saying why; with --force it takes the role", async () => {
      const refused = await cli(["accounts", "revoke-admin", "root@example.com"]);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /root@example\.com is the only enabled admin: revoking its access would leave nobody able to open \/admin/);
      assert.match(refused.stderr, /--force/);
      assert.equal(await isAdmin(rootId), true, "nothing changed");
      assert.equal((await root.get("/admin/accounts")).statusCode, 200);
      assert.deepEqual(await roleAudit(rootId), []);
      assert.deepEqual(await noticesTo("root@example.com"), []);

      assert.match((await cli(["--help"])).stdout, /accounts revoke-admin X \[--force\] +Take that access away\. The only enabled admin is refused unless/);
      assert.equal((await cli(["accounts", "grant-admin", "root@example.com", "--force"])).status, 2, "--force is not for grant-admin");

      const forced = await cli(["accounts", "revoke-admin", "root@example.com", "--force"]);
      assert.equal(forced.status, 0, forced.stderr);
      assert.match(forced.stdout, /^root@example\.com is no longer an admin/);
      assert.equal(await isAdmin(rootId), false);
      assert.equal((await root.get("/admin/accounts")).statusCode, 404, "nobody can open the console now");
      assert.deepEqual(await noticesTo("root@example.com"), [REVOKED]);

      // The way back: the operator makes an account admin at the terminal.
      assert.equal((await cli(["accounts", "grant-admin", "root@example.com"])).status, 0);
      assert.equal((await root.get("/admin/accounts")).statusCode, 200);
    });

    /** Makes root and deputy the only two enabled admins (whatever an earlier test left). */
    async function lastTwoAdmins(): Promise<void> {
      for (const id of [rootId, deputyId]) await t.deps.stores.accounts.grantAdmin(id, t.clock.now());
      for (const { account } of await t.deps.stores.accounts.listAccounts({ limit: 100, offset: 0 }))
        if (account.isAdmin && account.id !== rootId && account.id !== deputyId) await t.deps.stores.accounts.revokeAdmin(account.id, t.clock.now());
      assert.deepEqual([await isAdmin(rootId), await isAdmin(deputyId)], [true, true]);
    }

    async function enabledAdmins(): Promise<string[]> {
      const rows = await t.deps.stores.accounts.listAccounts({ limit: 100, offset: 0 });
      return rows.filter((r) => r.account.isAdmin && r.account.disabledAt === null).map((r) => r.account.id);
    }

    it("the last two admins demoting each other in the console at the same moment: exactly one succeeds, one admin remains", async () => {
      for (let round = 0; round < 3; round++) {
        await lastTwoAdmins();
        const [byRoot, byDeputy] = await Promise.all([
          root.request("POST", `/api/v1/admin/accounts/${deputyId}/revoke-admin`, { json: { password: STRONG_PASSWORD } }),
          deputy.request("POST", `/api/v1/admin/accounts/${rootId}/revoke-admin`, { json: { password: STRONG_PASSWORD } }),
        ]);
        const answers = [byRoot, byDeputy].map((a) => (a.statusCode === 200 ? JSON.stringify(a.json()) : String(a.statusCode)));
        assert.equal(answers.filter((a) => a === '{"changed":true}').length, 1, `round ${round}: ${answers.join(" ")}`);
        // The other is refused: as the last admin (409), or, when its admin was demoted before it was let in, as
        // an unknown address (404).
        for (const a of [byRoot, byDeputy].filter((x) => x.statusCode !== 200)) {
          assert.ok(a.statusCode === 404 || (a.statusCode === 409 && a.json().error.code === "ADMIN_LAST_ADMIN"), `round ${round}: ${a.statusCode} ${a.body}`);
        }
        assert.equal((await enabledAdmins()).length, 1, `round ${round}: one enabled admin remains`);
      }
    });

    it("the last two admins revoked at the same moment with latchkey accounts revoke-admin: exactly one succeeds, one admin remains", async () => {
      await lastTwoAdmins();
      const results = await Promise.all([cli(["accounts", "revoke-admin", "root@example.com"]), cli(["accounts", "revoke-admin", "deputy@example.com"])]);
      assert.deepEqual(results.map((r) => r.status).sort(), [0, 1], results.map((r) => r.stdout + r.stderr).join("\n"));
      assert.match(results.find((r) => r.status === 1)?.stderr ?? "", /is the only enabled admin/);
      assert.equal((await enabledAdmins()).length, 1, "one enabled admin remains");
    });
  });
}
