// Changes to what protects an account, made by its owner from a confirmed session: passkeys, the
// authenticator app, recovery codes; and account self-service (name, deletion). Each change is recorded in
// the audit trail, written to the webhook outbox in its own transaction, and notified to the owner.
import { cleanName } from "../accounts/identifier-input.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { deleteAccountAndAppAccess, removeAllAppAccess } from "../oidc/grant-removal.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { PasskeyRecord, TOTPFactorRecord } from "../stores/types.ts";
import { accountDeletedEvent, accountUpdatedEvent, secondFactorAddedEvent, secondFactorRemovedEvent, sessionsRevokedEvent } from "../webhooks/events.ts";
import { finishPasskeyRegistration, normalizePasskeyName, passkeyAMR } from "./passkeys.ts";
import { regenerateRecoveryCodes } from "./recovery-codes.ts";
import { secondFactorMethods } from "./second-factor.ts";
import { notifySecurityChange, sendSecurityNotice } from "./security-notices.ts";
import { generateTOTPSecret, isTOTPActive, matchTOTPCode, sealTOTPSecret, totpQRCodeSVG, totpURI, unsealTOTPSecret } from "./totp.ts";

type SecurityDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "logger" | "mailer" | "sms" | "tasks">;

export interface SecurityOverview {
  passkeys: PasskeyRecord[];
  totp: "off" | "setting_up" | "on";
  recoveryCodesLeft: number;
}

export async function getSecurityOverview(deps: Pick<Deps, "stores">, accountId: string): Promise<SecurityOverview> {
  const [passkeys, totp, recoveryCodesLeft] = await Promise.all([
    deps.stores.factors.listPasskeys(accountId),
    deps.stores.factors.getTOTPFactor(accountId),
    deps.stores.factors.countUnusedRecoveryCodes(accountId),
  ]);
  return { passkeys, totp: totp === null ? "off" : isTOTPActive(totp) ? "on" : "setting_up", recoveryCodesLeft };
}

/**
 * Recovery codes are made with the first second factor; afterwards only on request (or when none is left).
 * Returns new codes or null. With the first factor they are always new: codes left from a factor turned off
 * earlier (printed, perhaps lost) must not come back to life unseen.
 */
async function recoveryCodesForFirstFactor(deps: SecurityDeps, accountId: string, context: SessionContext, first: boolean): Promise<string[] | null> {
  if (!first && (await deps.stores.factors.countUnusedRecoveryCodes(accountId)) > 0) return null;
  const codes = await regenerateRecoveryCodes(deps, accountId);
  await recordAuditEvent(deps, { type: "recovery_codes.generated", accountId, context, detail: { count: codes.length, first: true } });
  return codes;
}

/** The session a change is made from: kept, and told about a new factor it has just proved. */
export interface CurrentSession {
  id: string;
  amr?: string[] | null | undefined;
}

/**
 * After the account's first second factor: every other session signed in with the password alone ends, and
 * every application's grant with its access and refresh tokens (whoever learned the password may be sitting
 * in one of them, and a second factor that left them alive would protect nothing until they expire). The
 * current session has just proved the new factor, so it is kept and recorded as a two-factor session
 * confirmed now. Returns how many sessions ended.
 */
async function endPasswordOnlyAccess(
  deps: SecurityDeps,
  input: { accountId: string; session: CurrentSession; factorAMR: string[]; context: SessionContext },
): Promise<number> {
  const before = input.session.amr && input.session.amr.length > 0 ? input.session.amr : ["pwd"];
  const amr = [...new Set([...before, ...input.factorAMR.filter((m) => m !== "mfa"), "mfa"])];
  await deps.stores.sessions.markSessionSecondFactor(input.session.id, amr, deps.clock.now());
  const count = await deps.stores.sessions.deletePasswordOnlySessionsOfAccount(input.accountId, input.session.id, (n) =>
    n > 0 ? [sessionsRevokedEvent(deps, input.accountId, "second_factor_added", n, true)] : [],
  );
  // Security: an application's refresh token is a way in too, and outlives the session that got it (up to 30
  // days). Until now the password alone was enough to give one, so a thief who signed an application in
  // with it would keep acting for the account. Grants are not tied to a browser: the applications used in
  // this one end too, and the person signs in to them again, now with the new factor.
  const apps = await removeAllAppAccess(deps, input.accountId);
  if (count > 0 || apps > 0)
    await recordAuditEvent(deps, {
      type: "sessions.revoked",
      accountId: input.accountId,
      context: input.context,
      detail: { count, reason: "second_factor_added", apps },
    });
  return count;
}

/** True when the account has no second factor yet (recovery codes alone do not count). */
async function hasNoSecondFactor(deps: Pick<Deps, "stores">, accountId: string): Promise<boolean> {
  return (await secondFactorMethods(deps, accountId)).length === 0;
}

