// Changing the password while signed in: the current password, a new one, and the security check. A
// wrong current password counts as a failed sign-in for the account's identifiers.

import { checkNewPassword, normalizePassword } from "../accounts/password-policy.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import { type CAPTCHASubmission, requireSolvedCAPTCHA } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { removeAllAppAccess } from "../oidc/grant-removal.ts";
import { notifyPasswordChanged } from "../recovery/reset.ts";
import { createSession, type SessionContext } from "../sessions/sessions.ts";
import { countSigninFailure } from "../signin/throttle.ts";
import type { SessionRecord } from "../stores/types.ts";
import { passwordChangedEvent, sessionsRevokedEvent } from "../webhooks/events.ts";

export interface PasswordChangeInput {
  accountId: string;
  session: SessionRecord;
  currentPassword: string;
  newPassword: string;
  captcha: CAPTCHASubmission | undefined;
  binding: string;
  /** The page's or request's language: the strength estimate knows its words; a new security check speaks it. */
  locale?: Locale | undefined;
  /** End every other session and every application's grant (the default). */
  signOutOthers: boolean;
  context: SessionContext;
}

type ChangeDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "hasher" | "mailer" | "sms" | "logger" | "tasks">;

/**
 * Changes the password and returns a new session (token) for this browser; the old session ends, and the
 * others, with every application's grant and tokens, unless `signOutOthers` is false. Throws the security-check errors, PASSWORD_INCORRECT
 * (field currentPassword) and password-policy errors (field newPassword).
 */
export async function changePassword(deps: ChangeDeps, input: PasswordChangeInput): Promise<{ token: string; session: SessionRecord }> {
  const account = await deps.stores.accounts.getAccountById(input.accountId);
  if (!account) throw new AppError("UNAUTHENTICATED");
  await requireSolvedCAPTCHA(deps, { submission: input.captcha, purpose: "password_change", binding: input.binding, locale: input.locale });
  const identifiers = await deps.stores.accounts.listIdentifiers(account.id);
  const current = normalizePassword(input.currentPassword);
  if (current.length === 0 || current.length > 1024 || !(await deps.hasher.verifyPasswordHash(account.passwordHash, current))) {
    // Someone at an unlocked screen guessing the password is throttled like any other guesser.
    for (const identifier of identifiers) if (identifier.verifiedAt) await countSigninFailure(deps, identifier.value);
    await recordAuditEvent(deps, {
      type: "signin.failed",
      accountId: account.id,
      context: input.context,
      detail: { reason: "wrong current password on password change" },
    });
    throw new AppError("PASSWORD_INCORRECT", { field: "currentPassword" });
  }
  const policy = await checkNewPassword(input.newPassword, {
    identifiers: identifiers.map((i) => i.value),
    name: account.name,
    minScore: deps.config.passwordMinScore,
    locale: input.locale,
  });
  if (!policy.ok) throw new AppError(policy.code, { field: "newPassword" });
  const now = deps.clock.now();
  const hash = await deps.hasher.hashPassword(policy.password);
  // Only replace the hash the current password was checked against: a concurrent change wins.
  if (!(await deps.stores.accounts.replacePasswordHash(account.id, account.passwordHash, hash, now, [passwordChangedEvent(deps, account.id)]))) {
    throw new AppError("PASSWORD_INCORRECT", { field: "currentPassword", detail: "changed concurrently" });
  }
  await deps.stores.passwordResets.revokePasswordResetsOfAccount(account.id, now);
  // The browser's new session keeps what its old one proved (a second factor, a passkey): the current password
  // was just checked again, and applications that ask for two factors must not send the person back through them.
  const fresh = await createSession(deps, {
    accountId: account.id,
    remember: input.session.remember,
    context: input.context,
    amr: input.session.amr ?? undefined,
  });
  await deps.stores.sessions.deleteSession(input.session.id);
  let apps = 0;
  if (input.signOutOthers) {
    await deps.stores.sessions.deleteSessionsOfAccount(account.id, fresh.session.id, (count) =>
      count > 0 ? [sessionsRevokedEvent(deps, account.id, "password_changed", count, true)] : [],
    );
    // Applications' refresh tokens are ways in too: whoever stole a session could have signed an application
    // in with it and kept acting for the account for up to 30 days. As at a reset, every grant ends and the
    // person signs in to their applications afresh.
    apps = await removeAllAppAccess(deps, account.id);
  }
  await recordAuditEvent(deps, {
    type: "password.changed",
    accountId: account.id,
    context: input.context,
    detail: { signedOutOthers: input.signOutOthers, apps },
  });
  notifyPasswordChanged(
    deps,
    identifiers.filter((i) => i.verifiedAt !== null),
    "change",
    account.locale ?? input.context?.locale,
  );
  return fresh;
}
