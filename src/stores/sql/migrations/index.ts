// Schema migrations, applied in name order at start-up and by `latchkey migrate`: one definition per
// migration, built for each dialect. Never edit one that has shipped; add the next.
import type { Migration } from "kysely";
import { accountsAndSessions } from "./0001-accounts-sessions.ts";
import { passwordResets } from "./0002-password-resets.ts";
import { helpFeedback } from "./0003-help-feedback.ts";
import { auditEvents } from "./0004-audit-events.ts";
import { openIDConnect } from "./0008-oidc.ts";
import { adminConsole } from "./0011-admin-console.ts";
import { webhooks } from "./0012-webhooks.ts";
import { flows } from "./0013-flows.ts";
import { factors } from "./0014-factors.ts";
import { accountLocale } from "./0016-account-locale.ts";
import { helpLanguages } from "./0017-help-languages.ts";
import { webhookSecretRotation } from "./0018-webhook-secret-rotation.ts";
import { unmappedAddresses } from "./0019-unmapped-addresses.ts";
import { oidcResourceServers } from "./0020-oidc-resource-servers.ts";
import { oidcClientSecretRotation } from "./0021-oidc-client-secret-rotation.ts";
import { type ColumnTypes, POSTGRES_COLUMNS, SQLITE_COLUMNS } from "./column-types.ts";

function migrationsFor(types: ColumnTypes): Record<string, Migration> {
  return {
    "0001_accounts_sessions": accountsAndSessions(types),
    "0002_password_resets": passwordResets(types),
    "0003_help_feedback": helpFeedback(types),
    "0004_audit_events": auditEvents(types),
    "0008_oidc": openIDConnect(types),
    "0011_admin_console": adminConsole(types),
    "0012_webhooks": webhooks(types),
    "0013_flows": flows(types),
    "0014_factors": factors(types),
    "0016_account_locale": accountLocale(types),
    "0017_help_languages": helpLanguages(),
    "0018_webhook_secret_rotation": webhookSecretRotation(types),
    "0019_unmapped_addresses": unmappedAddresses(),
    "0020_oidc_resource_servers": oidcResourceServers(types),
    "0021_oidc_client_secret_rotation": oidcClientSecretRotation(types),
  };
}

export const sqliteMigrations = migrationsFor(SQLITE_COLUMNS);
export const postgresMigrations = migrationsFor(POSTGRES_COLUMNS);
