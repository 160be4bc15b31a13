// Plans a CAPTCHA audio clip: which voice says each digit, how fast, how high and how loud, where it
// starts, the background babble and the beeps. Rendering the plan is left to audio-mix.ts.
import type { Locale } from "../i18n/locales.ts";
import { randomBetween as between, type Random } from "../lib/random.ts";
import { type AudioEffects, type CAPTCHAVoiceStyle, DEFAULT_VOICE_SECRET, deriveCAPTCHAVoiceStyle, styleVoices } from "./audio-style.ts";
import { getVoiceBank, levelOf, type Voice } from "./audio-voices.ts";

/** One spoken digit of the answer. */
export interface AudioDigitSegment {
  /** The digit spoken, 0-9. */
  digit: number;
  /** Index of the voice in the voice bank of the plan's language. */
  voice: number;
  /** First sample of the segment in the clip. */
  start: number;
  /** How many samples the segment lasts in the clip. */
  length: number;
  /** Playback speed: 1.1 makes the digit 10% shorter, without changing its pitch. */
  speed: number;
  /** Pitch factor: 1.1 raises every frequency by 10%, without changing the duration. */
  pitch: number;
  /** Linear gain applied to the recording. */
  gain: number;
}

/** One fragment of the background babble: part of a recorded digit, often played backwards. */
export interface AudioBabbleSegment {
  /** The recorded digit the fragment is cut from. */
  digit: number;
  voice: number;
  /** Whether the recording is played backwards (it then sounds like speech but is no digit). */
  reversed: boolean;
  /** Where the fragment starts and ends in the (possibly reversed) recording, as fractions in [0, 1]. */
  from: number;
  to: number;
  start: number;
  length: number;
  speed: number;
  pitch: number;
  gain: number;
}

/** A short sine tone that marks the start and the end of the digits. */
export interface AudioBeep {
  start: number;
  length: number;
  /** Frequency in hertz. */
  frequency: number;
  gain: number;
}

/**
 * Everything needed to render one clip. Positions and lengths are in samples at `sampleRate`. Rendering
 * a plan is deterministic: the same plan always gives the same bytes.
 */
export interface AudioPlan {
  /** The language spoken: every digit and every fragment of babble comes from this language's voice bank. */
  locale: Locale;
  sampleRate: number;
  /** Length of the whole clip in samples. */
  length: number;
  /** The answer's digits, in the order they are spoken. */
  digits: AudioDigitSegment[];
  babble: AudioBabbleSegment[];
  /**
   * Gain of the babble in each pause, relative to its level under the digits: before the first digit,
   * between each pair of digits and after the last (eight in all). The babble ducks under every digit,
   * changing over `BABBLE_DUCK_SECONDS` just outside it, and swells in the pauses.
   */
  babblePauseGains: number[];
  beeps: AudioBeep[];
  /** The deployment's equaliser and room, applied to the whole mix. */
  effects: AudioEffects;
}

/** Length of every clip in seconds, whatever digits it speaks. */
export const CAPTCHA_AUDIO_SECONDS = 12;
/** The shortest pause between two digits (a listener needs it to hear them as separate words). */
export const MIN_DIGIT_GAP_SECONDS = 0.45;

/** How many overlapping streams of babble run under the digits. */
const BABBLE_LAYERS = 3;
/** The slowest a babble fragment is played, which bounds how long one can last. */
const BABBLE_MIN_SPEED = 0.85;
/**
 * The babble is up to this much louder (6 dB) in the pauses than under the digits. A listener hears the
 * background duck whenever a digit is spoken, which sets the digits apart; a recognizer, which evens out
 * loudness, hears speech-like sound everywhere and cannot tell where the digits are.
 */
