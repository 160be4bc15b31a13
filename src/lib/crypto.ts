// Small cryptographic helpers shared by every feature: hashing of stored secrets, keyed hashes and
// constant-time comparison.
import { createCipheriv, createDecipheriv, createHmac, hash, timingSafeEqual } from "node:crypto";
import type { Random } from "./random.ts";

/**
 * SHA-256, hex-encoded. The one-shot `hash` skips the Hash object that createHash builds and throws away: a
 * third of the time for a token-sized input, on the session check's path.
 */
export function sha256Hex(input: string | Buffer): string {
  return hash("sha256", input, "hex");
}

/** HMAC-SHA256 of `parts` joined unambiguously, hex-encoded. */
export function hmacHex(key: Buffer | string, ...parts: string[]): string {
  const mac = createHmac("sha256", key);
  for (const part of parts) {
    // Length-prefix each part so ("ab","c") and ("a","bc") never collide.
    mac.update(`${Buffer.byteLength(part)}:`).update(part);
  }
  return mac.digest("hex");
}

/** Compares two strings in time that depends only on their length. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Compare against itself to spend comparable time, then report the mismatch.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** A random identifier for rows and public ids: 20 characters of base64url (120 bits). */
export function generateId(random: Random): string {
  // Never one that starts with "-": the command line takes ids as arguments, and reads "-x…" as an option
  // (`latchkey clients remove -x…` failed as a usage error). One draw in 64 is drawn again.
  for (;;) {
    const id = random.bytes(15).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** A secret token: 256 bits, base64url. */
export function generateSecretToken(random: Random): string {
  return random.bytes(32).toString("base64url");
}

/** A numeric one-time code with `length` digits, uniformly distributed. */
export function generateNumericCode(random: Random, length = 6): string {
  let code = "";
  for (let i = 0; i < length; i++) code += String(random.int(10));
  return code;
}

const SEAL_IV_BYTES = 12;

function sealKey(secret: string, purpose: string): Buffer {
  return createHmac("sha256", secret).update(`seal:${purpose}`).digest();
}

/**
 * Encrypts and authenticates `value` (AES-256-GCM under a key derived from the secret and `purpose`), for
 * short-lived state that must be read back but must not be readable in storage.
 */
export function sealJSON(secret: string, purpose: string, value: unknown, random: Random): string {
  const iv = random.bytes(SEAL_IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", sealKey(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** Reverses sealJSON; null when the text was not sealed with this secret and purpose. */
export function unsealJSON<T>(secret: string, purpose: string, sealed: string): T | null {
  try {
    const raw = Buffer.from(sealed, "base64url");
    const iv = raw.subarray(0, SEAL_IV_BYTES);
    const tag = raw.subarray(SEAL_IV_BYTES, SEAL_IV_BYTES + 16);
    const decipher = createDecipheriv("aes-256-gcm", sealKey(secret, purpose), iv);
    decipher.setAuthTag(tag);
    const text = Buffer.concat([decipher.update(raw.subarray(SEAL_IV_BYTES + 16)), decipher.final()]).toString("utf8");
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
