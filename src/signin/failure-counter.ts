// Consecutive failed sign-ins per identifier, counted whether or not an account uses it, so the count and
// what follows from it (the security check) reveal nothing about accounts.
import type { Deps } from "../deps.ts";
import { hmacHex } from "../lib/crypto.ts";

/** After this many consecutive failures, sign-in for the identifier needs a solved security check. */
export const CAPTCHA_AFTER_FAILURES = 3;
/** A count with no new failure for this long starts again from zero. */
export const FAILURE_MEMORY_SECONDS = 12 * 3600;

function counterKey(secret: string, value: string): string {
  // Keyed hash: the store never holds the address or number itself.
  return `signin-failures:${hmacHex(secret, "signin-failures", value).slice(0, 40)}`;
}

export async function countSigninFailures(deps: Pick<Deps, "stores" | "config">, value: string): Promise<number> {
  const raw = await deps.stores.shortLived.get(counterKey(deps.config.secret, value));
  return raw ? Number(raw) : 0;
}

/** Adds one failure and returns the new count. */
export async function recordSigninFailure(deps: Pick<Deps, "stores" | "config">, value: string): Promise<number> {
  return deps.stores.shortLived.increment(counterKey(deps.config.secret, value), FAILURE_MEMORY_SECONDS);
}

export async function clearSigninFailures(deps: Pick<Deps, "stores" | "config">, value: string): Promise<void> {
  await deps.stores.shortLived.delete(counterKey(deps.config.secret, value));
}
