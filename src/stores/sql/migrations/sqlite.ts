// Schema migrations for SQLite, applied in name order at start-up and by `latchkey migrate`. One file per
// migration; never edit one that has shipped, add the next.
import type { Migration } from "kysely";
import { accountsAndSessions } from "./sqlite-0001-accounts-sessions.ts";
import { passwordResets } from "./sqlite-0002-password-resets.ts";

export const sqliteMigrations: Record<string, Migration> = {
  "0001_accounts_sessions": accountsAndSessions,
  "0002_password_resets": passwordResets,
};