/** Finishes adding a passkey. Throws PASSKEY_NAME_INVALID or PASSKEY_FAILED. Returns it, with recovery codes when they were just made. */
export async function addPasskey(
  deps: SecurityDeps,
  input: { accountId: string; session: CurrentSession; binding: string; challengeId: string; response: unknown; name: string; context: SessionContext },
): Promise<{ passkey: PasskeyRecord; recoveryCodes: string[] | null }> {
  const name = normalizePasskeyName(input.name);
  if (!name) throw new AppError("PASSKEY_NAME_INVALID", { field: "name" });
  const first = await hasNoSecondFactor(deps, input.accountId);
  const result = await finishPasskeyRegistration(deps, {
    accountId: input.accountId,
    binding: input.binding,
    challengeId: input.challengeId,
    response: input.response,
    name,
    events: (passkey) => [secondFactorAddedEvent(deps, input.accountId, { id: passkey.id, kind: "passkey" })],
  });
  if (!result.ok) throw new AppError("PASSKEY_FAILED", { detail: `registration: ${result.reason}` });
  await recordAuditEvent(deps, {
    type: "passkey.added",
    accountId: input.accountId,
    context: input.context,
    detail: { passkey: result.passkey.id, deviceType: result.passkey.deviceType },
  });
  await notifySecurityChange(deps, input.accountId, "passkey_added");
  if (first)
    await endPasswordOnlyAccess(deps, { accountId: input.accountId, session: input.session, factorAMR: passkeyAMR(result.passkey), context: input.context });
  return { passkey: result.passkey, recoveryCodes: await recoveryCodesForFirstFactor(deps, input.accountId, input.context, first) };
}

/** Renames a passkey. Throws PASSKEY_NAME_INVALID or PASSKEY_NOT_FOUND. */
export async function renamePasskey(deps: SecurityDeps, input: { accountId: string; passkeyId: string; name: string; context: SessionContext }): Promise<void> {
  const name = normalizePasskeyName(input.name);
  if (!name) throw new AppError("PASSKEY_NAME_INVALID", { field: "name" });
  if (!(await deps.stores.factors.renamePasskey(input.accountId, input.passkeyId, name))) throw new AppError("PASSKEY_NOT_FOUND");
  await recordAuditEvent(deps, { type: "passkey.renamed", accountId: input.accountId, context: input.context, detail: { passkey: input.passkeyId } });
}

/** Removes a passkey. Throws PASSKEY_NOT_FOUND (also for another account's passkey). */
export async function removePasskey(deps: SecurityDeps, input: { accountId: string; passkeyId: string; context: SessionContext }): Promise<void> {
  const removed = await deps.stores.factors.removePasskey(input.accountId, input.passkeyId, [
    secondFactorRemovedEvent(deps, input.accountId, { id: input.passkeyId, kind: "passkey" }, { kind: "account" }),
  ]);
  if (!removed) throw new AppError("PASSKEY_NOT_FOUND");
  await recordAuditEvent(deps, { type: "passkey.removed", accountId: input.accountId, context: input.context, detail: { passkey: input.passkeyId } });
  await notifySecurityChange(deps, input.accountId, "passkey_removed");
}

export interface TOTPSetup {
  secret: string;
  uri: string;
  qrCodeSVG: string;
}

/** Begins setting up an authenticator app (a new secret, not yet protecting anything). Throws TOTP_ALREADY_ENABLED. */
export async function startTOTPSetup(deps: SecurityDeps, input: { accountId: string; label: string }): Promise<TOTPSetup> {
  const secret = generateTOTPSecret(deps);
  if (!(await deps.stores.factors.startTOTPSetup(input.accountId, sealTOTPSecret(deps, secret), deps.clock.now()))) throw new AppError("TOTP_ALREADY_ENABLED");
  return describeTOTPSetup(secret, input.label, deps.config.branding.siteName);
}

async function describeTOTPSetup(secret: string, label: string, siteName: string): Promise<TOTPSetup> {
  const uri = totpURI(secret, label, siteName);
  return { secret, uri, qrCodeSVG: await totpQRCodeSVG(uri) };
}

/** The set-up in progress (to show the QR code again), or null. */
export async function pendingTOTPSetup(deps: Pick<Deps, "stores" | "config">, input: { accountId: string; label: string }): Promise<TOTPSetup | null> {
  const factor: TOTPFactorRecord | null = await deps.stores.factors.getTOTPFactor(input.accountId);
  if (!factor || factor.confirmedAt !== null) return null;
  const secret = unsealTOTPSecret(deps, factor.secretSealed);
  return secret ? describeTOTPSetup(secret, input.label, deps.config.branding.siteName) : null;
}

/**
 * Turns the authenticator app on with its first code. Throws TOTP_NOT_SET_UP or SECOND_FACTOR_INVALID.
 * Returns recovery codes when they were just made (the first second factor).
 */
