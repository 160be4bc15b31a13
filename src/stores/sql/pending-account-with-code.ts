// A registration's write (AccountStore.createPendingAccountWithCode): the pending account, its identifier and
// its first code, or, when a verified identifier holds the value, a rewrite of that row as it is. Both
// outcomes run the same statements in one transaction: one statement in PostgreSQL, the same seven between
// BEGIN and COMMIT in SQLite.
import { CompiledQuery, type Kysely, type Selectable } from "kysely";
import type { NewAccount, NewRegistrationCode } from "../types.ts";
import type { QueryRunner } from "./precompiled.ts";
import type { AccountsTable, Database, IdentifiersTable, SqlCodec } from "./schema.ts";

/** What the write left: the new account and identifier, or the verified identifier that holds the value. */
export type PendingAccountWithCodeRows =
  | { outcome: "created"; account: Selectable<AccountsTable>; identifier: Selectable<IdentifiersTable> }
  | { outcome: "taken"; holder: Selectable<IdentifiersTable> };

// Security: whether the value is taken must not show in the work done, or the time a registration takes
// tells a stranger which addresses have accounts. So the taken case runs the same statements: it rewrites
// the holder's row as it is (in PostgreSQL a real write, whose commit waits for the log flush as the new
// account's does; it also locks the row until then), and each statement that belongs to the other case
// finds no row. An abandoned registration (an unverified identifier whose account has no verified one) is
// replaced with its account and code by the same statements, so a waiting registration does not show either.
//
// SQLite: each statement sees the ones before it. SQLite does not write a row that did not change, so there
// the taken case's commit writes no page; in WAL mode with synchronous=NORMAL no commit syncs, and what is
// left is writing the new rows' pages, tens of microseconds.
const SQLITE_STATEMENTS = {
  // $value
  holdValue: "update identifiers set verified_at = verified_at where value = ? and verified_at is not null returning *",
  // $value: the abandoned registration's account, with its identifier and code (ON DELETE CASCADE).
  freeAccount: `delete from accounts where id in (select account_id from identifiers where value = ? and verified_at is null)
    and not exists (select 1 from identifiers as v where v.account_id = accounts.id and v.verified_at is not null)`,
  // $value: an unverified identifier of an account that keeps a verified one.
  freeValue: "delete from identifiers where value = ? and verified_at is null",
  // $id, $name, $passwordHash, $isAdmin, $at, $at, $value
  insertAccount: `insert into accounts (id, name, password_hash, is_admin, created_at, updated_at)
    select ?, ?, ?, ?, ?, ? where not exists (select 1 from identifiers where value = ?) returning *`,
  // $identifierId, $kind, $value, $display, $accountId
  insertIdentifier: `insert into identifiers (id, account_id, kind, value, display, created_at)
    select ?, id, ?, ?, ?, created_at from accounts where id = ? returning *`,
  // $value, $accountId: only the newest registration code of a value works.
  deleteOldCodes: "delete from verifications where purpose = 'registration' and value = ? and exists (select 1 from accounts where id = ?)",
  // $codeId, $kind, $value, $display, $codeHash, $attemptsLeft, $expiresAt, $createdAt, $accountId
  insertCode: `insert into verifications (id, account_id, purpose, kind, value, display, code_hash, attempts_left, expires_at, created_at)
    select ?, id, 'registration', ?, ?, ?, ?, ?, ?, ? from accounts where id = ?`,
} as const;

// PostgreSQL: the same statements as one, in one round trip. Sub-statements share one snapshot, so the
// taken case is told by `held`, and the new identifier waits for `freed` (a CTE runs when first read), or
// the abandoned row would still hold the value's unique index. A concurrent registration of the same value
// fails the unique index and the caller runs the statement again (retryOnConflict); so does one whose
// abandoned row was confirmed meanwhile (`freed` re-checks verified_at after waiting for the row, and keeps it).
// $1 value, $2 account id, $3 name, $4 password hash, $5 created at, $6 identifier id, $7 kind, $8 display,
// $9 code id, $10 code hash, $11 attempts left, $12 code expiry, $13 code created at.
const POSTGRES_STATEMENT = `with held as (
  update identifiers set verified_at = verified_at where value = $1 and verified_at is not null
  returning *
), freed as (
  delete from identifiers where value = $1 and verified_at is null
  returning account_id
), abandoned as (
  delete from accounts as a where a.id in (select account_id from freed)
  and not exists (select 1 from identifiers as v where v.account_id = a.id and v.verified_at is not null)
), account as (
  insert into accounts (id, name, password_hash, is_admin, created_at, updated_at)
  select $2::text, $3::text, $4::text, false, $5::timestamptz, $5::timestamptz where not exists (select 1 from held)
  returning *
), identifier as (
  insert into identifiers (id, account_id, kind, value, display, created_at)
  select $6::text, account.id, $7::text, $1::text, $8::text, account.created_at from account where (select count(*) from freed) >= 0
  returning *
), old_codes as (
  delete from verifications where purpose = 'registration' and value = $1 and exists (select 1 from account)
), code as (
  insert into verifications (id, account_id, purpose, kind, value, display, code_hash, attempts_left, expires_at, created_at)
  select $9::text, account.id, 'registration', $7::text, $1::text, $8::text, $10::text, $11::integer, $12::timestamptz, $13::timestamptz from account
)
select 'created' as outcome, i.id, i.account_id, i.kind, i.value, i.display, i.verified_at, i.created_at,
  a.name, a.password_hash, a.is_admin, a.disabled_at, a.created_at as account_created_at, a.updated_at, a.locale
from identifier as i join account as a on a.id = i.account_id
union all
select 'taken', id, account_id, kind, value, display, verified_at, created_at, null, null, null, null, null, null, null from held`;

