// Taking back what a person let applications do: the account's grants, with every code, access token and
// refresh token issued under them, for one application ("Remove access") or for all of them; and, when the
// account is deleted, everything the provider stored for it.
import type { Deps } from "../deps.ts";
import type { DeleteAccountResult, WebhookEventsFor } from "../stores/types.ts";

/** Deletes the account's grants to the client and every code and token issued under them. Returns how many grants. */
export async function removeAppAccess(deps: Pick<Deps, "stores" | "clock">, accountId: string, clientId: string): Promise<number> {
  return removeGrants(deps, accountId, (grantClientId) => grantClientId === clientId);
}

/**
 * Deletes every grant the account gave any application, with every code, access token and refresh token
 * issued under them: after a password reset, a password change that signs out the other sessions, signing
 * out of all other sessions, the account's first second factor, an admin signing it out everywhere, or when
 * the account is disabled, applications must not keep acting for it (nor regain that when it is enabled
 * again); the person signs in to them afresh. Returns how many grants.
 */
export async function removeAllAppAccess(deps: Pick<Deps, "stores" | "clock">, accountId: string): Promise<number> {
  return removeGrants(deps, accountId, () => true);
}

/**
 * Deletes the account (see `AccountStore.deleteAccount`, whose transaction also deletes every artifact the
 * provider stored in the database for it: grants, sessions, codes and tokens) and then what its grants left
 * in the short-lived store when that is Redis (authorization codes not yet redeemed). "last_admin" and
 * "not_found" change nothing.
 */
export async function deleteAccountAndAppAccess(
  deps: Pick<Deps, "stores" | "clock">,
  accountId: string,
  events: WebhookEventsFor<true>,
): Promise<DeleteAccountResult> {
  // Read before the deletion: afterwards nothing in the database names the account's grants. A grant made
  // between this read and the deletion still goes with the account; only a code of it may stay in Redis
  // until its minute is up, and no code can be redeemed without its grant and account.
  const grants = await deps.stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, deps.clock.now());
  const result = await deps.stores.accounts.deleteAccount(accountId, events);
  if (result === "deleted" && deps.stores.oidcShortLivedArtifacts !== deps.stores.oidcArtifacts) {
    for (const grant of grants) await deps.stores.oidcShortLivedArtifacts.revokeGrantArtifacts(grant.id);
  }
  return result;
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
