// Proof of work: before a client may ask for a sign-in, a registration, a password reset or a new security
// check, it finds a nonce such that SHA-256(prefix + nonce) starts with `difficulty` zero bits. The
// puzzle lives in the short-lived store under a random id, bound to a purpose and to the session or
// browser that asked, and is consumed atomically by its one verification (one hash on the server).
import { createHash } from "node:crypto";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { generateId } from "../lib/crypto.ts";
import { powIdentifierSubject, requiredPowDifficulty } from "./difficulty.ts";

export const POW_PURPOSES = ["signin", "registration", "password_reset", "captcha"] as const;
export type PowPurpose = (typeof POW_PURPOSES)[number];
export const POW_TTL_SECONDS = 5 * 60;
const NONCE_PATTERN = /^[0-9A-Za-z]{1,32}$/;
const ID_PATTERN = /^[A-Za-z0-9_-]{20}$/;

interface StoredPuzzle {
  purpose: PowPurpose;
  binding: string;
  prefix: string;
  difficulty: number;
  expiresAt: number;
  /** Keyed hash of the identifier the puzzle was asked for, when one was named. */
  subject?: string;
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
  const digest = createHash("sha256")
    .update(prefix + nonce)
    .digest();
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
 * Creates a puzzle for `purpose`, usable once and only by `binding`; when `identifier` (normalised) is
 * given, only for a request that names that identifier.
 */
export async function createPowPuzzle(
  deps: PowDeps,
  input: { purpose: PowPurpose; binding: string; difficulty: number; identifier?: string | undefined },
): Promise<PowPuzzle> {
  const id = generateId(deps.random);
  const prefix = deps.random.bytes(16).toString("hex");
  const expiresAt = deps.clock.now().getTime() + POW_TTL_SECONDS * 1000;
  const stored: StoredPuzzle = { purpose: input.purpose, binding: input.binding, prefix, difficulty: input.difficulty, expiresAt };
  if (input.identifier !== undefined) stored.subject = powIdentifierSubject(deps.config, input.identifier);
  await deps.stores.shortLived.set(key(id), JSON.stringify(stored), POW_TTL_SECONDS);
  return { id, prefix, difficulty: input.difficulty, expiresAt: new Date(expiresAt).toISOString() };
}

/** `too_easy`: a correct proof of a puzzle made at less than the identifier now needs. */
export type PowVerdict = "valid" | "invalid" | "too_easy";

type VerifyDeps = Pick<Deps, "stores" | "clock" | "config">;

/**
 * Checks a proof for a request that names `identifier` (normalised; undefined when it names none). The
 * puzzle is deleted by this call whatever the outcome, atomically: of concurrent callers only one can see
 * it. A puzzle of another purpose, binding or identifier, past its expiry, or whose nonce falls short of
 * its difficulty is `invalid`; a correct one made at less than the identifier requires is `too_easy`.
 */
export async function verifyPowProof(
  deps: VerifyDeps,
  input: { proof: PowProof; purpose: PowPurpose; binding: string; identifier?: string | undefined },
): Promise<PowVerdict> {
  if (!ID_PATTERN.test(input.proof.id) || !NONCE_PATTERN.test(input.proof.nonce)) return "invalid";
  const raw = await deps.stores.shortLived.getAndDelete(key(input.proof.id));
  if (!raw) return "invalid";
  const stored = JSON.parse(raw) as StoredPuzzle;
  if (stored.expiresAt <= deps.clock.now().getTime()) return "invalid";
  if (stored.purpose !== input.purpose || stored.binding !== input.binding) return "invalid";
  // A puzzle asked for one identifier cannot be spent on another: otherwise a client would ask with an
  // identifier that has no failures (a small puzzle) and use the proof against one that has many.
  if (stored.subject !== undefined && (input.identifier === undefined || powIdentifierSubject(deps.config, input.identifier) !== stored.subject))
    return "invalid";
  // The hash first: it costs less than reading the identifier's record.
  if (leadingZeroBits(stored.prefix, input.proof.nonce) < stored.difficulty) return "invalid";
  if (input.identifier !== undefined && stored.difficulty < (await requiredPowDifficulty(deps, input.identifier))) return "too_easy";
  return "valid";
}

/**
 * Passes when proof of work is switched off or `proof` solves a puzzle of this purpose and binding, at
 * the difficulty `identifier` requires. Otherwise throws POW_REQUIRED (none given), POW_TOO_EASY or
 * POW_INVALID.
 */
export async function requirePowProof(
  deps: VerifyDeps,
  input: { proof: PowProof | undefined; purpose: PowPurpose; binding: string; identifier?: string | undefined },
): Promise<void> {
  if (!deps.config.pow.enabled) return;
  if (!input.proof) throw new AppError("POW_REQUIRED", { field: "pow" });
  const verdict = await verifyPowProof(deps, { proof: input.proof, purpose: input.purpose, binding: input.binding, identifier: input.identifier });
  if (verdict === "too_easy") throw new AppError("POW_TOO_EASY", { field: "pow" });
  if (verdict !== "valid") throw new AppError("POW_INVALID", { field: "pow" });
}
