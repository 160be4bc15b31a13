// Proof of work: before a client may ask for a sign-in, a registration, a password reset or a new security
// check, it finds a nonce such that SHA-256(prefix + nonce) starts with `difficulty` zero bits. The
// puzzle lives in the short-lived store under a random id, bound to a purpose and to the session or
// browser that asked, and is consumed atomically by its one verification (one hash on the server).
import { createHash } from "node:crypto";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { countClientRequests } from "../http/client-limits.ts";
import { generateId } from "../lib/crypto.ts";

export const POW_PURPOSES = ["signin", "registration", "password_reset", "captcha"] as const;
export type PowPurpose = (typeof POW_PURPOSES)[number];
export const POW_TTL_SECONDS = 5 * 60;
/** Extra bits asked of an address that has made many recent sign-in attempts. */
export const POW_RAISE_BITS = 4;
/** Sign-in attempts from one address, in the current sign-in rate window, after which difficulty rises. */
export const POW_RAISE_AFTER_ATTEMPTS = 5;
const NONCE_PATTERN = /^[0-9A-Za-z]{1,32}$/;
const ID_PATTERN = /^[A-Za-z0-9_-]{20}$/;

interface StoredPuzzle {
  purpose: PowPurpose;
  binding: string;
  prefix: string;
  difficulty: number;
  expiresAt: number;
}

export interface PowPuzzle {
  id: string;
  prefix: string;
  difficulty: number;
  expiresAt: string;
}

export interface PowProof {
  id: string;
  nonce: string;
}

type PowDeps = Pick<Deps, "stores" | "clock" | "random" | "config">;

const key = (id: string) => `pow:${id}`;

/** Number of leading zero bits of SHA-256(prefix + nonce). */
export function leadingZeroBits(prefix: string, nonce: string): number {
  const digest = createHash("sha256").update(prefix + nonce).digest();
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Finds a nonce for `prefix` at `difficulty` bits (the same search the page's worker runs). */
export function solvePowPuzzle(prefix: string, difficulty: number): string {
  for (let n = 0; ; n++) {
    const nonce = n.toString(36);
    if (leadingZeroBits(prefix, nonce) >= difficulty) return nonce;
  }
}

/**
 * The difficulty for a client: the configured base, raised by POW_RAISE_BITS for an address that has made
 * many sign-in attempts in the current window (read from the per-address sign-in counter; nothing new is
 * counted here).
 */
export async function powDifficultyFor(deps: Pick<Deps, "stores" | "config">, ip: string): Promise<number> {
  const attempts = await countClientRequests(deps, "signin", ip);
  return deps.config.pow.difficulty + (attempts >= POW_RAISE_AFTER_ATTEMPTS ? POW_RAISE_BITS : 0);
}

/** Creates a puzzle for `purpose`, usable once and only by `binding`. */
export async function createPowPuzzle(deps: PowDeps, input: { purpose: PowPurpose; binding: string; difficulty: number }): Promise<PowPuzzle> {
  const id = generateId(deps.random);
  const prefix = deps.random.bytes(16).toString("hex");
  const expiresAt = deps.clock.now().getTime() + POW_TTL_SECONDS * 1000;
  const stored: StoredPuzzle = { purpose: input.purpose, binding: input.binding, prefix, difficulty: input.difficulty, expiresAt };
  await deps.stores.shortLived.set(key(id), JSON.stringify(stored), POW_TTL_SECONDS);
  return { id, prefix, difficulty: input.difficulty, expiresAt: new Date(expiresAt).toISOString() };
}

export type PowVerdict = "valid" | "invalid";

/**
 * Checks a proof. The puzzle is deleted by this call whatever the outcome, atomically: of concurrent
 * callers only one can see it. A puzzle of another purpose or binding, or past its expiry, is invalid.
 */
export async function verifyPowProof(deps: Pick<Deps, "stores" | "clock">, input: { proof: PowProof; purpose: PowPurpose; binding: string }): Promise<PowVerdict> {
  if (!ID_PATTERN.test(input.proof.id) || !NONCE_PATTERN.test(input.proof.nonce)) return "invalid";
  const raw = await deps.stores.shortLived.getAndDelete(key(input.proof.id));
  if (!raw) return "invalid";
  const stored = JSON.parse(raw) as StoredPuzzle;
  if (stored.expiresAt <= deps.clock.now().getTime()) return "invalid";
  if (stored.purpose !== input.purpose || stored.binding !== input.binding) return "invalid";
  return leadingZeroBits(stored.prefix, input.proof.nonce) >= stored.difficulty ? "valid" : "invalid";
}

/**
 * Passes when proof of work is switched off or `proof` solves a puzzle of this purpose and binding.
 * Otherwise throws POW_REQUIRED (none given) or POW_INVALID.
 */
export async function requirePowProof(
  deps: Pick<Deps, "stores" | "clock" | "config">,
  input: { proof: PowProof | undefined; purpose: PowPurpose; binding: string },
): Promise<void> {
  if (!deps.config.pow.enabled) return;
  if (!input.proof) throw new AppError("POW_REQUIRED", { field: "pow" });
  const verdict = await verifyPowProof(deps, { proof: input.proof, purpose: input.purpose, binding: input.binding });
  if (verdict !== "valid") throw new AppError("POW_INVALID", { field: "pow" });
}
