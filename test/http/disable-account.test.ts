// Disabling an account, from the admin console's JSON API and from `latchkey accounts disable` (a real
// process on the same storage), on SQLite, PostgreSQL and PostgreSQL + Redis: both end the same things,
// record, send and tell the owner once however often they are asked, leave no reset link for after a
// re-enabling, and only the command line may disable the last admin, and only with --force.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addWebhookEndpoint } from "../../src/webhooks/endpoints.ts";
import { runWebhookDeliveryRound } from "../../src/webhooks/worker.ts";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { allBackends } from "../helpers/backends.ts";
import { type CLIResult, runCLI } from "../helpers/cli-process.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

const NEW_PASSWORD = "Lantern-Orchard-Velvet-Comet-9";

for (const backend of allBackends()) {
  describe(`disabling an account (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestApp;
    let cliEnv: Record<string, string>;
    let receiver: WebhookReceiver;
    let root: TestClient;
    let rootId: string;

    before(async () => {
      const appEnv = { ...(await backend.freshAppEnv()), LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "1", LATCHKEY_WEBHOOKS_TIMEOUT: "2s" };
      t = await createTestApp(appEnv);
      // The command works on the app's own storage: the same data directory, database, Redis prefix and secret.
      cliEnv = { ...(process.env as Record<string, string>), ...testEnv(t.dataDir, appEnv) };
      receiver = await startWebhookReceiver();
      await addWebhookEndpoint(t.deps, { url: receiver.url, events: "account.disabled,account.enabled,session.revoked" });
      root = await seedVerifiedAccount(t, "root@example.com");
      rootId = await idOf("root@example.com");
      assert.equal(await t.deps.stores.accounts.grantAdmin(rootId, t.clock.now()), "changed");
    });
    after(async () => {
      await receiver?.close();
      await t?.close();
    });

    /** Runs the command without blocking this process (its database pool and receiver keep working). */
    const cli = (args: string[]): Promise<CLIResult> => runCLI(cliEnv, args);

    /** The subjects of the mail `address` was sent, by the app or by the command (the same outbox). */
    async function subjectsTo(address: string): Promise<string[]> {
      await t.deps.tasks.settle();
      return (await readEmails(t.config.outboxDir)).filter((m) => m.to.includes(address)).map((m) => m.subject);
    }

    async function idOf(identifier: string): Promise<string> {
      const found = await t.deps.stores.accounts.getAccountByIdentifier(identifier);
      assert.ok(found, `account for ${identifier}`);
      return found.account.id;
    }

    /** Asks for a reset link as the owner would and returns its token. */
    async function requestResetLink(identifier: string): Promise<string> {
      const client = new TestClient(t.app);
      const asked = await client.request("POST", "/api/v1/password-resets", { json: { identifier, captcha: await solveCAPTCHA(client, "password_reset") } });
      assert.equal(asked.statusCode, 202);
      await t.deps.tasks.settle();
      const mail = (await readEmails(t.config.outboxDir)).filter((m) => m.to.includes(identifier) && m.subject === "Reset your password").at(-1);
      const token = /\/password\/reset\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1];
      assert.ok(token, "the reset link");
      return token;
    }

    /** Delivers every due webhook (as a server's worker would) and returns what the account's receiver got. */
    async function webhooksOf(accountId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
      // The command stamps its events with the wall clock, which may be ahead of the app's test clock.
      if (t.clock.now().getTime() < Date.now()) t.clock.set(new Date());
      for (let i = 0; i < 50 && (await runWebhookDeliveryRound(t.deps)).length > 0; i++);
      return receiver.received
        .filter((r) => r.accountId === accountId)
        .map((r) => {
          const body = JSON.parse(r.body) as { type: string; data: Record<string, unknown> };
          return { type: body.type, data: body.data };
        });
    }

    async function disabledAudit(accountId: string) {
      return t.deps.stores.audit.searchEvents({ accountId, types: ["admin.account_disabled"], limit: 10 });
    }

    it("latchkey accounts disable, run twice: one change, one audit event, one account.disabled, one session.revoked and one notice to the owner; a reset link sent before is dead after enabling", async () => {
      const owner = await seedVerifiedAccount(t, "cli-target@example.com");
      const id = await idOf("cli-target@example.com");
      const token = await requestResetLink("cli-target@example.com");

      const first = await cli(["accounts", "disable", "cli-target@example.com"]);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^Disabled cli-target@example\.com \(account \S+\): sign-in is refused.*The owner has been told/);
      const disabledAt = (await t.deps.stores.accounts.getAccountById(id))?.disabledAt;
      assert.ok(disabledAt);
      const second = await cli(["accounts", "disable", "CLI-Target@example.com"]);
      assert.equal(second.status, 0, second.stderr);
      assert.match(second.stdout, /cli-target@example\.com is already disabled \(account \S+\): nothing changed/);
      assert.equal((await t.deps.stores.accounts.getAccountById(id))?.disabledAt?.getTime(), disabledAt.getTime(), "not stamped again");

      assert.equal((await owner.get("/api/v1/session")).statusCode, 401, "the session ended");
      const audit = await disabledAudit(id);
      assert.equal(audit.length, 1, "one audit event");
      assert.equal(audit[0]?.userAgent, "latchkey CLI");
      assert.deepEqual(audit[0]?.detail, { sessions: 1 });
      assert.deepEqual(await webhooksOf(id), [
        { type: "account.disabled", data: { accountId: id, actor: { kind: "admin" } } },
        { type: "session.revoked", data: { accountId: id, reason: "account_disabled", count: 1, exceptCurrent: false } },
      ]);
      // The same notice as from the console, once, by the command itself (the server is not asked to send it).
      assert.deepEqual(
        (await subjectsTo("cli-target@example.com")).filter((s) => s !== "Reset your password"),
        ["Your account has been disabled"],
      );

      const enabled = await cli(["accounts", "enable", "cli-target@example.com"]);
      assert.equal(enabled.status, 0, enabled.stderr);
      assert.match(enabled.stdout, /^Enabled cli-target@example\.com/);
      const again = await cli(["accounts", "enable", "cli-target@example.com"]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /is not disabled .*nothing changed/);
      assert.deepEqual(
        (await webhooksOf(id)).map((w) => w.type),
        ["account.disabled", "session.revoked", "account.enabled"],
      );
      assert.equal((await t.deps.stores.audit.searchEvents({ accountId: id, types: ["admin.account_enabled"], limit: 10 })).length, 1);
      assert.deepEqual(
        (await subjectsTo("cli-target@example.com")).filter((s) => s !== "Reset your password"),
        ["Your account has been disabled", "Your account has been enabled"],
      );

      // Within the link's 30 minutes, and the account may sign in again: the link still does not work.
      const reset = await new TestClient(t.app).request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } });
      assert.equal(reset.statusCode, 400, reset.body);
      assert.equal(reset.json().error.code, "RESET_TOKEN_USED");
      const signin = await new TestClient(t.app).request("POST", "/api/v1/session", {
        json: { identifier: "cli-target@example.com", password: STRONG_PASSWORD },
      });
      assert.equal(signin.statusCode, 200, "the password is unchanged");
    });

    it("the console (JSON API), asked twice: changed, then unchanged; one audit event, one account.disabled, one session.revoked and one notice; a reset link sent before is dead after enabling", async () => {
      const owner = await seedVerifiedAccount(t, "console-target@example.com");
      const id = await idOf("console-target@example.com");
      const token = await requestResetLink("console-target@example.com");

      const url = `/api/v1/admin/accounts/${id}/disable`;
      const first = await root.request("POST", url, { json: { password: STRONG_PASSWORD } });
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json(), { changed: true });
      const second = await root.request("POST", url, { json: { password: STRONG_PASSWORD } });
      assert.equal(second.statusCode, 200, second.body);
      assert.deepEqual(second.json(), { changed: false });

      assert.equal((await owner.get("/api/v1/session")).statusCode, 401, "the session ended");
      const audit = await disabledAudit(id);
      assert.equal(audit.length, 1, "one audit event");
      assert.deepEqual(audit[0]?.detail, { admin: rootId, sessions: 1 });
      assert.deepEqual(await webhooksOf(id), [
        { type: "account.disabled", data: { accountId: id, actor: { kind: "admin", accountId: rootId } } },
        { type: "session.revoked", data: { accountId: id, reason: "account_disabled", count: 1, exceptCurrent: false } },
      ]);

      const enabled = await root.request("POST", `/api/v1/admin/accounts/${id}/enable`, { json: {} });
      assert.deepEqual(enabled.json(), { changed: true });
      assert.deepEqual((await root.request("POST", `/api/v1/admin/accounts/${id}/enable`, { json: {} })).json(), { changed: false });
      assert.deepEqual(
        (await subjectsTo("console-target@example.com")).filter((s) => s !== "Reset your password"),
        ["Your account has been disabled", "Your account has been enabled"],
      );
      const reset = await new TestClient(t.app).request("POST", "/api/v1/password-resets/complete", { json: { token, password: NEW_PASSWORD } });
      assert.equal(reset.statusCode, 400, reset.body);
      assert.equal(reset.json().error.code, "RESET_TOKEN_USED");
    });

    it("latchkey accounts disable refuses the only enabled admin, saying why; with --force it disables it", async () => {
      const refused = await cli(["accounts", "disable", "root@example.com"]);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /root@example\.com is the only enabled admin: disabling it would leave nobody able to open \/admin/);
      assert.match(refused.stderr, /--force/);
      assert.equal((await t.deps.stores.accounts.getAccountById(rootId))?.disabledAt, null, "nothing changed");
      assert.equal((await root.get("/api/v1/session")).statusCode, 200);
      assert.equal((await disabledAudit(rootId)).length, 0);
      assert.deepEqual(await webhooksOf(rootId), []);

      assert.match((await cli(["--help"])).stdout, /accounts disable X \[--force\] .*\n(.*\n)*.*only enabled\s+admin is refused unless --force/);
      const misplaced = await cli(["accounts", "enable", "root@example.com", "--force"]);
      assert.equal(misplaced.status, 2, "--force belongs to disable only");

      const forced = await cli(["accounts", "disable", "root@example.com", "--force"]);
      assert.equal(forced.status, 0, forced.stderr);
      assert.match(forced.stdout, /^Disabled root@example\.com/);
      assert.ok((await t.deps.stores.accounts.getAccountById(rootId))?.disabledAt);
      assert.equal((await root.get("/api/v1/session")).statusCode, 401);
      assert.equal((await disabledAudit(rootId)).length, 1);
      assert.deepEqual(
        (await webhooksOf(rootId)).map((w) => w.type),
        ["account.disabled", "session.revoked"],
      );
    });
  });
}
