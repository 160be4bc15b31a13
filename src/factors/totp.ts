// Authenticator apps (TOTP, RFC 6238 with `otpauth`): 6 digits, 30-second steps, SHA-1 as every app
// supports. A code is accepted within one step either side of now, and once only: the store keeps the last
// accepted step and moves it forward in one compare-and-set statement.

import { Secret, TOTP } from "otpauth";
import type { Deps } from "../deps.ts";
import { sealJSON, unsealJSON } from "../lib/crypto.ts";
import { toASCIIDigits } from "../lib/digits.ts";
import type { TOTPFactorRecord } from "../stores/types.ts";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now whose codes are accepted (clock drift, a code typed as it changed). */
export const TOTP_WINDOW = 1;
const SECRET_BYTES = 20;
const SEAL_PURPOSE = "totp-secret";

type TOTPDeps = Pick<Deps, "config" | "clock" | "random">;

function totpFor(secretBase32: string, label = "account", issuer = ""): TOTP {
  return new TOTP({ issuer, label, algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A new random secret, base32 (what people type into an app that cannot scan). */
export function generateTOTPSecret(deps: Pick<Deps, "random">): string {
  const bytes = deps.random.bytes(SECRET_BYTES);
  return new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32;
}

/** Encrypts the secret for storage: it must be read back to check codes, so it is sealed, never hashed. */
export function sealTOTPSecret(deps: Pick<Deps, "config" | "random">, secretBase32: string): string {
  return sealJSON(deps.config.secret, SEAL_PURPOSE, { s: secretBase32 }, deps.random);
}

export function unsealTOTPSecret(deps: Pick<Deps, "config">, sealed: string): string | null {
  return unsealJSON<{ s: string }>(deps.config.secret, SEAL_PURPOSE, sealed)?.s ?? null;
}

/** The otpauth:// address an app reads from the QR code. `label` names the account in the app, `issuer` the site (LATCHKEY_SITE_NAME). */
export function totpURI(secretBase32: string, label: string, issuer: string): string {
  return totpFor(secretBase32, label, issuer).toString();
}

/** The QR code of the otpauth:// address as an SVG document, drawn here (no outside service sees the secret). */
export async function totpQRCodeSVG(uri: string): Promise<string> {
  // The QR code library loads with the first authenticator app being set up, not at start-up.
  const { default: QRCode } = await import("qrcode");
  return QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/** The time step of a moment. */
export function totpStepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of `step` (for tests and the set-up check). */
export function generateTOTPCode(secretBase32: string, step: number): string {
  return totpFor(secretBase32).generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 });
}

/** Six digits, spaces and dashes ignored ("123 456"), typed in any digits (٣, ۳, full-width). Anything else: null. */
export function normalizeTOTPCode(input: string): string | null {
  const code = toASCIIDigits(input).replace(/[\s-]/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step whose code `code` is, within ±1 step of now, or null. It does not tell whether the step was
 * used before: acceptTOTPStep / confirmTOTPFactor decide that atomically.
 */
export function matchTOTPCode(deps: Pick<Deps, "clock">, secretBase32: string, code: string): number | null {
  const token = normalizeTOTPCode(code);
  if (!token) return null;
  const now = deps.clock.now();
  const delta = totpFor(secretBase32).validate({ token, timestamp: now.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : totpStepAt(now) + delta;
}

/** What the account's authenticator app may be used for now. */
export function isTOTPActive(factor: TOTPFactorRecord | null): factor is TOTPFactorRecord & { confirmedAt: Date } {
  return factor !== null && factor.confirmedAt !== null;
}

/**
 * Checks a code against the account's confirmed factor and, when it matches, spends its step. True only
 * for a right code whose step is newer than any accepted before (so of 20 requests with one code, one).
 */
export async function acceptTOTPCode(deps: TOTPDeps & Pick<Deps, "stores">, accountId: string, code: string): Promise<boolean> {
  const factor = await deps.stores.factors.getTOTPFactor(accountId);
  if (!isTOTPActive(factor)) return false;
  const secret = unsealTOTPSecret(deps, factor.secretSealed);
  if (!secret) return false;
  const step = matchTOTPCode(deps, secret, code);
  if (step === null) return false;
  return deps.stores.factors.acceptTOTPStep(accountId, step);
}
