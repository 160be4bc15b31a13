// Schema migrations for SQLite, applied in name order at start-up and by `latchkey migrate`. One file per
// migration; never edit one that has shipped, add the next.
import type { Migration } from "kysely";
import { accountsAndSessions } from "./sqlite-0001-accounts-sessions.ts";
import { passwordResets } from "./sqlite-0002-password-resets.ts";
import { auditEvents } from "./sqlite-0004-audit-events.ts";
import { helpFeedback } from "./sqlite-0003-help-feedback.ts";

export const sqliteMigrations: Record<string, Migration> = {
  "0001_accounts_sessions": accountsAndSessions,
  "0002_password_resets": passwordResets,
  "0004_audit_events": auditEvents,
  "0003_help_feedback": helpFeedback,
};
