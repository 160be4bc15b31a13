// Builds the CAPTCHA audio clip: seven spoken digits in varied voices over a continuous babble of
// reversed and partial digits, between two beeps, as a 16-bit mono WAV file.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hmacHex } from "../lib/crypto.ts";
import { createSeededRandom, type Random } from "../lib/random.ts";

/** One spoken digit of the answer. */
export interface AudioDigitSegment {
  /** The digit spoken, 0-9. */
  digit: number;
  /** Index of the voice in the voice bank. */
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
      room: { delays: [1, 1.13, 1.27, 1.41].map((f) => base * f * between(random, 0.97, 1.03)), feedback: between(random, 0.45, 0.65), mix: between(random, 0.08, 0.18) },
    },
  };
  if (voiceStyles.size > 16) voiceStyles.clear();
  voiceStyles.set(seed, style);
  return style;
}

/** The style of clips made without a deployment secret (the public defaults). */
const DEFAULT_VOICE_SECRET = "latchkey-public-default-voice";

/** Indices of the voices a style speaks with: a fixed share of the bank, at least three. */
function styleVoices(style: CAPTCHAVoiceStyle, count: number): number[] {
  const random = createSeededRandom(`voices:${style.voiceSeed}`);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order.slice(0, Math.max(3, Math.round(count * style.voiceShare))).sort((a, b) => a - b);
}

interface Voice {
  id: string;
  /** The recordings of 0-9, trimmed, as samples in [-1, 1]. */
  digits: Float32Array[];
  /** The same recordings backwards. */
  reversedDigits: Float32Array[];
  /** Running sums of squared samples of each recording, to find the level of any part of it quickly. */
  energies: Float64Array[];
}

/** Root-mean-square level of `samples[from, to)` from their running sums of squares. */
function levelOf(energy: Float64Array, from: number, to: number): number {
  const a = Math.max(0, Math.min(energy.length - 1, Math.floor(from)));
  const b = Math.max(a + 1, Math.min(energy.length - 1, Math.floor(to)));
  return Math.sqrt(((energy[b] as number) - (energy[a] as number)) / (b - a));
}

function runningEnergy(samples: Float32Array): Float64Array {
  const energy = new Float64Array(samples.length + 1);
  for (let i = 0; i < samples.length; i++) energy[i + 1] = (energy[i] as number) + (samples[i] as number) ** 2;
  return energy;
}

