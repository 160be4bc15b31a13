// The committed bank of spoken digits (assets/captcha/voices/, made by `npm run captcha:voices`).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
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

/** The recordings, all at one sample rate. */
export interface VoiceBank {
  sampleRate: number;
  voices: Voice[];
}

/** The shape of assets/captcha/voices/index.json, written by scripts/captcha-voices.ts. */
export interface VoiceBankIndex {
  /** The synthesizer and version that made the recordings. */
  generator?: string;
  sampleRate: number;
  voices: { id: string; description: string; digits: string[] }[];
}

const VOICES_DIR = fileURLToPath(new URL("../../assets/captcha/voices/", import.meta.url));

let bank: VoiceBank | undefined;

/** Reads the committed voice bank once; the recordings are read-only afterwards. */
export function getVoiceBank(): VoiceBank {
  if (bank !== undefined) return bank;
  const index = JSON.parse(readFileSync(`${VOICES_DIR}index.json`, "utf8")) as VoiceBankIndex;
  const voices: Voice[] = index.voices.map((entry) => {
    if (entry.digits.length !== 10) throw new Error(`voice ${entry.id} must have ten digit recordings`);
    const digits = entry.digits.map((file) => {
      const wav = decodeWAV(readFileSync(`${VOICES_DIR}${file}`));
      if (wav.sampleRate !== index.sampleRate) throw new Error(`${file} is not at ${index.sampleRate} Hz`);
      return wav.samples;
    });
    return {
      id: entry.id,
      digits,
      reversedDigits: digits.map((samples) => samples.slice().reverse()),
      energies: digits.map(runningEnergy),
    };
  });
  if (voices.length < 3) throw new Error("the CAPTCHA voice bank needs at least three voices");
  bank = { sampleRate: index.sampleRate, voices };
  return bank;
}