const BABBLE_GAP_GAIN = 2;
/** The least, in decibels, by which the babble in a pause stays under the quietest digit. */
const MIN_PAUSE_MARGIN_DB = 4;
/** How long the babble takes to duck before a digit and to swell after it. */
export const BABBLE_DUCK_SECONDS = 0.04;
/** RMS level of the loudest spoken digit before normalisation; the others are up to 15% quieter. */
const DIGIT_LEVEL = 0.2;
/** The babble (all layers together) is set this many decibels, plus up to two more, under the quietest digit. */
const BABBLE_SNR_DB = 7.5;
/**
 * The least, in decibels, by which every digit must stand above the babble under it, as estimated from the
 * recordings' energies while planning (measured on the rendered mix it is at least 6 dB).
 */
const MIN_DIGIT_SNR_DB = 7.5;
/**
 * Share of a recording's power left after overlap-adding grains in random phase (the babble): the mean of
 * the squared Hann windows, 3/4. Aligned grains (the digits) keep almost all of it.
 */
const UNALIGNED_GRAIN_POWER = 0.75;

/** A voice index from `usable` different from every index in `avoid`, when there is one. */
function pickVoice(random: Random, usable: readonly number[], avoid: readonly number[]): number {
  const allowed = usable.filter((i) => !avoid.includes(i));
  if (allowed.length === 0) return usable[random.int(usable.length)] as number;
  return allowed[random.int(allowed.length)] as number;
}

/**
 * Plans the clip for `digits`: which voice says each digit, how fast, how high and how loud, where it
 * starts, and the background babble and the beeps around it. The plan depends only on its arguments (and
 * the committed voice banks), so a seeded `random` gives the same clip on every replay.
 *
 * @param digits Exactly seven ASCII digits.
 * @param random Source of every random choice.
 * @param locale The language the digits are spoken in; the babble is cut from the same language.
 * @throws RangeError when `digits` is not seven digits 0-9.
 */
