// Recovery codes: 10 single-use codes for when the phone or security key is gone. Shown once, stored only
// as keyed hashes; making new ones kills the old ones; each use is spent in one atomic statement.
import type { Deps } from "../deps.ts";
import type { NewWebhookEvent } from "../stores/types.ts";
import { generateId, hmacHex } from "../lib/crypto.ts";

export const RECOVERY_CODE_COUNT = 10;
/** Without look-alikes (no 0/O, 1/l/I), lower case: easy to read off paper and type. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
/** 10 characters of a 31-letter alphabet: about 49 bits each, far beyond guessing under the throttle. */
const CODE_LENGTH = 10;

type RecoveryDeps = Pick<Deps, "stores" | "clock" | "random" | "config">;

/** "abcde-fghjk": two groups of five, to read aloud or copy. */
function formatRecoveryCode(raw: string): string {
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** Lower case, without spaces and dashes; null when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]/g, "");
  if (code.length !== CODE_LENGTH) return null;
  for (const c of code) if (!ALPHABET.includes(c)) return null;
  return code;
}

function hashRecoveryCode(secret: string, accountId: string, normalized: string): string {
  // Keyed and bound to the account: a stolen table cannot be checked offline or replayed on another account.
  return hmacHex(secret, "recovery-code", accountId, normalized);
}

function generateRecoveryCode(deps: Pick<Deps, "random">): string {
  let raw = "";
  for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[deps.random.int(ALPHABET.length)];
  return raw;
}

/** Makes 10 new codes, replacing (killing) every earlier one, with `events` in the same transaction. Returns the codes to show once. */
export async function regenerateRecoveryCodes(deps: RecoveryDeps, accountId: string, events?: readonly NewWebhookEvent[]): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(generateRecoveryCode(deps));
  const raw = [...codes];
  await deps.stores.factors.replaceRecoveryCodes(
    accountId,
    raw.map((code) => ({ id: generateId(deps.random), codeHash: hashRecoveryCode(deps.config.secret, accountId, code) })),
    deps.clock.now(),
    events,
  );
  return raw.map(formatRecoveryCode);
}

/** Spends one recovery code. True for exactly one caller with a right, unused code. */
export async function consumeRecoveryCode(deps: RecoveryDeps, accountId: string, input: string): Promise<boolean> {
  const code = normalizeRecoveryCode(input);
  if (!code) return false;
  return deps.stores.factors.consumeRecoveryCode(accountId, hashRecoveryCode(deps.config.secret, accountId, code), deps.clock.now());
}
