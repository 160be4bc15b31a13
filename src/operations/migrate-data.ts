// Moves a single-mode installation (a SQLite file) into PostgreSQL for cluster mode: every durable table
// is copied in batches, converting Unix seconds to timestamps and 0/1 to booleans, and the row counts are
// compared at the end. Short-lived state (challenges, counters, flows) is not copied: it expires anyway.
import { type Kysely, sql } from "kysely";
import type { Database } from "../stores/sql/schema.ts";
import { postgresCodec, sqliteCodec } from "../stores/sql/schema.ts";

interface TableSpec {
  name: keyof Database;
  /** Columns that hold times. */
  times: string[];
  /** Columns that hold booleans. */
  bools: string[];
  /** A stable order for paging. */
  orderBy: string[];
}

/** In dependency order: accounts before what refers to them. */
export const MIGRATED_TABLES: TableSpec[] = [
  { name: "accounts", times: ["disabled_at", "created_at", "updated_at"], bools: ["is_admin"], orderBy: ["id"] },
  { name: "identifiers", times: ["verified_at", "created_at"], bools: [], orderBy: ["id"] },
  { name: "sessions", times: ["created_at", "last_seen_at", "idle_expires_at", "absolute_expires_at", "confirmed_at"], bools: ["remember"], orderBy: ["id"] },
  { name: "verifications", times: ["expires_at", "created_at"], bools: [], orderBy: ["id"] },
  { name: "password_resets", times: ["expires_at", "created_at", "used_at", "revoked_at"], bools: [], orderBy: ["id"] },
  { name: "passkeys", times: ["created_at", "last_used_at"], bools: ["backed_up"], orderBy: ["id"] },
  { name: "totp_factors", times: ["confirmed_at", "created_at"], bools: [], orderBy: ["account_id"] },
  { name: "recovery_codes", times: ["created_at", "used_at"], bools: [], orderBy: ["id"] },
  { name: "audit_events", times: ["at"], bools: [], orderBy: ["id"] },
  { name: "help_article_views", times: [], bools: [], orderBy: ["slug", "locale", "day"] },
  { name: "help_feedback", times: ["answered_at", "first_answered_at"], bools: ["helpful"], orderBy: ["slug", "visitor_id"] },
  { name: "hourly_counts", times: ["hour"], bools: [], orderBy: ["name", "hour"] },
  // Endpoints only: events waiting for delivery are not copied (let them drain before moving).
  { name: "webhook_endpoints", times: ["created_at", "paused_at", "previous_secret_expires_at"], bools: [], orderBy: ["id"] },
  // Applications keep signing people in: their registrations, the provider's signing keys (sealed with
  // LATCHKEY_SECRET, so the same secret opens them), and the grants and tokens it issued. Codes and
  // interactions come along too; in cluster mode they are read from Redis and these copies just expire.
  { name: "oidc_clients", times: ["created_at", "previous_secret_expires_at"], bools: ["first_party", "resource_server"], orderBy: ["id"] },
  { name: "oidc_signing_keys", times: ["created_at"], bools: [], orderBy: ["generation"] },
  { name: "oidc_artifacts", times: ["expires_at", "consumed_at"], bools: [], orderBy: ["kind", "id"] },
];

export interface MigrateDataProgress {
  table: string;
  copied: number;
  total: number;
  /** Rows copied over all tables so far, and in all. */
  overallCopied: number;
  overallTotal: number;
}

export interface MigrateDataReport {
  tables: Array<{ table: string; source: number; target: number }>;
}

const BATCH = 1000;

async function countRows(db: Kysely<Database>, table: string): Promise<number> {
  const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/**
 * Copies every durable table from `source` (SQLite, migrated) to `target` (PostgreSQL, migrated and
 * empty). Throws when the target already holds accounts, or when counts differ afterwards.
 *
 * All or nothing: the whole copy is one transaction on the target, so an interruption (a kill, a lost
 * connection, a failed check) leaves the target as empty as it was, and running the command again starts
 * over cleanly.
 */
export async function migrateData(
  source: Kysely<Database>,
  target: Kysely<Database>,
  onProgress: (p: MigrateDataProgress) => void,
): Promise<MigrateDataReport> {
  return target.transaction().execute((trx) => copyAllTables(source, trx, onProgress));
}

async function copyAllTables(source: Kysely<Database>, target: Kysely<Database>, onProgress: (p: MigrateDataProgress) => void): Promise<MigrateDataReport> {
  if ((await countRows(target, "accounts")) > 0) throw new Error("the target database already holds accounts; migrate into an empty database");
  if ((await countRows(target, "oidc_clients")) > 0) throw new Error("the target database already holds applications; migrate into an empty database");
  // A server started on the target made its own signing key; it signed nothing anyone holds (no accounts
  // there), and the applications know the source's keys: those replace it.
  await target.deleteFrom("oidc_signing_keys").execute();
  const totals = new Map<string, number>();
  for (const spec of MIGRATED_TABLES) totals.set(spec.name, await countRows(source, spec.name));
  const overallTotal = [...totals.values()].reduce((a, b) => a + b, 0);
  let overallCopied = 0;
  for (const spec of MIGRATED_TABLES) {
    const total = totals.get(spec.name) ?? 0;
    let copied = 0;
    while (copied < total) {
      let query = source.selectFrom(spec.name).selectAll();
      for (const column of spec.orderBy) query = query.orderBy(sql.ref(column));
      const rows = (await query.limit(BATCH).offset(copied).execute()) as Array<Record<string, unknown>>;
      if (rows.length === 0) break;
      const converted = rows.map((row) => {
        const out: Record<string, unknown> = { ...row };
        for (const c of spec.times) if (out[c] !== null && out[c] !== undefined) out[c] = postgresCodec.time(sqliteCodec.date(out[c] as number));
        for (const c of spec.bools) out[c] = sqliteCodec.fromBool(out[c] as number);
        return out;
      });
      await target
        .insertInto(spec.name)
        // biome-ignore lint/suspicious/noExplicitAny: rows are copied column for column between identical schemas
        .values(converted as any)
        .execute();
      copied += rows.length;
      overallCopied += rows.length;
      onProgress({ table: spec.name, copied, total, overallCopied, overallTotal });
    }
  }
  const report: MigrateDataReport = { tables: [] };
  for (const spec of MIGRATED_TABLES) {
    report.tables.push({ table: spec.name, source: totals.get(spec.name) ?? 0, target: await countRows(target, spec.name) });
  }
  const wrong = report.tables.filter((t) => t.source !== t.target);
  if (wrong.length > 0) throw new Error(`row counts differ after copying: ${wrong.map((t) => `${t.table} ${t.source} → ${t.target}`).join(", ")}`);
  return report;
}
