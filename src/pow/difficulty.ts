// How hard a proof-of-work puzzle is: small for everyone, raised for a busy address and for an identifier
// with recent failed sign-ins. Both raises read counters the sign-in already keeps; nothing new is counted.
//
//   base ............................. LATCHKEY_POW_DIFFICULTY bits (14 by default)
//   + POW_RAISE_BITS ................. the asking address made POW_RAISE_AFTER_ATTEMPTS or more sign-in
//                                      attempts in the current sign-in rate window
//   + POW_RAISE_BITS ................. the identifier named has POW_RAISE_AFTER_FAILURES or more
//                                      consecutive failed sign-ins on record
import type { Deps } from "../deps.ts";
import { countClientRequests } from "../http/client-limits.ts";
import { hmacHex } from "../lib/crypto.ts";
import { parseIdentifier } from "../lib/identifier-parsing.ts";
import { CAPTCHA_AFTER_FAILURES, countSigninFailures } from "../signin/throttle.ts";

/** Extra bits (each one doubles the work) asked for one reason to be careful. */
export const POW_RAISE_BITS = 4;
/** Sign-in attempts from one address, in the current sign-in rate window, after which difficulty rises. */
export const POW_RAISE_AFTER_ATTEMPTS = 5;
/** Consecutive failed sign-ins of one identifier after which difficulty rises: where the picture would come. */
export const POW_RAISE_AFTER_FAILURES = CAPTCHA_AFTER_FAILURES;

type DifficultyDeps = Pick<Deps, "stores" | "config">;

/**
 * The normalised form of what a person typed as their identifier, or undefined when it is not a valid
 * e-mail address or phone number (the guarded request then fails on the identifier anyway).
 */
export function normalizePowIdentifier(config: Pick<Deps["config"], "defaultRegion">, input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const parsed = parseIdentifier(input, { defaultRegion: config.defaultRegion });
  return parsed.ok ? parsed.identifier.value : undefined;
}

/** What a puzzle stores about the identifier it was made for: a keyed hash, never the identifier itself. */
export function powIdentifierSubject(config: Pick<Deps["config"], "secret">, identifier: string): string {
  return hmacHex(config.secret, "pow-identifier", identifier).slice(0, 32);
}

/** The bits an identifier's own record adds: POW_RAISE_BITS after recent failures, else 0. */
async function identifierRaise(deps: DifficultyDeps, identifier: string | undefined): Promise<number> {
  if (identifier === undefined) return 0;
  return (await countSigninFailures(deps, identifier)) >= POW_RAISE_AFTER_FAILURES ? POW_RAISE_BITS : 0;
}

/**
 * The difficulty of a puzzle for a client at address `ip` that names `identifier` (normalised; undefined
 * when it names none yet): the base, plus a raise for a busy address, plus one for an identifier with
 * recent failures.
 */
export async function powDifficultyFor(deps: DifficultyDeps, input: { ip: string; identifier?: string | undefined }): Promise<number> {
  const attempts = await countClientRequests(deps, "signin", input.ip);
  const addressRaise = attempts >= POW_RAISE_AFTER_ATTEMPTS ? POW_RAISE_BITS : 0;
  return deps.config.pow.difficulty + addressRaise + (await identifierRaise(deps, input.identifier));
}

/**
 * The least difficulty a proof must have been made at to be accepted for a request naming `identifier`:
 * the base plus the identifier's raise. A puzzle fetched before the identifier was known (a page loaded
 * before anyone typed) is enough for an identifier without recent failures, and too easy for one with them.
 */
export async function requiredPowDifficulty(deps: DifficultyDeps, identifier: string | undefined): Promise<number> {
  return deps.config.pow.difficulty + (await identifierRaise(deps, identifier));
}
