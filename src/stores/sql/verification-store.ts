// One-time verification codes in SQL: stored as HMACs, consumed with DELETE … RETURNING so exactly one
// caller can use a code; each try is taken by one UPDATE … attempts_left - 1 … RETURNING.
import type { Kysely, Selectable } from "kysely";
import type { IdentifierKind } from "../../lib/identifier-parsing.ts";
import type { VerificationPurpose, VerificationRecord, VerificationScope, VerificationStore } from "../types.ts";
import type { Database, SqlCodec, VerificationsTable } from "./schema.ts";

export function createSqlVerificationStore(db: Kysely<Database>, codec: SqlCodec): VerificationStore {
  const toRecord = (row: Selectable<VerificationsTable>): VerificationRecord => ({
    id: row.id,
    accountId: row.account_id,
    purpose: row.purpose as VerificationPurpose,
    kind: row.kind as IdentifierKind,
    value: row.value,
    display: row.display,
    codeHash: row.code_hash,
    attemptsLeft: row.attempts_left,
    expiresAt: codec.date(row.expires_at),
    createdAt: codec.date(row.created_at),
  });

  return {
    async createVerification(v) {
      await db.transaction().execute(async (trx) => {
        let del = trx.deleteFrom("verifications").where("purpose", "=", v.purpose).where("value", "=", v.value);
        // A registration code belongs to the identifier alone; an add-identifier code to the asking account.
        if (v.purpose === "add_identifier") del = del.where("account_id", "=", v.accountId);
        await del.execute();
        await trx
          .insertInto("verifications")
          .values({
            id: v.id,
            account_id: v.accountId,
            purpose: v.purpose,
            kind: v.kind,
            value: v.value,
            display: v.display,
            code_hash: v.codeHash,
            attempts_left: v.attemptsLeft,
            expires_at: codec.time(v.expiresAt),
            created_at: codec.time(v.createdAt),
          })
          .execute();
      });
    },

    async findVerification(scope) {
      let query = db.selectFrom("verifications").selectAll().where("purpose", "=", scope.purpose).where("value", "=", scope.value);
      if (scope.accountId !== undefined) query = query.where("account_id", "=", scope.accountId);
      const row = await query.executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async takeVerificationAttempt(scope, now) {
      // One statement: concurrent callers take turns on the row and each re-checks attempts_left > 0.
      let query = db
        .updateTable("verifications")
        .set((eb) => ({ attempts_left: eb("attempts_left", "-", 1) }))
        .where("purpose", "=", scope.purpose)
        .where("value", "=", scope.value)
        .where("expires_at", ">", codec.time(now))
        .where("attempts_left", ">", 0);
      if (scope.accountId !== undefined) query = query.where("account_id", "=", scope.accountId);
      const row = await query.returningAll().executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async consumeVerification(scope: VerificationScope, codeHash, now) {
      let query = db
        .deleteFrom("verifications")
        .where("purpose", "=", scope.purpose)
        .where("value", "=", scope.value)
        .where("code_hash", "=", codeHash)
        .where("expires_at", ">", codec.time(now));
      if (scope.accountId !== undefined) query = query.where("account_id", "=", scope.accountId);
      const row = await query.returningAll().executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async deleteExpiredVerifications(now) {
      // A code out of tries can never be used again either.
      const result = await db
        .deleteFrom("verifications")
        .where((eb) => eb.or([eb("expires_at", "<=", codec.time(now)), eb("attempts_left", "<=", 0)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
