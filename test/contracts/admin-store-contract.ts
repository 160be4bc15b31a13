// The store verbs behind the admin console, as a part of the store contract: keyset paging of accounts,
// the guarded account changes (never leaving an installation without an enabled admin, also under races),
// deletion that frees identifiers, and the filtered, paged audit trail with its per-hour counts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { addSeconds } from "../../src/lib/clock.ts";
import type { AccountRecord, AuditEventRecord, DisabledAccountEnded, IdentifierRecord, Stores } from "../../src/stores/types.ts";

function unique(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("base64url")}`;
}

export function describeAdminStoreContract(stores: () => Stores, start: Date): void {
  async function account(at = start): Promise<{ account: AccountRecord; identifier: IdentifierRecord }> {
    const value = `${unique("admin-contract").toLowerCase()}@example.com`;
    const created = await stores().accounts.createVerifiedAccount({
      id: unique("acc"),
      name: null,
      passwordHash: unique("hash"),
      createdAt: at,
      identifier: { id: unique("idf"), kind: "email", value, display: value },
    });
    assert.ok(created, "setup: account");
    return created;
  }

  async function admin(at = start): Promise<AccountRecord> {
    const { account: a } = await account(at);
    assert.equal(await stores().accounts.grantAdmin(a.id, at), "changed");
    return a;
  }

  describe("AccountStore (admin console)", () => {
    test("listAccountsPage walks every account newest first, with no gap or repeat, by keyset", async () => {
      // Far in the future so these are the newest even in a shared database; two share a creation second.
      const base = new Date("2998-06-01T00:00:00Z");
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await account(addSeconds(base, i === 4 ? 3 : i)));
      const expected = made
        .map((m) => m.account)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((a) => a.id);
      const seen: string[] = [];
      let after: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const page = await stores().accounts.listAccountsPage({ limit: 2, ...(after ? { after } : {}) });
        const ours = page.filter((p) => expected.includes(p.account.id));
        seen.push(...ours.map((p) => p.account.id));
        const last = page[page.length - 1];
        if (page.length < 2 || !last || seen.length === expected.length) break;
        after = { createdAt: last.account.createdAt, id: last.account.id };
      }
      assert.deepEqual(seen, expected);
      const first = await stores().accounts.listAccountsPage({ limit: 1 });
      assert.equal(first[0]?.account.id, expected[0]);
      assert.deepEqual(
        first[0]?.identifiers.map((i) => i.accountId),
        [expected[0]],
      );
      const past = await stores().accounts.listAccountsPage({ limit: 5, after: { createdAt: new Date("1971-01-01T00:00:00Z"), id: "" } });
      assert.deepEqual(past, []);
    });

    test("disableAccount disables, ends the sessions and revokes pending resets in one change; enableAccount undoes the flag", async () => {
      const { account: a, identifier } = await account();
      const bystander = await account();
      const session = {
        id: unique("ses"),
        secretHash: "x".repeat(64),
        createdAt: start,
        lastSeenAt: start,
        idleExpiresAt: addSeconds(start, 3600),
        absoluteExpiresAt: addSeconds(start, 7200),
        remember: false,
        userAgent: null,
        ip: null,
      };
      await stores().sessions.createSession({ ...session, accountId: a.id });
      await stores().sessions.createSession({ ...session, id: unique("ses"), accountId: bystander.account.id });
      const secretHash = randomBytes(32).toString("hex");
      await stores().passwordResets.createPasswordReset({
        id: unique("rst"),
        accountId: a.id,
        kind: "link",
        value: identifier.value,
        secretHash,
        attemptsLeft: 1,
        expiresAt: addSeconds(start, 1800),
        createdAt: start,
        usedAt: null,
        revokedAt: null,
      });
      const pendingValue = `${unique("pending-disable").toLowerCase()}@example.com`;
      await stores().verifications.createVerification({
        id: unique("ver"),
        accountId: a.id,
        purpose: "add_identifier",
        kind: "email",
        value: pendingValue,
        display: pendingValue,
        codeHash: "c".repeat(64),
        attemptsLeft: 5,
        expiresAt: addSeconds(start, 600),
        createdAt: start,
      });
      const at = addSeconds(start, 60);
      const ended: DisabledAccountEnded[] = [];
      const audit = (e: DisabledAccountEnded): AuditEventRecord => ({
        id: unique("evt"),
        at,
        type: "admin.account_disabled",
        accountId: a.id,
        ip: null,
        userAgent: "contract",
        detail: { sessions: e.sessions },
      });
      const events = (e: DisabledAccountEnded) => {
        ended.push(e);
        return [];
      };
      assert.equal(await stores().accounts.disableAccount(a.id, at, events, { audit }), "changed");
      assert.deepEqual(ended, [{ sessions: 1, resets: 1, codes: 1 }], "the events are given what ended");
      const read = await stores().accounts.getAccountById(a.id);
      assert.equal(read?.disabledAt?.getTime(), Math.floor(at.getTime() / 1000) * 1000);
      assert.deepEqual(await stores().sessions.listSessionsOfAccount(a.id, start), []);
      assert.equal((await stores().sessions.listSessionsOfAccount(bystander.account.id, start)).length, 1, "another account keeps its session");
      assert.equal(await stores().passwordResets.consumePasswordReset("link", secretHash, at), null, "the pending reset link is dead");
      assert.equal(
        await stores().verifications.takeVerificationAttempt({ purpose: "add_identifier", value: pendingValue, accountId: a.id }, start),
        null,
        "the unredeemed verification code is gone",
      );
      assert.equal(await stores().accounts.disableAccount(a.id, addSeconds(at, 60), events, { audit }), "unchanged");
      assert.equal(ended.length, 1, "already disabled: no events");
      assert.equal((await stores().accounts.getAccountById(a.id))?.disabledAt?.getTime(), read?.disabledAt?.getTime(), "not stamped again");
      const recorded = await stores().audit.searchEvents({ accountId: a.id, types: ["admin.account_disabled"], limit: 10 });
      assert.deepEqual(
        recorded.map((e) => [e.userAgent, e.detail]),
        [["contract", { sessions: 1 }]],
        "one audit event, written with the change",
      );
      assert.equal(await stores().accounts.disableAccount(unique("missing"), at), "not_found");

      assert.equal(await stores().accounts.enableAccount(a.id, at), "changed");
      assert.equal((await stores().accounts.getAccountById(a.id))?.disabledAt, null);
      assert.equal(await stores().accounts.enableAccount(a.id, at), "unchanged");
      assert.equal(await stores().accounts.enableAccount(unique("missing"), at), "not_found");
    });

    test("grantAdmin and revokeAdmin change the flag and say when nothing changed", async () => {
      const keeper = await admin();
      const { account: a } = await account();
      assert.equal(await stores().accounts.grantAdmin(a.id, start), "changed");
      assert.equal((await stores().accounts.getAccountById(a.id))?.isAdmin, true);
      assert.equal(await stores().accounts.grantAdmin(a.id, start), "unchanged");
      assert.equal(await stores().accounts.revokeAdmin(a.id, start), "changed");
      assert.equal((await stores().accounts.getAccountById(a.id))?.isAdmin, false);
      assert.equal(await stores().accounts.revokeAdmin(a.id, start), "unchanged");
      assert.equal(await stores().accounts.grantAdmin(unique("missing"), start), "not_found");
      assert.equal(await stores().accounts.revokeAdmin(unique("missing"), start), "not_found");
      assert.equal((await stores().accounts.getAccountById(keeper.id))?.isAdmin, true);
    });

    test("enableAccount, grantAdmin and revokeAdmin write their audit event with the change, and none when nothing changed", async () => {
      const keeper = await admin();
      const { account: a } = await account();
      const audit = (type: AuditEventRecord["type"]): AuditEventRecord => ({
        id: unique("evt"),
        at: start,
        type,
        accountId: a.id,
        ip: null,
        userAgent: "contract",
        detail: { admin: keeper.id },
      });
      const recorded = async () =>
        (await stores().audit.searchEvents({ accountId: a.id, limit: 20 }))
          .map((e) => [e.type, e.detail?.admin])
          .sort((x, y) => String(x).localeCompare(String(y)));
      for (let i = 0; i < 2; i++) {
        await stores().accounts.grantAdmin(a.id, start, { audit: audit("admin.admin_granted") });
        await stores().accounts.revokeAdmin(a.id, start, { audit: audit("admin.admin_revoked") });
        await stores().accounts.setAccountDisabled(a.id, start);
        await stores().accounts.enableAccount(a.id, start, undefined, { audit: audit("admin.account_enabled") });
      }
      await stores().accounts.revokeAdmin(a.id, start, { audit: audit("admin.admin_revoked") });
      await stores().accounts.enableAccount(a.id, start, undefined, { audit: audit("admin.account_enabled") });
      assert.deepEqual(await recorded(), [
        ["admin.account_enabled", keeper.id],
        ["admin.account_enabled", keeper.id],
        ["admin.admin_granted", keeper.id],
        ["admin.admin_granted", keeper.id],
        ["admin.admin_revoked", keeper.id],
        ["admin.admin_revoked", keeper.id],
      ]);
      assert.equal(await stores().accounts.grantAdmin(a.id, start, { audit: audit("admin.admin_granted") }), "changed");
      assert.equal(await stores().accounts.grantAdmin(a.id, start, { audit: audit("admin.admin_granted") }), "unchanged");
      assert.equal((await recorded()).filter(([type]) => type === "admin.admin_granted").length, 3, "an admin already: nothing recorded");
    });

    test("revokeAdmin with allowLastAdmin takes the role from the only enabled admin", async () => {
      const only = await admin();
      assert.equal(await stores().accounts.revokeAdmin(only.id, start), "last_admin");
      assert.equal(await stores().accounts.revokeAdmin(only.id, start, { allowLastAdmin: true }), "changed");
      assert.equal((await stores().accounts.getAccountById(only.id))?.isAdmin, false);
    });

    test("ten grants, then ten revokes, of one account at the same time: exactly one of each changes it and writes its audit event", async () => {
      const keeper = await admin();
      const { account: a } = await account();
      const audit = (type: AuditEventRecord["type"]) => (): AuditEventRecord => ({
        id: unique("evt"),
        at: start,
        type,
        accountId: a.id,
        ip: null,
        userAgent: null,
        detail: null,
      });
      // The pool's connections first: opened one by one under the race, they would make the ten take turns.
      await Promise.all(Array.from({ length: 10 }, () => stores().accounts.getAccountById(a.id)));
      for (const [type, change] of [
        ["admin.admin_granted", () => stores().accounts.grantAdmin(a.id, start, { audit: audit("admin.admin_granted")() })],
        ["admin.admin_revoked", () => stores().accounts.revokeAdmin(a.id, start, { audit: audit("admin.admin_revoked")() })],
      ] as const) {
        const results = await Promise.all(Array.from({ length: 10 }, change));
        assert.deepEqual(
          results.filter((r) => r === "changed"),
          ["changed"],
          type,
        );
        assert.equal(results.filter((r) => r === "unchanged").length, 9, type);
        assert.equal((await stores().audit.searchEvents({ accountId: a.id, types: [type], limit: 20 })).length, 1, `${type}: one audit event`);
      }
      assert.equal((await stores().accounts.getAccountById(keeper.id))?.isAdmin, true);
    });

    test("the only enabled admin cannot be demoted, disabled or deleted; with a second admin they can", async () => {
      const only = await admin();
      // A disabled admin does not count as one who can still manage the installation.
      const dormant = await admin();
      assert.equal(await stores().accounts.disableAccount(dormant.id, start), "changed");

      assert.equal(await stores().accounts.revokeAdmin(only.id, start), "last_admin");
      assert.equal(await stores().accounts.disableAccount(only.id, start), "last_admin");
      assert.equal(await stores().accounts.deleteAccount(only.id), "last_admin");
      const still = await stores().accounts.getAccountById(only.id);
      assert.equal(still?.isAdmin, true);
      assert.equal(still?.disabledAt, null);

      const second = await admin();
      assert.equal(await stores().accounts.revokeAdmin(only.id, start), "changed");
      assert.equal(await stores().accounts.deleteAccount(second.id), "last_admin", "now the second is the only one");
      assert.equal(await stores().accounts.deleteAccount(dormant.id), "deleted", "a disabled admin can go");
    });

    test("disableAccount with allowLastAdmin disables the only enabled admin", async () => {
      const only = await admin();
      assert.equal(await stores().accounts.disableAccount(only.id, start), "last_admin");
      assert.equal(await stores().accounts.disableAccount(only.id, start, undefined, { allowLastAdmin: true }), "changed");
      assert.ok((await stores().accounts.getAccountById(only.id))?.disabledAt);
    });

    test("ten disables of one account at the same time: exactly one changes it and writes its audit event", async () => {
      const { account: a } = await account();
      const audit = (): AuditEventRecord => ({
        id: unique("evt"),
        at: start,
        type: "admin.account_disabled",
        accountId: a.id,
        ip: null,
        userAgent: null,
        detail: null,
      });
      // The pool's connections first: opened one by one under the race, they would make the ten take turns.
      await Promise.all(Array.from({ length: 10 }, () => stores().accounts.getAccountById(a.id)));
      const results = await Promise.all(Array.from({ length: 10 }, () => stores().accounts.disableAccount(a.id, start, undefined, { audit })));
      assert.deepEqual(
        results.filter((r) => r === "changed"),
        ["changed"],
      );
      assert.equal(results.filter((r) => r === "unchanged").length, 9);
      assert.equal((await stores().audit.searchEvents({ accountId: a.id, types: ["admin.account_disabled"], limit: 20 })).length, 1);
    });

    test("two admins removing each other at the same time: exactly one succeeds", async () => {
      for (const [label, change] of [
        ["revokeAdmin", (id: string) => stores().accounts.revokeAdmin(id, start)],
        ["disableAccount", (id: string) => stores().accounts.disableAccount(id, start)],
        ["deleteAccount", async (id: string) => ((await stores().accounts.deleteAccount(id)) === "deleted" ? "changed" : "last_admin")],
      ] as const) {
        const a = await admin();
        const b = await admin();
        const results = await Promise.all([change(a.id), change(b.id)]);
        assert.deepEqual([...results].sort(), ["changed", "last_admin"], label);
        const left = await Promise.all([a, b].map((x) => stores().accounts.getAccountById(x.id)));
        const enabledAdmins = left.filter((x) => x?.isAdmin && x.disabledAt === null);
        assert.equal(enabledAdmins.length, 1, `${label}: one enabled admin remains`);
        // The survivor steps aside (with the unguarded verb) so the next round starts without admins.
        for (const x of enabledAdmins) if (x) await stores().accounts.setAccountDisabled(x.id, start);
      }
    });

    test("deleteAccount removes identifiers, sessions, codes and resets, and frees the identifiers", async () => {
      const { account: a, identifier } = await account();
      await stores().verifications.createVerification({
        id: unique("ver"),
        accountId: a.id,
        purpose: "add_identifier",
        kind: "email",
        value: "pending-admin@example.com",
        display: "pending-admin@example.com",
        codeHash: "c".repeat(64),
        attemptsLeft: 5,
        expiresAt: addSeconds(start, 600),
        createdAt: start,
      });
      const secretHash = randomBytes(32).toString("hex");
      await stores().passwordResets.createPasswordReset({
        id: unique("rst"),
        accountId: a.id,
        kind: "link",
        value: identifier.value,
        secretHash,
        attemptsLeft: 1,
        expiresAt: addSeconds(start, 1800),
        createdAt: start,
        usedAt: null,
        revokedAt: null,
      });
      assert.equal(await stores().accounts.deleteAccount(a.id), "deleted");
      assert.equal(await stores().accounts.getAccountByIdentifier(identifier.value), null);
      assert.equal(await stores().passwordResets.getPasswordResetBySecret(secretHash), null);
      assert.equal(
        await stores().verifications.takeVerificationAttempt({ purpose: "add_identifier", value: "pending-admin@example.com", accountId: a.id }, start),
        null,
      );
      const again = await stores().accounts.createVerifiedAccount({
        id: unique("acc"),
        name: null,
        passwordHash: "h",
        createdAt: start,
        identifier: { id: unique("idf"), kind: "email", value: identifier.value, display: identifier.display },
      });
      assert.ok(again, "the identifier is free for a new account");
      assert.equal(await stores().accounts.deleteAccount(a.id), "not_found");
    });
  });

  describe("AuditStore (admin console)", () => {
    function event(overrides: Partial<AuditEventRecord>): AuditEventRecord {
      return { id: unique("evt"), at: start, type: "signin.failed", accountId: null, ip: null, userAgent: null, detail: null, ...overrides };
    }

    test("searchEvents filters by type, account, address and time range, newest first, paged by keyset", async () => {
      const who = unique("acc");
      const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
      const base = new Date("2997-01-01T10:00:00Z");
      const events = [
        event({ at: base, type: "signin.failed", accountId: who, ip }),
        event({ at: addSeconds(base, 60), type: "signin.succeeded", accountId: who, ip }),
        event({ at: addSeconds(base, 60), type: "signin.failed", accountId: who, ip: "203.0.113.9" }),
        event({ at: addSeconds(base, 120), type: "signin.locked", accountId: null, ip, detail: { failures: 10 } }),
        event({ at: addSeconds(base, 7200), type: "signin.failed", accountId: who, ip }),
      ];
      for (const e of events) await stores().audit.recordEvent(e);
      const ids = (list: AuditEventRecord[]) => list.map((e) => e.id);
      const byTime = [...events].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1));

      assert.deepEqual(ids(await stores().audit.searchEvents({ accountId: who, limit: 10 })), ids(byTime.filter((e) => e.accountId === who)));
      assert.deepEqual(ids(await stores().audit.searchEvents({ ip, limit: 10 })), ids(byTime.filter((e) => e.ip === ip)));
      assert.deepEqual(
        ids(await stores().audit.searchEvents({ types: ["signin.failed"], accountId: who, limit: 10 })),
        ids(byTime.filter((e) => e.type === "signin.failed")),
      );
      assert.deepEqual(
        ids(await stores().audit.searchEvents({ ip, from: addSeconds(base, 60), until: addSeconds(base, 7200), limit: 10 })),
        ids(byTime.filter((e) => e.ip === ip && e.at >= addSeconds(base, 60) && e.at < addSeconds(base, 7200))),
        "from is inclusive, until exclusive",
      );
      const locked = await stores().audit.searchEvents({ types: ["signin.locked"], ip, limit: 10 });
      assert.deepEqual(locked[0]?.detail, { failures: 10 });

      // Two per page, through all of them, in the same order, with the two events of one second split.
      const seen: string[] = [];
      let before: { at: Date; id: string } | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await stores().audit.searchEvents({ accountId: who, limit: 2, ...(before ? { before } : {}) });
        seen.push(...ids(page));
        const last = page[page.length - 1];
        if (!last || page.length < 2) break;
        before = { at: last.at, id: last.id };
      }
      assert.deepEqual(seen, ids(byTime.filter((e) => e.accountId === who)));
    });

    test("countEventsPerHour counts each type per UTC hour", async () => {
      const base = new Date("2996-05-05T10:00:00Z");
      const at = (minutes: number) => addSeconds(base, minutes * 60);
      for (const m of [0, 5, 59]) await stores().audit.recordEvent(event({ at: at(m), type: "signin.failed" }));
      await stores().audit.recordEvent(event({ at: at(60), type: "signin.failed" }));
      await stores().audit.recordEvent(event({ at: at(61), type: "signin.succeeded" }));
      await stores().audit.recordEvent(event({ at: at(61), type: "signout" }));
      await stores().audit.recordEvent(event({ at: at(180), type: "signin.failed" }));
      const counts = await stores().audit.countEventsPerHour({ types: ["signin.failed", "signin.succeeded"], from: base, until: at(180) });
      const flat = counts.map((c) => `${c.hour.toISOString()} ${c.name} ${c.count}`).sort();
      assert.deepEqual(flat, [
        "2996-05-05T10:00:00.000Z signin.failed 3",
        "2996-05-05T11:00:00.000Z signin.failed 1",
        "2996-05-05T11:00:00.000Z signin.succeeded 1",
      ]);
      assert.deepEqual(await stores().audit.countEventsPerHour({ types: [], from: base, until: at(180) }), []);
    });

    test("incrementHourlyCount counts every concurrent call in its hour; listHourlyCounts reads them back", async () => {
      const name = unique("check.shown");
      const base = new Date("2995-02-02T08:00:00Z");
      await Promise.all(Array.from({ length: 20 }, (_, i) => stores().audit.incrementHourlyCount(name, addSeconds(base, i * 60))));
      await stores().audit.incrementHourlyCount(name, addSeconds(base, 3600 + 5));
      const counts = await stores().audit.listHourlyCounts({ names: [name, "other"], from: addSeconds(base, 30), until: addSeconds(base, 7200) });
      assert.deepEqual(
        counts.map((c) => [c.hour.toISOString(), c.name, c.count]),
        [
          ["2995-02-02T08:00:00.000Z", name, 20],
          ["2995-02-02T09:00:00.000Z", name, 1],
        ],
      );
      assert.deepEqual(await stores().audit.listHourlyCounts({ names: [], from: base, until: base }), []);
    });
  });
}