interface VoiceBank {
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

/** Length of every clip in seconds, whatever digits it speaks. */
export const CAPTCHA_AUDIO_SECONDS = 12;
/** The shortest pause between two digits (a listener needs it to hear them as separate words). */
export const MIN_DIGIT_GAP_SECONDS = 0.45;

/** Grain hop of the pitch and speed changer: 10 ms at 16 kHz. Grains are twice as long. */
const GRAIN_HOP_SECONDS = 0.01;
/** Peak level of the finished clip, a little under full scale. */
const OUTPUT_PEAK = 0.9;
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
const BABBLE_DUCK_SECONDS = 0.04;
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

let bank: VoiceBank | undefined;

/** Reads the committed voice bank once; the recordings are read-only afterwards. */
function getVoiceBank(): VoiceBank {
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

/** Samples and sample rate of a WAV file. */
export interface DecodedWAV {
  sampleRate: number;
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
}

/**
 * Decodes a RIFF/WAVE file of 16-bit PCM mono samples.
 *
 * @throws Error when the file is not 16-bit PCM mono WAV.
 */
export function decodeWAV(file: Buffer): DecodedWAV {
  if (file.length < 12 || file.toString("latin1", 0, 4) !== "RIFF" || file.toString("latin1", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  let sampleRate = 0;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString("latin1", offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      const format = file.readUInt16LE(body);
      const channels = file.readUInt16LE(body + 2);
      const bits = file.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16) throw new Error("WAV must be 16-bit PCM mono");
      sampleRate = file.readUInt32LE(body + 4);
    } else if (id === "data") {
      if (sampleRate === 0) throw new Error("WAV data before its format");
      // Some writers leave the size of a streamed data chunk unset; read what is there.
      const end = Math.min(body + size, file.length);
      const samples = new Float32Array((end - body) >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + i * 2) / 32768;
      return { sampleRate, samples };
    }
    offset = body + size + (size & 1);
  }
  throw new Error("WAV has no data chunk");
}

/**
 * Encodes samples, multiplied by `gain`, as a RIFF/WAVE file, 16-bit PCM mono. Samples outside [-1, 1]
 * are clipped.
 */
export function encodeWAV(samples: Float32Array, sampleRate: number, gain = 1): Buffer {
  const file = Buffer.alloc(44 + samples.length * 2);
  file.write("RIFF", 0, "latin1");
  file.writeUInt32LE(36 + samples.length * 2, 4);
  file.write("WAVE", 8, "latin1");
  file.write("fmt ", 12, "latin1");
  file.writeUInt32LE(16, 16);
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(1, 22); // mono
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  file.writeUInt16LE(2, 32); // bytes per frame
  file.writeUInt16LE(16, 34); // bits per sample
  file.write("data", 36, "latin1");
  file.writeUInt32LE(samples.length * 2, 40);
  const pcm = new Int16Array(file.buffer, file.byteOffset + 44, samples.length);
  const scale = gain * 32767;
  for (let i = 0; i < samples.length; i++) {
    const value = Math.round((samples[i] as number) * scale);
    pcm[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return file;
}

/** A uniformly distributed number in [min, max). */
function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random.float();
}

/** A voice index from `usable` different from every index in `avoid`, when there is one. */
function pickVoice(random: Random, usable: readonly number[], avoid: readonly number[]): number {
  const allowed = usable.filter((i) => !avoid.includes(i));
  if (allowed.length === 0) return usable[random.int(usable.length)] as number;
  return allowed[random.int(allowed.length)] as number;
}

/**
 * Plans the clip for `digits`: which voice says each digit, how fast, how high and how loud, where it
 * starts, and the background babble and the beeps around it. The plan depends only on its arguments (and
 * the committed voice bank), so a seeded `random` gives the same clip on every replay.
 *
 * @param digits Exactly seven ASCII digits.
 * @param random Source of every random choice.
 * @throws RangeError when `digits` is not seven digits 0-9.
 */
export function planCAPTCHAAudio(digits: string, random: Random, style: CAPTCHAVoiceStyle = deriveCAPTCHAVoiceStyle(DEFAULT_VOICE_SECRET)): AudioPlan {
  if (!/^[0-9]{7}$/.test(digits)) throw new RangeError("CAPTCHA audio needs exactly seven digits 0-9");
  const { sampleRate, voices } = getVoiceBank();
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
    const level = levelOf((voices[draft.voice] as Voice).energies[draft.digit] as Float64Array, 0, ((voices[draft.voice] as Voice).digits[draft.digit] as Float32Array).length);
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
  return { sampleRate, length, digits: spoken, babble, babblePauseGains, beeps, effects: style.effects };
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

/** Periodic Hann windows by grain hop, shared by every rendering at that hop. */
const windows = new Map<number, Float32Array>();

function getWindow(hop: number): Float32Array {
  let window = windows.get(hop);
  if (window === undefined) {
    window = new Float32Array(hop * 2);
    for (let j = 0; j < hop * 2; j++) window[j] = 0.5 - 0.5 * Math.cos((Math.PI * j) / hop);
    windows.set(hop, window);
  }
  return window;
}

/** Scratch space for grain alignment, grown as needed and reused (rendering is synchronous). */
let alignReference = new Float32Array(0);
let alignOffsets = new Int32Array(0);

/**
 * Finds where, within `radius` samples of `nominal`, the source best continues the previous grain (whose
 * natural continuation starts at `continuation`), by cross-correlating every fourth sample over one hop:
 * first every fourth candidate, then the neighbours of the best. Starting each grain in phase with the
 * last one avoids the cancellations and the roughness of plain overlap-add (this is WSOLA).
 */
function alignGrain(
  source: Float32Array,
  from: number,
  to: number,
  nominal: number,
  continuation: number,
  hop: number,
  pitch: number,
  radius: number,
): number {
  const points = hop >> 2;
  const span = Math.ceil(hop * pitch) + 1;
  if (continuation < from || continuation + span >= to - 1) return nominal;
  if (alignReference.length < points) {
    alignReference = new Float32Array(points);
    alignOffsets = new Int32Array(points);
  }
  const reference = alignReference;
  const offsets = alignOffsets;
  const base = Math.round(continuation);
  for (let p = 0; p < points; p++) {
    const offset = Math.round(4 * p * pitch);
    offsets[p] = offset;
    reference[p] = source[base + offset] as number;
  }
  const lowest = Math.max(Math.ceil(from), Math.round(nominal) - radius);
  const highest = Math.min(Math.floor(to) - 1 - span, Math.round(nominal) + radius);
  if (highest < lowest) return nominal;
  let best = lowest;
  let bestScore = Number.NEGATIVE_INFINITY;
  let coarse = true;
  let candidate = lowest;
  let stop = highest;
  for (;;) {
    let score = 0;
    for (let p = 0; p < points; p++) score += (source[candidate + (offsets[p] as number)] as number) * (reference[p] as number);
    if (score > bestScore) {
      bestScore = score;
      best = candidate;
    }
    candidate += coarse ? 4 : 1;
    if (candidate > stop) {
      if (!coarse) break;
      // Refine around the best coarse candidate.
      coarse = false;
      candidate = Math.max(lowest, best - 3);
      stop = Math.min(highest, best + 3);
    }
  }
  return best;
}

/**
 * Adds `source[from, to)` to `out` at `start`, `length` samples long, changing speed and pitch
 * independently by overlap-adding windowed grains: grain k covers the output from (k - 1) * hop to
 * (k + 1) * hop, is read from around source position `from + k * hop * speed`, and steps through the
 * source by `pitch` samples per output sample. Half-overlapping Hann windows sum to one; both ends fade
 * over one hop, so a fragment cut out of the middle of a word does not click. With a non-zero
 * `alignRadius` each grain is shifted to match the previous one (clean speech, for the digits); without,
 * grains overlap in random phase (rougher, cheaper, good enough for the babble).
 */
function addStretched(
  out: Float32Array,
  start: number,
  length: number,
  source: Float32Array,
  from: number,
  to: number,
  speed: number,
  pitch: number,
  gain: number,
  hop: number,
  alignRadius: number,
): void {
  const window = getWindow(hop);
  const end = Math.min(start + length, out.length);
  const last = to - 1;
  let previous = Number.NaN;
  for (let k = 0; ; k++) {
    const outBase = start + (k - 1) * hop;
    if (outBase >= end) break;
    let grainStart = from + k * hop * speed - hop * pitch;
    if (alignRadius > 0 && k > 1) {
      grainStart = alignGrain(source, from, to, grainStart, previous + hop * pitch, hop, pitch, alignRadius);
    }
    previous = grainStart;
    // The part of the grain that lies inside the clip, inside the segment and inside the source.
    const jFirst = Math.max(0, start - outBase, -outBase, Math.ceil((from - grainStart) / pitch));
    const jLast = Math.min(hop * 2, end - outBase, Math.ceil((last - grainStart) / pitch));
    const edge = outBase < start + hop || outBase + hop * 2 > end - hop;
    for (let j = jFirst; j < jLast; j++) {
      const position = grainStart + j * pitch;
      const o = outBase + j;
      let weight = (window[j] as number) * gain;
      if (edge) {
        const sinceStart = o - start;
        const untilEnd = end - 1 - o;
        if (sinceStart < hop) weight *= sinceStart / hop;
        if (untilEnd < hop) weight *= untilEnd / hop;
      }
      const i = position | 0;
      const a = source[i] as number;
      out[o] = (out[o] as number) + (a + ((source[i + 1] as number) - a) * (position - i)) * weight;
    }
  }
}

/**
 * Scales the babble already in `out` by the plan's pause gains, keeping its planned level under the
 * digits; the gain changes linearly over `BABBLE_DUCK_SECONDS` just outside each digit.
 */
function duckBabble(out: Float32Array, plan: AudioPlan): void {
  const ramp = Math.max(1, Math.round(plan.sampleRate * BABBLE_DUCK_SECONDS));
  for (let pause = 0; pause <= plan.digits.length; pause++) {
    const gain = plan.babblePauseGains[pause] ?? 1;
    if (gain === 1) continue;
    const previous = plan.digits[pause - 1];
    const next = plan.digits[pause];
    const from = previous === undefined ? 0 : previous.start + previous.length;
    const to = next === undefined ? out.length : Math.min(out.length, next.start);
    for (let i = from; i < to; i++) {
      // Distance to the nearer digit, in samples; the pause's ends at the clip's edges do not count.
      const sincePrevious = previous === undefined ? ramp : i - from + 1;
      const untilNext = next === undefined ? ramp : to - i;
      const near = sincePrevious < untilNext ? sincePrevious : untilNext;
      out[i] = (out[i] as number) * (near >= ramp ? gain : 1 + ((gain - 1) * near) / ramp);
    }
  }
}

/**
 * Mixes a plan into floating-point samples at `plan.sampleRate`, before any normalisation: the babble
 * (ducked under the digits), the digits and the beeps at the gains the plan gives them.
 */
export function mixCAPTCHAAudio(plan: AudioPlan): Float32Array {
  const { voices } = getVoiceBank();
  const out = new Float32Array(plan.length);
  const hop = Math.max(1, Math.round(plan.sampleRate * GRAIN_HOP_SECONDS));
  // Half the period of a low voice (80 Hz) is enough room to bring the next grain into phase.
  const alignRadius = Math.round(plan.sampleRate / 160);
  for (const fragment of plan.babble) {
    const voice = voices[fragment.voice] as Voice;
    const source = (fragment.reversed ? voice.reversedDigits : voice.digits)[fragment.digit] as Float32Array;
    const from = fragment.from * source.length;
    const to = fragment.to * source.length;
    addStretched(out, fragment.start, fragment.length, source, from, to, fragment.speed, fragment.pitch, fragment.gain, hop, 0);
  }
  duckBabble(out, plan);
  for (const segment of plan.digits) {
    const source = (voices[segment.voice] as Voice).digits[segment.digit] as Float32Array;
    addStretched(out, segment.start, segment.length, source, 0, source.length, segment.speed, segment.pitch, segment.gain, hop, alignRadius);
  }
  for (const beep of plan.beeps) {
    const ramp = Math.max(1, Math.min(beep.length >> 1, Math.round(plan.sampleRate * 0.01)));
    const step = (2 * Math.PI * beep.frequency) / plan.sampleRate;
    for (let j = 0; j < beep.length; j++) {
      const o = beep.start + j;
      if (o < 0) continue;
      if (o >= out.length) break;
      const envelope = Math.min(1, j / ramp, (beep.length - 1 - j) / ramp);
      out[o] = (out[o] as number) + Math.sin(j * step) * beep.gain * envelope;
    }
  }
  return out;
}

/**
 * Peaking equaliser bands (RBJ biquads), then a small room (parallel feedback delays), blended in. Works in
 * place and returns `samples`. Each band is one pass with its state in local variables, and each delay a
 * short ring buffer: the clip is long (12 s), and clip-long buffers and arrays of filter state cost more
 * than all the rest of the rendering.
 */
export function applyAudioEffects(samples: Float32Array, sampleRate: number, effects: AudioEffects): Float32Array {
  for (const band of effects.eq) {
    const a = 10 ** (band.gainDB / 40);
    const w = (2 * Math.PI * band.frequency) / sampleRate;
    const alpha = Math.sin(w) / (2 * band.q);
    const a0 = 1 + alpha / a;
    const b0 = (1 + alpha * a) / a0;
    const b1 = (-2 * Math.cos(w)) / a0;
    const b2 = (1 - alpha * a) / a0;
    const a2 = (1 - alpha / a) / a0;
    let x1 = 0;
    let x2 = 0;
    let y1 = 0;
    let y2 = 0;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] as number;
      const y = b0 * x + b1 * x1 + b2 * x2 - b1 * y1 - a2 * y2;
      samples[i] = y;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
    }
  }
  const { feedback, mix, delays } = effects.room;
  const wet = new Float64Array(samples.length);
  for (const seconds of delays) {
    // The ring buffer holds the line's output of one delay ago.
    const length = Math.max(1, Math.round(seconds * sampleRate));
    const line = new Float64Array(length);
    let at = 0;
    for (let i = 0; i < samples.length; i++) {
      const value = (samples[i] as number) + (line[at] as number) * feedback;
      line[at] = value;
      at++;
      if (at === length) at = 0;
      wet[i] = (wet[i] as number) + value;
    }
  }
  const share = mix / delays.length;
  for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] as number) * (1 - mix) + (wet[i] as number) * share;
  return samples;
}

