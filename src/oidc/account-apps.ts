// "Apps with access" on the account page: the applications a person let use their account (their grants),
// and taking that back, which also ends every token the application holds (it is signed out there).
import { Type } from "@sinclair/typebox";
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { requirePageAuth } from "../http/auth.ts";
import { redirectSeeOther } from "../http/forms.ts";
import { sessionContextOf } from "../http/request-context.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { removeAppAccess } from "./grant-removal.ts";

export interface AppWithAccess {
  clientId: string;
  name: string;
  scopes: string[];
  since: Date;
}

interface GrantPayload {
  clientId?: string;
  iat?: number;
  openid?: { scope?: string };
}

/** The applications holding a grant from the account, one entry per application, most recent first. */
export async function listAppsWithAccess(deps: Pick<Deps, "stores" | "clock">, accountId: string): Promise<AppWithAccess[]> {
  const grants = await deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, deps.clock.now());
  const byClient = new Map<string, AppWithAccess>();
  for (const grant of grants) {
    const payload = JSON.parse(grant.payload) as GrantPayload;
    const clientId = grant.clientId ?? payload.clientId;
    if (!clientId) continue;
    const since = new Date((payload.iat ?? 0) * 1000);
    const scopes = (payload.openid?.scope ?? "").split(" ").filter(Boolean);
    const known = byClient.get(clientId);
    if (known) {
      known.scopes = [...new Set([...known.scopes, ...scopes])];
      if (since < known.since) known.since = since;
      continue;
    }
    const client = await deps.stores.oidcClients.getClient(clientId);
    if (client) byClient.set(clientId, { clientId, name: client.name, scopes, since });
  }
  return [...byClient.values()].sort((a, b) => b.since.getTime() - a.since.getTime());
}

const ClientParams = Type.Object({ clientId: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }) }, { additionalProperties: false });

export function registerAppsWithAccessRoutes(app: TypedApp, deps: Deps): void {
  app.post("/account/apps/:clientId/remove", { preHandler: app.csrfProtection, schema: { params: ClientParams } }, async (request, reply) => {
    const auth = requirePageAuth(request, reply);
    if (!auth) return reply;
    const { clientId } = request.params;
    // Only this account's grants are touched, so another account's application id changes nothing.
    if ((await removeAppAccess(deps, auth.account.id, clientId)) > 0) {
      await recordAuditEvent(deps, {
        type: "oidc.access_removed",
        accountId: auth.account.id,
        context: sessionContextOf(request),
        detail: { client: clientId },
      });
    }
    return redirectSeeOther(reply, "/account?done=app-removed");
  });
}
