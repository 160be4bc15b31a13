// Accounts and their identifiers in SQL (Kysely): the same code serves SQLite and PostgreSQL.
import type { Kysely, Selectable, Transaction } from "kysely";
import { isLocale } from "../../i18n/locales.ts";
import type { IdentifierKind } from "../../lib/identifier-parsing.ts";
import type {
  AccountChangeResult,
  AccountRecord,
  AccountStore,
  AuditEventRecord,
  DeleteAccountResult,
  DisabledAccountEnded,
  IdentifierRecord,
  NewAccount,
  NewIdentifier,
  PendingAccountWithCode,
  RemoveIdentifierResult,
  WebhookEventsFor,
} from "../types.ts";
import { insertAuditEvent } from "./audit-store.ts";
import { writePendingAccountWithCode } from "./pending-account-with-code.ts";
import { precompile, type QueryRunner, slot } from "./precompiled.ts";
import type { AccountsTable, Database, IdentifiersTable, SqlCodec } from "./schema.ts";
import { insertWebhookEvents, resolveWebhookEvents } from "./webhook-store.ts";

/** Unique violation, deadlock or serialization failure: another transaction on the same value won the race. */
function isConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "40P01" || code === "40001" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

const CONFLICT_RETRIES = 50;

/**
 * Runs a transaction that reads a value's row and then writes it (claiming an identifier), again when a
 * concurrent transaction on the same value committed first. In PostgreSQL two such transactions both see
 * "nothing there" and one fails on the unique index; run again, it sees the winner's row and decides as if
 * it had come second. Each retry follows another transaction's commit, so this ends.
 */
async function retryOnConflict<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isConflict(error) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

