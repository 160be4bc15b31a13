// Per-client-address limits on expensive or abusable requests. Counted in the short-lived store (SQLite in
// single mode, Redis in cluster mode), so every instance sees the same counts.
import { isIPv4, isIPv6 } from "node:net";
import type { FastifyRequest } from "fastify";
import type { ClientLimitKind } from "../config/load.ts";
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { hmacHex } from "../lib/crypto.ts";
import { clientAddressOf } from "./request-context.ts";

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
  return `client:${kind}:${hmacHex(config.secret, "client", clientNetwork(ip)).slice(0, 32)}`;
}

/**
 * What one client's allowance is counted for: an IPv4 address (also when written inside IPv6, `::ffff:…`), or
 * the /64 network of an IPv6 address. A single IPv6 subscriber or server is given a whole /64 and can send
 * from any of its 2^64 addresses, so counting each address alone gave every limit away.
 */
export function clientNetwork(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const address = ip.replace(/%.*$/, "").toLowerCase();
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped && isIPv4(mapped[1] as string)) return mapped[1] as string;
  return `${expandIPv6(address).slice(0, 4).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, each without leading zeros (an embedded IPv4 tail becomes two groups). */
function expandIPv6(address: string): string[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}

/**
 * Counts one use of `kind` for the client address and answers whether it was within the window's allowance,
 * without refusing anything: for things that are done anyway but counted only up to a limit (help article
 * views). One atomic increment, so of concurrent callers at most the allowance get true.
 */
export async function takeClientAllowance(deps: Pick<Deps, "stores" | "config">, kind: ClientLimitKind, ip: string): Promise<boolean> {
  const limit = deps.config.clientLimits[kind];
  return (await deps.stores.shortLived.increment(clientAllowanceKey(deps.config, kind, ip), limit.windowSeconds)) <= limit.max;
}

/** Whether the allowance of `kind` for the client address is spent in the current window (read only, writes nothing). */
export async function isClientAllowanceSpent(deps: Pick<Deps, "stores" | "config">, kind: ClientLimitKind, ip: string): Promise<boolean> {
  return (await countClientRequests(deps, kind, ip)) >= deps.config.clientLimits[kind].max;
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
      await consumeClientAllowance(deps, kind, clientAddressOf(request));
    } catch (error) {
      if (kind === "signin" && !isAppError(error)) deps.metrics.signin("unavailable");
      throw error;
    }
  };
}
