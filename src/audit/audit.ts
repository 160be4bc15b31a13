// Records security events: who (account, when known), what, when, from where. Never a password, code,
// token or cookie. Recording never fails the request it describes: a storage error is logged instead.
import type { Deps } from "../deps.ts";
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import accountMessages from "../i18n/catalogues/en/account.ts";
import { generateId } from "../lib/crypto.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { AuditEventRecord } from "../stores/types.ts";

export const AUDIT_EVENT_TYPES = [
  "signin.succeeded",
  "signin.failed",
  "signin.locked",
  "signout",
  "captcha.failed",
  "account.registered",
  "identifier.verified",
  "identifier.added",
  "identifier.removed",
  "reset.requested",
  "reset.completed",
  "password.changed",
  "sessions.revoked",
  "session.revoked",
  "admin.account_created",
  "admin.account_disabled",
  "admin.account_enabled",
  "admin.admin_granted",
  "admin.admin_revoked",
  "admin.accounts_imported",
  "admin.sessions_revoked",
  "admin.reset_sent",
  "admin.account_deleted",
  "admin.second_factors_removed",
  "oidc.consent_given",
  "oidc.access_removed",
  "oidc.client_added",
  "oidc.client_updated",
  "oidc.client_removed",
  "oidc.client_secret_rotated",
  "webhook.endpoint_added",
  "webhook.endpoint_removed",
  "webhook.endpoint_paused",
  "webhook.endpoint_resumed",
  "webhook.endpoint_secret_rotated",
  "signin.passkey",
  "passkey.added",
  "passkey.renamed",
  "passkey.removed",
  "passkey.counter_regression",
  "totp.enabled",
  "totp.disabled",
  "recovery_codes.generated",
  "recovery_code.used",
  "second_factor.failed",
  "second_factor.locked",
  "step_up.confirmed",
  "account.renamed",
  "account.deleted",
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditInput {
  type: AuditEventType;
  accountId?: string | null;
  context?: SessionContext | null;
  detail?: Record<string, string | number | boolean>;
}

/** The record of an event as recordAuditEvent stores it, for a store verb that writes it in its own transaction. */
export function auditEventRecord(deps: Pick<Deps, "clock" | "random">, input: AuditInput): AuditEventRecord {
  return {
    id: generateId(deps.random),
    at: deps.clock.now(),
    type: input.type,
    accountId: input.accountId ?? null,
    ip: input.context?.ip ?? null,
    userAgent: input.context?.userAgent?.slice(0, 512) ?? null,
    detail: input.detail ?? null,
  };
}

export async function recordAuditEvent(deps: Pick<Deps, "stores" | "clock" | "random" | "logger">, input: AuditInput): Promise<void> {
  const event = auditEventRecord(deps, input);
  try {
    await deps.stores.audit.recordEvent(event);
  } catch (err) {
    deps.logger.error({ err, type: input.type }, "could not record an audit event");
  }
}

/** "Signed in", "Failed sign-in attempt", … for the account page. */
export function describeAuditEvent(type: string, t: Translate = translator("en")): string {
  const id = `account.event_${type.replace(/\./g, "_")}`;
  return Object.hasOwn(accountMessages, id.slice("account.".length)) ? t(id as MessageId) : type;
}
