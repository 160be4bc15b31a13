// Session tokens are `id.secret`: the id finds the row, only SHA-256(secret) is stored, and the
// comparison is constant-time, so a database leak or a timing probe yields no usable token.
import { constantTimeEqual, generateId, generateSecretToken, sha256Hex } from "../lib/crypto.ts";
import type { Random } from "../lib/random.ts";

export interface SessionToken {
  token: string;
  id: string;
  secretHash: string;
}

export function generateSessionToken(random: Random): SessionToken {
  const id = generateId(random);
  const secret = generateSecretToken(random);
  return { token: `${id}.${secret}`, id, secretHash: sha256Hex(secret) };
}

/** Splits a token from a cookie or header; null when it is not of our form. */
export function parseSessionToken(token: string): { id: string; secret: string } | null {
  if (token.length > 200) return null;
  const match = /^([A-Za-z0-9_-]{20})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  return { id: match[1] as string, secret: match[2] as string };
}

export function sessionSecretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(sha256Hex(secret), storedHash);
}
