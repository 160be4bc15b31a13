// Recovery codes: 10 single-use codes for when the phone or security key is gone. Shown once, stored only
// as keyed hashes; making new ones kills the old ones; each use is spent in one atomic statement.

import type { Deps } from "../deps.ts";
import { generateId, hmacHex, sealJSON, unsealJSON } from "../lib/crypto.ts";
import { toASCIIDigits } from "../lib/digits.ts";
import type { NewWebhookEvent } from "../stores/types.ts";

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

/** Lower case, without spaces and dashes, digits as ASCII; null when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = toASCIIDigits(input).toLowerCase().replace(/[\s-]/g, "");
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

/** How long new recovery codes wait to be shown, between the POST that made them and the page's GET. */
export const RECOVERY_CODES_SHOWING_TTL_SECONDS = 10 * 60;
const SHOWING_PURPOSE = "recovery-codes-once";

function showingKey(accountId: string, id: string): string {
  return `recovery-codes-shown:${accountId}:${id}`;
}

/**
 * Keeps new codes, sealed, for one showing to the same account; returns the id the page asks with. The
 * codes are never written anywhere else in clear.
 */
export async function holdRecoveryCodesForShowing(deps: Pick<Deps, "stores" | "random" | "config">, accountId: string, codes: string[]): Promise<string> {
  const id = generateId(deps.random);
  await deps.stores.shortLived.set(
    showingKey(accountId, id),
    sealJSON(deps.config.secret, SHOWING_PURPOSE, codes, deps.random),
    RECOVERY_CODES_SHOWING_TTL_SECONDS,
  );
  return id;
}

/** The codes held under `id` for this account, taken (deleted) in one step: shown once, then gone. Null when missing. */
export async function takeRecoveryCodesToShow(deps: Pick<Deps, "stores" | "config">, accountId: string, id: unknown): Promise<string[] | null> {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{20}$/.test(id)) return null;
  const sealed = await deps.stores.shortLived.getAndDelete(showingKey(accountId, id));
  return sealed ? unsealJSON<string[]>(deps.config.secret, SHOWING_PURPOSE, sealed) : null;
}