type PostgresRow = Selectable<IdentifiersTable> & {
  outcome: "created" | "taken";
  name: string | null;
  password_hash: string;
  is_admin: boolean;
  disabled_at: Date | null;
  account_created_at: Date;
  updated_at: Date;
  locale: string | null;
};

/** Runs the write once (see AccountStore.createPendingAccountWithCode); a unique violation is the caller's to retry. */
export async function writePendingAccountWithCode(
  db: Kysely<Database>,
  codec: SqlCodec,
  run: QueryRunner,
  input: NewAccount,
  code: NewRegistrationCode,
): Promise<PendingAccountWithCodeRows> {
  const { value, kind, display } = input.identifier;
  const at = codec.time(input.createdAt);
  if (codec.dialect === "postgres") {
    const parameters = [
      value,
      input.id,
      input.name,
      input.passwordHash,
      at,
      input.identifier.id,
      kind,
      display,
      code.id,
      code.codeHash,
      code.attemptsLeft,
      codec.time(code.expiresAt),
      codec.time(code.createdAt),
    ];
    const { rows } = await run(CompiledQuery.raw(POSTGRES_STATEMENT, parameters) as CompiledQuery<PostgresRow>);
    const row = rows[0];
    if (!row) throw new Error("the registration statement returned no row");
    const identifier = {
      id: row.id,
      account_id: row.account_id,
      kind: row.kind,
      value: row.value,
      display: row.display,
      verified_at: row.verified_at,
      created_at: row.created_at,
    };
    if (row.outcome === "taken") return { outcome: "taken", holder: identifier };
    const account = {
      id: row.account_id,
      name: row.name,
      password_hash: row.password_hash,
      is_admin: row.is_admin,
      disabled_at: row.disabled_at,
      created_at: row.account_created_at,
      updated_at: row.updated_at,
      locale: row.locale,
    };
    return { outcome: "created", account, identifier };
  }
  return db.transaction().execute(async (trx) => {
    const statement = <R>(sql: string, parameters: unknown[]) => trx.executeQuery(CompiledQuery.raw(sql, parameters) as CompiledQuery<R>);
    const held = await statement<Selectable<IdentifiersTable>>(SQLITE_STATEMENTS.holdValue, [value]);
    await statement(SQLITE_STATEMENTS.freeAccount, [value]);
    await statement(SQLITE_STATEMENTS.freeValue, [value]);
    const account = await statement<Selectable<AccountsTable>>(SQLITE_STATEMENTS.insertAccount, [
      input.id,
      input.name,
      input.passwordHash,
      codec.bool(false),
      at,
      at,
      value,
    ]);
    const identifier = await statement<Selectable<IdentifiersTable>>(SQLITE_STATEMENTS.insertIdentifier, [input.identifier.id, kind, value, display, input.id]);
    await statement(SQLITE_STATEMENTS.deleteOldCodes, [value, input.id]);
    await statement(SQLITE_STATEMENTS.insertCode, [
      code.id,
      kind,
      value,
      display,
      code.codeHash,
      code.attemptsLeft,
      codec.time(code.expiresAt),
      codec.time(code.createdAt),
      input.id,
    ]);
    const holder = held.rows[0];
    if (holder) return { outcome: "taken", holder };
    const created = { account: account.rows[0], identifier: identifier.rows[0] };
    if (!created.account || !created.identifier) throw new Error("the registration statements created no account");
    return { outcome: "created", account: created.account, identifier: created.identifier };
  });
}
