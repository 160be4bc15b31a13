// The one contract every storage backend must meet: each method of the store interfaces, exercised through
// the interfaces only, so the same suite runs against SQLite, PostgreSQL and Redis.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, test } from "node:test";
import { addSeconds, createManualClock, type ManualClock } from "../../src/lib/clock.ts";
import type { IdentifierKind } from "../../src/lib/identifier-parsing.ts";
import type {
  AccountRecord,
  HelpFeedbackCursor,
  IdentifierRecord,
  NewAccount,
  NewHelpFeedback,
  NewIdentifier,
  NewRegistrationCode,
  PasswordResetRecord,
  SessionRecord,
  Stores,
  VerificationRecord,
} from "../../src/stores/types.ts";
import { describeAdminStoreContract } from "./admin-store-contract.ts";
import { describeFactorStoreContract } from "./factor-store-contract.ts";
import { describeFlowStoreContract } from "./flow-store-contract.ts";

/** Whole seconds, so a stored Date can be compared with what came back (SQLite keeps Unix seconds). */
function toSecond(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function assertSameSecond(actual: Date | null | undefined, expected: Date, message?: string): void {
  assert.ok(actual instanceof Date, `${message ?? "date"}: expected a Date, got ${String(actual)}`);
  assert.equal(toSecond(actual), toSecond(expected), message);
}

/** A value no other test (or other run against a shared database) uses. */
function unique(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("base64url")}`;
}

function uniqueEmail(): string {
  return `${unique("user").toLowerCase()}@example.com`;
}

function newIdentifier(value = uniqueEmail(), kind: IdentifierKind = "email"): NewIdentifier {
  return { id: unique("idf"), kind, value, display: kind === "email" ? value : `${value} (shown)` };
}

function newAccount(createdAt: Date, identifier: NewIdentifier = newIdentifier(), passwordHash = unique("hash")): NewAccount {
  return { id: unique("acc"), name: unique("name"), passwordHash, createdAt, identifier };
}

function newSession(accountId: string, now: Date, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: unique("ses"),
    accountId,
    secretHash: randomBytes(32).toString("hex"),
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: addSeconds(now, 3600),
    absoluteExpiresAt: addSeconds(now, 7 * 86400),
    remember: false,
    userAgent: "Mozilla/5.0 (contract test)",
    ip: "192.0.2.10",
    ...overrides,
  };
}

function newVerification(accountId: string, now: Date, overrides: Partial<VerificationRecord> = {}): VerificationRecord {
  const value = overrides.value ?? uniqueEmail();
  return {
    id: unique("ver"),
    accountId,
    purpose: "registration",
    kind: "email",
    value,
    display: value,
    codeHash: randomBytes(32).toString("hex"),
    attemptsLeft: 5,
    expiresAt: addSeconds(now, 600),
    createdAt: now,
    ...overrides,
  };
}

function newPasswordReset(accountId: string | null, now: Date, overrides: Partial<PasswordResetRecord> = {}): PasswordResetRecord {
  return {
    id: unique("rst"),
    accountId,
    kind: "code",
    value: `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}`,
    secretHash: randomBytes(32).toString("hex"),
    attemptsLeft: 5,
    expiresAt: addSeconds(now, 600),
    createdAt: now,
    usedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

function newRegistrationCode(now: Date): NewRegistrationCode {
  return { id: unique("ver"), codeHash: randomBytes(32).toString("hex"), attemptsLeft: 5, expiresAt: addSeconds(now, 600), createdAt: now };
}

function assertAccountMatches(actual: AccountRecord | null | undefined, input: NewAccount): void {
  assert.ok(actual, "account expected");
  assert.equal(actual.id, input.id);
  assert.equal(actual.name, input.name);
  assert.equal(actual.passwordHash, input.passwordHash);
  assert.equal(actual.isAdmin, false);
  assert.equal(actual.disabledAt, null);
  assertSameSecond(actual.createdAt, input.createdAt, "createdAt");
  assertSameSecond(actual.updatedAt, input.createdAt, "updatedAt");
}

function assertIdentifierMatches(actual: IdentifierRecord | null | undefined, input: NewIdentifier, accountId: string): void {
  assert.ok(actual, "identifier expected");
  assert.equal(actual.id, input.id);
  assert.equal(actual.accountId, accountId);
  assert.equal(actual.kind, input.kind);
  assert.equal(actual.value, input.value);
  assert.equal(actual.display, input.display);
}

/**
 * Registers the contract suite for one backend. `open` must return fresh stores whose short-lived store
 * reads time from `clock`; the suite closes them after each test. Values are unique per test, so a shared
 * database works too.
 */
export function runStoreContract(name: string, open: (clock: ManualClock) => Promise<Stores>): void {
  describe(`store contract: ${name}`, () => {
    // Whole seconds: expiry checks must not depend on how a backend rounds sub-second parts.
    const start = new Date("2030-03-04T05:06:07Z");
    let clock: ManualClock;
    let stores: Stores;

    beforeEach(async () => {
      clock = createManualClock(start);
      stores = await open(clock);
    });
    afterEach(async () => {
      await stores.close();
    });

    /** An account with one verified identifier, for tests that need an owner. */
    async function verifiedAccount(at = start, value = uniqueEmail()): Promise<{ account: AccountRecord; identifier: IdentifierRecord }> {
      const created = await stores.accounts.createVerifiedAccount(newAccount(at, newIdentifier(value)));
      assert.ok(created, "setup: verified account");
      return created;
    }

    describeAdminStoreContract(() => stores, start);
    describeFlowStoreContract(
      () => stores,
      () => clock,
    );
    describeFactorStoreContract(() => stores, start);

    test("ping() answers true", async () => {
      assert.equal(await stores.ping(), true);
    });

    describe("AccountStore", () => {
      test("createPendingAccount stores an account whose one identifier is unverified", async () => {
        const input = newAccount(start);
        const created = await stores.accounts.createPendingAccount(input);
        assert.ok(created);
        assertAccountMatches(created.account, input);
        assertIdentifierMatches(created.identifier, input.identifier, input.id);
        assert.equal(created.identifier.verifiedAt, null);
        assertSameSecond(created.identifier.createdAt, start);

        assertAccountMatches(await stores.accounts.getAccountById(input.id), input);
        const found = await stores.accounts.getAccountByIdentifier(input.identifier.value);
        assert.ok(found);
        assertAccountMatches(found.account, input);
        assertIdentifierMatches(found.identifier, input.identifier, input.id);
        assert.equal(found.identifier.verifiedAt, null);
        const identifiers = await stores.accounts.listIdentifiers(input.id);
        assert.equal(identifiers.length, 1);
        assertIdentifierMatches(identifiers[0], input.identifier, input.id);
      });

      test("dates round-trip at one-second precision", async () => {
        const at = new Date("2030-03-04T05:06:07.891Z");
        const input = newAccount(at);
        const created = await stores.accounts.createPendingAccount(input);
        assert.ok(created);
        const read = await stores.accounts.getAccountById(input.id);
        assert.ok(read);
        assert.equal(toSecond(read.createdAt), toSecond(at));
        assert.ok(Math.abs(read.createdAt.getTime() - at.getTime()) < 1000, "no more than a second lost");
        assertSameSecond(read.updatedAt, at);
      });

      test("createPendingAccount keeps a phone identifier's kind and display form", async () => {
        const phone = `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}`;
        const identifier: NewIdentifier = { id: unique("idf"), kind: "phone", value: phone, display: "+44 7700 9…" };
        const created = await stores.accounts.createPendingAccount(newAccount(start, identifier));
        assert.ok(created);
        const found = await stores.accounts.getAccountByIdentifier(phone);
        assert.ok(found);
        assert.equal(found.identifier.kind, "phone");
        assert.equal(found.identifier.display, "+44 7700 9…");
      });

      test("createPendingAccount returns null and changes nothing when a verified identifier holds the value", async () => {
        const owner = await verifiedAccount();
        const intruder = newAccount(addSeconds(start, 60), newIdentifier(owner.identifier.value));
        assert.equal(await stores.accounts.createPendingAccount(intruder), null);

        assert.equal(await stores.accounts.getAccountById(intruder.id), null);
        const found = await stores.accounts.getAccountByIdentifier(owner.identifier.value);
        assert.ok(found);
        assert.equal(found.account.id, owner.account.id);
        assert.equal(found.identifier.id, owner.identifier.id);
        assert.equal(found.account.passwordHash, owner.account.passwordHash);
        assertSameSecond(found.identifier.verifiedAt, start);
        assert.deepEqual(
          (await stores.accounts.listIdentifiers(owner.account.id)).map((i) => i.id),
          [owner.identifier.id],
        );
      });

      test("createPendingAccount replaces an abandoned unverified registration together with its account", async () => {
        const value = uniqueEmail();
        const first = newAccount(start, newIdentifier(value));
        assert.ok(await stores.accounts.createPendingAccount(first));
        // Things that belonged to the abandoned account must go with it.
        await stores.sessions.createSession(newSession(first.id, start));
        const oldCode = newVerification(first.id, start, { value });
        await stores.verifications.createVerification(oldCode);

        const second = newAccount(addSeconds(start, 120), newIdentifier(value));
        const created = await stores.accounts.createPendingAccount(second);
        assert.ok(created);
        assertAccountMatches(created.account, second);
        assert.equal(created.identifier.verifiedAt, null);

        assert.equal(await stores.accounts.getAccountById(first.id), null);
        assert.deepEqual(await stores.accounts.listIdentifiers(first.id), []);
        const found = await stores.accounts.getAccountByIdentifier(value);
        assert.ok(found);
        assert.equal(found.account.id, second.id);
        assert.equal(found.identifier.id, second.identifier.id);
        assert.equal(await stores.verifications.consumeVerification({ purpose: "registration", value }, oldCode.codeHash, start), null);
      });

      test("createPendingAccountWithCode stores the pending account and its registration code together", async () => {
        const input = newAccount(start, newIdentifier(`+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}`, "phone"));
        const code = newRegistrationCode(start);
        const written = await stores.accounts.createPendingAccountWithCode(input, code);
        assert.equal(written.outcome, "created");
        assert.ok(written.outcome === "created");
        assertAccountMatches(written.account, input);
        assertIdentifierMatches(written.identifier, input.identifier, input.id);
        assert.equal(written.identifier.verifiedAt, null);
        assertSameSecond(written.identifier.createdAt, start);

        const found = await stores.accounts.getAccountByIdentifier(input.identifier.value);
        assertAccountMatches(found?.account, input);
        assertIdentifierMatches(found?.identifier, input.identifier, input.id);
        assert.equal(found?.identifier.verifiedAt, null);
        const stored = await stores.verifications.findVerification({ purpose: "registration", value: input.identifier.value });
        assert.ok(stored);
        assert.equal(stored.id, code.id);
        assert.equal(stored.accountId, input.id);
        assert.equal(stored.kind, "phone");
        assert.equal(stored.display, input.identifier.display);
        assert.equal(stored.codeHash, code.codeHash);
        assert.equal(stored.attemptsLeft, 5);
        assertSameSecond(stored.expiresAt, code.expiresAt);
        assertSameSecond(stored.createdAt, start);
      });

      test("createPendingAccountWithCode answers the verified holder of the value and writes neither account nor code", async () => {
        const owner = await verifiedAccount();
        const intruder = newAccount(addSeconds(start, 60), newIdentifier(owner.identifier.value));
        const written = await stores.accounts.createPendingAccountWithCode(intruder, newRegistrationCode(start));
        assert.equal(written.outcome, "taken");
        assert.ok(written.outcome === "taken");
        assert.equal(written.holder.id, owner.identifier.id);
        assert.equal(written.holder.accountId, owner.account.id);
        assert.equal(written.holder.display, owner.identifier.display);
        assertSameSecond(written.holder.verifiedAt, start);

        assert.equal(await stores.accounts.getAccountById(intruder.id), null);
        assert.equal(await stores.verifications.findVerification({ purpose: "registration", value: owner.identifier.value }), null);
        const found = await stores.accounts.getAccountByIdentifier(owner.identifier.value);
        assert.equal(found?.account.id, owner.account.id);
        assert.equal(found?.account.passwordHash, owner.account.passwordHash);
        assertSameSecond(found?.identifier.verifiedAt, start);
        assertSameSecond(found?.identifier.createdAt, owner.identifier.createdAt);
        assert.deepEqual(
          (await stores.accounts.listIdentifiers(owner.account.id)).map((i) => i.id),
          [owner.identifier.id],
        );
      });

      test("createPendingAccountWithCode replaces an abandoned registration with its account, sessions and code", async () => {
        const value = uniqueEmail();
        const first = newAccount(start, newIdentifier(value));
        const firstCode = newRegistrationCode(start);
        assert.equal((await stores.accounts.createPendingAccountWithCode(first, firstCode)).outcome, "created");
        await stores.sessions.createSession(newSession(first.id, start));

        const second = newAccount(addSeconds(start, 120), newIdentifier(value));
        const secondCode = newRegistrationCode(addSeconds(start, 120));
        const written = await stores.accounts.createPendingAccountWithCode(second, secondCode);
        assert.equal(written.outcome, "created");
        assert.equal(await stores.accounts.getAccountById(first.id), null);
        assert.deepEqual(await stores.accounts.listIdentifiers(first.id), []);
        assert.deepEqual(await stores.sessions.listSessionsOfAccount(first.id, start), []);
        const found = await stores.accounts.getAccountByIdentifier(value);
        assert.equal(found?.account.id, second.id);
        assert.equal(found?.identifier.id, second.identifier.id);
        // Only the newest code works: the abandoned one is gone.
        const stored = await stores.verifications.findVerification({ purpose: "registration", value });
        assert.equal(stored?.id, secondCode.id);
        assert.equal(stored?.accountId, second.id);
        assert.equal(await stores.verifications.consumeVerification({ purpose: "registration", value }, firstCode.codeHash, start), null);
      });

      test("createPendingAccountWithCode takes an unverified value from an account that keeps a verified identifier", async () => {
        const value = uniqueEmail();
        const first = newAccount(start, newIdentifier(value));
        assert.ok(await stores.accounts.createPendingAccount(first));
        const kept = newIdentifier();
        assert.ok(await stores.accounts.addVerifiedIdentifier(first.id, kept, start));

        const second = newAccount(addSeconds(start, 60), newIdentifier(value));
        assert.equal((await stores.accounts.createPendingAccountWithCode(second, newRegistrationCode(start))).outcome, "created");
        assert.equal((await stores.accounts.getAccountById(first.id))?.id, first.id, "the account with a verified identifier stays");
        assert.deepEqual(
          (await stores.accounts.listIdentifiers(first.id)).map((i) => i.id),
          [kept.id],
        );
        assert.equal((await stores.accounts.getAccountByIdentifier(value))?.account.id, second.id);
      });

      test("createVerifiedAccount stores the identifier as verified at createdAt", async () => {
        const input = newAccount(start);
        const created = await stores.accounts.createVerifiedAccount(input);
        assert.ok(created);
        assertAccountMatches(created.account, input);
        assertIdentifierMatches(created.identifier, input.identifier, input.id);
        assertSameSecond(created.identifier.verifiedAt, start);
        const found = await stores.accounts.getAccountByIdentifier(input.identifier.value);
        assert.ok(found);
        assertSameSecond(found.identifier.verifiedAt, start);
      });

      test("createVerifiedAccount returns null when a verified identifier holds the value", async () => {
        const owner = await verifiedAccount();
        const second = newAccount(start, newIdentifier(owner.identifier.value));
        assert.equal(await stores.accounts.createVerifiedAccount(second), null);
        assert.equal(await stores.accounts.getAccountById(second.id), null);
        const found = await stores.accounts.getAccountByIdentifier(owner.identifier.value);
        assert.equal(found?.account.id, owner.account.id);
      });

      test("createVerifiedAccount replaces an abandoned unverified registration", async () => {
        const value = uniqueEmail();
        const abandoned = newAccount(start, newIdentifier(value));
        assert.ok(await stores.accounts.createPendingAccount(abandoned));
        const admin = newAccount(start, newIdentifier(value));
        const created = await stores.accounts.createVerifiedAccount(admin);
        assert.ok(created);
        assert.equal(await stores.accounts.getAccountById(abandoned.id), null);
        assert.equal((await stores.accounts.getAccountByIdentifier(value))?.account.id, admin.id);
      });

      test("getAccountById and getAccountByIdentifier return null when nothing matches", async () => {
        await verifiedAccount();
        assert.equal(await stores.accounts.getAccountById(unique("missing")), null);
        assert.equal(await stores.accounts.getAccountByIdentifier(uniqueEmail()), null);
      });

      test("listIdentifiers lists the account's identifiers oldest first and nothing of other accounts", async () => {
        const { account, identifier } = await verifiedAccount();
        const other = await verifiedAccount();
        const second = newIdentifier();
        const third = newIdentifier(`+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, "phone");
        assert.ok(await stores.accounts.addVerifiedIdentifier(account.id, second, addSeconds(start, 10)));
        assert.ok(await stores.accounts.addVerifiedIdentifier(account.id, third, addSeconds(start, 20)));

        const listed = await stores.accounts.listIdentifiers(account.id);
        assert.deepEqual(
          listed.map((i) => i.id),
          [identifier.id, second.id, third.id],
        );
        assert.ok(listed.every((i) => i.accountId === account.id));
        assert.equal(listed[2]?.kind, "phone");
        assert.deepEqual(
          (await stores.accounts.listIdentifiers(other.account.id)).map((i) => i.id),
          [other.identifier.id],
        );
        assert.deepEqual(await stores.accounts.listIdentifiers(unique("missing")), []);
        // A sign-in reads the same list with the account, by any of its identifiers.
        const byThird = await stores.accounts.getAccountByIdentifier(third.value);
        assert.equal(byThird?.account.id, account.id);
        assert.equal(byThird?.identifier.id, third.id);
        assert.deepEqual(byThird?.identifiers, listed);
      });

      test("markIdentifierVerified is true for the first caller only and keeps the first time", async () => {
        const input = newAccount(start);
        const created = await stores.accounts.createPendingAccount(input);
        assert.ok(created);
        const first = addSeconds(start, 30);
        assert.equal(await stores.accounts.markIdentifierVerified(created.identifier.id, first), true);
        assert.equal(await stores.accounts.markIdentifierVerified(created.identifier.id, addSeconds(start, 90)), false);
        const found = await stores.accounts.getAccountByIdentifier(input.identifier.value);
        assertSameSecond(found?.identifier.verifiedAt, first);
        assert.equal(await stores.accounts.markIdentifierVerified(unique("missing"), first), false);
      });

      test("a verified pending account's value is then protected from new registrations", async () => {
        const input = newAccount(start);
        const created = await stores.accounts.createPendingAccount(input);
        assert.ok(created);
        assert.equal(await stores.accounts.markIdentifierVerified(created.identifier.id, start), true);
        assert.equal(await stores.accounts.createPendingAccount(newAccount(start, newIdentifier(input.identifier.value))), null);
        assert.equal((await stores.accounts.getAccountByIdentifier(input.identifier.value))?.account.id, input.id);
      });

      test("addVerifiedIdentifier adds a verified identifier to the account", async () => {
        const { account } = await verifiedAccount();
        const at = addSeconds(start, 45);
        const added = newIdentifier();
        const record = await stores.accounts.addVerifiedIdentifier(account.id, added, at);
        assertIdentifierMatches(record, added, account.id);
        assertSameSecond(record?.verifiedAt, at);
        assertSameSecond(record?.createdAt, at);
        const found = await stores.accounts.getAccountByIdentifier(added.value);
        assert.equal(found?.account.id, account.id);
        assertSameSecond(found?.identifier.verifiedAt, at);
      });

      test("addVerifiedIdentifier returns null when a verified identifier holds the value", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const taken = newIdentifier(theirs.identifier.value);
        assert.equal(await stores.accounts.addVerifiedIdentifier(mine.account.id, taken, start), null);
        assert.equal((await stores.accounts.getAccountByIdentifier(theirs.identifier.value))?.account.id, theirs.account.id);
        assert.deepEqual(
          (await stores.accounts.listIdentifiers(mine.account.id)).map((i) => i.id),
          [mine.identifier.id],
        );
        // Its own verified value is taken as well.
        assert.equal(await stores.accounts.addVerifiedIdentifier(mine.account.id, newIdentifier(mine.identifier.value), start), null);
        assert.equal((await stores.accounts.listIdentifiers(mine.account.id)).length, 1);
      });

      test("addVerifiedIdentifier replaces an abandoned registration of the value (its account is gone)", async () => {
        const { account } = await verifiedAccount();
        const value = uniqueEmail();
        const abandoned = newAccount(start, newIdentifier(value));
        assert.ok(await stores.accounts.createPendingAccount(abandoned));
        const added = newIdentifier(value);
        const record = await stores.accounts.addVerifiedIdentifier(account.id, added, addSeconds(start, 5));
        assertIdentifierMatches(record, added, account.id);
        assert.equal(await stores.accounts.getAccountById(abandoned.id), null);
        assert.equal((await stores.accounts.getAccountByIdentifier(value))?.account.id, account.id);
      });

      test("removeIdentifier refuses the last verified identifier and removes others", async () => {
        const { account, identifier } = await verifiedAccount();
        assert.equal(await stores.accounts.removeIdentifier(account.id, identifier.id), "last");
        assert.equal((await stores.accounts.listIdentifiers(account.id)).length, 1);

        const second = newIdentifier();
        assert.ok(await stores.accounts.addVerifiedIdentifier(account.id, second, start));
        assert.equal(await stores.accounts.removeIdentifier(account.id, identifier.id), "removed");
        assert.deepEqual(
          (await stores.accounts.listIdentifiers(account.id)).map((i) => i.id),
          [second.id],
        );
        assert.equal(await stores.accounts.getAccountByIdentifier(identifier.value), null);
        assert.equal(await stores.accounts.removeIdentifier(account.id, second.id), "last");
        assert.equal(await stores.accounts.removeIdentifier(account.id, identifier.id), "not_found");
      });

      test("removeIdentifier answers not_found for another account's identifier and leaves it alone", async () => {
        const mine = await verifiedAccount();
        assert.ok(await stores.accounts.addVerifiedIdentifier(mine.account.id, newIdentifier(), start));
        const theirs = await verifiedAccount();
        assert.ok(await stores.accounts.addVerifiedIdentifier(theirs.account.id, newIdentifier(), start));
        assert.equal(await stores.accounts.removeIdentifier(mine.account.id, theirs.identifier.id), "not_found");
        assert.equal((await stores.accounts.getAccountByIdentifier(theirs.identifier.value))?.account.id, theirs.account.id);
        assert.equal((await stores.accounts.listIdentifiers(theirs.account.id)).length, 2);
        assert.equal(await stores.accounts.removeIdentifier(mine.account.id, unique("missing")), "not_found");
        assert.equal(await stores.accounts.removeIdentifier(unique("missing"), mine.identifier.id), "not_found");
      });

      test("updatePasswordHash replaces the hash and the update time", async () => {
        const { account } = await verifiedAccount();
        const later = addSeconds(start, 300);
        await stores.accounts.updatePasswordHash(account.id, "new-hash", later);
        const read = await stores.accounts.getAccountById(account.id);
        assert.equal(read?.passwordHash, "new-hash");
        assertSameSecond(read?.updatedAt, later);
        assertSameSecond(read?.createdAt, start);
      });

      test("replacePasswordHash changes the hash only while it is still the expected one", async () => {
        const { account } = await verifiedAccount();
        const original = account.passwordHash;
        const later = addSeconds(start, 60);

        assert.equal(await stores.accounts.replacePasswordHash(account.id, "not-the-current-hash", "stolen", later), false);
        let read = await stores.accounts.getAccountById(account.id);
        assert.equal(read?.passwordHash, original);
        assertSameSecond(read?.updatedAt, start);

        assert.equal(await stores.accounts.replacePasswordHash(account.id, original, "rehashed", later), true);
        read = await stores.accounts.getAccountById(account.id);
        assert.equal(read?.passwordHash, "rehashed");
        assertSameSecond(read?.updatedAt, later);

        // A second writer that still expects the old hash loses.
        assert.equal(await stores.accounts.replacePasswordHash(account.id, original, "other", addSeconds(start, 90)), false);
        assert.equal((await stores.accounts.getAccountById(account.id))?.passwordHash, "rehashed");
        assert.equal(await stores.accounts.replacePasswordHash(unique("missing"), original, "x", later), false);
      });

      test("setAccountDisabled sets and clears disabledAt, false for an unknown account", async () => {
        const { account } = await verifiedAccount();
        const at = addSeconds(start, 10);
        assert.equal(await stores.accounts.setAccountDisabled(account.id, at), true);
        assertSameSecond((await stores.accounts.getAccountById(account.id))?.disabledAt, at);
        assert.equal(await stores.accounts.setAccountDisabled(account.id, null), true);
        assert.equal((await stores.accounts.getAccountById(account.id))?.disabledAt, null);
        assert.equal(await stores.accounts.setAccountDisabled(unique("missing"), at), false);
      });

      test("setAccountAdmin sets and clears isAdmin, false for an unknown account", async () => {
        const { account } = await verifiedAccount();
        const other = await verifiedAccount();
        const at = addSeconds(start, 20);
        assert.equal(await stores.accounts.setAccountAdmin(account.id, true, at), true);
        const read = await stores.accounts.getAccountById(account.id);
        assert.equal(read?.isAdmin, true);
        assertSameSecond(read?.updatedAt, at);
        assert.equal((await stores.accounts.getAccountById(other.account.id))?.isAdmin, false);
        assert.equal(await stores.accounts.setAccountAdmin(account.id, false, at), true);
        assert.equal((await stores.accounts.getAccountById(account.id))?.isAdmin, false);
        assert.equal(await stores.accounts.setAccountAdmin(unique("missing"), true, at), false);
      });

      test("listAccounts lists accounts newest first with their identifiers, paged by limit and offset", async () => {
        // Far in the future, so these are the newest even in a shared database.
        const base = new Date("2999-01-01T00:00:00Z");
        const oldest = await verifiedAccount(base);
        const middle = await verifiedAccount(addSeconds(base, 60));
        const phone = newIdentifier(`+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, "phone");
        assert.ok(await stores.accounts.addVerifiedIdentifier(middle.account.id, phone, addSeconds(base, 90)));
        const newest = newAccount(addSeconds(base, 120));
        assert.ok(await stores.accounts.createPendingAccount(newest));

        const page = await stores.accounts.listAccounts({ limit: 3, offset: 0 });
        assert.deepEqual(
          page.map((p) => p.account.id),
          [newest.id, middle.account.id, oldest.account.id],
        );
        assert.deepEqual(
          page[0]?.identifiers.map((i) => [i.value, i.verifiedAt]),
          [[newest.identifier.value, null]],
        );
        assert.deepEqual(
          page[1]?.identifiers.map((i) => i.id),
          [middle.identifier.id, phone.id],
        );
        assert.ok(page[1]?.identifiers.every((i) => i.accountId === middle.account.id));
        assert.deepEqual(
          page[2]?.identifiers.map((i) => i.id),
          [oldest.identifier.id],
        );
        assertAccountMatches(page[0]?.account, newest);

        const second = await stores.accounts.listAccounts({ limit: 2, offset: 1 });
        assert.deepEqual(
          second.map((p) => p.account.id),
          [middle.account.id, oldest.account.id],
        );
        assert.equal((await stores.accounts.listAccounts({ limit: 1, offset: 0 })).length, 1);
      });

      test("listAccounts returns an empty list past the end", async () => {
        await verifiedAccount();
        assert.deepEqual(await stores.accounts.listAccounts({ limit: 10, offset: 1_000_000 }), []);
      });

      test("deleteAccount removes the account with its identifiers, sessions and verifications", async () => {
        const { account, identifier } = await verifiedAccount();
        const extra = newIdentifier();
        assert.ok(await stores.accounts.addVerifiedIdentifier(account.id, extra, start));
        const session = newSession(account.id, start);
        await stores.sessions.createSession(session);
        const pendingValue = uniqueEmail();
        const code = newVerification(account.id, start, { purpose: "add_identifier", value: pendingValue });
        await stores.verifications.createVerification(code);
        const bystander = await verifiedAccount();
        const bystanderSession = newSession(bystander.account.id, start);
        await stores.sessions.createSession(bystanderSession);

        assert.equal(await stores.accounts.deleteAccount(account.id), "deleted");

        assert.equal(await stores.accounts.getAccountById(account.id), null);
        assert.equal(await stores.accounts.getAccountByIdentifier(identifier.value), null);
        assert.equal(await stores.accounts.getAccountByIdentifier(extra.value), null);
        assert.deepEqual(await stores.accounts.listIdentifiers(account.id), []);
        assert.equal(await stores.sessions.getSession(session.id), null);
        assert.equal(
          await stores.verifications.takeVerificationAttempt({ purpose: "add_identifier", value: pendingValue, accountId: account.id }, start),
          null,
        );
        // The values are free again.
        assert.ok(await stores.accounts.createPendingAccount(newAccount(start, newIdentifier(identifier.value))));
        // Nothing of another account is touched.
        assert.equal((await stores.accounts.getAccountById(bystander.account.id))?.id, bystander.account.id);
        assert.equal((await stores.sessions.getSession(bystanderSession.id))?.id, bystanderSession.id);

        assert.equal(await stores.accounts.deleteAccount(account.id), "not_found");
        assert.equal(await stores.accounts.deleteAccount(unique("missing")), "not_found");
      });
    });

    describe("SessionStore", () => {
      test("createSession and getSession round-trip every field", async () => {
        const { account } = await verifiedAccount();
        const plain = newSession(account.id, start);
        const remembered = newSession(account.id, start, { remember: true, userAgent: null, ip: null, absoluteExpiresAt: addSeconds(start, 90 * 86400) });
        await stores.sessions.createSession(plain);
        await stores.sessions.createSession(remembered);

        for (const expected of [plain, remembered]) {
          const read = await stores.sessions.getSession(expected.id);
          assert.ok(read);
          assert.equal(read.id, expected.id);
          assert.equal(read.accountId, expected.accountId);
          assert.equal(read.secretHash, expected.secretHash);
          assert.equal(read.remember, expected.remember);
          assert.equal(read.userAgent, expected.userAgent);
          assert.equal(read.ip, expected.ip);
          assertSameSecond(read.createdAt, expected.createdAt);
          assertSameSecond(read.lastSeenAt, expected.lastSeenAt);
          assertSameSecond(read.idleExpiresAt, expected.idleExpiresAt);
          assertSameSecond(read.absoluteExpiresAt, expected.absoluteExpiresAt);
        }
        assert.equal(await stores.sessions.getSession(unique("missing")), null);
      });

      test("getSessionWithAccount reads the session, its account and its identifiers (oldest first) together", async () => {
        const { account, identifier } = await verifiedAccount();
        const later = addSeconds(start, 60);
        const phone = newIdentifier();
        assert.ok(await stores.accounts.addVerifiedIdentifier(account.id, phone, later));
        const session = newSession(account.id, start, { remember: true, userAgent: null, ip: null, confirmedAt: later, amr: ["pwd", "otp", "mfa"] });
        await stores.sessions.createSession(session);
        await stores.sessions.createSession(newSession((await verifiedAccount()).account.id, start));

        const read = await stores.sessions.getSessionWithAccount(session.id);
        // The step-up check and OpenID Connect's amr read these from the session the request carries.
        assert.deepEqual(read?.session.amr, ["pwd", "otp", "mfa"]);
        assertSameSecond(read?.session.confirmedAt as Date, later);
        assert.deepEqual(read?.session, await stores.sessions.getSession(session.id));
        assert.ok(read);
        assert.equal(read.session.id, session.id);
        assert.equal(read.session.accountId, account.id);
        assert.equal(read.session.secretHash, session.secretHash);
        assert.equal(read.session.remember, true);
        assert.equal(read.session.userAgent, null);
        assertSameSecond(read.session.idleExpiresAt, session.idleExpiresAt);
        assertSameSecond(read.session.absoluteExpiresAt, session.absoluteExpiresAt);
        assert.deepEqual(read.account, await stores.accounts.getAccountById(account.id));
        assert.deepEqual(read.identifiers, await stores.accounts.listIdentifiers(account.id));
        assert.deepEqual(
          read.identifiers.map((i) => i.value),
          [identifier.value, phone.value],
        );
        assert.equal(await stores.sessions.getSessionWithAccount(unique("missing")), null);
      });

      test("setAccountLocale saves the chosen language, which every account read and the session check return", async () => {
        const { account, identifier } = await verifiedAccount();
        assert.equal(account.locale, null, "no language until one is chosen");
        const session = newSession(account.id, start);
        await stores.sessions.createSession(session);
        assert.equal((await stores.sessions.getSessionWithAccount(session.id))?.account.locale, null);

        assert.equal(await stores.accounts.setAccountLocale(account.id, "ar"), true);
        assert.equal((await stores.accounts.getAccountById(account.id))?.locale, "ar");
        assert.equal((await stores.accounts.getAccountByIdentifier(identifier.value))?.account.locale, "ar");
        assert.equal((await stores.sessions.getSessionWithAccount(session.id))?.account.locale, "ar");
        const listed = await stores.accounts.listAccountsPage({ limit: 1000 });
        assert.equal(listed.find((a) => a.account.id === account.id)?.account.locale, "ar");

        assert.equal(await stores.accounts.setAccountLocale(account.id, null), true);
        assert.equal((await stores.sessions.getSessionWithAccount(session.id))?.account.locale, null);
        assert.equal(await stores.accounts.setAccountLocale(unique("missing"), "de"), false);
      });

      test("getSessionWithAccount also returns an expired session", async () => {
        const { account } = await verifiedAccount();
        const expired = newSession(account.id, start, { idleExpiresAt: addSeconds(start, -10), absoluteExpiresAt: addSeconds(start, -5) });
        await stores.sessions.createSession(expired);
        const read = await stores.sessions.getSessionWithAccount(expired.id);
        assert.equal(read?.account.id, account.id);
        assert.equal(read?.identifiers.length, 1);
      });

      test("getSession also returns an expired session", async () => {
        const { account } = await verifiedAccount();
        const expired = newSession(account.id, start, { idleExpiresAt: addSeconds(start, -10), absoluteExpiresAt: addSeconds(start, -5) });
        await stores.sessions.createSession(expired);
        assert.equal((await stores.sessions.getSession(expired.id))?.id, expired.id);
      });

      test("touchSession slides lastSeenAt and the idle expiry and nothing else", async () => {
        const { account } = await verifiedAccount();
        const session = newSession(account.id, start);
        const other = newSession(account.id, start);
        await stores.sessions.createSession(session);
        await stores.sessions.createSession(other);
        const later = addSeconds(start, 1800);
        await stores.sessions.touchSession(session.id, later, addSeconds(later, 3600));

        const read = await stores.sessions.getSession(session.id);
        assertSameSecond(read?.lastSeenAt, later);
        assertSameSecond(read?.idleExpiresAt, addSeconds(later, 3600));
        assertSameSecond(read?.createdAt, start);
        assertSameSecond(read?.absoluteExpiresAt, session.absoluteExpiresAt);
        assert.equal(read?.secretHash, session.secretHash);
        const untouched = await stores.sessions.getSession(other.id);
        assertSameSecond(untouched?.lastSeenAt, start);
        assertSameSecond(untouched?.idleExpiresAt, other.idleExpiresAt);
      });

      test("deleteSession deletes once; with a foreign accountId it deletes nothing", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const session = newSession(mine.account.id, start);
        await stores.sessions.createSession(session);

        assert.equal(await stores.sessions.deleteSession(session.id, theirs.account.id), false);
        assert.equal((await stores.sessions.getSession(session.id))?.id, session.id);

        assert.equal(await stores.sessions.deleteSession(session.id, mine.account.id), true);
        assert.equal(await stores.sessions.getSession(session.id), null);
        assert.equal(await stores.sessions.deleteSession(session.id, mine.account.id), false);

        const another = newSession(mine.account.id, start);
        await stores.sessions.createSession(another);
        assert.equal(await stores.sessions.deleteSession(another.id), true);
        assert.equal(await stores.sessions.getSession(another.id), null);
        assert.equal(await stores.sessions.deleteSession(another.id), false);
      });

      test("deleteSessionsOfAccount ends every session of the account except the one kept", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const keep = newSession(mine.account.id, start);
        const end1 = newSession(mine.account.id, start);
        const end2 = newSession(mine.account.id, start);
        const foreign = newSession(theirs.account.id, start);
        for (const s of [keep, end1, end2, foreign]) await stores.sessions.createSession(s);

        assert.equal(await stores.sessions.deleteSessionsOfAccount(mine.account.id, keep.id), 2);
        assert.equal((await stores.sessions.getSession(keep.id))?.id, keep.id);
        assert.equal(await stores.sessions.getSession(end1.id), null);
        assert.equal(await stores.sessions.getSession(end2.id), null);
        assert.equal((await stores.sessions.getSession(foreign.id))?.id, foreign.id);

        assert.equal(await stores.sessions.deleteSessionsOfAccount(mine.account.id), 1);
        assert.equal(await stores.sessions.getSession(keep.id), null);
        assert.equal(await stores.sessions.deleteSessionsOfAccount(mine.account.id), 0);
        assert.equal((await stores.sessions.getSession(foreign.id))?.id, foreign.id);
      });

      test("listSessionsOfAccount lists unexpired sessions, most recently used first", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const now = addSeconds(start, 3600);
        const older = newSession(mine.account.id, start, { lastSeenAt: addSeconds(start, 600), idleExpiresAt: addSeconds(now, 600) });
        const newest = newSession(mine.account.id, start, { lastSeenAt: addSeconds(start, 3000), idleExpiresAt: addSeconds(now, 600) });
        const middle = newSession(mine.account.id, start, { lastSeenAt: addSeconds(start, 1800), idleExpiresAt: addSeconds(now, 600) });
        const idleExpired = newSession(mine.account.id, start, { lastSeenAt: addSeconds(start, 3500), idleExpiresAt: addSeconds(now, -1) });
        const absoluteExpired = newSession(mine.account.id, start, {
          lastSeenAt: addSeconds(start, 3590),
          absoluteExpiresAt: addSeconds(now, -1),
          idleExpiresAt: addSeconds(now, 600),
        });
        const expiringNow = newSession(mine.account.id, start, { lastSeenAt: addSeconds(start, 3599), idleExpiresAt: now });
        const foreign = newSession(theirs.account.id, start, { lastSeenAt: addSeconds(start, 3000), idleExpiresAt: addSeconds(now, 600) });
        for (const s of [older, newest, middle, idleExpired, absoluteExpired, expiringNow, foreign]) await stores.sessions.createSession(s);

        const listed = await stores.sessions.listSessionsOfAccount(mine.account.id, now);
        assert.deepEqual(
          listed.map((s) => s.id),
          [newest.id, middle.id, older.id],
        );
        assert.ok(listed.every((s) => s.accountId === mine.account.id));
        assert.deepEqual(await stores.sessions.listSessionsOfAccount(unique("missing"), now), []);
      });

      test("deleteExpiredSessions removes idle- and absolute-expired sessions and keeps live ones", async () => {
        const { account } = await verifiedAccount();
        const now = addSeconds(start, 7200);
        const live = newSession(account.id, start, { idleExpiresAt: addSeconds(now, 60) });
        const idle = newSession(account.id, start, { idleExpiresAt: addSeconds(now, -60) });
        const absolute = newSession(account.id, start, { idleExpiresAt: addSeconds(now, 60), absoluteExpiresAt: now });
        for (const s of [live, idle, absolute]) await stores.sessions.createSession(s);

        assert.equal(await stores.sessions.deleteExpiredSessions(now), 2);
        assert.equal((await stores.sessions.getSession(live.id))?.id, live.id);
        assert.equal(await stores.sessions.getSession(idle.id), null);
        assert.equal(await stores.sessions.getSession(absolute.id), null);
        assert.equal(await stores.sessions.deleteExpiredSessions(now), 0);
      });
    });

    describe("VerificationStore", () => {
      test("consumeVerification with the right hash returns the record once", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start, {
          kind: "phone",
          value: `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}`,
          display: "+44 7700 900…",
          attemptsLeft: 5,
        });
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };
        const now = addSeconds(start, 30);

        const consumed = await stores.verifications.consumeVerification(scope, code.codeHash, now);
        assert.ok(consumed);
        assert.equal(consumed.id, code.id);
        assert.equal(consumed.accountId, account.id);
        assert.equal(consumed.purpose, "registration");
        assert.equal(consumed.kind, "phone");
        assert.equal(consumed.value, code.value);
        assert.equal(consumed.display, code.display);
        assert.equal(consumed.codeHash, code.codeHash);
        assert.equal(consumed.attemptsLeft, 5);
        assertSameSecond(consumed.expiresAt, code.expiresAt);
        assertSameSecond(consumed.createdAt, start);

        assert.equal(await stores.verifications.consumeVerification(scope, code.codeHash, now), null);
        assert.equal(await stores.verifications.takeVerificationAttempt(scope, now), null);
      });

      test("consumeVerification with a wrong hash returns null and leaves the code usable", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start);
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };
        assert.equal(await stores.verifications.consumeVerification(scope, "0".repeat(64), start), null);
        assert.equal((await stores.verifications.consumeVerification(scope, code.codeHash, start))?.id, code.id);
      });

      test("consumeVerification refuses an expired code", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start, { expiresAt: addSeconds(start, 600) });
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };
        assert.equal(await stores.verifications.consumeVerification(scope, code.codeHash, addSeconds(start, 600)), null);
        assert.equal(await stores.verifications.consumeVerification(scope, code.codeHash, addSeconds(start, 3600)), null);
        // One second earlier it would still have worked.
        assert.equal((await stores.verifications.consumeVerification(scope, code.codeHash, addSeconds(start, 599)))?.id, code.id);
      });

      test("consumeVerification only matches its own scope", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start);
        await stores.verifications.createVerification(code);
        assert.equal(
          await stores.verifications.consumeVerification({ purpose: "add_identifier", value: code.value, accountId: account.id }, code.codeHash, start),
          null,
        );
        assert.equal(await stores.verifications.consumeVerification({ purpose: "registration", value: uniqueEmail() }, code.codeHash, start), null);
        assert.equal((await stores.verifications.consumeVerification({ purpose: "registration", value: code.value }, code.codeHash, start))?.id, code.id);
      });

      test("an add_identifier code is bound to the account that asked", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const value = uniqueEmail();
        const code = newVerification(mine.account.id, start, { purpose: "add_identifier", value });
        await stores.verifications.createVerification(code);

        assert.equal(
          await stores.verifications.consumeVerification({ purpose: "add_identifier", value, accountId: theirs.account.id }, code.codeHash, start),
          null,
        );
        assert.equal(await stores.verifications.takeVerificationAttempt({ purpose: "add_identifier", value, accountId: theirs.account.id }, start), null);
        const consumed = await stores.verifications.consumeVerification({ purpose: "add_identifier", value, accountId: mine.account.id }, code.codeHash, start);
        assert.equal(consumed?.id, code.id);
        assert.equal(consumed?.attemptsLeft, code.attemptsLeft, "a stranger's wrong tries do not count against it");
      });

      test("a new verification replaces the earlier one for the same scope", async () => {
        const { account } = await verifiedAccount();
        const value = uniqueEmail();
        const old = newVerification(account.id, start, { value });
        await stores.verifications.createVerification(old);
        const fresh = newVerification(account.id, addSeconds(start, 60), { value });
        await stores.verifications.createVerification(fresh);
        const scope = { purpose: "registration" as const, value };
        const now = addSeconds(start, 90);

        assert.equal(await stores.verifications.consumeVerification(scope, old.codeHash, now), null);
        assert.equal((await stores.verifications.consumeVerification(scope, fresh.codeHash, now))?.id, fresh.id);
        assert.equal(await stores.verifications.consumeVerification(scope, old.codeHash, now), null);
      });

      test("a registration code belongs to the identifier: a newer one from another account replaces it", async () => {
        const first = await verifiedAccount();
        const second = await verifiedAccount();
        const value = uniqueEmail();
        const old = newVerification(first.account.id, start, { value });
        const fresh = newVerification(second.account.id, start, { value });
        await stores.verifications.createVerification(old);
        await stores.verifications.createVerification(fresh);
        const scope = { purpose: "registration" as const, value };
        assert.equal(await stores.verifications.consumeVerification(scope, old.codeHash, start), null);
        assert.equal((await stores.verifications.consumeVerification(scope, fresh.codeHash, start))?.accountId, second.account.id);
      });

      test("add_identifier codes of different accounts for one value, and codes of different purposes, coexist", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const value = uniqueEmail();
        const myCode = newVerification(mine.account.id, start, { purpose: "add_identifier", value });
        const theirCode = newVerification(theirs.account.id, start, { purpose: "add_identifier", value });
        const registration = newVerification(mine.account.id, start, { purpose: "registration", value });
        for (const v of [myCode, theirCode, registration]) await stores.verifications.createVerification(v);

        assert.equal(
          (await stores.verifications.consumeVerification({ purpose: "add_identifier", value, accountId: theirs.account.id }, theirCode.codeHash, start))?.id,
          theirCode.id,
        );
        assert.equal(
          (await stores.verifications.consumeVerification({ purpose: "add_identifier", value, accountId: mine.account.id }, myCode.codeHash, start))?.id,
          myCode.id,
        );
        assert.equal((await stores.verifications.consumeVerification({ purpose: "registration", value }, registration.codeHash, start))?.id, registration.id);
      });

      test("takeVerificationAttempt takes one try per call and returns the tries left, then null", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start, { attemptsLeft: 3 });
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };

        const first = await stores.verifications.takeVerificationAttempt(scope, start);
        assert.equal(first?.id, code.id);
        assert.equal(first?.codeHash, code.codeHash);
        assert.equal(first?.attemptsLeft, 2);
        assert.equal((await stores.verifications.takeVerificationAttempt(scope, start))?.attemptsLeft, 1);
        assert.equal((await stores.verifications.takeVerificationAttempt(scope, start))?.attemptsLeft, 0);
        assert.equal(await stores.verifications.takeVerificationAttempt(scope, start), null);
        assert.equal(await stores.verifications.takeVerificationAttempt(scope, start), null);
        // Tries are never taken below zero; the code can still be consumed by the caller that took the last one.
        assert.equal((await stores.verifications.consumeVerification(scope, code.codeHash, start))?.attemptsLeft, 0);
      });

      test("the right code still works while tries remain", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start, { attemptsLeft: 2 });
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };
        assert.equal((await stores.verifications.takeVerificationAttempt(scope, start))?.attemptsLeft, 1);
        assert.equal((await stores.verifications.consumeVerification(scope, code.codeHash, start))?.id, code.id);
      });

      test("a new code restores the tries", async () => {
        const { account } = await verifiedAccount();
        const value = uniqueEmail();
        await stores.verifications.createVerification(newVerification(account.id, start, { value, attemptsLeft: 2 }));
        const scope = { purpose: "registration" as const, value };
        assert.equal((await stores.verifications.takeVerificationAttempt(scope, start))?.attemptsLeft, 1);
        const fresh = newVerification(account.id, start, { value, attemptsLeft: 2 });
        await stores.verifications.createVerification(fresh);
        const taken = await stores.verifications.takeVerificationAttempt(scope, start);
        assert.equal(taken?.id, fresh.id);
        assert.equal(taken?.attemptsLeft, 1);
        assert.equal((await stores.verifications.consumeVerification(scope, fresh.codeHash, start))?.id, fresh.id);
      });

      test("findVerification reads the scope's code whatever its state, changes nothing, and keeps scopes apart", async () => {
        const { account } = await verifiedAccount();
        const other = await verifiedAccount();
        const code = newVerification(account.id, start, { attemptsLeft: 1, expiresAt: addSeconds(start, 600) });
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };
        assert.equal((await stores.verifications.findVerification(scope))?.attemptsLeft, 1);
        assert.equal((await stores.verifications.findVerification(scope))?.attemptsLeft, 1, "reading takes no try");
        // Out of tries, it is still read back (with its hash) until it is consumed or cleaned away.
        assert.equal((await stores.verifications.takeVerificationAttempt(scope, start))?.attemptsLeft, 0);
        const dead = await stores.verifications.findVerification(scope);
        assert.equal(dead?.id, code.id);
        assert.equal(dead?.codeHash, code.codeHash);
        assert.equal(dead?.attemptsLeft, 0);
        assert.equal(await stores.verifications.findVerification({ purpose: "add_identifier", value: code.value, accountId: account.id }), null);
        assert.equal(await stores.verifications.findVerification({ purpose: "registration", value: uniqueEmail() }), null);
        // An added address's code belongs to the account that asked for it.
        const added = newVerification(account.id, start, { purpose: "add_identifier" });
        await stores.verifications.createVerification(added);
        assert.equal((await stores.verifications.findVerification({ purpose: "add_identifier", value: added.value, accountId: account.id }))?.id, added.id);
        assert.equal(await stores.verifications.findVerification({ purpose: "add_identifier", value: added.value, accountId: other.account.id }), null);
        assert.equal((await stores.verifications.consumeVerification(scope, code.codeHash, start))?.id, code.id);
        assert.equal(await stores.verifications.findVerification(scope), null, "a consumed code is gone");
      });

      test("takeVerificationAttempt gives nothing for an expired code", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start, { attemptsLeft: 5, expiresAt: addSeconds(start, 600) });
        await stores.verifications.createVerification(code);
        const scope = { purpose: "registration" as const, value: code.value };
        assert.equal(await stores.verifications.takeVerificationAttempt(scope, addSeconds(start, 600)), null);
        // Nothing was taken: earlier, all five tries are still there.
        assert.equal((await stores.verifications.takeVerificationAttempt(scope, start))?.attemptsLeft, 4);
      });

      test("takeVerificationAttempt only charges its own scope", async () => {
        const { account } = await verifiedAccount();
        const code = newVerification(account.id, start, { attemptsLeft: 1 });
        await stores.verifications.createVerification(code);
        assert.equal(await stores.verifications.takeVerificationAttempt({ purpose: "registration", value: uniqueEmail() }, start), null);
        assert.equal(await stores.verifications.takeVerificationAttempt({ purpose: "add_identifier", value: code.value, accountId: account.id }, start), null);
        // The real code (one try left) was not charged by those.
        assert.equal((await stores.verifications.takeVerificationAttempt({ purpose: "registration", value: code.value }, start))?.attemptsLeft, 0);
      });

      test("deleteExpiredVerifications also removes codes with no tries left", async () => {
        const { account } = await verifiedAccount();
        const spent = newVerification(account.id, start, { attemptsLeft: 1 });
        const live = newVerification(account.id, start);
        for (const v of [spent, live]) await stores.verifications.createVerification(v);
        await stores.verifications.takeVerificationAttempt({ purpose: "registration", value: spent.value }, start);
        assert.equal(await stores.verifications.deleteExpiredVerifications(start), 1);
        assert.equal(await stores.verifications.consumeVerification({ purpose: "registration", value: spent.value }, spent.codeHash, start), null);
        assert.equal((await stores.verifications.consumeVerification({ purpose: "registration", value: live.value }, live.codeHash, start))?.id, live.id);
      });

      test("deleteExpiredVerifications removes expired codes only", async () => {
        const { account } = await verifiedAccount();
        const now = addSeconds(start, 1000);
        const live = newVerification(account.id, start, { expiresAt: addSeconds(now, 1) });
        const expired = newVerification(account.id, start, { expiresAt: addSeconds(now, -1) });
        const expiringNow = newVerification(account.id, start, { expiresAt: now });
        for (const v of [live, expired, expiringNow]) await stores.verifications.createVerification(v);

        assert.equal(await stores.verifications.deleteExpiredVerifications(now), 2);
        assert.equal(await stores.verifications.deleteExpiredVerifications(now), 0);
        // Consumed at an earlier time, the expired rows would still match if they had not been deleted.
        assert.equal(await stores.verifications.consumeVerification({ purpose: "registration", value: expired.value }, expired.codeHash, start), null);
        assert.equal(await stores.verifications.consumeVerification({ purpose: "registration", value: expiringNow.value }, expiringNow.codeHash, start), null);
        assert.equal((await stores.verifications.consumeVerification({ purpose: "registration", value: live.value }, live.codeHash, start))?.id, live.id);
      });
    });

    describe("PasswordResetStore", () => {
      test("createPasswordReset and getPasswordResetBySecret round-trip every field; an unknown secret is null", async () => {
        const { account } = await verifiedAccount();
        const reset = newPasswordReset(account.id, start, { kind: "link", value: uniqueEmail(), attemptsLeft: 1 });
        await stores.passwordResets.createPasswordReset(reset);
        const found = await stores.passwordResets.getPasswordResetBySecret(reset.secretHash);
        assert.ok(found);
        assert.equal(found.id, reset.id);
        assert.equal(found.accountId, account.id);
        assert.equal(found.kind, "link");
        assert.equal(found.value, reset.value);
        assert.equal(found.secretHash, reset.secretHash);
        assert.equal(found.attemptsLeft, 1);
        assertSameSecond(found.expiresAt, reset.expiresAt);
        assertSameSecond(found.createdAt, start);
        assert.equal(found.usedAt, null);
        assert.equal(found.revokedAt, null);
        assert.equal(await stores.passwordResets.getPasswordResetBySecret(randomBytes(32).toString("hex")), null);
      });

      test("a decoy reset (no account) is stored with a null account", async () => {
        const decoy = newPasswordReset(null, start);
        await stores.passwordResets.createPasswordReset(decoy);
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(decoy.secretHash))?.accountId, null);
      });

      test("a new reset revokes the pending ones of the same value and no others", async () => {
        const { account } = await verifiedAccount();
        const old = newPasswordReset(account.id, start);
        const other = newPasswordReset(account.id, start);
        await stores.passwordResets.createPasswordReset(old);
        await stores.passwordResets.createPasswordReset(other);
        const fresh = newPasswordReset(account.id, addSeconds(start, 60), { value: old.value });
        await stores.passwordResets.createPasswordReset(fresh);
        assertSameSecond((await stores.passwordResets.getPasswordResetBySecret(old.secretHash))?.revokedAt, addSeconds(start, 60));
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(other.secretHash))?.revokedAt, null);
        const now = addSeconds(start, 90);
        assert.equal(await stores.passwordResets.consumePasswordReset("code", old.secretHash, now, old.value), null);
        assert.equal((await stores.passwordResets.consumePasswordReset("code", fresh.secretHash, now, fresh.value))?.id, fresh.id);
      });

      test("consumePasswordReset marks the reset used once and returns it", async () => {
        const { account } = await verifiedAccount();
        const link = newPasswordReset(account.id, start, { kind: "link", value: uniqueEmail(), attemptsLeft: 1 });
        await stores.passwordResets.createPasswordReset(link);
        const now = addSeconds(start, 30);
        const used = await stores.passwordResets.consumePasswordReset("link", link.secretHash, now);
        assert.equal(used?.id, link.id);
        assertSameSecond(used?.usedAt, now);
        assert.equal(await stores.passwordResets.consumePasswordReset("link", link.secretHash, now), null);
        assertSameSecond((await stores.passwordResets.getPasswordResetBySecret(link.secretHash))?.usedAt, now);
      });

      test("consumePasswordReset refuses the wrong kind, another value, an expired or a revoked reset", async () => {
        const { account } = await verifiedAccount();
        const code = newPasswordReset(account.id, start, { expiresAt: addSeconds(start, 600) });
        await stores.passwordResets.createPasswordReset(code);
        assert.equal(await stores.passwordResets.consumePasswordReset("link", code.secretHash, start), null);
        assert.equal(await stores.passwordResets.consumePasswordReset("code", code.secretHash, start, "+447700900000"), null);
        assert.equal(await stores.passwordResets.consumePasswordReset("code", code.secretHash, addSeconds(start, 600), code.value), null);
        const revoked = newPasswordReset(account.id, start);
        await stores.passwordResets.createPasswordReset(revoked);
        assert.equal(await stores.passwordResets.revokePasswordResetsOfAccount(account.id, start), 2);
        assert.equal(await stores.passwordResets.consumePasswordReset("code", revoked.secretHash, start, revoked.value), null);
        assert.equal(await stores.passwordResets.consumePasswordReset("code", code.secretHash, start, code.value), null);
      });

      test("takeResetCodeAttempt takes one try per call, returns the tries left, then null", async () => {
        const { account } = await verifiedAccount();
        const code = newPasswordReset(account.id, start, { attemptsLeft: 3 });
        await stores.passwordResets.createPasswordReset(code);
        const first = await stores.passwordResets.takeResetCodeAttempt(code.value, start);
        assert.equal(first?.id, code.id);
        assert.equal(first?.secretHash, code.secretHash);
        assert.equal(first?.attemptsLeft, 2);
        assert.equal((await stores.passwordResets.takeResetCodeAttempt(code.value, start))?.attemptsLeft, 1);
        assert.equal((await stores.passwordResets.takeResetCodeAttempt(code.value, start))?.attemptsLeft, 0);
        assert.equal(await stores.passwordResets.takeResetCodeAttempt(code.value, start), null);
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(code.secretHash))?.attemptsLeft, 0, "never below zero");
      });

      test("takeResetCodeAttempt gives nothing for a link, an expired, used or revoked code, or another value", async () => {
        const { account } = await verifiedAccount();
        const link = newPasswordReset(account.id, start, { kind: "link", value: uniqueEmail(), attemptsLeft: 1 });
        await stores.passwordResets.createPasswordReset(link);
        assert.equal(await stores.passwordResets.takeResetCodeAttempt(link.value, start), null);
        const code = newPasswordReset(account.id, start);
        await stores.passwordResets.createPasswordReset(code);
        assert.equal(await stores.passwordResets.takeResetCodeAttempt(code.value, addSeconds(start, 600)), null);
        assert.equal(await stores.passwordResets.takeResetCodeAttempt("+447700900001", start), null);
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(code.secretHash))?.attemptsLeft, 5, "nothing was charged");
        assert.ok(await stores.passwordResets.consumePasswordReset("code", code.secretHash, start, code.value));
        assert.equal(await stores.passwordResets.takeResetCodeAttempt(code.value, start), null);
        const revoked = newPasswordReset(account.id, start);
        await stores.passwordResets.createPasswordReset(revoked);
        await stores.passwordResets.revokePasswordResetsOfAccount(account.id, start);
        assert.equal(await stores.passwordResets.takeResetCodeAttempt(revoked.value, start), null);
      });

      test("revokePasswordResetsOfAccount revokes only that account's pending resets", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const pending = newPasswordReset(mine.account.id, start);
        const used = newPasswordReset(mine.account.id, start);
        const others = newPasswordReset(theirs.account.id, start);
        for (const r of [pending, used, others]) await stores.passwordResets.createPasswordReset(r);
        await stores.passwordResets.consumePasswordReset("code", used.secretHash, start, used.value);
        const later = addSeconds(start, 10);
        assert.equal(await stores.passwordResets.revokePasswordResetsOfAccount(mine.account.id, later), 1);
        assertSameSecond((await stores.passwordResets.getPasswordResetBySecret(pending.secretHash))?.revokedAt, later);
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(used.secretHash))?.revokedAt, null);
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(others.secretHash))?.revokedAt, null);
        assert.equal(await stores.passwordResets.revokePasswordResetsOfAccount(mine.account.id, later), 0);
      });

      test("deleteOldPasswordResets deletes resets created before the time, in any state", async () => {
        const { account } = await verifiedAccount();
        const old = newPasswordReset(account.id, start);
        const recent = newPasswordReset(account.id, addSeconds(start, 100));
        for (const r of [old, recent]) await stores.passwordResets.createPasswordReset(r);
        assert.equal(await stores.passwordResets.deleteOldPasswordResets(addSeconds(start, 100)), 1);
        assert.equal(await stores.passwordResets.getPasswordResetBySecret(old.secretHash), null);
        assert.equal((await stores.passwordResets.getPasswordResetBySecret(recent.secretHash))?.id, recent.id);
      });
    });

    describe("AuditStore", () => {
      test("recordEvent and listEvents round-trip every field, newest first", async () => {
        const { account } = await verifiedAccount();
        const first = {
          id: unique("evt"),
          at: start,
          type: "signin.failed",
          accountId: account.id,
          ip: "192.0.2.1",
          userAgent: "UA",
          detail: { reason: "wrong password", failures: 2, captcha: true },
        };
        const second = {
          id: unique("evt"),
          at: addSeconds(start, 5),
          type: "signin.succeeded",
          accountId: account.id,
          ip: null,
          userAgent: null,
          detail: null,
        };
        await stores.audit.recordEvent(first);
        await stores.audit.recordEvent(second);
        const events = await stores.audit.listEvents({ accountId: account.id, limit: 10 });
        assert.deepEqual(
          events.map((e) => e.id),
          [second.id, first.id],
        );
        const got = events[1];
        assert.ok(got);
        assertSameSecond(got.at, start);
        assert.equal(got.type, "signin.failed");
        assert.equal(got.accountId, account.id);
        assert.equal(got.ip, "192.0.2.1");
        assert.equal(got.userAgent, "UA");
        assert.deepEqual(got.detail, first.detail);
        assert.equal(events[0]?.detail, null);
      });

      test("listEvents filters by account, time and type, and honours the limit", async () => {
        const mine = await verifiedAccount();
        const theirs = await verifiedAccount();
        const ev = (accountId: string | null, at: Date, type: string) => ({ id: unique("evt"), at, type, accountId, ip: null, userAgent: null, detail: null });
        const a = ev(mine.account.id, start, "reset.requested");
        const b = ev(mine.account.id, addSeconds(start, 10), "reset.completed");
        const c = ev(mine.account.id, addSeconds(start, 20), "signin.failed");
        const d = ev(theirs.account.id, addSeconds(start, 30), "signin.failed");
        const e = ev(null, addSeconds(start, 40), "reset.requested");
        for (const x of [a, b, c, d, e]) await stores.audit.recordEvent(x);
        const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);
        assert.deepEqual(ids(await stores.audit.listEvents({ accountId: mine.account.id, limit: 10 })), [c.id, b.id, a.id]);
        assert.deepEqual(ids(await stores.audit.listEvents({ accountId: mine.account.id, since: addSeconds(start, 10), limit: 10 })), [c.id, b.id]);
        assert.deepEqual(ids(await stores.audit.listEvents({ accountId: mine.account.id, types: ["reset.requested", "reset.completed"], limit: 10 })), [
          b.id,
          a.id,
        ]);
        assert.deepEqual(ids(await stores.audit.listEvents({ accountId: mine.account.id, limit: 2 })), [c.id, b.id]);
        const all = ids(await stores.audit.listEvents({ since: start, types: ["reset.requested"], limit: 100 }));
        assert.ok(all.includes(a.id) && all.includes(e.id) && !all.includes(b.id));
      });

      test("deleteEventsBefore deletes older events only and says how many", async () => {
        const { account } = await verifiedAccount();
        const ev = (at: Date) => ({ id: unique("evt"), at, type: "signin.failed", accountId: account.id, ip: null, userAgent: null, detail: null });
        const old = ev(start);
        const edge = ev(addSeconds(start, 60));
        for (const x of [old, edge]) await stores.audit.recordEvent(x);
        assert.equal(await stores.audit.deleteEventsBefore(addSeconds(start, 60)), 1);
        assert.deepEqual(
          (await stores.audit.listEvents({ accountId: account.id, limit: 10 })).map((x) => x.id),
          [edge.id],
        );
        assert.equal(await stores.audit.deleteEventsBefore(addSeconds(start, 60)), 0);
      });
    });

    describe("HelpFeedbackStore", () => {
      const day = start.toISOString().slice(0, 10);

      function newFeedback(overrides: Partial<NewHelpFeedback> = {}): NewHelpFeedback {
        return {
          slug: unique("article"),
          locale: "en",
          articleVersion: "v1",
          visitorId: unique("visitor"),
          helpful: true,
          reason: null,
          comment: null,
          at: start,
          ...overrides,
        };
      }

      async function summaryOf(slug: string, since?: Date) {
        const all = await stores.helpFeedback.summarizeFeedback(since ? { since } : {});
        return all.find((s) => s.slug === slug);
      }

      test("recordArticleView counts views per article and day; summarizeFeedback adds the days up", async () => {
        const slug = unique("article");
        const other = unique("article");
        await stores.helpFeedback.recordArticleView(slug, "2030-03-03", "en");
        await stores.helpFeedback.recordArticleView(slug, day, "en");
        await stores.helpFeedback.recordArticleView(slug, day, "en");
        await stores.helpFeedback.recordArticleView(other, day, "en");

        const summary = await summaryOf(slug);
        assert.deepEqual(summary, { slug, views: 3, yes: 0, no: 0, reasons: {}, versions: [], locales: [{ locale: "en", views: 3, yes: 0, no: 0 }] });
        assert.equal((await summaryOf(other))?.views, 1);
        assert.equal((await summaryOf(slug, start))?.views, 2, "since leaves out the earlier day");
        assert.equal(await summaryOf(unique("never-seen")), undefined);
      });

      test("saveFeedback keeps one answer per visitor and article: a second answer replaces the first", async () => {
        const first = newFeedback({ helpful: false, reason: "confusing", comment: "Step 3 lost me" });
        await stores.helpFeedback.saveFeedback(first);
        const stored = await stores.helpFeedback.getFeedback(first.slug, first.visitorId);
        assert.ok(stored);
        assert.equal(stored.slug, first.slug);
        assert.equal(stored.visitorId, first.visitorId);
        assert.equal(stored.articleVersion, "v1");
        assert.equal(stored.helpful, false);
        assert.equal(stored.reason, "confusing");
        assert.equal(stored.comment, "Step 3 lost me");
        assertSameSecond(stored.answeredAt, start, "answeredAt");
        assertSameSecond(stored.firstAnsweredAt, start, "firstAnsweredAt");

        const later = addSeconds(start, 90);
        await stores.helpFeedback.saveFeedback({ ...first, articleVersion: "v2", helpful: true, reason: null, comment: null, at: later });
        const replaced = await stores.helpFeedback.getFeedback(first.slug, first.visitorId);
        assert.ok(replaced);
        assert.equal(replaced.helpful, true);
        assert.equal(replaced.reason, null, "the earlier reason does not linger");
        assert.equal(replaced.comment, null);
        assert.equal(replaced.articleVersion, "v2");
        assertSameSecond(replaced.answeredAt, later, "answeredAt moves");
        assertSameSecond(replaced.firstAnsweredAt, start, "firstAnsweredAt stays");

        const summary = await summaryOf(first.slug);
        assert.equal(summary?.yes, 1);
        assert.equal(summary?.no, 0);
        assert.deepEqual(summary?.reasons, {});
        assert.equal((await stores.helpFeedback.listFeedback()).filter((f) => f.slug === first.slug).length, 1);
      });

      test("answers of different visitors and of different articles are kept apart", async () => {
        const mine = newFeedback({ helpful: true });
        const theirs = newFeedback({ slug: mine.slug, helpful: false, reason: "too_long" });
        const elsewhere = newFeedback({ visitorId: mine.visitorId, helpful: false, reason: "other" });
        for (const f of [mine, theirs, elsewhere]) await stores.helpFeedback.saveFeedback(f);

        assert.equal((await stores.helpFeedback.getFeedback(mine.slug, mine.visitorId))?.helpful, true);
        assert.equal((await stores.helpFeedback.getFeedback(mine.slug, theirs.visitorId))?.reason, "too_long");
        assert.equal((await stores.helpFeedback.getFeedback(elsewhere.slug, mine.visitorId))?.reason, "other");
        assert.equal(await stores.helpFeedback.getFeedback(mine.slug, unique("visitor")), null);
        assert.equal(await stores.helpFeedback.getFeedback(unique("article"), mine.visitorId), null);
        const summary = await summaryOf(mine.slug);
        assert.equal(summary?.yes, 1);
        assert.equal(summary?.no, 1);
      });

      test("summarizeFeedback counts yes, no, reasons and versions; since leaves out older answers", async () => {
        const slug = unique("article");
        const answers: Array<Partial<NewHelpFeedback>> = [
          { helpful: true, articleVersion: "v1" },
          { helpful: false, reason: "confusing", articleVersion: "v1" },
          { helpful: false, reason: "confusing", articleVersion: "v1" },
          { helpful: false, reason: null, articleVersion: "v1" },
          { helpful: true, articleVersion: "v2", at: addSeconds(start, 3600) },
          { helpful: true, articleVersion: "v2", at: addSeconds(start, 3600) },
          { helpful: false, reason: "inaccurate", articleVersion: "v2", at: addSeconds(start, 3600) },
        ];
        for (const a of answers) await stores.helpFeedback.saveFeedback(newFeedback({ slug, ...a }));
        await stores.helpFeedback.recordArticleView(slug, day, "en");

        const summary = await summaryOf(slug);
        assert.ok(summary);
        assert.equal(summary.views, 1);
        assert.equal(summary.yes, 3);
        assert.equal(summary.no, 4);
        assert.deepEqual(summary.reasons, { confusing: 2, inaccurate: 1 });
        assert.deepEqual(summary.versions, [
          { version: "v2", yes: 2, no: 1 },
          { version: "v1", yes: 1, no: 3 },
        ]);

        const recent = await summaryOf(slug, addSeconds(start, 1800));
        assert.ok(recent);
        assert.equal(recent.yes, 2);
        assert.equal(recent.no, 1);
        assert.deepEqual(recent.reasons, { inaccurate: 1 });
        assert.deepEqual(recent.versions, [{ version: "v2", yes: 2, no: 1 }]);
      });

      test("feedbackTrend groups views and answers by UTC day, for one article or for all", async () => {
        const slug = unique("article");
        const other = unique("article");
        const nextDay = addSeconds(start, 86400);
        await stores.helpFeedback.recordArticleView(slug, "2030-03-02", "en");
        await stores.helpFeedback.recordArticleView(slug, day, "en");
        await stores.helpFeedback.recordArticleView(slug, day, "en");
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, helpful: true }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, helpful: false, at: nextDay }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug: other, helpful: false, at: nextDay }));

        assert.deepEqual(await stores.helpFeedback.feedbackTrend({ slug, since: addSeconds(start, -86400) }), [
          { day, views: 2, yes: 1, no: 0 },
          { day: "2030-03-05", views: 0, yes: 0, no: 1 },
        ]);
        assert.deepEqual(await stores.helpFeedback.feedbackTrend({ slug, since: nextDay }), [{ day: "2030-03-05", views: 0, yes: 0, no: 1 }]);
        const all = await stores.helpFeedback.feedbackTrend({ since: start });
        const next = all.find((d) => d.day === "2030-03-05");
        assert.ok(next && next.no >= 2, "all articles together");
        assert.deepEqual(
          all.map((d) => d.day),
          [...all.map((d) => d.day)].sort(),
          "oldest first",
        );

        // A changed answer counts on the day of the change.
        const visitor = unique("visitor");
        await stores.helpFeedback.saveFeedback(newFeedback({ slug: other, visitorId: visitor, helpful: true }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug: other, visitorId: visitor, helpful: true, at: nextDay }));
        assert.deepEqual(await stores.helpFeedback.feedbackTrend({ slug: other, since: start }), [{ day: "2030-03-05", views: 0, yes: 1, no: 1 }]);
      });

      test("latestComments returns answers with a comment, newest first, at most limit", async () => {
        const slug = unique("article");
        const other = unique("article");
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, helpful: false, reason: "other", comment: "oldest", at: start }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, helpful: false, comment: "<b>newest</b>", at: addSeconds(start, 20) }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, helpful: true, comment: "middle", at: addSeconds(start, 10) }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, helpful: true, at: addSeconds(start, 30) }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug: other, helpful: false, comment: "elsewhere", at: addSeconds(start, 40) }));

        assert.deepEqual(
          (await stores.helpFeedback.latestComments({ slug, limit: 10 })).map((f) => f.comment),
          ["<b>newest</b>", "middle", "oldest"],
        );
        assert.deepEqual(
          (await stores.helpFeedback.latestComments({ slug, limit: 2 })).map((f) => f.comment),
          ["<b>newest</b>", "middle"],
        );
        const everywhere = (await stores.helpFeedback.latestComments({ limit: 1000 })).filter((f) => f.slug === slug || f.slug === other);
        assert.deepEqual(
          everywhere.map((f) => f.comment),
          ["elsewhere", "<b>newest</b>", "middle", "oldest"],
        );
        assert.equal(everywhere[3]?.reason, "other");
      });

      test("listFeedback returns every answer, oldest first", async () => {
        const slug = unique("article");
        const late = newFeedback({ slug, helpful: false, reason: "didnt_answer", comment: "a comment", at: addSeconds(start, 60) });
        const early = newFeedback({ slug, helpful: true, articleVersion: "v7" });
        await stores.helpFeedback.saveFeedback(late);
        await stores.helpFeedback.saveFeedback(early);
        const rows = (await stores.helpFeedback.listFeedback()).filter((f) => f.slug === slug);
        assert.deepEqual(
          rows.map((f) => [f.visitorId, f.helpful, f.reason, f.comment, f.articleVersion]),
          [
            [early.visitorId, true, null, null, "v7"],
            [late.visitorId, false, "didnt_answer", "a comment", "v1"],
          ],
        );
      });

      test("listFeedback pages by keyset: every answer exactly once, in the order of the full list, answers at the same second included", async () => {
        const slug = unique("article");
        const other = unique("article");
        // Three answers at one second (ties broken by article and visitor), and some a little later.
        for (const [s, seconds] of [
          [slug, 0],
          [other, 0],
          [slug, 0],
          [slug, 30],
          [other, 30],
          [slug, 61],
        ] as const) {
          await stores.helpFeedback.saveFeedback(newFeedback({ slug: s, at: addSeconds(start, seconds) }));
        }
        const ours = (f: { slug: string }): boolean => f.slug === slug || f.slug === other;
        const full = (await stores.helpFeedback.listFeedback()).filter(ours).map((f) => `${f.slug}/${f.visitorId}`);
        assert.equal(full.length, 6);
        const paged: string[] = [];
        let after: HelpFeedbackCursor | undefined;
        for (let round = 0; round < 1000; round++) {
          const page = await stores.helpFeedback.listFeedback({ limit: 2, ...(after ? { after } : {}) });
          assert.ok(page.length <= 2, "a page holds at most the limit");
          paged.push(...page.filter(ours).map((f) => `${f.slug}/${f.visitorId}`));
          const last = page[page.length - 1];
          if (!last || page.length < 2) break;
          after = { answeredAt: last.answeredAt, slug: last.slug, visitorId: last.visitorId };
        }
        assert.deepEqual(paged, full);
      });

      test("views and answers keep their language: summaries break down and filter by it, as do the trend and comments", async () => {
        const slug = unique("article");
        await stores.helpFeedback.recordArticleView(slug, day, "de");
        await stores.helpFeedback.recordArticleView(slug, day, "de");
        await stores.helpFeedback.recordArticleView(slug, day, "en");
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, locale: "de", helpful: false, reason: "too_long", comment: "Zu lang" }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, locale: "de", helpful: true }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, locale: "en", helpful: true, comment: "Clear" }));
        // A later answer of the same visitor in another language replaces the first, language and all.
        const visitorId = unique("visitor");
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, visitorId, locale: "fr", helpful: false }));
        await stores.helpFeedback.saveFeedback(newFeedback({ slug, visitorId, locale: "es", helpful: false, at: addSeconds(start, 5) }));
        assert.equal((await stores.helpFeedback.getFeedback(slug, visitorId))?.locale, "es");

        const all = await summaryOf(slug);
        assert.deepEqual(all?.locales, [
          { locale: "de", views: 2, yes: 1, no: 1 },
          { locale: "en", views: 1, yes: 1, no: 0 },
          { locale: "es", views: 0, yes: 0, no: 1 },
        ]);
        assert.deepEqual({ views: all?.views, yes: all?.yes, no: all?.no }, { views: 3, yes: 2, no: 2 });
        const german = (await stores.helpFeedback.summarizeFeedback({ locale: "de" })).find((s) => s.slug === slug);
        assert.deepEqual(
          { views: german?.views, yes: german?.yes, no: german?.no, reasons: german?.reasons, locales: german?.locales.map((l) => l.locale) },
          { views: 2, yes: 1, no: 1, reasons: { too_long: 1 }, locales: ["de"] },
        );
        assert.equal(
          (await stores.helpFeedback.summarizeFeedback({ locale: "ar" })).find((s) => s.slug === slug),
          undefined,
        );
        assert.deepEqual(await stores.helpFeedback.feedbackTrend({ slug, locale: "de", since: start }), [{ day, views: 2, yes: 1, no: 1 }]);
        assert.deepEqual(
          (await stores.helpFeedback.latestComments({ slug, locale: "de", limit: 10 })).map((f) => [f.locale, f.comment]),
          [["de", "Zu lang"]],
        );
        assert.deepEqual(
          (await stores.helpFeedback.listFeedback())
            .filter((f) => f.slug === slug)
            .map((f) => f.locale)
            .sort(),
          ["de", "de", "en", "es"],
        );
      });

      test("concurrent views are all counted, and concurrent answers of one visitor leave one answer", async () => {
        const slug = unique("article");
        await Promise.all(Array.from({ length: 25 }, () => stores.helpFeedback.recordArticleView(slug, day, "en")));
        const visitorId = unique("visitor");
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            stores.helpFeedback.saveFeedback(newFeedback({ slug, visitorId, helpful: i % 2 === 0, at: addSeconds(start, i) })),
          ),
        );
        const summary = await summaryOf(slug);
        assert.equal(summary?.views, 25);
        assert.equal((summary?.yes ?? 0) + (summary?.no ?? 0), 1);
        assert.equal((await stores.helpFeedback.listFeedback()).filter((f) => f.slug === slug).length, 1);
      });
    });

    describe("ShortLivedStore", () => {
      test("set then get returns the value; a missing key is null", async () => {
        const key = unique("k");
        await stores.shortLived.set(key, "hello ✓", 60);
        assert.equal(await stores.shortLived.get(key), "hello ✓");
        assert.equal(await stores.shortLived.get(unique("missing")), null);
      });

      test("set replaces the value and the expiry", async () => {
        const key = unique("k");
        await stores.shortLived.set(key, "first", 10);
        clock.advance(5_000);
        await stores.shortLived.set(key, "second", 60);
        assert.equal(await stores.shortLived.get(key), "second");
        assert.equal(await stores.shortLived.ttl(key), 60);
        clock.advance(10_000);
        assert.equal(await stores.shortLived.get(key), "second");
      });

      test("a value expires after its ttl", async () => {
        const key = unique("k");
        await stores.shortLived.set(key, "v", 10);
        clock.advance(9_000);
        assert.equal(await stores.shortLived.get(key), "v");
        clock.advance(1_000);
        assert.equal(await stores.shortLived.get(key), null);
        assert.equal(await stores.shortLived.getAndDelete(key), null);
      });

      test("getAndDelete returns the value once", async () => {
        const key = unique("k");
        await stores.shortLived.set(key, "once", 60);
        assert.equal(await stores.shortLived.getAndDelete(key), "once");
        assert.equal(await stores.shortLived.getAndDelete(key), null);
        assert.equal(await stores.shortLived.get(key), null);
        assert.equal(await stores.shortLived.getAndDelete(unique("missing")), null);
      });

      test("delete removes a key and ignores a missing one", async () => {
        const key = unique("k");
        const other = unique("k");
        await stores.shortLived.set(key, "v", 60);
        await stores.shortLived.set(other, "w", 60);
        await stores.shortLived.delete(key);
        await stores.shortLived.delete(unique("missing"));
        assert.equal(await stores.shortLived.get(key), null);
        assert.equal(await stores.shortLived.ttl(key), 0);
        assert.equal(await stores.shortLived.get(other), "w");
      });

      test("delete with several keys removes each of them, missing ones ignored, and no other", async () => {
        const [a, b, c, kept] = [unique("k"), unique("k"), unique("k"), unique("k")];
        await stores.shortLived.set(a, "1", 60);
        await stores.shortLived.set(b, "2", 60);
        await stores.shortLived.increment(c, 60);
        await stores.shortLived.set(kept, "4", 60);
        await stores.shortLived.delete(a, unique("missing"), b, c);
        for (const key of [a, b, c]) assert.equal(await stores.shortLived.get(key), null);
        assert.equal(await stores.shortLived.get(kept), "4");
        await stores.shortLived.delete();
        assert.equal(await stores.shortLived.get(kept), "4");
      });

      test("increment counts in a fixed window that starts with the first increment", async () => {
        const key = unique("counter");
        assert.equal(await stores.shortLived.increment(key, 60), 1);
        assert.equal(await stores.shortLived.ttl(key), 60);
        clock.advance(30_000);
        assert.equal(await stores.shortLived.increment(key, 60), 2);
        assert.equal(await stores.shortLived.ttl(key), 30, "a later increment does not extend the window");
        clock.advance(29_000);
        assert.equal(await stores.shortLived.increment(key, 60), 3);
        assert.equal(await stores.shortLived.get(key), "3");
        clock.advance(1_000);
        // The window is over: the count starts again with a new window.
        assert.equal(await stores.shortLived.get(key), null);
        assert.equal(await stores.shortLived.increment(key, 60), 1);
        assert.equal(await stores.shortLived.ttl(key), 60);
        assert.equal(await stores.shortLived.increment(key, 60), 2);
      });

      test("counters under different keys are independent", async () => {
        const a = unique("counter");
        const b = unique("counter");
        await stores.shortLived.increment(a, 60);
        await stores.shortLived.increment(a, 60);
        assert.equal(await stores.shortLived.increment(b, 60), 1);
        assert.equal(await stores.shortLived.increment(a, 60), 3);
      });

      test("incrementSliding counts, and every increment moves the expiry to ttl from now", async () => {
        const key = unique("sliding");
        assert.equal(await stores.shortLived.incrementSliding(key, 60), 1);
        assert.equal(await stores.shortLived.ttl(key), 60);
        clock.advance(50_000);
        assert.equal(await stores.shortLived.incrementSliding(key, 60), 2);
        assert.equal(await stores.shortLived.ttl(key), 60, "the expiry moved");
        clock.advance(59_000);
        assert.equal(await stores.shortLived.incrementSliding(key, 60), 3, "still counting 109 s after the first");
        clock.advance(60_000);
        assert.equal(await stores.shortLived.get(key), null, "forgotten 60 s after the last increment");
        assert.equal(await stores.shortLived.incrementSliding(key, 60), 1);
      });

      test("decrement subtracts one, keeps the expiry, stops at zero, and is 0 for a missing or expired counter", async () => {
        const key = unique("counter");
        assert.equal(await stores.shortLived.decrement(key), 0);
        assert.equal(await stores.shortLived.get(key), null, "a missing counter is not created");
        await stores.shortLived.increment(key, 60);
        await stores.shortLived.increment(key, 60);
        clock.advance(20_000);
        assert.equal(await stores.shortLived.decrement(key), 1);
        assert.equal(await stores.shortLived.ttl(key), 40, "the expiry is kept");
        assert.equal(await stores.shortLived.decrement(key), 0);
        assert.equal(await stores.shortLived.decrement(key), 0, "never below zero");
        assert.equal(await stores.shortLived.increment(key, 60), 1);
        clock.advance(40_000);
        assert.equal(await stores.shortLived.decrement(key), 0, "an expired counter counts as missing");
        assert.equal(await stores.shortLived.increment(key, 60), 1);
      });

      test("reserveAttempt: counts the window and the failures, reads the mark, and changes nothing during a lock", async () => {
        const keys = { lock: unique("lock"), window: unique("window"), failures: unique("failures"), mark: unique("mark") };
        const limits = { windowSeconds: 100, windowLimit: 3, failureSeconds: 60 };
        const reserve = () => stores.shortLived.reserveAttempt(keys, limits);
        assert.deepEqual(await reserve(), { outcome: "reserved", position: 1, mark: null });
        assert.equal(await stores.shortLived.ttl(keys.window), 100);
        assert.equal(await stores.shortLived.ttl(keys.failures), 60);
        clock.advance(40_000);
        await stores.shortLived.set(keys.mark, "7", 600);
        assert.deepEqual(await reserve(), { outcome: "reserved", position: 2, mark: "7" });
        assert.equal(await stores.shortLived.ttl(keys.window), 60, "the window keeps its expiry");
        assert.equal(await stores.shortLived.ttl(keys.failures), 60, "the failures' expiry slides");

        // A lock: nothing is counted while it lasts, and the answer says how long it has left.
        await stores.shortLived.set(keys.lock, "x", 30);
        clock.advance(10_000);
        assert.deepEqual(await reserve(), { outcome: "locked", seconds: 20 });
        assert.equal(await stores.shortLived.get(keys.window), "2");
        assert.equal(await stores.shortLived.get(keys.failures), "2");
        clock.advance(20_000);
        assert.deepEqual(await reserve(), { outcome: "reserved", position: 3, mark: "7" }, "the lock ran out");

        // Past the window's limit: the window still counts, the failures do not.
        assert.deepEqual(await reserve(), { outcome: "ceiling", seconds: 30 });
        assert.deepEqual(await reserve(), { outcome: "ceiling", seconds: 30 });
        assert.equal(await stores.shortLived.get(keys.window), "5");
        assert.equal(await stores.shortLived.get(keys.failures), "3");
        clock.advance(30_000);
        assert.deepEqual(await reserve(), { outcome: "reserved", position: 4, mark: "7" }, "a new window");
        assert.equal(await stores.shortLived.get(keys.window), "1");
        clock.advance(60_000);
        assert.deepEqual(await reserve(), { outcome: "reserved", position: 1, mark: "7" }, "failures forgotten after a quiet minute");
      });

      test("decrementAndDelete subtracts one from the counter, keeps its expiry, and deletes the other keys", async () => {
        const [counter, a, b, kept] = [unique("counter"), unique("k"), unique("k"), unique("k")];
        await stores.shortLived.increment(counter, 60);
        await stores.shortLived.increment(counter, 60);
        for (const key of [a, b, kept]) await stores.shortLived.set(key, "v", 60);
        clock.advance(20_000);
        await stores.shortLived.decrementAndDelete(counter, [a, unique("missing"), b]);
        assert.equal(await stores.shortLived.get(counter), "1");
        assert.equal(await stores.shortLived.ttl(counter), 40);
        assert.equal(await stores.shortLived.get(a), null);
        assert.equal(await stores.shortLived.get(b), null);
        assert.equal(await stores.shortLived.get(kept), "v");
        await stores.shortLived.decrementAndDelete(counter, []);
        await stores.shortLived.decrementAndDelete(counter, [kept]);
        assert.equal(await stores.shortLived.get(counter), "0", "never below zero");
        assert.equal(await stores.shortLived.get(kept), null);
        const missing = unique("counter");
        await stores.shortLived.decrementAndDelete(missing, []);
        assert.equal(await stores.shortLived.get(missing), null, "a missing counter is not created");
        clock.advance(40_000);
        await stores.shortLived.decrementAndDelete(counter, []);
        assert.equal(await stores.shortLived.get(counter), null, "an expired counter stays expired");
      });

      test("concurrent increments, sliding increments and decrements are each counted once", async () => {
        const key = unique("counter");
        const sliding = unique("sliding");
        await Promise.all(Array.from({ length: 30 }, () => stores.shortLived.increment(key, 60)));
        await Promise.all(Array.from({ length: 30 }, () => stores.shortLived.incrementSliding(sliding, 60)));
        assert.equal(await stores.shortLived.get(key), "30");
        assert.equal(await stores.shortLived.get(sliding), "30");
        const after = await Promise.all(Array.from({ length: 20 }, () => stores.shortLived.decrement(key)));
        assert.deepEqual(
          [...after].sort((x, y) => x - y),
          Array.from({ length: 20 }, (_, i) => i + 10),
        );
      });

      test("ttl is the whole seconds left, and 0 for a missing or expired key", async () => {
        const key = unique("k");
        assert.equal(await stores.shortLived.ttl(key), 0);
        await stores.shortLived.set(key, "v", 120);
        assert.equal(await stores.shortLived.ttl(key), 120);
        clock.advance(45_000);
        assert.equal(await stores.shortLived.ttl(key), 75);
        clock.advance(75_000);
        assert.equal(await stores.shortLived.ttl(key), 0);
        clock.advance(60_000);
        assert.equal(await stores.shortLived.ttl(key), 0);
      });

      test("deleteExpired removes expired entries and keeps live ones", async () => {
        const live = unique("live");
        const gone1 = unique("gone");
        const gone2 = unique("gone");
        await stores.shortLived.set(gone1, "a", 5);
        await stores.shortLived.increment(gone2, 5);
        await stores.shortLived.set(live, "b", 60);
        clock.advance(5_000);

        const removed = await stores.shortLived.deleteExpired();
        // A backend that expires keys on its own (Redis) has nothing left to remove and reports 0.
        assert.ok(removed === 2 || removed === 0, `removed ${removed}`);
        assert.equal(await stores.shortLived.deleteExpired(), 0);
        assert.equal(await stores.shortLived.get(live), "b");
        assert.equal(await stores.shortLived.ttl(live), 55);
        assert.equal(await stores.shortLived.get(gone1), null);
        assert.equal(await stores.shortLived.ttl(gone1), 0);
        // A swept counter starts again.
        assert.equal(await stores.shortLived.increment(gone2, 5), 1);
      });
    });
  });
}
