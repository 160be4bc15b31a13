// Password resets in SQL. Consumption is one UPDATE … WHERE used_at IS NULL … RETURNING, so exactly one
// caller can use a link or code, and each try at a code is taken by one UPDATE … attempts_left - 1 …
// RETURNING, so concurrent guesses cannot share a try; rows stay (marked) so that a used or replaced link
// can be told apart from a mangled one.
import type { Kysely, Selectable } from "kysely";
import type { PasswordResetKind, PasswordResetRecord, PasswordResetStore } from "../types.ts";
import type { Database, PasswordResetsTable, SqlCodec } from "./schema.ts";

export function createSqlPasswordResetStore(db: Kysely<Database>, codec: SqlCodec): PasswordResetStore {
  const toRecord = (row: Selectable<PasswordResetsTable>): PasswordResetRecord => ({
    id: row.id,
    accountId: row.account_id,
    kind: row.kind as PasswordResetKind,
    value: row.value,
    secretHash: row.secret_hash,
    attemptsLeft: row.attempts_left,
    expiresAt: codec.date(row.expires_at),
    createdAt: codec.date(row.created_at),
    usedAt: row.used_at === null ? null : codec.date(row.used_at),
    revokedAt: row.revoked_at === null ? null : codec.date(row.revoked_at),
  });

  return {
    async createPasswordReset(r) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("password_resets")
          .set({ revoked_at: codec.time(r.createdAt) })
          .where("value", "=", r.value)
          .where("used_at", "is", null)
          .where("revoked_at", "is", null)
          .execute();
        await trx
          .insertInto("password_resets")
          .values({
            id: r.id,
            account_id: r.accountId,
            kind: r.kind,
            value: r.value,
            secret_hash: r.secretHash,
            attempts_left: r.attemptsLeft,
            expires_at: codec.time(r.expiresAt),
            created_at: codec.time(r.createdAt),
            used_at: null,
            revoked_at: null,
          })
          .execute();
      });
    },

    async getPasswordResetBySecret(secretHash) {
      const row = await db.selectFrom("password_resets").selectAll().where("secret_hash", "=", secretHash).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async takeResetCodeAttempt(value, now) {
      // One statement: the row lock (PostgreSQL) or the write lock (SQLite) makes concurrent callers take
      // turns, and each re-checks attempts_left > 0 on the row as the one before left it.
      const rows = await db
        .updateTable("password_resets")
        .set((eb) => ({ attempts_left: eb("attempts_left", "-", 1) }))
        .where("value", "=", value)
        .where("kind", "=", "code")
        .where("used_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", codec.time(now))
        .where("attempts_left", ">", 0)
        .returningAll()
        .execute();
      const newest = rows.map(toRecord).sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime())[0];
      return newest ?? null;
    },

    async consumePasswordReset(kind, secretHash, now, value) {
      let query = db
        .updateTable("password_resets")
        .set({ used_at: codec.time(now) })
        .where("kind", "=", kind)
        .where("secret_hash", "=", secretHash)
        .where("used_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", codec.time(now));
      if (value !== undefined) query = query.where("value", "=", value);
      const row = await query.returningAll().executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async revokePasswordResetsOfAccount(accountId, now) {
      const result = await db
        .updateTable("password_resets")
        .set({ revoked_at: codec.time(now) })
        .where("account_id", "=", accountId)
        .where("used_at", "is", null)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async deleteOldPasswordResets(before) {
      const result = await db.deleteFrom("password_resets").where("created_at", "<", codec.time(before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
