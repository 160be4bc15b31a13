// What makes a password acceptable: 8–128 code points after NFKC, no composition rules, a strength
// estimate of at least the configured score, and not containing the person's own identifier.
import { createRequire } from "node:module";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

let estimator: ZxcvbnFactory | undefined;

/**
 * The strength estimator, loaded on first use: its dictionaries take tens of megabytes, and an instance
 * that only signs people in never needs them.
 */
function strengthEstimator(): ZxcvbnFactory {
  if (!estimator) {
    const require = createRequire(import.meta.url);
    const core = require("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
    const common = require("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common");
    const english = require("@zxcvbn-ts/language-en") as typeof import("@zxcvbn-ts/language-en");
    estimator = new core.ZxcvbnFactory({
      translations: english.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...english.dictionary },
      useLevenshteinDistance: true,
    });
  }
  return estimator;
}

/** Passwords are compared after NFKC so the same password typed on different keyboards matches. */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

export function countCodePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export interface PasswordStrength {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

/** Estimates strength with zxcvbn-ts; `userInputs` (identifier, name) count as easy to guess. */
export function estimatePasswordStrength(password: string, userInputs: string[]): PasswordStrength {
  const normalized = normalizePassword(password).slice(0, PASSWORD_MAX_LENGTH * 2);
  const result = strengthEstimator().check(normalized, userInputsFrom(userInputs));
  return {
    score: result.score as PasswordStrength["score"],
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  };
}

/** Splits identifiers and names into the pieces a guesser would try (local part, domain words, digits). */
export function userInputsFrom(values: string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    const v = value.trim().toLowerCase();
    if (!v) continue;
    out.add(v);
    for (const part of v.split(/[@.\s+_-]+/)) if (part.length >= 3) out.add(part);
    const digits = v.replace(/\D/g, "");
    if (digits.length >= 6) {
      out.add(digits);
      out.add(digits.slice(-6));
    }
  }
  return [...out];
}

export type PasswordPolicyResult =
  | { ok: true; password: string }
  | { ok: false; code: "PASSWORD_REQUIRED" | "PASSWORD_TOO_SHORT" | "PASSWORD_TOO_LONG" | "PASSWORD_TOO_WEAK" | "PASSWORD_CONTAINS_IDENTIFIER"; suggestions?: string[] };

export interface PasswordContext {
  /** The account's identifiers (normalised values). */
  identifiers: string[];
  name?: string | null;
  minScore: number;
}

/** Checks a new password. On success returns the NFKC form, which is what gets hashed. */
export function checkNewPassword(password: string, context: PasswordContext): PasswordPolicyResult {
  if (password.length === 0) return { ok: false, code: "PASSWORD_REQUIRED" };
  const normalized = normalizePassword(password);
  const length = countCodePoints(normalized);
  if (length < PASSWORD_MIN_LENGTH) return { ok: false, code: "PASSWORD_TOO_SHORT" };
  if (length > PASSWORD_MAX_LENGTH) return { ok: false, code: "PASSWORD_TOO_LONG" };
  const lower = normalized.toLowerCase();
  for (const identifier of context.identifiers) {
    const id = identifier.toLowerCase();
    const local = id.includes("@") ? id.slice(0, id.indexOf("@")) : id.replace(/^\+/, "");
    // A password that contains the address or number (or its distinctive part) is the first thing an attacker tries.
    if (lower.includes(id) || (local.length >= 4 && lower.includes(local))) return { ok: false, code: "PASSWORD_CONTAINS_IDENTIFIER" };
  }
  const strength = estimatePasswordStrength(normalized, [...context.identifiers, ...(context.name ? [context.name] : [])]);
  if (strength.score < context.minScore) return { ok: false, code: "PASSWORD_TOO_WEAK", suggestions: strength.suggestions };
  return { ok: true, password: normalized };
}
