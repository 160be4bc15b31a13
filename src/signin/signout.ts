// Signing out: the session ends on every instance, and the event is recorded.
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { invalidateSession, type SessionContext } from "../sessions/sessions.ts";

/** Ends the session and records the sign-out. Nothing to do (and nothing recorded) without a session. */
export async function signOut(
  deps: Pick<Deps, "stores" | "clock" | "random" | "logger">,
  input: { auth: { session: { id: string }; account: { id: string } } | null | undefined; context: SessionContext },
): Promise<void> {
  if (!input.auth) return;
  await invalidateSession(deps, input.auth.session.id);
  await recordAuditEvent(deps, { type: "signout", accountId: input.auth.account.id, context: input.context });
}
