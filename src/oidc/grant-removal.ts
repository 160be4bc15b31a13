// Taking back what a person let applications do: the account's grants, with every code, access token and
// refresh token issued under them, for one application ("Remove access") or for all of them.
import type { Deps } from "../deps.ts";

/** Deletes the account's grants to the client and every code and token issued under them. Returns how many grants. */
export async function removeAppAccess(deps: Pick<Deps, "stores" | "clock">, accountId: string, clientId: string): Promise<number> {
  return removeGrants(deps, accountId, (grantClientId) => grantClientId === clientId);
}

/**
 * Deletes every grant the account gave any application, with every code, access token and refresh token
 * issued under them: after a password reset or when the account is disabled, applications must not keep
 * acting for it (nor regain that when it is enabled again); the person signs in to them afresh. Returns how many grants.
 */
export async function removeAllAppAccess(deps: Pick<Deps, "stores" | "clock">, accountId: string): Promise<number> {
  return removeGrants(deps, accountId, () => true);
}

async function removeGrants(deps: Pick<Deps, "stores" | "clock">, accountId: string, matches: (clientId: string | null) => boolean): Promise<number> {
  const grants = await deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, deps.clock.now());
  let removed = 0;
  for (const grant of grants) {
    if (!matches(grant.clientId)) continue;
    await deps.stores.oidcArtifacts.revokeGrantArtifacts(grant.id);
    if (deps.stores.oidcShortLivedArtifacts !== deps.stores.oidcArtifacts) await deps.stores.oidcShortLivedArtifacts.revokeGrantArtifacts(grant.id);
    await deps.stores.oidcArtifacts.deleteArtifact("Grant", grant.id);
    removed++;
  }
  return removed;
}
