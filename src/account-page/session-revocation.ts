// Ending sessions from the account page or the API: one session, or every other one (with every
// application's access). Each is recorded.
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import type { Refusal } from "../flows/refusal.ts";
import { removeAllAppAccess } from "../oidc/grant-removal.ts";
import { invalidateAccountSession, invalidateOtherSessions, type SessionContext } from "../sessions/sessions.ts";

type RevocationDeps = Pick<Deps, "stores" | "clock" | "random" | "logger">;

export type SessionRevocationResult = { kind: "signed-out" } | { kind: "session-ended" } | { kind: "not-found"; refusal: Refusal };

/**
 * Ends one session of the account. Ending `currentSessionId` (the page's own session) is a sign-out; the
 * API names none, and every session it ends is recorded as revoked. Another account's session (or one
 * already gone) is refused, never reported as ended.
 */
export async function revokeAccountSession(
  deps: RevocationDeps,
  input: { accountId: string; sessionId: string; currentSessionId?: string; context: SessionContext },
): Promise<SessionRevocationResult> {
  if (!(await invalidateAccountSession(deps, input.accountId, input.sessionId))) return { kind: "not-found", refusal: { code: "SESSION_NOT_FOUND" } };
  if (input.sessionId === input.currentSessionId) {
    await recordAuditEvent(deps, { type: "signout", accountId: input.accountId, context: input.context });
    return { kind: "signed-out" };
  }
  await recordAuditEvent(deps, { type: "session.revoked", accountId: input.accountId, context: input.context, detail: { count: 1 } });
  return { kind: "session-ended" };
}

/**
 * Ends every session of the account but the current one, and every application's grant with its tokens;
 * returns how many sessions ended.
 */
export async function revokeOtherSessions(
  deps: RevocationDeps,
  input: { accountId: string; currentSessionId: string; context: SessionContext },
): Promise<number> {
  const count = await invalidateOtherSessions(deps, input.accountId, input.currentSessionId);
  // Applications are other places the person is signed in: a refresh token outlives the session that got it
  // (up to 30 days), so whoever had a stolen session would keep acting for the account through an
  // application. Grants are not tied to a browser, so every application is signed out and asks again.
  const apps = await removeAllAppAccess(deps, input.accountId);
  await recordAuditEvent(deps, { type: "sessions.revoked", accountId: input.accountId, context: input.context, detail: { count, apps } });
  return count;
}
