// Builds the CAPTCHA audio clip: seven spoken digits in varied voices over a continuous babble of
// reversed and partial digits, between two beeps, as a 16-bit mono WAV file. The steps live beside this
// file: audio-plan.ts, audio-mix.ts, audio-effects.ts, audio-voices.ts, audio-style.ts and audio-wav.ts.
import type { Locale } from "../i18n/locales.ts";
import type { Random } from "../lib/random.ts";
import { applyAudioEffects } from "./audio-effects.ts";
import { mixCAPTCHAAudio } from "./audio-mix.ts";
import { type AudioPlan, planCAPTCHAAudio } from "./audio-plan.ts";
import type { CAPTCHAVoiceStyle } from "./audio-style.ts";
import { encodeWAV } from "./audio-wav.ts";

/** Peak level of the finished clip, a little under full scale. */
const OUTPUT_PEAK = 0.9;

/**
 * The mix before encoding, grown as needed and reused (rendering is synchronous, and the WAV file is a copy):
 * see audio-effects.ts on what a fresh clip-long array costs.
 */
let mixScratch = new Float32Array(0);

/**
 * Renders a plan as a WAV file: 16-bit PCM mono at the voice bank's sample rate. The mix is scaled so its
 * loudest sample sits just under full scale, so nothing clips and a quiet plan is not left faint.
 *
 * @returns The bytes of a RIFF/WAVE file.
 */
export function renderCAPTCHAAudio(plan: AudioPlan): Buffer {
  if (mixScratch.length < plan.length) mixScratch = new Float32Array(plan.length);
  const out = applyAudioEffects(mixCAPTCHAAudio(plan, mixScratch), plan.sampleRate, plan.effects);
  let peak = 0;
  for (let i = 0; i < out.length; i++) {
    const magnitude = Math.abs(out[i] as number);
    if (magnitude > peak) peak = magnitude;
  }
  return encodeWAV(out, plan.sampleRate, peak > 0 ? OUTPUT_PEAK / peak : 1);
}

/**
 * Plans and renders the audio clip for `digits`, spoken in `locale`. With `createSeededRandom(seed)` the
 * same digits, seed and language always give the same bytes, so every replay of a challenge plays the same
 * clip.
 *
 * @param digits Exactly seven ASCII digits.
 * @throws RangeError when `digits` is not seven digits 0-9.
 */
export function createCAPTCHAAudio(digits: string, random: Random, style?: CAPTCHAVoiceStyle, locale: Locale = "en"): Buffer {
  return renderCAPTCHAAudio(planCAPTCHAAudio(digits, random, style, locale));
}
