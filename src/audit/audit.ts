// Records security events: who (account, when known), what, when, from where. Never a password, code,
// token or cookie. Recording never fails the request it describes: a storage error is logged instead.
import type { Deps } from "../deps.ts";
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
  "webhook.endpoint_added",
  "webhook.endpoint_removed",
  "webhook.endpoint_paused",
  "webhook.endpoint_resumed",
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

export async function recordAuditEvent(deps: Pick<Deps, "stores" | "clock" | "random" | "logger">, input: AuditInput): Promise<void> {
  const event: AuditEventRecord = {
    id: generateId(deps.random),
    at: deps.clock.now(),
    type: input.type,
    accountId: input.accountId ?? null,
    ip: input.context?.ip ?? null,
    userAgent: input.context?.userAgent?.slice(0, 512) ?? null,
    detail: input.detail ?? null,
  };
  try {
    await deps.stores.audit.recordEvent(event);
  } catch (err) {
    deps.logger.error({ err, type: input.type }, "could not record an audit event");
  }
}

/** "Signed in", "Failed sign-in attempt", … for the account page. */
export function describeAuditEvent(type: string): string {
  const map: Record<string, string> = {
    "signin.succeeded": "Signed in",
    "signin.failed": "Failed sign-in attempt",
    "signin.locked": "Sign-in paused after many failed attempts",
    signout: "Signed out",
    "captcha.failed": "Security check failed",
    "account.registered": "Account created",
    "identifier.verified": "Address or number confirmed",
    "identifier.added": "Address or number added",
    "identifier.removed": "Address or number removed",
    "reset.requested": "Password reset requested",
    "reset.completed": "Password reset",
    "password.changed": "Password changed",
    "sessions.revoked": "Signed out of other sessions",
    "session.revoked": "Signed out one other session",
    "admin.account_created": "Account created by an administrator",
    "admin.account_disabled": "Account disabled by an administrator",
    "admin.account_enabled": "Account enabled by an administrator",
    "admin.admin_granted": "Administrator access granted",
    "admin.admin_revoked": "Administrator access removed",
    "admin.accounts_imported": "Accounts imported by an administrator",
    "admin.sessions_revoked": "Signed out everywhere by an administrator",
    "admin.reset_sent": "Password reset sent by an administrator",
    "admin.account_deleted": "Account deleted by an administrator",
    "admin.second_factors_removed": "Second factors removed by an administrator",
    "oidc.consent_given": "Access given to an application",
    "oidc.access_removed": "Access removed from an application",
    "webhook.endpoint_added": "Webhook endpoint added",
    "webhook.endpoint_removed": "Webhook endpoint removed",
    "webhook.endpoint_paused": "Webhook endpoint paused after failing deliveries",
    "webhook.endpoint_resumed": "Webhook endpoint resumed",
    "signin.passkey": "Signed in with a passkey",
    "passkey.added": "Passkey added",
    "passkey.renamed": "Passkey renamed",
    "passkey.removed": "Passkey removed",
    "passkey.counter_regression": "A passkey that looks copied was refused",
    "totp.enabled": "Authenticator app turned on",
    "totp.disabled": "Authenticator app turned off",
    "recovery_codes.generated": "New recovery codes made",
    "recovery_code.used": "Recovery code used",
    "second_factor.failed": "Wrong code from an authenticator app or recovery code",
    "second_factor.locked": "Codes paused after many wrong ones",
    "step_up.confirmed": "Confirmed it was you",
    "account.renamed": "Name changed",
    "account.deleted": "Account deleted",
  };
  return map[type] ?? type;
}
