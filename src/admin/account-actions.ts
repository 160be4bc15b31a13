// What an admin can do to an account from the console, in one table: each action's store verb, audit
// event, notice to the owner, and whether it needs the admin's password again (step-up). Every change to
// the account itself happens in one store verb, in one transaction. Disabling, enabling, granting and
// revoking admin access are each one function, shared with `latchkey accounts` at the terminal.
import { deliverToIdentifier } from "../accounts/deliver.ts";
import { normalizePassword } from "../accounts/password-policy.ts";
import { type AuditEventType, auditEventRecord, recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { type AdminNoticeKind, adminNoticeEmail, adminNoticeSMS } from "../messages/admin-notifications.ts";
import { deleteAccountAndAppAccess, removeAllAppAccess } from "../oidc/grant-removal.ts";
import { sendPasswordResetFor } from "../recovery/reset.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { AccountChangeResult, AccountRecord, IdentifierRecord } from "../stores/types.ts";
import {
  accountDeletedEvent,
  accountDisabledEvent,
  accountEnabledEvent,
  secondFactorRemovedEvent,
  sessionsRevokedEvent,
  type WebhookActor,
} from "../webhooks/events.ts";

export const ADMIN_ACTIONS = ["disable", "enable", "sign-out", "reset-password", "grant-admin", "revoke-admin", "remove-second-factors", "delete"] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export function isAdminAction(value: string): value is AdminAction {
  return (ADMIN_ACTIONS as readonly string[]).includes(value);
}

interface ActionRule {
  /** Re-enter the admin's password: the action locks someone out, ends their sessions or hands out power. */
  stepUp: boolean;
  audit: AuditEventType;
  notice: AdminNoticeKind | null;
  /** Whether the action makes sense for the account as it is now (the page offers only those). */
  applies(account: AccountRecord): boolean;
}

export const ACTION_RULES: Record<AdminAction, ActionRule> = {
  disable: { stepUp: true, audit: "admin.account_disabled", notice: "disabled", applies: (a) => a.disabledAt === null },
  enable: { stepUp: false, audit: "admin.account_enabled", notice: "enabled", applies: (a) => a.disabledAt !== null },
  "sign-out": { stepUp: true, audit: "admin.sessions_revoked", notice: "signed_out", applies: () => true },
  "reset-password": { stepUp: false, audit: "admin.reset_sent", notice: null, applies: (a) => a.disabledAt === null },
  "grant-admin": { stepUp: true, audit: "admin.admin_granted", notice: "admin_granted", applies: (a) => !a.isAdmin },
  "revoke-admin": { stepUp: true, audit: "admin.admin_revoked", notice: "admin_revoked", applies: (a) => a.isAdmin },
  // Someone who talked support into it would own an account protected by a second factor: the admin's
  // password again, like every action that weakens an account.
  "remove-second-factors": { stepUp: true, audit: "admin.second_factors_removed", notice: "second_factors_removed", applies: () => true },
  delete: { stepUp: true, audit: "admin.account_deleted", notice: "deleted", applies: () => true },
};

/** Wrong step-up passwords allowed per admin in the window before further tries are refused. */
export const STEP_UP_ATTEMPTS = 5;
export const STEP_UP_WINDOW_SECONDS = 15 * 60;

type ActionDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "hasher" | "mailer" | "sms" | "logger" | "tasks">;

/** What the functions shared with the command line need: the change, its records, and the notice to the owner. */
export type AccountChangeDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "mailer" | "sms" | "logger" | "tasks">;

/** Who changes an account, from where: an admin in the console, or the operator at the terminal. */
export interface AccountChangeInput {
  accountId: string;
  /** Who, for the webhook events. */
  actor: WebhookActor;
  /** Where from, for the audit event. */
  context: SessionContext;
  /** Facts for the audit event (the console's `admin`). */
  detail?: Record<string, string | number | boolean>;
}

export interface AdminActionInput {
  admin: AccountRecord;
  accountId: string;
  action: AdminAction;
  /** The admin's password, for actions with step-up. */
  password: string;
  /** For reset-password: which confirmed identifier receives the reset. */
  identifierId?: string;
  context: SessionContext;
}

export interface AdminActionResult {
  /** False when the account already was that way (nothing recorded, nobody told). */
  changed: boolean;
  /** For sign-out: how many sessions ended. */
  sessionsEnded?: number;
}

/**
 * Checks the admin's password for a step-up. Every try is counted first, in one atomic increment, and a
 * correct one is given back: so concurrent guesses cannot slip past the limit, and someone at an admin's
 * unlocked screen gets at most STEP_UP_ATTEMPTS guesses per window. Throws RATE_LIMITED (with the wait)
 * or PASSWORD_INCORRECT (field password).
 */
export async function verifyStepUp(deps: Pick<Deps, "stores" | "hasher">, admin: AccountRecord, password: string): Promise<void> {
  const candidate = normalizePassword(password);
  // An empty or overlong answer is refused before any hash is checked, so it costs no try.
  if (candidate.length === 0 || candidate.length > 1024) throw new AppError("PASSWORD_INCORRECT", { field: "password", detail: "admin step-up" });
  const key = `admin-step-up:${admin.id}`;
  const tries = await deps.stores.shortLived.increment(key, STEP_UP_WINDOW_SECONDS);
  if (tries > STEP_UP_ATTEMPTS) {
    throw new AppError("RATE_LIMITED", { retryAfter: Math.max(1, await deps.stores.shortLived.ttl(key)), detail: "admin step-up" });
  }
  const ok = await deps.hasher.verifyPasswordHash(admin.passwordHash, candidate);
  if (!ok) throw new AppError("PASSWORD_INCORRECT", { field: "password", detail: "admin step-up" });
  await deps.stores.shortLived.decrement(key);
}

export interface DisableAccountInput extends AccountChangeInput {
  /**
   * Disable the only enabled admin too. Only the operator's recovery path (`latchkey accounts disable
   * --force`, e.g. for an admin account that was taken over) may: the console never does, so nobody locks
   * the installation out of its own console by a click.
   */
  allowLastAdmin?: boolean;
}

export interface DisableAccountResult {
  /** "unchanged" when it was already disabled: nothing written, recorded or sent again. */
  result: AccountChangeResult;
  /** How many grants to applications ended (0 unless "changed"). */
  appsEnded: number;
}

/**
 * Disables an account, the one way the console and `latchkey accounts disable` both do it. In one
 * transaction (AccountStore.disableAccount): the flag, the end of every session, of every pending reset link
 * or code and of every unredeemed verification code, the webhook events (`account.disabled`, and
 * `session.revoked` with reason `account_disabled` when a session ended) and the audit event
 * `admin.account_disabled`; so an already disabled account, or a second of two disables at once, changes
 * nothing and records and sends nothing again. Then every grant the account gave applications ends with its
 * codes and tokens (enabling the account again does not bring them back), and the owner is told (in the
 * background: deps.tasks). `detail.sessions` (how many ended) is added to the audit event. "last_admin"
 * (nothing changed) for the only enabled admin unless `allowLastAdmin`; "not_found" for a missing account.
 */
export async function disableAccountAndAccess(deps: AccountChangeDeps, input: DisableAccountInput): Promise<DisableAccountResult> {
  const { accountId, actor } = input;
  const result = await deps.stores.accounts.disableAccount(
    accountId,
    deps.clock.now(),
    (ended) => [
      accountDisabledEvent(deps, accountId, actor),
      ...(ended.sessions > 0 ? [sessionsRevokedEvent(deps, accountId, "account_disabled", ended.sessions, false)] : []),
    ],
    {
      // Written in the change's transaction: a disabling is never left unrecorded, nor recorded twice.
      audit: (ended) =>
        auditEventRecord(deps, { type: "admin.account_disabled", accountId, context: input.context, detail: { ...input.detail, sessions: ended.sessions } }),
      allowLastAdmin: input.allowLastAdmin === true,
    },
  );
  if (result !== "changed") return { result, appsEnded: 0 };
  // A disabled account keeps no way in: applications' tokens end with its sessions.
  const appsEnded = await removeAllAppAccess(deps, accountId);
  await tellOwner(deps, accountId, "disabled");
  return { result, appsEnded };
}

/**
 * Enables a disabled account, the one way the console and `latchkey accounts enable` both do it: the flag,
 * the `account.enabled` webhook event and the audit event `admin.account_enabled` in one transaction, then
 * the owner is told. What disabling ended stays ended. "unchanged" when it is not disabled (nothing written,
 * recorded or sent, also for the second of two at once); "not_found" for a missing account.
 */
export async function enableAccountAgain(deps: AccountChangeDeps, input: AccountChangeInput): Promise<AccountChangeResult> {
  const { accountId } = input;
  const result = await deps.stores.accounts.enableAccount(accountId, deps.clock.now(), [accountEnabledEvent(deps, accountId, input.actor)], {
    audit: auditEventRecord(deps, { type: "admin.account_enabled", accountId, context: input.context, detail: input.detail }),
  });
  if (result === "changed") await tellOwner(deps, accountId, "enabled");
  return result;
}

/**
 * Gives an account admin access (it can open /admin), the one way the console and `latchkey accounts
 * grant-admin` both do it: the flag and the audit event `admin.admin_granted` in one transaction, then the
 * owner is told (a role they did not expect is a warning sign). "unchanged" when it already is an admin
 * (nothing written, recorded or sent, also for the second of two at once); "not_found" for a missing account.
 */
export async function grantAdminAccess(deps: AccountChangeDeps, input: AccountChangeInput): Promise<AccountChangeResult> {
  const { accountId } = input;
  const result = await deps.stores.accounts.grantAdmin(accountId, deps.clock.now(), {
    audit: auditEventRecord(deps, { type: "admin.admin_granted", accountId, context: input.context, detail: input.detail }),
  });
  if (result === "changed") await tellOwner(deps, accountId, "admin_granted");
  return result;
}

export interface RevokeAdminInput extends AccountChangeInput {
  /**
   * Take the role from the only enabled admin too, leaving nobody able to open /admin until an account is
   * made admin at the terminal. Only the operator may (`latchkey accounts revoke-admin --force`); the console
   * never does.
   */
  allowLastAdmin?: boolean;
}

/**
 * Takes an account's admin access away, the one way the console and `latchkey accounts revoke-admin` both
 * do it: the flag and the audit event `admin.admin_revoked` in one transaction, then the owner is told.
 * "last_admin" (nothing changed) for the only enabled admin unless `allowLastAdmin`: checked in the change's
 * transaction with the admins' rows locked, so two revokes of the last two admins at once leave one.
 * "unchanged" when it is not an admin (nothing written, recorded or sent, also for the second of two at
 * once); "not_found" for a missing account.
 */
export async function revokeAdminAccess(deps: AccountChangeDeps, input: RevokeAdminInput): Promise<AccountChangeResult> {
  const { accountId } = input;
  const result = await deps.stores.accounts.revokeAdmin(accountId, deps.clock.now(), {
    audit: auditEventRecord(deps, { type: "admin.admin_revoked", accountId, context: input.context, detail: input.detail }),
    allowLastAdmin: input.allowLastAdmin === true,
  });
  if (result === "changed") await tellOwner(deps, accountId, "admin_revoked");
  return result;
}

function refuseChange(result: AccountChangeResult | "deleted"): boolean {
  if (result === "not_found") throw new AppError("NOT_FOUND", { detail: "admin action on a missing account" });
  if (result === "last_admin") throw new AppError("ADMIN_LAST_ADMIN");
  return result === "unchanged";
}

/** Tells the owner of an account that is still there, at its identifiers as they are now (see notifyOwner). */
async function tellOwner(deps: AccountChangeDeps, accountId: string, kind: AdminNoticeKind): Promise<void> {
  const account = await deps.stores.accounts.getAccountById(accountId);
  if (account) notifyOwner(deps, await deps.stores.accounts.listIdentifiers(accountId), kind, account);
}

/** Tells every confirmed identifier (in the background: the admin's answer does not wait for delivery). */
function notifyOwner(deps: AccountChangeDeps, identifiers: readonly IdentifierRecord[], kind: AdminNoticeKind, account: AccountRecord): void {
  const locale = account.locale;
  const signin = `${deps.config.baseUrl}/signin`;
  const help = `${deps.config.baseUrl}/help`;
  for (const identifier of identifiers.filter((i) => i.verifiedAt !== null)) {
    deps.tasks.run("admin change notice", () =>
      deliverToIdentifier(deps, identifier, { email: () => adminNoticeEmail(kind, signin, help), sms: () => adminNoticeSMS(kind, signin, help), locale }),
    );
  }
}

/**
 * Performs one admin action on an account: step-up first where the action needs it, then the change (one
 * store verb), then the audit event (with the admin's id) and the notice to the owner. Throws NOT_FOUND
 * for a missing account, ADMIN_LAST_ADMIN when the change would leave no enabled admin, the step-up
 * errors, and for reset-password IDENTIFIER_NOT_FOUND, SEND_LIMITED or DELIVERY_FAILED.
 */
export async function performAdminAction(deps: ActionDeps, input: AdminActionInput): Promise<AdminActionResult> {
  const rule = ACTION_RULES[input.action];
  const account = await deps.stores.accounts.getAccountById(input.accountId);
  if (!account) throw new AppError("NOT_FOUND", { detail: "admin action on a missing account" });
  // What does not apply (enabling an enabled account, a reset for a disabled one) changes nothing, and
  // costs no step-up try. The store verbs check again inside their transactions.
  if (!rule.applies(account)) return { changed: false };
  if (rule.stepUp) await verifyStepUp(deps, input.admin, input.password);
  // Read before the change: after a deletion there is nobody left to ask where to send the notice.
  const identifiers = await deps.stores.accounts.listIdentifiers(account.id);
  const detail: Record<string, string | number | boolean> = { admin: input.admin.id };
  let sessionsEnded: number | undefined;
  // Webhook events go into the change's own transaction, so applications hear of exactly what happened.
  const actor: WebhookActor = { kind: "admin", accountId: input.admin.id };

  // The four changes shared with the command line write their audit event in the change's own transaction
  // and tell the owner themselves: one way each, whoever asks.
  const shared = { accountId: account.id, actor, context: input.context, detail };
  switch (input.action) {
    case "disable":
      return { changed: !refuseChange((await disableAccountAndAccess(deps, shared)).result) };
    case "enable":
      return { changed: !refuseChange(await enableAccountAgain(deps, shared)) };
    case "grant-admin":
      return { changed: !refuseChange(await grantAdminAccess(deps, shared)) };
    case "revoke-admin":
      // The console never takes the role from the last enabled admin (ADMIN_LAST_ADMIN).
      return { changed: !refuseChange(await revokeAdminAccess(deps, shared)) };
    case "delete":
      refuseChange(await deleteAccountAndAppAccess(deps, account.id, [accountDeletedEvent(deps, account.id, actor)]));
      detail.identifiers = identifiers.length;
      break;
    case "sign-out":
      sessionsEnded = await deps.stores.sessions.deleteSessionsOfAccount(account.id, undefined, (count) =>
        count > 0 ? [sessionsRevokedEvent(deps, account.id, "admin", count, false)] : [],
      );
      detail.count = sessionsEnded;
      // Applications are other places the account is signed in: a refresh token outlives the sessions (up to
      // 30 days), so whoever had a stolen session and signed an application in with it would keep acting for
      // the account. As "Sign out of all other sessions" does, every grant ends with its tokens.
      detail.apps = await removeAllAppAccess(deps, account.id);
      break;
    case "remove-second-factors": {
      // One transaction removes every factor, with a webhook event for each that was removed.
      const removed = await deps.stores.factors.removeAllSecondFactors(account.id, (r) => [
        ...r.passkeys.map((id) => secondFactorRemovedEvent(deps, account.id, { id, kind: "passkey" }, actor)),
        ...(r.totp ? [secondFactorRemovedEvent(deps, account.id, { id: "totp", kind: "totp" }, actor)] : []),
        ...(r.recoveryCodes > 0 ? [secondFactorRemovedEvent(deps, account.id, { id: "recovery_codes", kind: "recovery_codes" }, actor)] : []),
      ]);
      if (removed.passkeys.length === 0 && !removed.totp && removed.recoveryCodes === 0) return { changed: false };
      detail.passkeys = removed.passkeys.length;
      detail.totp = removed.totp;
      detail.recoveryCodes = removed.recoveryCodes;
      break;
    }
    case "reset-password": {
      const target = identifiers.find((i) => i.id === input.identifierId && i.verifiedAt !== null);
      if (!target) throw new AppError("IDENTIFIER_NOT_FOUND", { field: "identifier", detail: "admin reset for an unknown identifier" });
      await sendPasswordResetFor(deps, { accountId: account.id, identifier: target, locale: account.locale });
      detail.channel = target.kind;
      break;
    }
  }
  await recordAuditEvent(deps, { type: rule.audit, accountId: account.id, context: input.context, detail });
  if (rule.notice) notifyOwner(deps, identifiers, rule.notice, account);
  return { changed: true, ...(sessionsEnded !== undefined ? { sessionsEnded } : {}) };
}
