// CAPTCHA challenges: created under a random id in the short-lived store, answers kept only as HMACs,
// valid 10 minutes, one verification attempt (deleted atomically on any attempt), bound to a purpose and
// to the session or browser that asked.
import { countThisHour } from "../audit/hourly-counts.ts";
import type { Deps } from "../deps.ts";
import { isLocale, type Locale } from "../i18n/locales.ts";
import { constantTimeEqual, generateId, hmacHex, sealJSON, unsealJSON } from "../lib/crypto.ts";
import { toASCIIDigits } from "../lib/digits.ts";
import { createSeededRandom } from "../lib/random.ts";
import { generateCAPTCHADigits, generateCAPTCHAText } from "./alphabet.ts";
import { createCAPTCHAAudio } from "./audio.ts";
import { deriveCAPTCHAVoiceStyle } from "./audio-style.ts";
import { renderCAPTCHAImageParts } from "./image.ts";
import { deriveCAPTCHAImageStyle } from "./image-style.ts";

export const CAPTCHA_PURPOSES = ["signin", "registration", "password_reset", "password_change"] as const;
export type CAPTCHAPurpose = (typeof CAPTCHA_PURPOSES)[number];
export const CAPTCHA_TTL_SECONDS = 10 * 60;

/** What test mode shows and accepts (architecture §5). */
export const TEST_MODE_TEXT = "TESTME";
export const TEST_MODE_DIGITS = "1234567";

interface StoredChallenge {
  purpose: CAPTCHAPurpose;
  binding: string;
  textHash: string;
  digitsHash: string;
  /** Sealed {text, digits, seed, locale}: needed to draw the picture and speak the digits, unreadable in storage. */
  sealed: string;
  expiresAt: number;
}

interface SealedMedia {
  text: string;
  digits: string;
  seed: string;
  /**
   * The language the digits are spoken in: the page's language when the challenge was made. It is fixed
   * with the digits, so a challenge is only ever heard in one language and every replay gives the same
   * bytes (several renderings of the same digits would let a recognizer vote between them).
   */
  locale?: Locale;
}

export interface CAPTCHAChallenge {
  id: string;
  imageUrl: string;
  audioUrl: string;
  expiresAt: string;
}

export type CAPTCHAVerdict = "correct" | "incorrect" | "expired";

type CAPTCHADeps = Pick<Deps, "stores" | "clock" | "random" | "config"> & { metrics?: Deps["metrics"] };

/**
 * Upper-cases, writes every digit as an ASCII digit (Arabic-Indic ٣ and Eastern ۳ become 3; full-width
 * ３ too, through NFKC) and drops spaces, commas (the Arabic ، too), hyphens and dots, so "ab-c 12",
 * "ABC12" and "ABC١٢" are the same answer.
 */
export function normalizeCAPTCHAAnswer(answer: string): string {
  return toASCIIDigits(answer)
    .toUpperCase()
    .replace(/[\s,.\-\u2010\u2011\u2013\u2014\u060C\u066B\u066C]/g, "")
    .slice(0, 32);
}

function answerHash(secret: string, id: string, kind: "text" | "digits", answer: string): string {
  return hmacHex(secret, "captcha", id, kind, normalizeCAPTCHAAnswer(answer));
}

const key = (id: string) => `captcha:${id}`;

export function challengeView(id: string, expiresAt: Date): CAPTCHAChallenge {
  return { id, imageUrl: `/captcha/${id}.png`, audioUrl: `/captcha/${id}.wav`, expiresAt: expiresAt.toISOString() };
}

/**
 * Creates a challenge for `purpose`, usable only by `binding` (the session or browser that asked), whose
 * audio speaks `locale` (the language of the page or request that asked; the default language otherwise).
 */
export async function createCAPTCHAChallenge(
  deps: CAPTCHADeps,
  input: { purpose: CAPTCHAPurpose; binding: string; locale?: Locale | undefined },
): Promise<CAPTCHAChallenge> {
  const id = generateId(deps.random);
  const text = deps.config.captchaTestMode ? TEST_MODE_TEXT : generateCAPTCHAText(deps.random);
  const digits = deps.config.captchaTestMode ? TEST_MODE_DIGITS : generateCAPTCHADigits(deps.random);
  const expiresAt = new Date(deps.clock.now().getTime() + CAPTCHA_TTL_SECONDS * 1000);
  const locale = input.locale ?? deps.config.locales.fallback;
  const media: SealedMedia = { text, digits, seed: deps.random.bytes(16).toString("hex"), locale };
  const stored: StoredChallenge = {
    purpose: input.purpose,
    binding: input.binding,
    textHash: answerHash(deps.config.secret, id, "text", text),
    digitsHash: answerHash(deps.config.secret, id, "digits", digits),
    sealed: sealJSON(deps.config.secret, "captcha", media, deps.random),
    expiresAt: expiresAt.getTime(),
  };
  await deps.stores.shortLived.set(key(id), JSON.stringify(stored), CAPTCHA_TTL_SECONDS);
  deps.metrics?.captcha("created");
  await countThisHour(deps, "check.shown");
  return challengeView(id, expiresAt);
}

