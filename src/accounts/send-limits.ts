// Limits on messages sent to one address or number, so nobody can flood someone's inbox or phone through
// us. Counted per identifier (sub-addresses of one mailbox together) whether or not an account uses it, so
// the limit itself reveals nothing.
import type { Deps } from "../deps.ts";
import { AppError, isAppError } from "../errors/app-error.ts";
import { sha256Hex } from "../lib/crypto.ts";

export const SEND_LIMITS = [
  { window: "15m", seconds: 15 * 60, max: 3 },
  { window: "1d", seconds: 24 * 60 * 60, max: 10 },
] as const;

/**
 * Whose messages a normalised identifier's count belongs to: the number, or the mailbox without its
 * sub-address. Security: `name+anything@domain` reaches the inbox of `name@domain` at most providers, so
 * counting each tag apart would let anyone flood one inbox with codes and notices through endless tags.
 */
function sendLimitSubject(value: string): string {
  const at = value.lastIndexOf("@");
  const plus = value.indexOf("+");
  const recipient = at !== -1 && plus > 0 && plus < at ? `${value.slice(0, plus)}${value.slice(at)}` : value;
  // The key holds a hash, so the short-lived store never lists people's addresses.
  return sha256Hex(recipient).slice(0, 32);
}

/**
 * Counts one message to `value` (a normalised identifier) against every window; throws SEND_LIMITED with
 * the wait when a window is full. `kind` separates, e.g., verification codes from reset messages.
 */
export async function consumeSendAllowance(deps: Pick<Deps, "stores">, kind: string, value: string): Promise<void> {
  const subject = sendLimitSubject(value);
  for (const limit of SEND_LIMITS) {
    const key = `send:${kind}:${limit.window}:${subject}`;
    const count = await deps.stores.shortLived.increment(key, limit.seconds);
    if (count > limit.max) {
      const retryAfter = Math.max(1, await deps.stores.shortLived.ttl(key));
      throw new AppError("SEND_LIMITED", { retryAfter, detail: `${kind} ${limit.window}` });
    }
  }
}

/** Gives back one message counted by consumeSendAllowance (each window, not below zero). */
async function releaseSendAllowance(deps: Pick<Deps, "stores">, kind: string, value: string): Promise<void> {
  const subject = sendLimitSubject(value);
  for (const limit of SEND_LIMITS) await deps.stores.shortLived.decrement(`send:${kind}:${limit.window}:${subject}`);
}

/**
 * Runs `send` for a message already counted against `value`'s allowance, and gives the count back when
 * the message could not be delivered (DELIVERY_FAILED), then throws on: a mail server or SMS gateway that
 * is down must not use up the allowance, or people who retried during the outage would be refused after it.
 */
export async function sendCountedMessage(deps: Pick<Deps, "stores">, kind: string, value: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (isAppError(error) && error.code === "DELIVERY_FAILED") await releaseSendAllowance(deps, kind, value);
    throw error;
  }
}