/**
 * Renders a plan as a WAV file: 16-bit PCM mono at the voice bank's sample rate. The mix is scaled so its
 * loudest sample sits just under full scale, so nothing clips and a quiet plan is not left faint.
 *
 * @returns The bytes of a RIFF/WAVE file.
 */
export function renderCAPTCHAAudio(plan: AudioPlan): Buffer {
  const out = applyAudioEffects(mixCAPTCHAAudio(plan), plan.sampleRate, plan.effects);
  let peak = 0;
  for (let i = 0; i < out.length; i++) {
    const magnitude = Math.abs(out[i] as number);
    if (magnitude > peak) peak = magnitude;
  }
  return encodeWAV(out, plan.sampleRate, peak > 0 ? OUTPUT_PEAK / peak : 1);
}

/**
 * Plans and renders the audio clip for `digits`. With `createSeededRandom(seed)` the same digits and seed
 * always give the same bytes, so every replay of a challenge plays the same clip.
 *
 * @param digits Exactly seven ASCII digits.
 * @throws RangeError when `digits` is not seven digits 0-9.
 */
export function createCAPTCHAAudio(digits: string, random: Random, style?: CAPTCHAVoiceStyle): Buffer {
  return renderCAPTCHAAudio(planCAPTCHAAudio(digits, random, style));
}
