// Sessions in SQL. Only the SHA-256 of each session's secret is stored.
import { CompiledQuery, type Kysely, type Selectable, sql } from "kysely";
import { isLocale } from "../../i18n/locales.ts";
import type { IdentifierKind } from "../../lib/identifier-parsing.ts";
import type { AccountRecord, SessionRecord, SessionStore, SessionWithAccount } from "../types.ts";
import { type ArrayQueryRunner, arraysFrom, precompile, type QueryRunner, slot } from "./precompiled.ts";
import type { Database, SessionsTable, SqlCodec } from "./schema.ts";
import type { ChangeStamp } from "./sqlite-database.ts";
import { insertWebhookEvents, resolveWebhookEvents } from "./webhook-store.ts";

/** Session checks remembered while the database stays unchanged (see getSessionWithAccount): at most this many. */
export const REMEMBERED_SESSION_CHECKS = 1000;

/**
 * `changeStamp` (SQLite's, with the direct runners of sqlite-database.ts, which query synchronously) lets the
 * session check skip its join while nothing at all has been written since the same session was read.
 */
export function createSqlSessionStore(
  db: Kysely<Database>,
  codec: SqlCodec,
  run: QueryRunner = (query) => db.executeQuery(query),
  runArrays: ArrayQueryRunner = arraysFrom(run),
  changeStamp?: ChangeStamp,
): SessionStore {
  const toSession = (row: Selectable<SessionsTable>): SessionRecord => ({
    id: row.id,
    accountId: row.account_id,
    secretHash: row.secret_hash,
    createdAt: codec.date(row.created_at),
    lastSeenAt: codec.date(row.last_seen_at),
    idleExpiresAt: codec.date(row.idle_expires_at),
    absoluteExpiresAt: codec.date(row.absolute_expires_at),
    remember: codec.fromBool(row.remember),
    userAgent: row.user_agent,
    ip: row.ip,
    confirmedAt: row.confirmed_at === null ? null : codec.date(row.confirmed_at),
    amr: row.amr === null ? null : row.amr.split(",").filter((m) => m !== ""),
  });
  // The session check runs on every request with a cookie: one query joins the session, its account and the
  // account's identifiers (each lookup on a primary key or an index), compiled once and reused with a new id.
  // Its rows come back as arrays (runArrays), read by the column numbers in `at`.
  const sessionWithAccountColumns = [
    "s.id as s_id",
    "s.account_id as s_account_id",
    "s.secret_hash as s_secret_hash",
    "s.created_at as s_created_at",
    "s.last_seen_at as s_last_seen_at",
    "s.idle_expires_at as s_idle_expires_at",
    "s.absolute_expires_at as s_absolute_expires_at",
    "s.remember as s_remember",
    "s.user_agent as s_user_agent",
    "s.ip as s_ip",
    "s.confirmed_at as s_confirmed_at",
    "s.amr as s_amr",
    "a.name as a_name",
    "a.password_hash as a_password_hash",
    "a.is_admin as a_is_admin",
    "a.disabled_at as a_disabled_at",
    "a.created_at as a_created_at",
    "a.updated_at as a_updated_at",
    "a.locale as a_locale",
    "i.id as i_id",
    "i.kind as i_kind",
    "i.value as i_value",
    "i.display as i_display",
    "i.verified_at as i_verified_at",
    "i.created_at as i_created_at",
  ] as const;
  const sessionWithAccountSQL = db
    .selectFrom("sessions as s")
    .innerJoin("accounts as a", "a.id", "s.account_id")
    .leftJoin("identifiers as i", "i.account_id", "a.id")
    .select(sessionWithAccountColumns)
    .where("s.id", "=", "")
    .orderBy("i.created_at")
    .orderBy("i.id")
    .compile();
  type SessionWithAccountRow = typeof sessionWithAccountSQL extends CompiledQuery<infer R> ? R : never;
  const sessionColumns = [
    "id",
    "account_id",
    "secret_hash",
    "created_at",
    "last_seen_at",
    "idle_expires_at",
    "absolute_expires_at",
    "remember",
    "user_agent",
    "ip",
    "confirmed_at",
    "amr",
  ] as const;
  // Every sign-in inserts one: compiled once.
  const insertSession = precompile(db.insertInto("sessions").values(Object.fromEntries(sessionColumns.map((column) => [column, slot(column)])) as never));

  type Alias<C> = C extends `${string} as ${infer A}` ? A : never;
  type SessionWithAccountAlias = Alias<(typeof sessionWithAccountColumns)[number]>;
  /** Column number of each alias in the arrays runArrays answers. */
  const at = Object.fromEntries(sessionWithAccountColumns.map((column, index) => [column.split(" as ")[1], index])) as Record<SessionWithAccountAlias, number>;
  /** Reads a column of an array row, typed as the query's row object types it. */
  const column = <K extends SessionWithAccountAlias>(row: unknown[], name: K) => row[at[name]] as SessionWithAccountRow[K];

  const toSessionWithAccount = (rows: unknown[][]): SessionWithAccount | null => {
    const first = rows[0];
    if (!first) return null;
    const amr = column(first, "s_amr");
    const confirmedAt = column(first, "s_confirmed_at");
    const session: SessionRecord = {
      id: column(first, "s_id"),
      accountId: column(first, "s_account_id"),
      secretHash: column(first, "s_secret_hash"),
      createdAt: codec.date(column(first, "s_created_at")),
      lastSeenAt: codec.date(column(first, "s_last_seen_at")),
      idleExpiresAt: codec.date(column(first, "s_idle_expires_at")),
      absoluteExpiresAt: codec.date(column(first, "s_absolute_expires_at")),
      remember: codec.fromBool(column(first, "s_remember")),
      userAgent: column(first, "s_user_agent"),
      ip: column(first, "s_ip"),
      confirmedAt: confirmedAt === null ? null : codec.date(confirmedAt),
      amr: amr === null ? null : amr.split(",").filter((m) => m !== ""),
    };
    const disabledAt = column(first, "a_disabled_at");
    const locale = column(first, "a_locale");
    const account: AccountRecord = {
      id: column(first, "s_account_id"),
      name: column(first, "a_name"),
      passwordHash: column(first, "a_password_hash"),
      isAdmin: codec.fromBool(column(first, "a_is_admin")),
      disabledAt: disabledAt === null ? null : codec.date(disabledAt),
      createdAt: codec.date(column(first, "a_created_at")),
      updatedAt: codec.date(column(first, "a_updated_at")),
      locale: isLocale(locale) ? locale : null,
    };
    const identifiers = [];
    for (const row of rows) {
      const id = column(row, "i_id");
      if (id === null) continue;
      const verifiedAt = column(row, "i_verified_at");
      identifiers.push({
        id,
        accountId: account.id,
        kind: column(row, "i_kind") as IdentifierKind,
        value: column(row, "i_value") as string,
        display: column(row, "i_display") as string,
        verifiedAt: verifiedAt === null ? null : codec.date(verifiedAt),
        createdAt: codec.date(column(row, "i_created_at") as NonNullable<SessionWithAccountRow["i_created_at"]>),
      });
    }
    return { session, account, identifiers };
  };

  // The rows of recent checks, kept while the change stamp stays what it was when they were read: a check
  // repeated with nothing written in between (a reverse proxy asks once for every request of a page) costs
  // two tiny statements instead of the join. Any write, by this process or another, forgets them all, so a
  // revoked session or a disabled account is refused by the very next check.
  let rememberedAt: string | null = null;
  const remembered = new Map<string, unknown[][]>();

  /** The stamp now, with the remembered rows forgotten when it moved; null when there is none. */
  const currentStamp = (): string | null => {
    const stamp = changeStamp?.() ?? null;
    if (stamp !== null && stamp !== rememberedAt) {
      remembered.clear();
      rememberedAt = stamp;
    }
    return stamp;
  };

  return {
    peekSessionWithAccount(sessionId) {
      if (currentStamp() === null) return undefined;
      const rows = remembered.get(sessionId);
      return rows ? (toSessionWithAccount(rows) ?? undefined) : undefined;
    },
    async getSessionWithAccount(sessionId) {
      const stamp = currentStamp();
      const known = stamp === null ? undefined : remembered.get(sessionId);
      if (known) return toSessionWithAccount(known);
      // The direct runner reads at once, so the rows are the data the stamp describes.
      const rows = await runArrays(CompiledQuery.raw(sessionWithAccountSQL.sql, [sessionId]));
      // Unless another check has seen a newer stamp meanwhile (those rows may be older than its data).
      if (stamp !== null && stamp === rememberedAt && rows.length > 0) {
        if (remembered.size >= REMEMBERED_SESSION_CHECKS) remembered.delete(remembered.keys().next().value as string);
        remembered.set(sessionId, rows);
      }
      return toSessionWithAccount(rows);
    },
    async createSession(s) {
      await run(
        insertSession.bind({
          id: s.id,
          account_id: s.accountId,
          secret_hash: s.secretHash,
          created_at: codec.time(s.createdAt),
          last_seen_at: codec.time(s.lastSeenAt),
          idle_expires_at: codec.time(s.idleExpiresAt),
          absolute_expires_at: codec.time(s.absoluteExpiresAt),
          remember: codec.bool(s.remember),
          user_agent: s.userAgent,
          ip: s.ip,
          confirmed_at: s.confirmedAt ? codec.time(s.confirmedAt) : null,
          amr: s.amr && s.amr.length > 0 ? s.amr.join(",") : null,
        }),
      );
    },
    async getSession(sessionId) {
      const row = await db.selectFrom("sessions").selectAll().where("id", "=", sessionId).executeTakeFirst();
      return row ? toSession(row) : null;
    },
    async markSessionConfirmed(sessionId, at) {
      const result = await db
        .updateTable("sessions")
        .set({ confirmed_at: codec.time(at) })
        .where("id", "=", sessionId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async markSessionSecondFactor(sessionId, amr, at) {
      const result = await db
        .updateTable("sessions")
        .set({ amr: amr.length > 0 ? amr.join(",") : null, confirmed_at: codec.time(at) })
        .where("id", "=", sessionId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deletePasswordOnlySessionsOfAccount(accountId, exceptSessionId, events) {
      const end = async (q: Kysely<Database>): Promise<number> => {
        let query = q
          .deleteFrom("sessions")
          .where("account_id", "=", accountId)
          // amr is a comma-separated list: wrapped in commas, "mfa" is found only as a whole entry.
          .where((eb) => eb.or([eb("amr", "is", null), eb(sql<string>`',' || amr || ','`, "not like", "%,mfa,%")]));
        if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
        const result = await query.executeTakeFirst();
        return Number(result.numDeletedRows);
      };
      if (events === undefined) return end(db);
      return db.transaction().execute(async (trx) => {
        const count = await end(trx);
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, count));
        return count;
      });
    },
    async touchSession(sessionId, lastSeenAt, idleExpiresAt) {
      await db
        .updateTable("sessions")
        .set({ last_seen_at: codec.time(lastSeenAt), idle_expires_at: codec.time(idleExpiresAt) })
        .where("id", "=", sessionId)
        .execute();
    },
    async deleteSession(sessionId, accountId) {
      let query = db.deleteFrom("sessions").where("id", "=", sessionId);
      if (accountId !== undefined) query = query.where("account_id", "=", accountId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async deleteSessionsOfAccount(accountId, exceptSessionId, events) {
      const end = async (q: Kysely<Database>): Promise<number> => {
        let query = q.deleteFrom("sessions").where("account_id", "=", accountId);
        if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
        const result = await query.executeTakeFirst();
        return Number(result.numDeletedRows);
      };
      if (events === undefined) return end(db);
      // With webhook events, the sessions end and the events are written in one transaction.
      return db.transaction().execute(async (trx) => {
        const count = await end(trx);
        await insertWebhookEvents(trx, codec, resolveWebhookEvents(events, count));
        return count;
      });
    },
    async listSessionsOfAccount(accountId, now) {
      const t = codec.time(now);
      const rows = await db
        .selectFrom("sessions")
        .selectAll()
        .where("account_id", "=", accountId)
        .where("idle_expires_at", ">", t)
        .where("absolute_expires_at", ">", t)
        .orderBy("last_seen_at", "desc")
        .orderBy("created_at", "desc")
        .execute();
      return rows.map(toSession);
    },
    async deleteExpiredSessions(now) {
      const t = codec.time(now);
      const result = await db
        .deleteFrom("sessions")
        .where((eb) => eb.or([eb("idle_expires_at", "<=", t), eb("absolute_expires_at", "<=", t)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