export function planCAPTCHAAudio(
  digits: string,
  random: Random,
  style: CAPTCHAVoiceStyle = deriveCAPTCHAVoiceStyle(DEFAULT_VOICE_SECRET),
  locale: Locale = "en",
): AudioPlan {
  if (!/^[0-9]{7}$/.test(digits)) throw new RangeError("CAPTCHA audio needs exactly seven digits 0-9");
  const { sampleRate, voices } = getVoiceBank(locale);
  const usable = styleVoices(style, voices.length);
  const seconds = (s: number): number => Math.round(s * sampleRate);
  // Every clip lasts the same, so its length says nothing about which digits it speaks.
  const length = seconds(CAPTCHA_AUDIO_SECONDS);

  // The first beep and the first digit start at random moments: no fixed structure to align to.
  const beepLength = seconds(0.18);
  const beeps: AudioBeep[] = [];
  const firstBeep = seconds(between(random, 0.1, 0.9));
  beeps.push({ start: firstBeep, length: beepLength, frequency: 880, gain: 0.3 });

  // The digits: each in a voice unlike its predecessor's, at its own pace and pitch (shifted by the
  // deployment's vocal tract).
  const drafts = [...digits].map((char) => {
    const digit = Number(char);
    const voice = pickVoice(random, usable, []);
    const speed = between(random, 0.9, 1.15);
    const source = (voices[voice] as Voice).digits[digit] as Float32Array;
    return { digit, voice, speed, pitch: between(random, 0.87, 1.15) * style.formant, length: Math.round(source.length / speed) };
  });
  for (let i = 1; i < drafts.length; i++) {
    const draft = drafts[i] as (typeof drafts)[number];
    if (draft.voice === drafts[i - 1]?.voice) {
      draft.voice = pickVoice(random, usable, [draft.voice]);
      const source = (voices[draft.voice] as Voice).digits[draft.digit] as Float32Array;
      draft.length = Math.round(source.length / draft.speed);
    }
  }
  // Pauses long enough that a listener hears seven separate words, of random lengths; shortened together
  // when the clip would not hold them.
  const lead = seconds(between(random, 0.35, 0.8));
  const tail = seconds(between(random, 0.3, 0.5));
  const spokenLength = drafts.reduce((sum, d) => sum + d.length, 0);
  const room = length - (firstBeep + beepLength + lead + spokenLength + tail + beepLength + seconds(0.1));
  const gaps = drafts.slice(1).map(() => seconds(between(random, MIN_DIGIT_GAP_SECONDS + 0.05, 0.95)));
  const wanted = gaps.reduce((sum, g) => sum + g, 0);
  const fit = wanted > room ? Math.max(0, room) / wanted : 1;
  const spoken: AudioDigitSegment[] = [];
  let cursor = firstBeep + beepLength + lead;
  for (const [i, draft] of drafts.entries()) {
    const level = levelOf(
      (voices[draft.voice] as Voice).energies[draft.digit] as Float64Array,
      0,
      ((voices[draft.voice] as Voice).digits[draft.digit] as Float32Array).length,
    );
    const gain = (DIGIT_LEVEL * between(random, 0.85, 1)) / level;
    spoken.push({ digit: draft.digit, voice: draft.voice, start: cursor, length: draft.length, speed: draft.speed, pitch: draft.pitch, gain });
    cursor += draft.length + Math.round((gaps[i] ?? 0) * fit);
  }
  const lastDigit = spoken[spoken.length - 1] as AudioDigitSegment;
  const endBeepStart = Math.min(length - beepLength, lastDigit.start + lastDigit.length + tail);
  beeps.push({ start: endBeepStart, length: beepLength, frequency: 880, gain: 0.3 });

  // Three layers of babble run from the first to the last sample, each fragment overlapping the next, so
  // the clip never falls quiet between digits: a recognizer cannot find the digits by their silences.
  const babble: AudioBabbleSegment[] = [];
  const maxFragment = Math.ceil(longestRecording(voices) / BABBLE_MIN_SPEED);
  for (let layer = 0; layer < BABBLE_LAYERS; layer++) {
    let at = -seconds(between(random, 0, 0.3));
    while (at < length) {
      const digit = random.int(10);
      // The voices of the digits spoken around this moment stay out of the babble, so a listener can
      // follow the foreground voice by its timbre.
      const near = spoken.filter((s) => s.start < at + maxFragment && s.start + s.length > at).map((s) => s.voice);
      const voice = pickVoice(random, usable, near);
      // Mostly reversed speech, which sounds like words but is none; sometimes a forward fragment cut
      // from inside a digit, too short to be heard as a whole digit.
      const reversed = random.float() < 0.7;
      const cut = reversed ? between(random, 0.45, 1) : between(random, 0.3, 0.55);
      const from = between(random, 0, 1 - cut);
      const to = from + cut;
      const speed = between(random, BABBLE_MIN_SPEED, 1.2);
      const pitch = between(random, 0.8, 1.25) * style.formant;
      const source = (voices[voice] as Voice).digits[digit] as Float32Array;
      const fragmentLength = Math.max(seconds(0.05), Math.round((source.length * cut) / speed));
      // Each fragment is brought to a level a little below the quietest digit (summed over the layers),
      // whichever part of which recording it is: loud enough to mask, never as loud as the answer.
      const energy = (voices[voice] as Voice).energies[digit] as Float64Array;
      const level = reversed
        ? levelOf(energy, (1 - to) * source.length, (1 - from) * source.length)
        : levelOf(energy, from * source.length, to * source.length);
      const target = (DIGIT_LEVEL * 0.85 * 10 ** (-between(random, BABBLE_SNR_DB, BABBLE_SNR_DB + 2) / 20)) / Math.sqrt(BABBLE_LAYERS);
      const gain = level > 0 ? target / level : 0;
      babble.push({ digit, voice, reversed, from, to, start: at, length: fragmentLength, speed, pitch, gain });
      at += fragmentLength - seconds(between(random, 0.02, 0.08));
    }
  }
  keepDigitsAboveBabble(spoken, babble, voices);
  const babblePauseGains = planPauseGains(spoken, babble, voices, length);
  return { locale, sampleRate, length, digits: spoken, babble, babblePauseGains, beeps, effects: style.effects };
}

