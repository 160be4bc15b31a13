// A deployment's voice style, derived from its secret: which recordings it speaks with, a vocal-tract
// shift, an equaliser and a room.
import { hmacHex } from "../lib/crypto.ts";
import { randomBetween as between, createSeededRandom } from "../lib/random.ts";

/** One peaking equaliser band. */
export interface AudioEQBand {
  frequency: number;
  /** Boost (positive) or cut (negative) in decibels. */
  gainDB: number;
  q: number;
}

/** A small room: parallel feedback delays (in seconds) and their feedback, blended in at `mix`. */
export interface AudioRoom {
  delays: number[];
  feedback: number;
  mix: number;
}

export interface AudioEffects {
  eq: AudioEQBand[];
  room: AudioRoom;
}

/**
 * What a deployment's clips have in common, derived from its secret: which recordings of the bank it uses,
 * a shift of every voice's pitch and formants (the vocal tract), an equaliser and a room. A recognizer
 * trained on clips from the public code or another server hears voices and rooms it has not met.
 */
export interface CAPTCHAVoiceStyle {
  /** Seed of the choice of recordings, made once the size of the bank is known. */
  voiceSeed: string;
  /** Share of the bank's voices this deployment speaks with. */
  voiceShare: number;
  /** Factor on every voice's pitch and formants. */
  formant: number;
  effects: AudioEffects;
}

const voiceStyles = new Map<string, CAPTCHAVoiceStyle>();

/** The voice style of the deployment whose server secret is `secret`; the same secret gives the same style. */
export function deriveCAPTCHAVoiceStyle(secret: string): CAPTCHAVoiceStyle {
  const seed = hmacHex(secret, "captcha-voice-style");
  const cached = voiceStyles.get(seed);
  if (cached) return cached;
  const random = createSeededRandom(`voice-style:${seed}`);
  const eq: AudioEQBand[] = [0, 1].map(() => ({
    frequency: 250 * (3500 / 250) ** random.float(),
    gainDB: (random.float() < 0.5 ? -1 : 1) * between(random, 2, 6),
    q: between(random, 0.8, 2),
  }));
  const base = between(random, 0.027, 0.04);
  const style: CAPTCHAVoiceStyle = {
    voiceSeed: seed,
    voiceShare: between(random, 0.55, 0.75),
    formant: between(random, 0.9, 1.12),
    effects: {
      eq,
      room: {
        delays: [1, 1.13, 1.27, 1.41].map((f) => base * f * between(random, 0.97, 1.03)),
        feedback: between(random, 0.45, 0.65),
        mix: between(random, 0.08, 0.18),
      },
    },
  };
  if (voiceStyles.size > 16) voiceStyles.clear();
  voiceStyles.set(seed, style);
  return style;
}

/** The secret behind the style of clips made without a deployment secret (the public defaults). */
export const DEFAULT_VOICE_SECRET = "latchkey-public-default-voice";

/** Indices of the voices a style speaks with: a fixed share of the bank, at least three. */
export function styleVoices(style: CAPTCHAVoiceStyle, count: number): number[] {
  const random = createSeededRandom(`voices:${style.voiceSeed}`);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order.slice(0, Math.max(3, Math.round(count * style.voiceShare))).sort((a, b) => a - b);
}
