// The factor store verbs as a part of the store contract: passkeys (unique credential ids, rename and
// remove only one's own, the counter's compare-and-set), the authenticator app (set up, confirm once,
// each step accepted once and never an older one) and recovery codes (replaced together, each used once).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { addSeconds } from "../../src/lib/clock.ts";
import type { PasskeyRecord, Stores } from "../../src/stores/types.ts";

function unique(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("base64url")}`;
}

export function describeFactorStoreContract(stores: () => Stores, start: Date): void {
  async function accountId(): Promise<string> {
    const value = `${unique("factor-contract").toLowerCase()}@example.com`;
    const created = await stores().accounts.createVerifiedAccount({
      id: unique("acc"),
      name: null,
      passwordHash: unique("hash"),
      createdAt: start,
      identifier: { id: unique("idf"), kind: "email", value, display: value },
    });
    assert.ok(created, "setup: account");
    return created.account.id;
  }

  function passkey(owner: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord {
    return {
      id: unique("pk"),
      accountId: owner,
      credentialId: unique("cred"),
      publicKey: randomBytes(40).toString("base64url"),
      counter: 0,
      transports: ["internal", "hybrid"],
      deviceType: "multiDevice",
      backedUp: true,
      name: "Laptop",
      createdAt: start,
      lastUsedAt: null,
      ...overrides,
    };
  }

  describe("FactorStore", () => {
    test("addPasskey stores every field; a credential id already registered is refused", async () => {
      const owner = await accountId();
      const p = passkey(owner, { counter: 7 });
      assert.equal(await stores().factors.addPasskey(p), true);
      assert.deepEqual(await stores().factors.getPasskeyByCredentialId(p.credentialId), p);
      const other = await accountId();
      assert.equal(await stores().factors.addPasskey(passkey(other, { credentialId: p.credentialId })), false);
      assert.deepEqual(
        (await stores().factors.listPasskeys(other)).map((x) => x.id),
        [],
      );
    });

    test("renamePasskey and removePasskey act only on the account's own passkey", async () => {
      const owner = await accountId();
      const stranger = await accountId();
      const p = passkey(owner);
      await stores().factors.addPasskey(p);
      assert.equal(await stores().factors.renamePasskey(stranger, p.id, "Mine now"), false);
      assert.equal(await stores().factors.renamePasskey(owner, p.id, "Phone"), true);
      assert.equal((await stores().factors.getPasskeyByCredentialId(p.credentialId))?.name, "Phone");
      assert.equal(await stores().factors.removePasskey(stranger, p.id), false);
      assert.equal(await stores().factors.removePasskey(owner, p.id), true);
      assert.equal(await stores().factors.getPasskeyByCredentialId(p.credentialId), null);
    });

    test("recordPasskeyUse moves the counter only from the expected value", async () => {
      const owner = await accountId();
      const p = passkey(owner, { counter: 5 });
      await stores().factors.addPasskey(p);
      const at = addSeconds(start, 60);
      assert.equal(await stores().factors.recordPasskeyUse(p.id, 4, 9, at), false);
      assert.equal(await stores().factors.recordPasskeyUse(p.id, 5, 9, at), true);
      const stored = await stores().factors.getPasskeyByCredentialId(p.credentialId);
      assert.equal(stored?.counter, 9);
      assert.equal(stored?.lastUsedAt?.getTime(), at.getTime());
      assert.equal(await stores().factors.recordPasskeyUse(p.id, 5, 10, at), false);
    });

    test("an authenticator app is confirmed once, then each step is accepted once and never an older one", async () => {
      const owner = await accountId();
      assert.equal(await stores().factors.getTOTPFactor(owner), null);
      assert.equal(await stores().factors.startTOTPSetup(owner, "sealed-1", start), true);
      // A new set-up replaces an unconfirmed secret.
      assert.equal(await stores().factors.startTOTPSetup(owner, "sealed-2", start), true);
      assert.equal(await stores().factors.acceptTOTPStep(owner, 100), false, "not before it is confirmed");
      const confirmed = await stores().factors.confirmTOTPFactor(owner, 100, start);
      assert.equal(confirmed?.secretSealed, "sealed-2");
      assert.equal(confirmed?.lastStep, 100);
      assert.equal(await stores().factors.confirmTOTPFactor(owner, 101, start), null, "confirmed only once");
      assert.equal(await stores().factors.startTOTPSetup(owner, "sealed-3", start), false, "a confirmed one stays");
      assert.equal(await stores().factors.acceptTOTPStep(owner, 100), false, "the confirming code's step is spent");
      assert.equal(await stores().factors.acceptTOTPStep(owner, 102), true);
      assert.equal(await stores().factors.acceptTOTPStep(owner, 102), false);
      assert.equal(await stores().factors.acceptTOTPStep(owner, 101), false, "an older step after a newer one");
      assert.equal((await stores().factors.getTOTPFactor(owner))?.lastStep, 102);
      assert.equal(await stores().factors.removeTOTPFactor(owner), true);
      assert.equal(await stores().factors.removeTOTPFactor(owner), false);
      assert.equal(await stores().factors.startTOTPSetup(owner, "sealed-4", start), true);
    });

    test("recovery codes: replaced together, each used once, counted", async () => {
      const owner = await accountId();
      await stores().factors.replaceRecoveryCodes(
        owner,
        [
          { id: unique("rc"), codeHash: "h1" },
          { id: unique("rc"), codeHash: "h2" },
        ],
        start,
      );
      assert.equal(await stores().factors.countUnusedRecoveryCodes(owner), 2);
      const stranger = await accountId();
      assert.equal(await stores().factors.consumeRecoveryCode(stranger, "h1", start), false, "another account's code");
      assert.equal(await stores().factors.consumeRecoveryCode(owner, "h1", start), true);
      assert.equal(await stores().factors.consumeRecoveryCode(owner, "h1", start), false);
      assert.equal(await stores().factors.countUnusedRecoveryCodes(owner), 1);
      await stores().factors.replaceRecoveryCodes(owner, [{ id: unique("rc"), codeHash: "h3" }], start);
      assert.equal(await stores().factors.consumeRecoveryCode(owner, "h2", start), false, "old codes die");
      assert.equal(await stores().factors.countUnusedRecoveryCodes(owner), 1);
      assert.equal(await stores().factors.deleteRecoveryCodes(owner), 1);
    });

    test("secondFactorSummary counts the account's passkeys, a confirmed authenticator app and unused recovery codes, in one answer", async () => {
      const owner = await accountId();
      const bystander = await accountId();
      const none = { passkeys: 0, totpConfirmed: false, unusedRecoveryCodes: 0 };
      assert.deepEqual(await stores().factors.secondFactorSummary(owner), none);
      await stores().factors.addPasskey(passkey(owner));
      await stores().factors.addPasskey(passkey(owner));
      await stores().factors.startTOTPSetup(owner, "sealed", start);
      assert.equal((await stores().factors.secondFactorSummary(owner)).totpConfirmed, false, "an app not yet confirmed is no factor");
      assert.ok(await stores().factors.confirmTOTPFactor(owner, 100, start));
      await stores().factors.replaceRecoveryCodes(
        owner,
        [
          { id: unique("rc"), codeHash: "s1" },
          { id: unique("rc"), codeHash: "s2" },
          { id: unique("rc"), codeHash: "s3" },
        ],
        start,
      );
      assert.equal(await stores().factors.consumeRecoveryCode(owner, "s2", start), true);
      assert.deepEqual(await stores().factors.secondFactorSummary(owner), { passkeys: 2, totpConfirmed: true, unusedRecoveryCodes: 2 });
      assert.deepEqual(await stores().factors.secondFactorSummary(bystander), none, "another account's factors are not counted");
    });

    test("deleteAccount removes passkeys, the authenticator app and recovery codes; setAccountName renames", async () => {
      const owner = await accountId();
      const p = passkey(owner);
      await stores().factors.addPasskey(p);
      await stores().factors.startTOTPSetup(owner, "sealed", start);
      await stores().factors.replaceRecoveryCodes(owner, [{ id: unique("rc"), codeHash: "h" }], start);
      assert.equal(await stores().accounts.setAccountName(owner, "Ada", start), true);
      assert.equal((await stores().accounts.getAccountById(owner))?.name, "Ada");
      assert.equal(await stores().accounts.deleteAccount(owner), "deleted");
      assert.equal(await stores().factors.getPasskeyByCredentialId(p.credentialId), null);
      assert.equal(await stores().factors.getTOTPFactor(owner), null);
      assert.equal(await stores().factors.countUnusedRecoveryCodes(owner), 0);
      assert.equal(await stores().accounts.setAccountName(owner, "Gone", start), false);
    });

    test("a session records when its owner last confirmed it was them, and how it signed in", async () => {
      const owner = await accountId();
      const id = unique("ses");
      await stores().sessions.createSession({
        id,
        accountId: owner,
        secretHash: "x".repeat(64),
        createdAt: start,
        lastSeenAt: start,
        idleExpiresAt: addSeconds(start, 3600),
        absoluteExpiresAt: addSeconds(start, 7200),
        remember: false,
        userAgent: null,
        ip: null,
        confirmedAt: start,
        amr: ["hwk", "mfa"],
      });
      const later = addSeconds(start, 600);
      assert.equal(await stores().sessions.markSessionConfirmed(id, later), true);
      const s = await stores().sessions.getSession(id);
      assert.equal(s?.confirmedAt?.getTime(), later.getTime());
      assert.deepEqual(s?.amr, ["hwk", "mfa"]);
      assert.equal(await stores().sessions.markSessionConfirmed(unique("none"), later), false);
    });

    test("removeAllSecondFactors removes the account's passkeys, app and recovery codes together, and only the account's", async () => {
      const owner = await accountId();
      const bystander = await accountId();
      const mine = [passkey(owner), passkey(owner)];
      for (const p of [...mine, passkey(bystander)]) assert.equal(await stores().factors.addPasskey(p), true);
      for (const who of [owner, bystander]) {
        assert.equal(await stores().factors.startTOTPSetup(who, unique("sealed"), start), true);
        assert.ok(await stores().factors.confirmTOTPFactor(who, 100, start));
        await stores().factors.replaceRecoveryCodes(
          who,
          [1, 2, 3].map((n) => ({ id: unique(`rc${n}`), codeHash: unique("h") })),
          start,
        );
      }
      const removed = await stores().factors.removeAllSecondFactors(owner);
      assert.deepEqual([...removed.passkeys].sort(), mine.map((p) => p.id).sort());
      assert.equal(removed.totp, true);
      assert.equal(removed.recoveryCodes, 3);
      assert.deepEqual(await stores().factors.listPasskeys(owner), []);
      assert.equal(await stores().factors.getTOTPFactor(owner), null);
      assert.equal(await stores().factors.countUnusedRecoveryCodes(owner), 0);
      assert.equal((await stores().factors.listPasskeys(bystander)).length, 1);
      assert.ok(await stores().factors.getTOTPFactor(bystander));
      assert.equal(await stores().factors.countUnusedRecoveryCodes(bystander), 3);
      assert.deepEqual(await stores().factors.removeAllSecondFactors(owner), { passkeys: [], totp: false, recoveryCodes: 0 });
      // An app still being set up is removed too, but was never on.
      assert.equal(await stores().factors.startTOTPSetup(owner, unique("sealed"), start), true);
      assert.deepEqual(await stores().factors.removeAllSecondFactors(owner), { passkeys: [], totp: false, recoveryCodes: 0 });
      assert.equal(await stores().factors.getTOTPFactor(owner), null);
    });

    test("markSessionSecondFactor records the new amr and confirmation; deletePasswordOnlySessionsOfAccount ends only one-factor sessions", async () => {
      const owner = await accountId();
      const bystander = await accountId();
      const session = (account: string, amr: string[] | null) => {
        const id = unique("ses");
        return {
          id,
          accountId: account,
          secretHash: "y".repeat(64),
          createdAt: start,
          lastSeenAt: start,
          idleExpiresAt: addSeconds(start, 3600),
          absoluteExpiresAt: addSeconds(start, 7200),
          remember: false,
          userAgent: null,
          ip: null,
          confirmedAt: null,
          amr,
        };
      };
      const current = session(owner, ["pwd"]);
      const passwordOnly = session(owner, ["pwd"]);
      const unrecorded = session(owner, null);
      const lookalike = session(owner, ["pwd", "mfa2"]);
      const twoFactor = session(owner, ["pwd", "otp", "mfa"]);
      const passkey = session(owner, ["hwk", "mfa"]);
      const elsewhere = session(bystander, ["pwd"]);
      for (const s of [current, passwordOnly, unrecorded, lookalike, twoFactor, passkey, elsewhere]) await stores().sessions.createSession(s);
      const later = addSeconds(start, 60);
      assert.equal(await stores().sessions.markSessionSecondFactor(current.id, ["pwd", "otp", "mfa"], later), true);
      const upgraded = await stores().sessions.getSession(current.id);
      assert.deepEqual(upgraded?.amr, ["pwd", "otp", "mfa"]);
      assert.equal(upgraded?.confirmedAt?.getTime(), later.getTime());
      assert.equal(await stores().sessions.markSessionSecondFactor(unique("none"), ["mfa"], later), false);
      // The current session is kept even while it is still recorded as one factor.
      await stores().sessions.markSessionSecondFactor(current.id, ["pwd"], later);
      assert.equal(await stores().sessions.deletePasswordOnlySessionsOfAccount(owner, current.id), 3);
      for (const gone of [passwordOnly, unrecorded, lookalike]) assert.equal(await stores().sessions.getSession(gone.id), null);
      for (const kept of [current, twoFactor, passkey, elsewhere]) assert.equal((await stores().sessions.getSession(kept.id))?.id, kept.id);
      assert.equal(await stores().sessions.deletePasswordOnlySessionsOfAccount(owner, current.id), 0);
    });
  });
}
