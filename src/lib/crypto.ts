// Small cryptographic helpers shared by every feature: hashing of stored secrets, keyed hashes and
// constant-time comparison.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Random } from "./random.ts";

export function sha256Hex(input: string | Buffer): string {
  return createHash("sha256").update(input).digest("hex");
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
  return random.bytes(15).toString("base64url");
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
