// Kysely's view of the tables. Times are Unix seconds in SQLite (timestamptz in PostgreSQL) and booleans
// 0/1 in SQLite; the codec converts, so services only ever see Date and boolean.

import type { Generated } from "kysely";

export type SqlTime = number | Date;
export type SqlBool = number | boolean;

export interface AccountsTable {
  id: string;
  name: string | null;
  password_hash: string;
  is_admin: SqlBool;
  disabled_at: SqlTime | null;
  created_at: SqlTime;
  updated_at: SqlTime;
  /** Added by migration 0016: the language chosen in the language menu while signed in. */
  locale: string | null;
}

export interface IdentifiersTable {
  id: string;
  account_id: string;
  kind: string;
  value: string;
  display: string;
  verified_at: SqlTime | null;
  created_at: SqlTime;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  secret_hash: string;
  created_at: SqlTime;
  last_seen_at: SqlTime;
  idle_expires_at: SqlTime;
  absolute_expires_at: SqlTime;
  remember: SqlBool;
  user_agent: string | null;
  ip: string | null;
  confirmed_at: SqlTime | null;
  amr: string | null;
}

export interface PasskeysTable {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: string;
  /** A string from PostgreSQL's bigint. */
  counter: number | string;
  transports: string;
  device_type: string;
  backed_up: SqlBool;
  name: string;
  created_at: SqlTime;
  last_used_at: SqlTime | null;
}

export interface TOTPFactorsTable {
  account_id: string;
  secret_sealed: string;
  confirmed_at: SqlTime | null;
  /** A string from PostgreSQL's bigint. */
  last_step: Generated<number | string>;
  created_at: SqlTime;
}

export interface RecoveryCodesTable {
  id: string;
  account_id: string;
  code_hash: string;
  created_at: SqlTime;
  used_at: SqlTime | null;
}

export interface VerificationsTable {
  id: string;
  account_id: string;
  purpose: string;
  kind: string;
  value: string;
  display: string;
  code_hash: string;
  attempts_left: number;
  expires_at: SqlTime;
  created_at: SqlTime;
}

export interface ShortLivedTable {
  key: string;
  value: string;
  expires_at: SqlTime;
}

export interface FlowsTable {
  id: string;
  kind: string;
  owner: string;
  version: number;
  state: string;
  expires_at: SqlTime;
}

export interface PasswordResetsTable {
  id: string;
  account_id: string | null;
  kind: string;
  value: string;
  secret_hash: string;
  attempts_left: number;
  expires_at: SqlTime;
  created_at: SqlTime;
  used_at: SqlTime | null;
  revoked_at: SqlTime | null;
}

export interface HelpArticleViewsTable {
  slug: string;
  /** The language the article was shown in. */
  locale: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  views: number;
}

export interface HelpFeedbackTable {
  slug: string;
  /** The language of the article the answer was given for ("en" for answers older than languages). */
  locale: string;
  visitor_id: string;
  article_version: string;
  helpful: SqlBool;
  reason: string | null;
  comment: string | null;
  /** YYYY-MM-DD (UTC) of answered_at, so trends group by a plain column on every dialect. */
  day: string;
  answered_at: SqlTime;
  first_answered_at: SqlTime;
}

export interface AuditEventsTable {
  id: string;
  at: SqlTime;
  type: string;
  account_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

/** Per-hour counters (security checks shown and solved) for the admin console's charts. */
export interface HourlyCountsTable {
  /** The start of the hour. */
  hour: SqlTime;
  name: string;
  count: number;
}

export interface OIDCClientsTable {
  id: string;
  name: string;
  secret_hash: string | null;
  auth_method: string;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** JSON array of exact post-logout redirect URIs. */
  post_logout_redirect_uris: string;
  first_party: SqlBool;
  resource_server: SqlBool;
  created_at: SqlTime;
  /** Hash of the secret replaced by the last rotation, accepted until previous_secret_expires_at. */
  previous_secret_hash: string | null;
  previous_secret_expires_at: SqlTime | null;
}

export interface OIDCSigningKeysTable {
  generation: number;
  kid: string;
  sealed_jwk: string;
  created_at: SqlTime;
}

export interface OIDCArtifactsTable {
  kind: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  account_id: string | null;
  client_id: string | null;
  expires_at: SqlTime | null;
  consumed_at: SqlTime | null;
}

export interface Database {
  oidc_clients: OIDCClientsTable;
  oidc_signing_keys: OIDCSigningKeysTable;
  oidc_artifacts: OIDCArtifactsTable;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  events: string;
  secret_sealed: string;
  created_at: SqlTime;
  paused_at: SqlTime | null;
  pause_reason: string | null;
  consecutive_failures: Generated<number>;
  /** The secret before the last rotation, encrypted; signs too until previous_secret_expires_at. */
  previous_secret_sealed: string | null;
  previous_secret_expires_at: SqlTime | null;
}

export interface WebhookEventsTable {
  /** Assigned by the database; a string from PostgreSQL's bigint. */
  seq: Generated<number | string>;
  id: string;
  type: string;
  account_id: string | null;
  occurred_at: SqlTime;
  payload: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_seq: number | string;
  event_type: string;
  ordering_key: string;
  occurred_at: SqlTime;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: SqlTime;
  lease_token: string | null;
  lease_expires_at: SqlTime | null;
  created_at: SqlTime;
  last_attempt_at: SqlTime | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: SqlTime | null;
}

export interface Database {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  passkeys: PasskeysTable;
  totp_factors: TOTPFactorsTable;
  recovery_codes: RecoveryCodesTable;
  audit_events: AuditEventsTable;
  hourly_counts: HourlyCountsTable;
  password_resets: PasswordResetsTable;
  accounts: AccountsTable;
  identifiers: IdentifiersTable;
  sessions: SessionsTable;
  verifications: VerificationsTable;
  short_lived: ShortLivedTable;
  flows: FlowsTable;
  help_article_views: HelpArticleViewsTable;
  help_feedback: HelpFeedbackTable;
}

/** Converts between TypeScript values and one dialect's column values. */
export interface SqlCodec {
  /** Which dialect these conversions are for (for the few queries whose SQL differs). */
  dialect: "sqlite" | "postgres";
  time(date: Date): SqlTime;
  date(value: SqlTime): Date;
  bool(value: boolean): SqlBool;
  fromBool(value: SqlBool): boolean;
}

export const sqliteCodec: SqlCodec = {
  dialect: "sqlite",
  time: (date) => Math.floor(date.getTime() / 1000),
  date: (value) => (value instanceof Date ? value : new Date(Number(value) * 1000)),
  bool: (value) => (value ? 1 : 0),
  fromBool: (value) => value === true || value === 1,
};

export const postgresCodec: SqlCodec = {
  dialect: "postgres",
  time: (date) => date,
  date: (value) => (value instanceof Date ? value : new Date(value)),
  bool: (value) => value,
  fromBool: (value) => value === true || value === 1,
};