/**
 * The challenge with this id while it is unanswered, unexpired, made for this purpose and binding and,
 * when `locale` is given, speaking that language; otherwise null. Reading it changes nothing.
 */
export async function findUnansweredChallenge(
  deps: Pick<Deps, "stores" | "clock" | "config">,
  input: { id: string; purpose: CAPTCHAPurpose; binding: string; locale?: Locale | undefined },
): Promise<CAPTCHAChallenge | null> {
  const raw = await deps.stores.shortLived.get(key(input.id));
  if (!raw) return null;
  const stored = JSON.parse(raw) as StoredChallenge;
  if (stored.purpose !== input.purpose || stored.binding !== input.binding || stored.expiresAt <= deps.clock.now().getTime()) return null;
  if (input.locale !== undefined) {
    const media = unsealJSON<SealedMedia>(deps.config.secret, "captcha", stored.sealed);
    if (!media || audioLocale(deps, media) !== input.locale) return null;
  }
  return challengeView(input.id, new Date(stored.expiresAt));
}

async function readMedia(deps: Pick<Deps, "stores" | "config">, id: string): Promise<SealedMedia | null> {
  if (!/^[A-Za-z0-9_-]{20}$/.test(id)) return null;
  const raw = await deps.stores.shortLived.get(key(id));
  if (!raw) return null;
  const stored = JSON.parse(raw) as StoredChallenge;
  return unsealJSON<SealedMedia>(deps.config.secret, "captcha", stored.sealed);
}

/**
 * The challenge's picture, a PNG file in parts to send one after the other (see encodePNGParts), or null when
 * the challenge does not exist or has been used.
 */
export async function renderChallengeImage(deps: Pick<Deps, "stores" | "config">, id: string): Promise<Buffer[] | null> {
  const media = await readMedia(deps, id);
  // The deployment's own style, from its secret: a recognizer trained elsewhere meets unfamiliar shapes.
  return media ? renderCAPTCHAImageParts(media.text, createSeededRandom(`image:${media.seed}`), deriveCAPTCHAImageStyle(deps.config.secret)) : null;
}

/** The language a challenge's audio speaks, from its sealed media (the default language for older ones). */
function audioLocale(deps: Pick<Deps, "config">, media: SealedMedia): Locale {
  return isLocale(media.locale) ? media.locale : deps.config.locales.fallback;
}

/**
 * The challenge's audio clip (WAV) in the language recorded at its creation, and that language; the same
 * bytes on every replay of one challenge, whatever language the request for it prefers.
 */
export async function renderChallengeAudio(deps: Pick<Deps, "stores" | "config">, id: string): Promise<{ clip: Buffer; locale: Locale } | null> {
  const media = await readMedia(deps, id);
  if (!media) return null;
  const locale = audioLocale(deps, media);
  // The deployment's own voices, vocal tract, equaliser and room, from its secret.
  const clip = createCAPTCHAAudio(media.digits, createSeededRandom(`audio:${media.seed}`), deriveCAPTCHAVoiceStyle(deps.config.secret), locale);
  return { clip, locale };
}

/** The language a challenge's audio speaks, or null when the challenge does not exist or has been used. */
export async function challengeAudioLocale(deps: Pick<Deps, "stores" | "config">, id: string): Promise<Locale | null> {
  const media = await readMedia(deps, id);
  return media ? audioLocale(deps, media) : null;
}

/**
 * Checks an answer. The challenge is deleted by this call whatever the outcome (one attempt), atomically:
 * of concurrent callers only one can see it. A challenge of another purpose or binding counts as expired.
 */
export async function verifyCAPTCHAAnswer(
  deps: Pick<Deps, "stores" | "clock" | "config"> & { metrics?: Deps["metrics"] },
  input: { id: string; answer: string; purpose: CAPTCHAPurpose; binding: string },
): Promise<CAPTCHAVerdict> {
  const verdict = await judgeCAPTCHAAnswer(deps, input);
  deps.metrics?.captcha(verdict);
  if (verdict === "correct") await countThisHour(deps, "check.solved");
  return verdict;
}

async function judgeCAPTCHAAnswer(
  deps: Pick<Deps, "stores" | "clock" | "config">,
  input: { id: string; answer: string; purpose: CAPTCHAPurpose; binding: string },
): Promise<CAPTCHAVerdict> {
  if (!/^[A-Za-z0-9_-]{20}$/.test(input.id)) return "expired";
  const raw = await deps.stores.shortLived.getAndDelete(key(input.id));
  if (!raw) return "expired";
  const stored = JSON.parse(raw) as StoredChallenge;
  if (stored.expiresAt <= deps.clock.now().getTime()) return "expired";
  if (stored.purpose !== input.purpose || stored.binding !== input.binding) return "expired";
  const normalized = normalizeCAPTCHAAnswer(input.answer);
  if (normalized.length === 0) return "incorrect";
  const textOk = constantTimeEqual(answerHash(deps.config.secret, input.id, "text", normalized), stored.textHash);
  const digitsOk = constantTimeEqual(answerHash(deps.config.secret, input.id, "digits", normalized), stored.digitsHash);
  return textOk || digitsOk ? "correct" : "incorrect";
}
