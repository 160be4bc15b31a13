// What makes a password acceptable: 8–128 code points after NFKC, no composition rules, a strength
// estimate of at least the configured score, and not containing the person's own identifier.
import type { Locale } from "../i18n/locales.ts";
import { estimatePasswordStrength } from "./password-strength.ts";

export { estimatePasswordStrength, type PasswordStrength, userInputsFrom } from "./password-strength.ts";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** Passwords are compared after NFKC so the same password typed on different keyboards matches. */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

export function countCodePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export type PasswordPolicyResult =
  | { ok: true; password: string }
  | {
      ok: false;
      code: "PASSWORD_REQUIRED" | "PASSWORD_TOO_SHORT" | "PASSWORD_TOO_LONG" | "PASSWORD_TOO_WEAK" | "PASSWORD_CONTAINS_IDENTIFIER";
      suggestions?: string[];
    };

export interface PasswordContext {
  /** The account's identifiers (normalised values). */
  identifiers: string[];
  name?: string | null;
  minScore: number;
  /** The language of the page or request: its words count as easy to guess too (English when not given). */
  locale?: Locale | undefined;
}

/**
 * The cheap checks of a new password: present, 8–128 code points, not containing an identifier. Run them
 * before anything costly (the security check, send limits, the strength estimate).
 */
export function checkPasswordShape(password: string, context: Pick<PasswordContext, "identifiers">): PasswordPolicyResult {
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
  return { ok: true, password: normalized };
}

/** The costly check: the strength estimate (in a worker thread) of a password that passed checkPasswordShape. */
export async function checkPasswordStrength(normalized: string, context: PasswordContext): Promise<PasswordPolicyResult> {
  const strength = await estimatePasswordStrength(normalized, [...context.identifiers, ...(context.name ? [context.name] : [])], context.locale);
  if (strength.score < context.minScore) return { ok: false, code: "PASSWORD_TOO_WEAK", suggestions: strength.suggestions };
  return { ok: true, password: normalized };
}

/** Checks a new password, cheap checks first. On success returns the NFKC form, which is what gets hashed. */
export async function checkNewPassword(password: string, context: PasswordContext): Promise<PasswordPolicyResult> {
  const shape = checkPasswordShape(password, context);
  if (!shape.ok) return shape;
  return checkPasswordStrength(shape.password, context);
}
