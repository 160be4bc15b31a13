// Passkeys, authenticator-app factors and recovery codes in SQL (Kysely), the same code for SQLite and
// PostgreSQL. Every single-use rule is one UPDATE … WHERE … RETURNING: of concurrent callers one wins.
import type { Kysely, Selectable, Transaction } from "kysely";
import type { FactorStore, NewWebhookEvent, PasskeyRecord, RemovedSecondFactors, SecondFactorSummary, TOTPFactorRecord } from "../types.ts";
import { precompile, type QueryRunner, slot } from "./precompiled.ts";
import type { Database, PasskeysTable, SqlCodec, TOTPFactorsTable } from "./schema.ts";
import { insertWebhookEvents, resolveWebhookEvents } from "./webhook-store.ts";

export function createSqlFactorStore(db: Kysely<Database>, codec: SqlCodec, run: QueryRunner = (query) => db.executeQuery(query)): FactorStore {
  const toPasskey = (row: Selectable<PasskeysTable>): PasskeyRecord => ({
    id: row.id,
    accountId: row.account_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: row.transports === "" ? [] : row.transports.split(","),
    deviceType: row.device_type === "multiDevice" ? "multiDevice" : "singleDevice",
    backedUp: codec.fromBool(row.backed_up),
    name: row.name,
    createdAt: codec.date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : codec.date(row.last_used_at),
  });
  const toTOTP = (row: Selectable<TOTPFactorsTable>): TOTPFactorRecord => ({
    accountId: row.account_id,
    secretSealed: row.secret_sealed,
    confirmedAt: row.confirmed_at === null ? null : codec.date(row.confirmed_at),
    lastStep: Number(row.last_step),
    createdAt: codec.date(row.created_at),
  });

  const passkeysOf = precompile(db.selectFrom("passkeys").selectAll().where("account_id", "=", slot("accountId")).orderBy("created_at").orderBy("id"));
  const totpOf = precompile(db.selectFrom("totp_factors").selectAll().where("account_id", "=", slot("accountId")));
  // Every sign-in asks which second factors the account has: one statement of three counts, compiled once.
  const summaryOf = precompile(
    db.selectNoFrom((eb) => [
      eb
        .selectFrom("passkeys")
        .select((sub) => sub.fn.countAll<number | string>().as("n"))
        .where("account_id", "=", slot("accountId"))
        .as("passkeys"),
      eb
        .selectFrom("totp_factors")
        .select((sub) => sub.fn.countAll<number | string>().as("n"))
        .where("account_id", "=", slot("accountId"))
        .where("confirmed_at", "is not", null)
        .as("totp"),
      eb
        .selectFrom("recovery_codes")
        .select((sub) => sub.fn.countAll<number | string>().as("n"))
        .where("account_id", "=", slot("accountId"))
        .where("used_at", "is", null)
        .as("codes"),
    ]),
  );

  async function summary(accountId: string): Promise<SecondFactorSummary> {
    const [row] = (await run(summaryOf.bind({ accountId }))).rows;
    return { passkeys: Number(row?.passkeys ?? 0), totpConfirmed: Number(row?.totp ?? 0) > 0, unusedRecoveryCodes: Number(row?.codes ?? 0) };
  }

  /**
   * Runs a one-statement change, in a transaction with its webhook events when there are any, which are
   * written only when the change took effect (a truthy result).
   */
  async function changeWithEvents<T>(
    events: readonly NewWebhookEvent[] | undefined,
    change: (q: Kysely<Database> | Transaction<Database>) => Promise<T>,
  ): Promise<T> {
    if (!events || events.length === 0) return change(db);
    return db.transaction().execute(async (trx) => {
      const result = await change(trx);
      if (result) await insertWebhookEvents(trx, codec, events);
      return result;
    });
  }

  return {
    async addPasskey(p, events) {
      return db.transaction().execute(async (trx) => {
        // A credential id (or row id) already there inserts nothing: no error, which would end a PostgreSQL transaction.
        const inserted = await trx
          .insertInto("passkeys")
          .values({
            id: p.id,
            account_id: p.accountId,
            credential_id: p.credentialId,
            public_key: p.publicKey,
            counter: p.counter,
            transports: p.transports.join(","),
            device_type: p.deviceType,
            backed_up: codec.bool(p.backedUp),
            name: p.name,
            created_at: codec.time(p.createdAt),
            last_used_at: p.lastUsedAt === null ? null : codec.time(p.lastUsedAt),
          })
          .onConflict((oc) => oc.doNothing())
          .returning("id")
          .executeTakeFirst();
        if (!inserted) return false;
        await insertWebhookEvents(trx, codec, events ?? []);
        return true;
      });
    },
    async listPasskeys(accountId) {
      const { rows } = await run(passkeysOf.bind({ accountId }));
      return rows.map(toPasskey);
    },
    async getPasskeyByCredentialId(credentialId) {
      const row = await db.selectFrom("passkeys").selectAll().where("credential_id", "=", credentialId).executeTakeFirst();
      return row ? toPasskey(row) : null;
    },
    async renamePasskey(accountId, passkeyId, name) {
      const result = await db.updateTable("passkeys").set({ name }).where("id", "=", passkeyId).where("account_id", "=", accountId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async removePasskey(accountId, passkeyId, events) {
      return changeWithEvents(events, async (q) => {
        const result = await q.deleteFrom("passkeys").where("id", "=", passkeyId).where("account_id", "=", accountId).executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      });
    },
    async recordPasskeyUse(passkeyId, expectedCounter, counter, at) {
      const row = await db
        .updateTable("passkeys")
        .set({ counter, last_used_at: codec.time(at) })
        .where("id", "=", passkeyId)
        .where("counter", "=", expectedCounter)
        .returning("id")
        .executeTakeFirst();
      return row !== undefined;
    },

    async startTOTPSetup(accountId, secretSealed, at) {
      return db.transaction().execute(async (trx) => {
        // Only an unconfirmed secret may be replaced; a confirmed one stays until it is turned off.
        await trx.deleteFrom("totp_factors").where("account_id", "=", accountId).where("confirmed_at", "is", null).execute();
        // A confirmed row holds the key: nothing is inserted (no error, which would end a PostgreSQL transaction).
        const inserted = await trx
          .insertInto("totp_factors")
          .values({ account_id: accountId, secret_sealed: secretSealed, confirmed_at: null, last_step: 0, created_at: codec.time(at) })
          .onConflict((oc) => oc.column("account_id").doNothing())
          .returning("account_id")
          .executeTakeFirst();
        return inserted !== undefined;
      });
    },
    async getTOTPFactor(accountId) {
      const [row] = (await run(totpOf.bind({ accountId }))).rows;
      return row ? toTOTP(row) : null;
    },
    async confirmTOTPFactor(accountId, step, at, events, secretSealed) {
      const row = await changeWithEvents(events, (q) => {
        const pending = q
          .updateTable("totp_factors")
          .set({ confirmed_at: codec.time(at), last_step: step })
          .where("account_id", "=", accountId)
          .where("confirmed_at", "is", null)
          .where("last_step", "<", step);
        // The code was checked against this secret: a set-up started again since then holds another one.
        return (secretSealed === undefined ? pending : pending.where("secret_sealed", "=", secretSealed)).returningAll().executeTakeFirst();
      });
      return row ? toTOTP(row) : null;
    },
    async acceptTOTPStep(accountId, step) {
      const row = await db
        .updateTable("totp_factors")
        .set({ last_step: step })
        .where("account_id", "=", accountId)
        .where("confirmed_at", "is not", null)
        .where("last_step", "<", step)
        .returning("account_id")
        .executeTakeFirst();
      return row !== undefined;
    },
    async removeTOTPFactor(accountId, events) {
      const removed = await db.transaction().execute(async (trx) => {
        const row = await trx.deleteFrom("totp_factors").where("account_id", "=", accountId).returning("confirmed_at").executeTakeFirst();
        // Only a factor that was on is news to webhook receivers; an abandoned set-up is not.
        if (row && row.confirmed_at !== null) await insertWebhookEvents(trx, codec, events ?? []);
        return row;
      });
      return removed !== undefined;
    },

    async replaceRecoveryCodes(accountId, codes, at, events) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom("recovery_codes").where("account_id", "=", accountId).execute();
        await insertWebhookEvents(trx, codec, events ?? []);
        if (codes.length === 0) return;
        await trx
          .insertInto("recovery_codes")
          .values(codes.map((c) => ({ id: c.id, account_id: accountId, code_hash: c.codeHash, created_at: codec.time(at), used_at: null })))
          .execute();
      });
    },
    async consumeRecoveryCode(accountId, codeHash, at) {
      const row = await db
        .updateTable("recovery_codes")
        .set({ used_at: codec.time(at) })
        .where("account_id", "=", accountId)
        .where("code_hash", "=", codeHash)
        .where("used_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      return row !== undefined;
    },
    async countUnusedRecoveryCodes(accountId) {
      return (await summary(accountId)).unusedRecoveryCodes;
    },
    secondFactorSummary: summary,
    async deleteRecoveryCodes(accountId) {
      const result = await db.deleteFrom("recovery_codes").where("account_id", "=", accountId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async removeAllSecondFactors(accountId, events) {
      return db.transaction().execute(async (trx) => {
        const passkeys = await trx.deleteFrom("passkeys").where("account_id", "=", accountId).returning("id").execute();
        const totp = await trx.deleteFrom("totp_factors").where("account_id", "=", accountId).returning("confirmed_at").executeTakeFirst();
        const codes = await trx.deleteFrom("recovery_codes").where("account_id", "=", accountId).executeTakeFirst();
        const removed: RemovedSecondFactors = {
          passkeys: passkeys.map((p) => p.id),
          totp: totp !== undefined && totp.confirmed_at !== null,
          recoveryCodes: Number(codes.numDeletedRows),
        };
        if (events !== undefined) await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, removed));
        return removed;
      });
    },
  };
}