function longestRecording(voices: readonly Voice[]): number {
  let longest = 0;
  for (const voice of voices) for (const samples of voice.digits) longest = Math.max(longest, samples.length);
  return longest;
}

/** Mean square of the part of a babble fragment heard between `a` and `b` in the clip. */
function fragmentPower(fragment: AudioBabbleSegment, voices: readonly Voice[], a: number, b: number): number {
  const energy = (voices[fragment.voice] as Voice).energies[fragment.digit] as Float64Array;
  const size = energy.length - 1;
  const at = (position: number): number => {
    const inFragment = fragment.from * size + (position - fragment.start) * fragment.speed;
    return fragment.reversed ? size - inFragment : inFragment;
  };
  const level = levelOf(energy, Math.min(at(a), at(b)), Math.max(at(a), at(b)));
  return (fragment.gain * level) ** 2;
}

/** Estimated mean square of the babble between `from` and `to` in the clip, and the fragments heard there. */
function babbleBetween(
  babble: readonly AudioBabbleSegment[],
  voices: readonly Voice[],
  from: number,
  to: number,
): { power: number; fragments: AudioBabbleSegment[] } {
  let power = 0;
  const fragments: AudioBabbleSegment[] = [];
  for (const fragment of babble) {
    const a = Math.max(from, fragment.start);
    const b = Math.min(to, fragment.start + fragment.length);
    if (b <= a) continue;
    fragments.push(fragment);
    power += (fragmentPower(fragment, voices, a, b) * (b - a) * UNALIGNED_GRAIN_POWER) / (to - from);
  }
  return { power, fragments };
}

/** Estimated mean square of a spoken digit. */
function digitPower(segment: AudioDigitSegment, voices: readonly Voice[]): number {
  const energy = (voices[segment.voice] as Voice).energies[segment.digit] as Float64Array;
  return (segment.gain * levelOf(energy, 0, energy.length - 1)) ** 2;
}

/**
 * Turns down the babble under any digit that would otherwise stand less than `MIN_DIGIT_SNR_DB` above
 * it, estimating levels from the recordings' running energies (no rendering needed). Gains only go down,
 * so fixing one digit never spoils another.
 */
function keepDigitsAboveBabble(spoken: readonly AudioDigitSegment[], babble: AudioBabbleSegment[], voices: readonly Voice[]): void {
  const minimumRatio = 10 ** (MIN_DIGIT_SNR_DB / 10);
  for (const segment of spoken) {
    const power = digitPower(segment, voices);
    const under = babbleBetween(babble, voices, segment.start, segment.start + segment.length);
    if (under.power * minimumRatio > power) {
      const factor = Math.sqrt(power / (under.power * minimumRatio));
      for (const fragment of under.fragments) fragment.gain *= factor;
    }
  }
}

/**
 * Chooses how much the babble swells in each pause (before the first digit, between digits, after the
 * last): up to `BABBLE_GAP_GAIN`, but never so much that it comes within `MIN_PAUSE_MARGIN_DB` of the
 * quietest digit.
 */
function planPauseGains(spoken: readonly AudioDigitSegment[], babble: readonly AudioBabbleSegment[], voices: readonly Voice[], length: number): number[] {
  const quietest = Math.min(...spoken.map((segment) => digitPower(segment, voices)));
  const limit = quietest / 10 ** (MIN_PAUSE_MARGIN_DB / 10);
  const gains: number[] = [];
  for (let pause = 0; pause <= spoken.length; pause++) {
    const previous = spoken[pause - 1];
    const next = spoken[pause];
    const from = previous === undefined ? 0 : previous.start + previous.length;
    const to = next === undefined ? length : next.start;
    const { power } = babbleBetween(babble, voices, from, to);
    gains.push(power > 0 ? Math.max(1, Math.min(BABBLE_GAP_GAIN, Math.sqrt(limit / power))) : BABBLE_GAP_GAIN);
  }
  return gains;
}
