// The committed banks of spoken digits, one per language (assets/captcha/voices/<locale>/, made by
// `npm run captcha:voices`). Each bank is read the first time a clip in its language is made.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Locale } from "../i18n/locales.ts";
import { decodeWAV } from "./audio-wav.ts";

/** One voice of the bank: its ten digit recordings, forwards and backwards. */
export interface Voice {
  id: string;
  /** The recordings of 0-9, trimmed, as samples in [-1, 1]. */
  digits: Float32Array[];
  /** The same recordings backwards. */
  reversedDigits: Float32Array[];
  /** Running sums of squared samples of each recording, to find the level of any part of it quickly. */
  energies: Float64Array[];
}

/** Root-mean-square level of `samples[from, to)` from their running sums of squares. */
export function levelOf(energy: Float64Array, from: number, to: number): number {
  const a = Math.max(0, Math.min(energy.length - 1, Math.floor(from)));
  const b = Math.max(a + 1, Math.min(energy.length - 1, Math.floor(to)));
  return Math.sqrt(((energy[b] as number) - (energy[a] as number)) / (b - a));
}

function runningEnergy(samples: Float32Array): Float64Array {
  const energy = new Float64Array(samples.length + 1);
  for (let i = 0; i < samples.length; i++) energy[i + 1] = (energy[i] as number) + (samples[i] as number) ** 2;
  return energy;
}

/** The recordings of one language, all at one sample rate. */
export interface VoiceBank {
  locale: Locale;
  sampleRate: number;
  voices: Voice[];
}

/** The shape of assets/captcha/voices/<locale>/index.json, written by scripts/captcha-voices.ts. */
export interface VoiceBankIndex {
  /** The synthesizer and version that made the recordings. */
  generator?: string;
  locale?: string;
  sampleRate: number;
  /** The text given to the synthesizer for 0-9. */
  words?: string[];
  /** What the synthesizer made of each word (espeak-ng phonemes), so the words can be checked by reading. */
  phonemes?: string[];
  voices: { id: string; description: string; digits: string[] }[];
}

const VOICES_DIR = fileURLToPath(new URL("../../assets/captcha/voices/", import.meta.url));

const banks = new Map<Locale, VoiceBank>();

/**
 * The voice bank of `locale`, read from disk on its first use and kept afterwards (read-only). Banks of
 * languages no clip has been asked in are never read, so they cost neither start-up time nor memory.
 */
export function getVoiceBank(locale: Locale = "en"): VoiceBank {
  const loaded = banks.get(locale);
  if (loaded !== undefined) return loaded;
  const dir = `${VOICES_DIR}${locale}/`;
  const index = JSON.parse(readFileSync(`${dir}index.json`, "utf8")) as VoiceBankIndex;
  const voices: Voice[] = index.voices.map((entry) => {
    if (entry.digits.length !== 10) throw new Error(`voice ${locale}/${entry.id} must have ten digit recordings`);
    const digits = entry.digits.map((file) => {
      const wav = decodeWAV(readFileSync(`${dir}${file}`));
      if (wav.sampleRate !== index.sampleRate) throw new Error(`${locale}/${file} is not at ${index.sampleRate} Hz`);
      return wav.samples;
    });
    return {
      id: entry.id,
      digits,
      reversedDigits: digits.map((samples) => samples.slice().reverse()),
      energies: digits.map(runningEnergy),
    };
  });
  if (voices.length < 3) throw new Error(`the CAPTCHA voice bank of ${locale} needs at least three voices`);
  const bank: VoiceBank = { locale, sampleRate: index.sampleRate, voices };
  banks.set(locale, bank);
  return bank;
}

/** The languages whose voice bank has been read so far. */
export function loadedVoiceBanks(): Locale[] {
  return [...banks.keys()];
}
