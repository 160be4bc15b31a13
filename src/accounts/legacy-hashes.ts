// Password hashes made by other systems, accepted by `latchkey accounts import`: recognises bcrypt, scrypt,
// PBKDF2-SHA256 and argon2 text formats, checks their parameters against fixed limits, and verifies a
// password against them. Verification never throws: garbage, or a hash beyond the limits, answers false.
import { pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type * as Argon2 from "@node-rs/argon2";
import type * as Bcrypt from "@node-rs/bcrypt";
import { lazyRequire } from "../lib/lazy-require.ts";

/** @node-rs/argon2, loaded with the first hash or check (a native addon and its loader cost milliseconds at start-up). */
export const loadArgon2 = lazyRequire<typeof Argon2>("@node-rs/argon2");
const loadBcrypt = lazyRequire<typeof Bcrypt>("@node-rs/bcrypt");
const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export type ImportedHashFormat = "bcrypt" | "scrypt" | "pbkdf2-sha256" | "argon2";

// Security: an imported hash decides how much work every sign-in to its account costs, and sign-in is open
// to anyone who knows the identifier. So the parameters are capped to what real systems use (a few seconds
// and at most a few hundred MiB per verification on a small server, never minutes or gigabytes); a hash
// beyond them is refused at import and, should one reach storage another way, never computed.
export const IMPORTED_HASH_LIMITS = {
  /** bcrypt cost (log2 of the rounds): 4–15. */
  bcryptMaxCost: 15,
  /** scrypt N = 2^ln with ln 1–20, block size r 1–16, parallelism p 1–4. */
  scryptMaxLogN: 20,
  scryptMaxR: 16,
  scryptMaxP: 4,
  /** scrypt memory is 128·N·r bytes: at most 128 MiB (N·r ≤ 2^20, e.g. N = 2^17 with r = 8). */
  scryptMaxMemoryBytes: 128 * 1024 * 1024,
  /** PBKDF2-SHA256 iterations: 1–10,000,000. */
  pbkdf2MaxIterations: 10_000_000,
  /** argon2 memory in KiB (256 MiB), passes, lanes, and memory × passes (1 GiB·pass). */
  argon2MaxMemoryKiB: 262_144,
  argon2MaxTimeCost: 16,
  argon2MaxParallelism: 16,
  argon2MaxMemoryTimeKiB: 1_048_576,
  /** Derived key (hash) length in bytes, every format: shorter ones make chance matches too likely. */
  minKeyBytes: 16,
  maxKeyBytes: 64,
  /** Salt length in bytes (decoded), every format but bcrypt (fixed) and argon2 (8–64). */
  maxSaltBytes: 1024,
  /** Longest hash text accepted at all. */
  maxTextLength: 2048,
} as const;

type ParsedHash =
  | { format: "bcrypt"; text: string; cost: number }
  | { format: "scrypt"; logN: number; r: number; p: number; salt: Buffer; key: Buffer }
  | { format: "pbkdf2-sha256"; iterations: number; salt: Buffer; key: Buffer }
  | { format: "argon2"; text: string };

type ParseResult = { ok: true; hash: ParsedHash; text: string } | { ok: false; reason: string };

export type ImportedHashCheck = { ok: true; format: ImportedHashFormat; passwordHash: string } | { ok: false; reason: string };

const UNKNOWN_FORMAT =
  "unknown password hash format (accepted: bcrypt $2a$/$2b$/$2y$, scrypt $scrypt$ln=…, Django scrypt$…, PBKDF2 $pbkdf2-sha256$…, Django pbkdf2_sha256$…, argon2 $argon2id$/$argon2i$/$argon2d$)";

const BCRYPT = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/;
const SCRYPT_PHC = /^\$scrypt\$ln=([0-9]{1,3}),r=([0-9]{1,3}),p=([0-9]{1,3})\$([^$]+)\$([^$]+)$/;
const SCRYPT_DJANGO = /^scrypt\$([0-9]{1,8})\$([!-#%-~]+)\$([0-9]{1,3})\$([0-9]{1,3})\$([^$]+)$/;
const PBKDF2_PASSLIB = /^\$pbkdf2-sha256\$([0-9]{1,9})\$([^$]+)\$([^$]+)$/;
const PBKDF2_DJANGO = /^pbkdf2_sha256\$([0-9]{1,9})\$([!-#%-~]+)\$([^$]+)$/;
const ARGON2 = /^\$argon2(id|i|d)\$(?:v=(16|19)\$)?m=([0-9]{1,7}),t=([0-9]{1,3}),p=([0-9]{1,3})\$([^$]+)\$([^$]+)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes standard base64 with or without padding, and Passlib's adapted base64 ("ab64"), which writes "."
 * instead of "+". Null for anything else (Buffer.from alone would skip invalid characters silently).
 */
function decodeBase64(text: string): Buffer | null {
  if (text.includes(".") && text.includes("+")) return null;
  const standard = text.replaceAll(".", "+");
  if (!BASE64.test(standard)) return null;
  const bare = standard.replace(/=+$/, "");
  if (bare.length % 4 === 1 || (bare.length !== standard.length && standard.length % 4 !== 0)) return null;
  return Buffer.from(bare, "base64");
}

function checkKey(key: Buffer | null): string | null {
  if (key === null) return "the hash part is not base64";
  if (key.length < IMPORTED_HASH_LIMITS.minKeyBytes || key.length > IMPORTED_HASH_LIMITS.maxKeyBytes) {
    return `the hash part is ${key.length} bytes; ${IMPORTED_HASH_LIMITS.minKeyBytes}–${IMPORTED_HASH_LIMITS.maxKeyBytes} are accepted`;
  }
  return null;
}

function checkSalt(salt: Buffer | null): string | null {
  if (salt === null) return "the salt is not base64";
  if (salt.length === 0 || salt.length > IMPORTED_HASH_LIMITS.maxSaltBytes) return `the salt must be 1–${IMPORTED_HASH_LIMITS.maxSaltBytes} bytes`;
  return null;
}

function parseBcrypt(text: string): ParseResult {
  const match = BCRYPT.exec(text);
  if (!match) return { ok: false, reason: "bcrypt: malformed (expected $2b$<cost>$ and 53 characters)" };
  const cost = Number(match[1]);
  if (cost < 4 || cost > IMPORTED_HASH_LIMITS.bcryptMaxCost)
    return { ok: false, reason: `bcrypt: cost ${cost} is outside 4–${IMPORTED_HASH_LIMITS.bcryptMaxCost}` };
  return { ok: true, text, hash: { format: "bcrypt", text, cost } };
}

function checkScryptParameters(logN: number, r: number, p: number): string | null {
  const limits = IMPORTED_HASH_LIMITS;
  if (logN < 1 || logN > limits.scryptMaxLogN) return `N = 2^${logN} is outside 2^1–2^${limits.scryptMaxLogN}`;
  if (r < 1 || r > limits.scryptMaxR) return `r = ${r} is outside 1–${limits.scryptMaxR}`;
  if (p < 1 || p > limits.scryptMaxP) return `p = ${p} is outside 1–${limits.scryptMaxP}`;
  if (128 * 2 ** logN * r > limits.scryptMaxMemoryBytes) return `N = 2^${logN} with r = ${r} needs more than ${limits.scryptMaxMemoryBytes / 2 ** 20} MiB`;
  return null;
}

function finishScrypt(text: string, logN: number, r: number, p: number, salt: Buffer | null, key: Buffer | null): ParseResult {
  const problem = checkScryptParameters(logN, r, p) ?? checkSalt(salt) ?? checkKey(key);
  if (problem !== null || salt === null || key === null) return { ok: false, reason: `scrypt: ${problem}` };
  return { ok: true, text, hash: { format: "scrypt", logN, r, p, salt, key } };
}

/** `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (PHC string, as written by Passlib and many libraries). */
function parseScryptPHC(text: string): ParseResult {
  const match = SCRYPT_PHC.exec(text);
  if (!match) return { ok: false, reason: "scrypt: malformed (expected $scrypt$ln=<n>,r=<r>,p=<p>$<salt>$<hash>)" };
  return finishScrypt(text, Number(match[1]), Number(match[2]), Number(match[3]), decodeBase64(match[4] ?? ""), decodeBase64(match[5] ?? ""));
}

/** Django's `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>`, whose salt is used as its text. */
function parseScryptDjango(text: string): ParseResult {
  const match = SCRYPT_DJANGO.exec(text);
  if (!match) return { ok: false, reason: "scrypt: malformed (expected Django's scrypt$<N>$<salt>$<r>$<p>$<hash>)" };
  const n = Number(match[1]);
  const logN = Math.log2(n);
  if (!Number.isInteger(logN)) return { ok: false, reason: `scrypt: N = ${n} is not a power of two` };
  return finishScrypt(text, logN, Number(match[3]), Number(match[4]), Buffer.from(match[2] ?? "", "utf8"), decodeBase64(match[5] ?? ""));
}

function finishPBKDF2(text: string, iterations: number, salt: Buffer | null, key: Buffer | null): ParseResult {
  if (iterations < 1 || iterations > IMPORTED_HASH_LIMITS.pbkdf2MaxIterations) {
    return { ok: false, reason: `PBKDF2: ${iterations} iterations are outside 1–${IMPORTED_HASH_LIMITS.pbkdf2MaxIterations.toLocaleString("en")}` };
  }
  const problem = checkSalt(salt) ?? checkKey(key);
  if (problem !== null || salt === null || key === null) return { ok: false, reason: `PBKDF2: ${problem}` };
  return { ok: true, text, hash: { format: "pbkdf2-sha256", iterations, salt, key } };
}

/** Passlib's `$pbkdf2-sha256$<iterations>$<salt>$<hash>`, salt and hash in adapted or standard base64. */
function parsePBKDF2Passlib(text: string): ParseResult {
  const match = PBKDF2_PASSLIB.exec(text);
  if (!match) return { ok: false, reason: "PBKDF2: malformed (expected $pbkdf2-sha256$<iterations>$<salt>$<hash>)" };
  return finishPBKDF2(text, Number(match[1]), decodeBase64(match[2] ?? ""), decodeBase64(match[3] ?? ""));
}

/** Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`, whose salt is used as its text. */
function parsePBKDF2Django(text: string): ParseResult {
  const match = PBKDF2_DJANGO.exec(text);
  if (!match) return { ok: false, reason: "PBKDF2: malformed (expected Django's pbkdf2_sha256$<iterations>$<salt>$<hash>)" };
  return finishPBKDF2(text, Number(match[1]), Buffer.from(match[2] ?? "", "utf8"), decodeBase64(match[3] ?? ""));
}

/** `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>` (also argon2i and argon2d, v=16 or no version). */
function parseArgon2(text: string): ParseResult {
  const match = ARGON2.exec(text);
  if (!match) return { ok: false, reason: "argon2: malformed (expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>)" };
  const limits = IMPORTED_HASH_LIMITS;
  const [m, t, p] = [Number(match[3]), Number(match[4]), Number(match[5])];
  if (m < 8 || m > limits.argon2MaxMemoryKiB) return { ok: false, reason: `argon2: m = ${m} KiB is outside 8–${limits.argon2MaxMemoryKiB}` };
  if (t < 1 || t > limits.argon2MaxTimeCost) return { ok: false, reason: `argon2: t = ${t} is outside 1–${limits.argon2MaxTimeCost}` };
  if (p < 1 || p > limits.argon2MaxParallelism || m < 8 * p)
    return { ok: false, reason: `argon2: p = ${p} is outside 1–${limits.argon2MaxParallelism} (and at most m/8)` };
  if (m * t > limits.argon2MaxMemoryTimeKiB) return { ok: false, reason: `argon2: m × t = ${m * t} is over ${limits.argon2MaxMemoryTimeKiB} (1 GiB·pass)` };
  const salt = decodeBase64(match[6] ?? "");
  if (salt === null || salt.length < 8 || salt.length > 64) return { ok: false, reason: "argon2: the salt must be 8–64 bytes of base64" };
  const problem = checkKey(decodeBase64(match[7] ?? ""));
  if (problem !== null) return { ok: false, reason: `argon2: ${problem}` };
  return { ok: true, text, hash: { format: "argon2", text } };
}

/**
 * Reads one hash text. Django's `bcrypt$` and `argon2` prefixes in front of a standard bcrypt or argon2
 * string are dropped, so what is stored is the standard form.
 */
function parseImportedHash(input: string): ParseResult {
  if (input.length > IMPORTED_HASH_LIMITS.maxTextLength)
    return { ok: false, reason: `the password hash is longer than ${IMPORTED_HASH_LIMITS.maxTextLength} characters` };
  let text = input;
  if (text.startsWith("bcrypt$$2")) text = text.slice("bcrypt$".length);
  else if (text.startsWith("argon2$argon2")) text = text.slice("argon2".length);
  if (text.startsWith("$2a$") || text.startsWith("$2b$") || text.startsWith("$2y$")) return parseBcrypt(text);
  if (text.startsWith("$scrypt$")) return parseScryptPHC(text);
  if (text.startsWith("scrypt$")) return parseScryptDjango(text);
  if (text.startsWith("$pbkdf2-sha256$")) return parsePBKDF2Passlib(text);
  if (text.startsWith("pbkdf2_sha256$")) return parsePBKDF2Django(text);
  if (/^\$argon2(id|i|d)\$/.test(text)) return parseArgon2(text);
  return { ok: false, reason: UNKNOWN_FORMAT };
}

/**
 * Checks a hash from another system before it is imported: a known format, well formed, within
 * IMPORTED_HASH_LIMITS. Returns the text to store (the standard form), or why it is refused.
 */
export function checkImportedPasswordHash(text: string): ImportedHashCheck {
  const parsed = parseImportedHash(text);
  if (!parsed.ok) return parsed;
  return { ok: true, format: parsed.hash.format, passwordHash: parsed.text };
}

/** True for an argon2 PHC string (`$argon2id$…`, `$argon2i$…`, `$argon2d$…`), whatever its parameters. */
export function isArgon2Hash(passwordHash: string): boolean {
  return /^\$argon2(id|i|d)\$/.test(passwordHash);
}

/**
 * True when `password` matches an imported hash in any format checkImportedPasswordHash accepts. False for
 * a mismatch, an unknown or malformed hash, or one beyond the limits (then nothing is computed). Never
 * throws. Comparisons take time that depends only on the lengths.
 */
export async function verifyImportedPasswordHash(passwordHash: string, password: string): Promise<boolean> {
  try {
    const parsed = parseImportedHash(passwordHash);
    if (!parsed.ok) return false;
    const hash = parsed.hash;
    switch (hash.format) {
      case "bcrypt":
        return await loadBcrypt().verify(password, hash.text);
      case "argon2":
        return await loadArgon2().verify(hash.text, password);
      case "scrypt": {
        const N = 2 ** hash.logN;
        // OpenSSL needs 128·r·(N + 2) bytes for V plus 128·r·p for B; the limits above keep this small.
        const maxmem = 128 * hash.r * (N + 2 + hash.p) + 1024 * 1024;
        const derived = await scryptAsync(password, hash.salt, hash.key.length, { N, r: hash.r, p: hash.p, maxmem });
        return timingSafeEqual(derived, hash.key);
      }
      case "pbkdf2-sha256": {
        const derived = await pbkdf2Async(password, hash.salt, hash.iterations, hash.key.length, "sha256");
        return timingSafeEqual(derived, hash.key);
      }
    }
  } catch {
    return false;
  }
}
