// Per-client-address limits on expensive or abusable requests. Counted in the short-lived store (SQLite in
// single mode, Redis in cluster mode), so every instance sees the same counts.
import type { FastifyRequest } from "fastify";
import type { ClientLimitKind } from "../config/load.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { hmacHex } from "../lib/crypto.ts";

export type { ClientLimitKind };

/**
 * Counts one request of `kind` from the client address; throws RATE_LIMITED (429, Retry-After) once the
 * window's allowance is spent. The address is stored only as a keyed hash.
 */
export async function consumeClientAllowance(deps: Pick<Deps, "stores" | "config">, kind: ClientLimitKind, ip: string): Promise<void> {
  const limit = deps.config.clientLimits[kind];
  const key = clientAllowanceKey(deps.config, kind, ip);
  const count = await deps.stores.shortLived.increment(key, limit.windowSeconds);
  if (count > limit.max) {
    const retryAfter = Math.max(1, await deps.stores.shortLived.ttl(key));
    throw new AppError("RATE_LIMITED", { retryAfter, detail: `${kind} from one address` });
  }
}

/** The short-lived store key of the counter of `kind` for the client address `ip`. */
export function clientAllowanceKey(config: Pick<Deps["config"], "secret">, kind: ClientLimitKind, ip: string): string {
  return `client:${kind}:${hmacHex(config.secret, "client", ip).slice(0, 32)}`;
}

/** Requests of `kind` counted for the client address in the current window (read only). */
export async function countClientRequests(deps: Pick<Deps, "stores" | "config">, kind: ClientLimitKind, ip: string): Promise<number> {
  return Number((await deps.stores.shortLived.get(clientAllowanceKey(deps.config, kind, ip))) ?? 0);
}

/**
 * A preHandler that applies the limit of `kind` to the request's client address. A sign-in that storage
 * failed at this first step is counted as one lost to the outage, like one that failed further on.
 */
export function limitClient(deps: Pick<Deps, "stores" | "config" | "metrics">, kind: ClientLimitKind) {
  return async (request: FastifyRequest): Promise<void> => {
    try {
      await consumeClientAllowance(deps, kind, request.ip);
    } catch (error) {
      if (kind === "signin" && !isAppError(error)) deps.metrics.signin("unavailable");
      throw error;
    }
  };
}
