// Schema migrations for PostgreSQL, kept in step with sqlite.ts: the same names, the same tables, with
// timestamptz and boolean where SQLite has integers.
import type { Migration } from "kysely";
import { pgAccountsAndSessions } from "./postgres-0001-accounts-sessions.ts";
import { pgPasswordResets } from "./postgres-0002-password-resets.ts";
import { pgHelpFeedback } from "./postgres-0003-help-feedback.ts";
import { pgAuditEvents } from "./postgres-0004-audit-events.ts";

export const postgresMigrations: Record<string, Migration> = {
  "0001_accounts_sessions": pgAccountsAndSessions,
  "0002_password_resets": pgPasswordResets,
  "0003_help_feedback": pgHelpFeedback,
  "0004_audit_events": pgAuditEvents,
};
