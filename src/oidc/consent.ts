// What giving consent on the consent page records: the audit event that the person let an application use
// their account.
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import type { SessionContext } from "../sessions/sessions.ts";

/** Records that the account allowed the client access (the grant itself is stored by the provider). */
export async function recordConsentGiven(
  deps: Pick<Deps, "stores" | "clock" | "random" | "logger">,
  input: { accountId: string; clientId: string; context: SessionContext },
): Promise<void> {
  await recordAuditEvent(deps, { type: "oidc.consent_given", accountId: input.accountId, context: input.context, detail: { client: input.clientId } });
}