export async function confirmTOTPSetup(
  deps: SecurityDeps,
  input: { accountId: string; session: CurrentSession; code: string; context: SessionContext },
): Promise<{ recoveryCodes: string[] | null }> {
  const factor = await deps.stores.factors.getTOTPFactor(input.accountId);
  if (!factor || factor.confirmedAt !== null) throw new AppError("TOTP_NOT_SET_UP");
  const first = await hasNoSecondFactor(deps, input.accountId);
  const secret = unsealTOTPSecret(deps, factor.secretSealed);
  const step = secret ? matchTOTPCode(deps, secret, input.code) : null;
  if (step === null) throw new AppError("SECOND_FACTOR_INVALID", { field: "code" });
  const events = [secondFactorAddedEvent(deps, input.accountId, { id: "totp", kind: "totp" })];
  // Only the secret the code was checked against is turned on: if the set-up was started again in another
  // tab meanwhile, the new secret (which the person's app may never have read) stays pending.
  if (!(await deps.stores.factors.confirmTOTPFactor(input.accountId, step, deps.clock.now(), events, factor.secretSealed)))
    throw new AppError("TOTP_NOT_SET_UP", { detail: "confirmed or started again concurrently" });
  await recordAuditEvent(deps, { type: "totp.enabled", accountId: input.accountId, context: input.context });
  await notifySecurityChange(deps, input.accountId, "totp_enabled");
  if (first) await endPasswordOnlyAccess(deps, { accountId: input.accountId, session: input.session, factorAMR: ["otp"], context: input.context });
  return { recoveryCodes: await recoveryCodesForFirstFactor(deps, input.accountId, input.context, first) };
}

/** Turns the authenticator app off (or abandons its set-up). Throws TOTP_NOT_SET_UP when there is none. */
export async function removeTOTP(deps: SecurityDeps, input: { accountId: string; context: SessionContext }): Promise<void> {
  const factor = await deps.stores.factors.getTOTPFactor(input.accountId);
  const events = [secondFactorRemovedEvent(deps, input.accountId, { id: "totp", kind: "totp" }, { kind: "account" })];
  if (!factor || !(await deps.stores.factors.removeTOTPFactor(input.accountId, events))) throw new AppError("TOTP_NOT_SET_UP");
  if (factor.confirmedAt === null) return;
  await recordAuditEvent(deps, { type: "totp.disabled", accountId: input.accountId, context: input.context });
  await notifySecurityChange(deps, input.accountId, "totp_disabled");
}

/** Makes 10 new recovery codes (the old ones die). Returns them, to be shown once. */
export async function replaceRecoveryCodes(deps: SecurityDeps, input: { accountId: string; context: SessionContext }): Promise<string[]> {
  const codes = await regenerateRecoveryCodes(deps, input.accountId, [
    secondFactorAddedEvent(deps, input.accountId, { id: "recovery_codes", kind: "recovery_codes" }),
  ]);
  await recordAuditEvent(deps, { type: "recovery_codes.generated", accountId: input.accountId, context: input.context, detail: { count: codes.length } });
  await notifySecurityChange(deps, input.accountId, "recovery_codes_generated");
  return codes;
}

/** Changes the display name (empty clears it). Throws NAME_TOO_LONG. Returns the name stored. */
export async function changeDisplayName(deps: SecurityDeps, input: { accountId: string; name: string; context: SessionContext }): Promise<string | null> {
  const name = cleanName(input.name);
  await deps.stores.accounts.setAccountName(input.accountId, name, deps.clock.now(), [
    accountUpdatedEvent(deps, input.accountId, { name }, { kind: "account" }),
  ]);
  await recordAuditEvent(deps, { type: "account.renamed", accountId: input.accountId, context: input.context });
  return name;
}

/**
 * Deletes the account and everything that belongs to it (identifiers, which become free, sessions,
 * passkeys, factors, pending codes, applications' grants and tokens) in one transaction, and sends a goodbye
 * notice to the identifiers it had. Throws ADMIN_LAST_ADMIN for the only enabled admin.
 */
export async function deleteOwnAccount(deps: SecurityDeps, input: { accountId: string; context: SessionContext }): Promise<void> {
  const identifiers = (await deps.stores.accounts.listIdentifiers(input.accountId)).filter((i) => i.verifiedAt !== null);
  const result = await deleteAccountAndAppAccess(deps, input.accountId, [accountDeletedEvent(deps, input.accountId, { kind: "account" })]);
  if (result === "last_admin") throw new AppError("ADMIN_LAST_ADMIN");
  if (result === "not_found") throw new AppError("UNAUTHENTICATED");
  // Kept under the retention policy like every event; it names no address or number.
  await recordAuditEvent(deps, { type: "account.deleted", accountId: input.accountId, context: input.context, detail: { identifiers: identifiers.length } });
  sendSecurityNotice(deps, identifiers, "account_deleted", 0, input.context.locale ?? null);
}