export function createSqlAccountStore(db: Kysely<Database>, codec: SqlCodec, run: QueryRunner = (query) => db.executeQuery(query)): AccountStore {
  const toAccount = (row: Selectable<AccountsTable>): AccountRecord => ({
    id: row.id,
    name: row.name,
    passwordHash: row.password_hash,
    isAdmin: codec.fromBool(row.is_admin),
    disabledAt: row.disabled_at === null ? null : codec.date(row.disabled_at),
    createdAt: codec.date(row.created_at),
    updatedAt: codec.date(row.updated_at),
    locale: isLocale(row.locale) ? row.locale : null,
  });
  // Both run on every sign-in: compiled once.
  // The account of an identifier with all of its identifiers (the one asked for among them): a sign-in needs
  // both, and has them in one round trip.
  const accountByIdentifier = precompile(
    db
      .selectFrom("identifiers as i")
      .innerJoin("accounts as a", "a.id", "i.account_id")
      .innerJoin("identifiers as o", "o.account_id", "a.id")
      .select([
        "o.id as o_id",
        "o.kind as o_kind",
        "o.value as o_value",
        "o.display as o_display",
        "o.verified_at as o_verified_at",
        "o.created_at as o_created_at",
        "a.id",
        "a.name",
        "a.password_hash",
        "a.is_admin",
        "a.disabled_at",
        "a.created_at",
        "a.updated_at",
        "a.locale",
      ])
      .where("i.value", "=", slot("value"))
      .orderBy("o.created_at")
      .orderBy("o.id"),
  );
  const identifiersOfAccount = precompile(
    db.selectFrom("identifiers").selectAll().where("account_id", "=", slot("accountId")).orderBy("created_at").orderBy("id"),
  );
  const toIdentifier = (row: Selectable<IdentifiersTable>): IdentifierRecord => ({
    id: row.id,
    accountId: row.account_id,
    kind: row.kind as IdentifierKind,
    value: row.value,
    display: row.display,
    verifiedAt: row.verified_at === null ? null : codec.date(row.verified_at),
    createdAt: codec.date(row.created_at),
  });

  /** The accounts, in their order, each with its identifiers (oldest first), in one query for all of them. */
  async function withIdentifiers(accounts: Array<Selectable<AccountsTable>>): Promise<Array<{ account: AccountRecord; identifiers: IdentifierRecord[] }>> {
    if (accounts.length === 0) return [];
    const rows = await db
      .selectFrom("identifiers")
      .selectAll()
      .where(
        "account_id",
        "in",
        accounts.map((a) => a.id),
      )
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    const byAccount = new Map<string, IdentifierRecord[]>();
    for (const row of rows) byAccount.set(row.account_id, [...(byAccount.get(row.account_id) ?? []), toIdentifier(row)]);
    return accounts.map((a) => ({ account: toAccount(a), identifiers: byAccount.get(a.id) ?? [] }));
  }

  /**
   * Frees `value` from an abandoned registration: an unverified identifier row whose account has no
   * verified identifier is deleted with its account. Returns false when a verified identifier holds it.
   */
  async function claimValue(trx: Transaction<Database>, value: string): Promise<boolean> {
    const existing = await trx.selectFrom("identifiers").selectAll().where("value", "=", value).executeTakeFirst();
    if (!existing) return true;
    if (existing.verified_at !== null) return false;
    const verifiedOnAccount = await trx
      .selectFrom("identifiers")
      .select("id")
      .where("account_id", "=", existing.account_id)
      .where("verified_at", "is not", null)
      .executeTakeFirst();
    await trx.deleteFrom("identifiers").where("id", "=", existing.id).execute();
    if (!verifiedOnAccount) await trx.deleteFrom("accounts").where("id", "=", existing.account_id).execute();
    return true;
  }

  /**
   * Whether the account is the only enabled admin. In PostgreSQL the enabled admins' rows are locked
   * (FOR UPDATE) until the transaction ends: a concurrent transaction demoting or disabling another admin
   * waits, then sees this one's change, so two admins cannot remove each other at once. SQLite needs no
   * lock: its write transactions begin IMMEDIATE and so run one at a time.
   */
  async function isLastAdmin(trx: Transaction<Database>, accountId: string): Promise<boolean> {
    let query = trx.selectFrom("accounts").select("id").where("is_admin", "=", codec.bool(true)).where("disabled_at", "is", null);
    if (codec.dialect === "postgres") query = query.orderBy("id").forUpdate();
    const admins = await query.execute();
    return admins.length === 1 && admins[0]?.id === accountId;
  }

  /**
   * Runs `change` on an existing account in a transaction; "not_found" when there is none. The webhook events
   * and the audit event are written in the same transaction when it answers "changed", and only then.
   */
  async function changeAccount(
    accountId: string,
    events: WebhookEventsFor<true> | undefined,
    audit: AuditEventRecord | undefined,
    change: (trx: Transaction<Database>, account: Selectable<AccountsTable>) => Promise<AccountChangeResult>,
  ): Promise<AccountChangeResult> {
    return db.transaction().execute(async (trx) => {
      const account = await trx.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
      const result = account ? await change(trx, account) : "not_found";
      if (result === "changed") {
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, true as const));
        // Recorded with the change: never left unrecorded, nor recorded by a call that changed nothing.
        if (audit) await insertAuditEvent(trx, codec, audit);
      }
      return result;
    });
  }

  /**
   * Runs `change` in a transaction when webhook events come with it, so the events commit or roll back
   * together with the change; without events, exactly as before.
   */
  async function withEvents<T>(events: unknown, change: (q: Kysely<Database> | Transaction<Database>) => Promise<T>): Promise<T> {
    return events === undefined ? change(db) : db.transaction().execute(change);
  }

  async function insertAccount(input: NewAccount, verified: boolean, events?: WebhookEventsFor<{ account: AccountRecord; identifier: IdentifierRecord }>) {
    return retryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        if (!(await claimValue(trx, input.identifier.value))) return null;
        const at = codec.time(input.createdAt);
        const account = await trx
          .insertInto("accounts")
          .values({
            id: input.id,
            name: input.name,
            password_hash: input.passwordHash,
            is_admin: codec.bool(false),
            disabled_at: null,
            created_at: at,
            updated_at: at,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const identifier = await trx
          .insertInto("identifiers")
          .values({ ...input.identifier, account_id: input.id, verified_at: verified ? at : null, created_at: at })
          .returningAll()
          .executeTakeFirstOrThrow();
        const result = { account: toAccount(account), identifier: toIdentifier(identifier) };
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, result));
        return result;
      }),
    );
  }

  return {
    createPendingAccount: (input) => insertAccount(input, false),

    createVerifiedAccount: (input, events) => insertAccount(input, true, events),

    // A unique violation means a concurrent registration of the value committed first: run again, it is an
    // abandoned registration to replace (or a taken value, once confirmed).
    createPendingAccountWithCode: (input, code) =>
      retryOnConflict(async (): Promise<PendingAccountWithCode> => {
        const written = await writePendingAccountWithCode(db, codec, run, input, code);
        if (written.outcome === "taken") return { outcome: "taken", holder: toIdentifier(written.holder) };
        return { outcome: "created", account: toAccount(written.account), identifier: toIdentifier(written.identifier) };
      }),

    async getAccountById(accountId) {
      const row = await db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async getAccountByIdentifier(value) {
      // One round trip on every sign-in: the identifier (unique index on value), its account, and the account's identifiers.
      const { rows } = await run(accountByIdentifier.bind({ value }));
      const first = rows[0];
      if (!first) return null;
      const identifiers = rows.map((row) =>
        toIdentifier({
          id: row.o_id,
          account_id: row.id,
          kind: row.o_kind,
          value: row.o_value,
          display: row.o_display,
          verified_at: row.o_verified_at,
          created_at: row.o_created_at,
        }),
      );
      const identifier = identifiers.find((candidate) => candidate.value === value);
      if (!identifier) throw new Error("the identifier asked for is missing from its account's identifiers");
      return { account: toAccount(first), identifier, identifiers };
    },

    async listIdentifiers(accountId) {
      const { rows } = await run(identifiersOfAccount.bind({ accountId }));
      return rows.map(toIdentifier);
    },

    async markIdentifierVerified(identifierId, at, events) {
      return withEvents(events, async (q) => {
        const result = await q
          .updateTable("identifiers")
          .set({ verified_at: codec.time(at) })
          .where("id", "=", identifierId)
          .where("verified_at", "is", null)
          .executeTakeFirst();
        const changed = Number(result.numUpdatedRows) === 1;
        if (changed) await insertWebhookEvents(q, codec, resolveWebhookEvents(events, true as const));
        return changed;
      });
    },

    async addVerifiedIdentifier(accountId, identifier: NewIdentifier, at, events) {
      return retryOnConflict(() =>
        db.transaction().execute(async (trx) => {
          if (!(await claimValue(trx, identifier.value))) return null;
          const row = await trx
            .insertInto("identifiers")
            .values({ ...identifier, account_id: accountId, verified_at: codec.time(at), created_at: codec.time(at) })
            .returningAll()
            .executeTakeFirstOrThrow();
          const added = toIdentifier(row);
          await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, added));
          return added;
        }),
      );
    },

    async removeIdentifier(accountId, identifierId, events): Promise<RemoveIdentifierResult> {
      return db.transaction().execute(async (trx) => {
        // Lock the account's row first (a no-op update): two removals on one account then take turns, so
        // each sees what the other left and the last verified identifier cannot be removed by both at once.
        await trx
          .updateTable("accounts")
          .set((eb) => ({ updated_at: eb.ref("updated_at") }))
          .where("id", "=", accountId)
          .execute();
        const rows = await trx.selectFrom("identifiers").selectAll().where("account_id", "=", accountId).execute();
        const target = rows.find((r) => r.id === identifierId);
        if (!target) return "not_found";
        const otherVerified = rows.filter((r) => r.id !== identifierId && r.verified_at !== null);
        if (otherVerified.length === 0) return "last";
        await trx.deleteFrom("identifiers").where("id", "=", identifierId).where("account_id", "=", accountId).execute();
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, toIdentifier(target)));
        return "removed";
      });
    },

    async updatePasswordHash(accountId, passwordHash, at, events) {
      await withEvents(events, async (q) => {
        const result = await q
          .updateTable("accounts")
          .set({ password_hash: passwordHash, updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) await insertWebhookEvents(q, codec, resolveWebhookEvents(events, true as const));
      });
    },

    async replacePasswordHash(accountId, expectedHash, passwordHash, at, events) {
      return withEvents(events, async (q) => {
        const result = await q
          .updateTable("accounts")
          .set({ password_hash: passwordHash, updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .where("password_hash", "=", expectedHash)
          .executeTakeFirst();
        const changed = Number(result.numUpdatedRows) === 1;
        if (changed) await insertWebhookEvents(q, codec, resolveWebhookEvents(events, true as const));
        return changed;
      });
    },

    async setAccountDisabled(accountId, disabledAt, events) {
      return withEvents(events, async (q) => {
        const result = await q
          .updateTable("accounts")
          .set({ disabled_at: disabledAt === null ? null : codec.time(disabledAt) })
          .where("id", "=", accountId)
          .executeTakeFirst();
        const changed = Number(result.numUpdatedRows) === 1;
        if (changed) await insertWebhookEvents(q, codec, resolveWebhookEvents(events, true as const));
        return changed;
      });
    },

    async setAccountAdmin(accountId, isAdmin, at) {
      const result = await db
        .updateTable("accounts")
        .set({ is_admin: codec.bool(isAdmin), updated_at: codec.time(at) })
        .where("id", "=", accountId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async listAccounts({ limit, offset }) {
      const accounts = await db.selectFrom("accounts").selectAll().orderBy("created_at", "desc").orderBy("id").limit(limit).offset(offset).execute();
      return withIdentifiers(accounts);
    },

    async listAccountsPage({ limit, after }) {
      let query = db.selectFrom("accounts").selectAll();
      if (after) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(codec.time(after.createdAt), after.id)));
      const accounts = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
      return withIdentifiers(accounts);
    },

    async disableAccount(accountId, at, events, options = {}) {
      return db.transaction().execute(async (trx): Promise<AccountChangeResult> => {
        const account = await trx.selectFrom("accounts").select(["is_admin", "disabled_at"]).where("id", "=", accountId).executeTakeFirst();
        if (!account) return "not_found";
        if (account.disabled_at !== null) return "unchanged";
        if (!options.allowLastAdmin && codec.fromBool(account.is_admin) && (await isLastAdmin(trx, accountId))) return "last_admin";
        // Only while still enabled: the read above takes no lock in PostgreSQL, so of concurrent disables
        // the one whose update finds the row enabled writes the events and the audit event; the others
        // wait for it on the row, find it disabled and change nothing.
        const updated = await trx
          .updateTable("accounts")
          .set({ disabled_at: codec.time(at), updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .where("disabled_at", "is", null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return "unchanged";
        // A disabled account keeps no way in, nor one waiting for it to be enabled again: its sessions end,
        // its pending reset links and codes die, and its unredeemed verification codes go.
        const sessions = await trx.deleteFrom("sessions").where("account_id", "=", accountId).executeTakeFirst();
        const resets = await trx
          .updateTable("password_resets")
          .set({ revoked_at: codec.time(at) })
          .where("account_id", "=", accountId)
          .where("used_at", "is", null)
          .where("revoked_at", "is", null)
          .executeTakeFirst();
        const codes = await trx.deleteFrom("verifications").where("account_id", "=", accountId).executeTakeFirst();
        const ended: DisabledAccountEnded = {
          sessions: Number(sessions.numDeletedRows),
          resets: Number(resets.numUpdatedRows),
          codes: Number(codes.numDeletedRows),
        };
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, ended));
        if (options.audit) await insertAuditEvent(trx, codec, options.audit(ended));
        return "changed";
      });
    },

    enableAccount: (accountId, at, events, options = {}) =>
      changeAccount(accountId, events, options.audit, async (trx, account) => {
        if (account.disabled_at === null) return "unchanged";
        // Only while still disabled, as in disableAccount: of concurrent enables one writes the events.
        const updated = await trx
          .updateTable("accounts")
          .set({ disabled_at: null, updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .where("disabled_at", "is not", null)
          .executeTakeFirst();
        return Number(updated.numUpdatedRows) === 1 ? "changed" : "unchanged";
      }),

    grantAdmin: (accountId, at, options = {}) =>
      changeAccount(accountId, undefined, options.audit, async (trx, account) => {
        if (codec.fromBool(account.is_admin)) return "unchanged";
        // Only while not yet an admin: the read above takes no lock in PostgreSQL, so of concurrent grants the
        // one whose update finds the row unchanged records it; the others wait for it on the row and find it done.
        const updated = await trx
          .updateTable("accounts")
          .set({ is_admin: codec.bool(true), updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .where("is_admin", "=", codec.bool(false))
          .executeTakeFirst();
        return Number(updated.numUpdatedRows) === 1 ? "changed" : "unchanged";
      }),

    revokeAdmin: (accountId, at, options = {}) =>
      changeAccount(accountId, undefined, options.audit, async (trx, account) => {
        if (!codec.fromBool(account.is_admin)) return "unchanged";
        if (!options.allowLastAdmin && (await isLastAdmin(trx, accountId))) return "last_admin";
        // Only while still an admin, as in grantAdmin: of concurrent revokes of one account, one records it
        // (the others, after isLastAdmin waited for it, find the flag already cleared).
        const updated = await trx
          .updateTable("accounts")
          .set({ is_admin: codec.bool(false), updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .where("is_admin", "=", codec.bool(true))
          .executeTakeFirst();
        return Number(updated.numUpdatedRows) === 1 ? "changed" : "unchanged";
      }),

    async setAccountName(accountId, name, at, events) {
      return withEvents(events, async (q) => {
        const result = await q
          .updateTable("accounts")
          .set({ name, updated_at: codec.time(at) })
          .where("id", "=", accountId)
          .executeTakeFirst();
        const changed = Number(result.numUpdatedRows) === 1;
        if (changed) await insertWebhookEvents(q, codec, resolveWebhookEvents(events, true as const));
        return changed;
      });
    },
    async setAccountLocale(accountId, locale) {
      // Not a change of the account's data (no updated_at, no webhook event): a display preference.
      const result = await db.updateTable("accounts").set({ locale }).where("id", "=", accountId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteAccount(accountId, events): Promise<DeleteAccountResult> {
      return db.transaction().execute(async (trx) => {
        const account = await trx.selectFrom("accounts").select(["id", "is_admin"]).where("id", "=", accountId).executeTakeFirst();
        if (!account) return "not_found";
        if (codec.fromBool(account.is_admin) && (await isLastAdmin(trx, accountId))) return "last_admin";
        // Lock the account's row (a no-op update; after isLastAdmin, which locks the admins' rows in id order,
        // so two admins deleting themselves keep one lock order): concurrent deletions of one account then take
        // turns, and each after the first finds no row and answers not_found. With the read alone, each of them
        // saw the account on PostgreSQL, deleted nothing and still answered deleted, with its own
        // account.deleted event, audit record and goodbye notice.
        const locked = await trx
          .updateTable("accounts")
          .set((eb) => ({ updated_at: eb.ref("updated_at") }))
          .where("id", "=", accountId)
          .executeTakeFirst();
        if (Number(locked.numUpdatedRows) === 0) return "not_found";
        // Foreign keys cascade to identifiers, sessions, verifications and password resets; deleting them
        // here as well keeps the result the same should a database run without foreign key enforcement.
        await trx.deleteFrom("identifiers").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("sessions").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("verifications").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("password_resets").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("passkeys").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("totp_factors").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("recovery_codes").where("account_id", "=", accountId).execute();
        // What the OpenID Connect provider stored for the account (grants, its sessions, codes, access and
        // refresh tokens) names the person and outlived the account by up to a year; tokens of its grants go
        // with them whether or not they name the account themselves.
        const grantIds = trx.selectFrom("oidc_artifacts").select("id").where("kind", "=", "Grant").where("account_id", "=", accountId);
        await trx.deleteFrom("oidc_artifacts").where("grant_id", "in", grantIds).execute();
        await trx.deleteFrom("oidc_artifacts").where("account_id", "=", accountId).execute();
        await trx.deleteFrom("accounts").where("id", "=", accountId).execute();
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, true as const));
        return "deleted";
      });
    },
  };
}
