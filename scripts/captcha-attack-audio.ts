// An informed attack on our own CAPTCHA audio, to measure what knowing the public generator is worth.
// The attacker runs the generator with a deployment key of their own, so they have unlimited labelled
// clips. They find the seven digits by loudness (10 ms frames; the beeps, pure 880 Hz tones, are dropped;
// the loudness threshold is lowered until seven separate words stand out), describe each word by a
// log-spectrogram on a mel-like scale (24 bands x 16 time steps, minus the clip's average spectrum so a
// fixed equaliser cancels out), and train a k-nearest-neighbour classifier on the words. Then they attack a
// server: the same classifier is measured on fresh clips from its own key and on clips from another key.
import { generateCAPTCHADigits } from "../src/captcha/alphabet.ts";
import { createCAPTCHAAudio } from "../src/captcha/audio.ts";
import { type CAPTCHAVoiceStyle, deriveCAPTCHAVoiceStyle } from "../src/captcha/audio-style.ts";
import { decodeWAV } from "../src/captcha/audio-wav.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
import { classifyByNearest, type LabelledSample } from "./nearest-neighbours.ts";

const DIGITS = 7;
const K = 3;
const FFT_SIZE = 512;
const BANDS = 24;
const STEPS = 16;
/** Frame hop for loudness and spectra: 10 ms at 16 kHz. */
const HOP = 160;
/** Analysis window: 25 ms at 16 kHz. */
const WINDOW = 400;
const BEEP_HZ = 880;

type Sample = LabelledSample<number>;

/** In-place radix-2 FFT of `re` + i`im` (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] as number, re[i] as number];
      [im[i], im[j]] = [im[j] as number, im[i] as number];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = (re[b] as number) * wr - (im[b] as number) * wi;
        const ti = (re[b] as number) * wi + (im[b] as number) * wr;
        re[b] = (re[a] as number) - tr;
        im[b] = (im[a] as number) - ti;
        re[a] = (re[a] as number) + tr;
        im[a] = (im[a] as number) + ti;
      }
    }
  }
}

const hann = Float64Array.from({ length: WINDOW }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WINDOW - 1)));

/** Log band energies (mel-like bands from 100 Hz to 7 kHz) of the frame starting at `at`. */
function bandEnergies(samples: Float32Array, at: number, sampleRate: number): Float64Array {
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  for (let i = 0; i < WINDOW; i++) re[i] = ((samples[at + i] as number) || 0) * (hann[i] as number);
  fft(re, im);
  const mel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
  const hz = (m: number): number => 700 * (10 ** (m / 2595) - 1);
  const out = new Float64Array(BANDS);
  const low = mel(100);
  const high = mel(7000);
  for (let b = 0; b < BANDS; b++) {
    const from = Math.floor((hz(low + ((high - low) * b) / BANDS) * FFT_SIZE) / sampleRate);
    const to = Math.max(from + 1, Math.floor((hz(low + ((high - low) * (b + 1)) / BANDS) * FFT_SIZE) / sampleRate));
    let sum = 1e-9;
    for (let k = from; k < to; k++) sum += (re[k] as number) ** 2 + (im[k] as number) ** 2;
    out[b] = Math.log(sum);
  }
  return out;
}

/** Share of a frame's energy at the beep's frequency (Goertzel), to tell the beeps from speech. */
function beepShare(samples: Float32Array, at: number, sampleRate: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * BEEP_HZ) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let total = 1e-12;
  for (let i = 0; i < WINDOW; i++) {
    const x = ((samples[at + i] as number) || 0) * (hann[i] as number);
    total += x * x;
    const s = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  // A pure tone's Goertzel power is about (window energy) x N / 2.
  return power / ((total * WINDOW) / 2);
}

/** The seven loudest separate words of a clip, as [start, end) frame ranges in time order. */
function findWords(samples: Float32Array, sampleRate: number): [number, number][] {
  const frames = Math.floor((samples.length - WINDOW) / HOP);
  const level = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 1e-12;
    for (let i = 0; i < WINDOW; i++) sum += ((samples[f * HOP + i] as number) || 0) ** 2;
    level[f] = beepShare(samples, f * HOP, sampleRate) > 0.5 ? -100 : 10 * Math.log10(sum / WINDOW);
  }
  // Smooth over 50 ms.
  const smooth = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    let n = 0;
    for (let d = -2; d <= 2; d++) {
      const v = level[f + d];
      if (v !== undefined) {
        sum += v;
        n++;
      }
    }
    smooth[f] = sum / n;
  }
  const runsAbove = (threshold: number): [number, number][] => {
    const runs: [number, number][] = [];
    let start = -1;
    for (let f = 0; f <= frames; f++) {
      const above = f < frames && (smooth[f] as number) > threshold;
      if (above && start < 0) start = f;
      if (!above && start >= 0) {
        const last = runs[runs.length - 1];
        // A dip shorter than 150 ms is inside a word ("seven"), not between two.
        if (last !== undefined && start - last[1] < 15) last[1] = f;
        else runs.push([start, f]);
        start = -1;
      }
    }
    return runs.filter(([a, b]) => b - a >= 8);
  };
  const sorted = Float64Array.from(smooth).sort();
  const top = sorted[Math.floor(frames * 0.99)] as number;
  const bottom = sorted[Math.floor(frames * 0.3)] as number;
  let best: [number, number][] = [];
  for (let threshold = top; threshold > bottom; threshold -= 0.25) {
    const runs = runsAbove(threshold);
    if (Math.abs(runs.length - DIGITS) < Math.abs(best.length - DIGITS) || best.length === 0) best = runs;
    if (runs.length === DIGITS) return runs;
    if (runs.length > DIGITS) break;
  }
  // Too many: drop the shortest. Too few: split the longest.
  best = best.slice();
  while (best.length > DIGITS) {
    let shortest = 0;
    for (let i = 1; i < best.length; i++)
      if (
        (best[i] as [number, number])[1] - (best[i] as [number, number])[0] <
        (best[shortest] as [number, number])[1] - (best[shortest] as [number, number])[0]
      )
        shortest = i;
    best.splice(shortest, 1);
  }
  while (best.length > 0 && best.length < DIGITS) {
    let longest = 0;
    for (let i = 1; i < best.length; i++)
      if ((best[i] as [number, number])[1] - (best[i] as [number, number])[0] > (best[longest] as [number, number])[1] - (best[longest] as [number, number])[0])
        longest = i;
    const [a, b] = best[longest] as [number, number];
    const middle = Math.round((a + b) / 2);
    best.splice(longest, 1, [a, middle], [middle, b]);
  }
  return best;
}

/** Features of each word found in a clip: log band energies at 16 evenly spaced moments, minus the clip's mean. */
function describeClip(wav: Buffer): Float32Array[] {
  const { samples, sampleRate } = decodeWAV(wav);
  const words = findWords(samples, sampleRate);
  const spectra = words.map(([a, b]) => {
    const frames: Float64Array[] = [];
    for (let f = Math.max(0, a - 2); f < b + 2; f++) frames.push(bandEnergies(samples, f * HOP, sampleRate));
    return frames;
  });
  // The clip's average spectrum over its words: subtracting it cancels a fixed equaliser and the level.
  const mean = new Float64Array(BANDS);
  let count = 0;
  for (const frames of spectra) {
    for (const frame of frames) {
      for (let b = 0; b < BANDS; b++) mean[b] = (mean[b] as number) + (frame[b] as number);
      count++;
    }
  }
  for (let b = 0; b < BANDS; b++) mean[b] = (mean[b] as number) / Math.max(1, count);
  return spectra.map((frames) => {
    const features = new Float32Array(BANDS * STEPS);
    for (let s = 0; s < STEPS; s++) {
      const position = ((frames.length - 1) * s) / (STEPS - 1);
      const i = Math.floor(position);
      const t = position - i;
      const a = frames[i] as Float64Array;
      const b = frames[Math.min(frames.length - 1, i + 1)] as Float64Array;
      for (let band = 0; band < BANDS; band++) features[s * BANDS + band] = (a[band] as number) * (1 - t) + (b[band] as number) * t - (mean[band] as number);
    }
    return features;
  });
}

function classify(training: readonly Sample[], features: Float32Array): number {
  return classifyByNearest(training, features, K) ?? -1;
}

function measure(training: readonly Sample[], style: CAPTCHAVoiceStyle, count: number): { solved: number; digits: number; segmented: number } {
  const random = createCryptoRandom();
  let solved = 0;
  let digits = 0;
  let segmented = 0;
  for (let n = 0; n < count; n++) {
    const answer = generateCAPTCHADigits(random);
    const words = describeClip(createCAPTCHAAudio(answer, random, style));
    if (words.length === DIGITS) segmented++;
    const guess = words.map((w) => classify(training, w)).join("");
    if (guess === answer) solved++;
    for (let i = 0; i < DIGITS; i++) if (guess[i] === answer[i]) digits++;
  }
  return { solved, digits, segmented };
}

/** Trains on `trainCount` clips of one key and prints the results on `testCount` clips of that key and of another. */
export function runAudioAttack(trainCount: number, testCount: number): void {
  const random = createCryptoRandom();
  const ownKey = deriveCAPTCHAVoiceStyle(random.bytes(32).toString("hex"));
  const otherKey = deriveCAPTCHAVoiceStyle(random.bytes(32).toString("hex"));
  const training: Sample[] = [];
  for (let n = 0; n < trainCount; n++) {
    const answer = generateCAPTCHADigits(random);
    const words = describeClip(createCAPTCHAAudio(answer, random, ownKey));
    if (words.length !== DIGITS) continue;
    for (const [i, features] of words.entries()) training.push({ features, label: Number(answer[i]) });
  }
  console.log(`trained a ${K}-nearest-neighbour classifier on ${training.length} spoken digits from ${trainCount} clips of one key`);
  const same = measure(training, ownKey, testCount);
  const other = measure(training, otherKey, testCount);
  const percent = (x: number, of: number): string => `${((100 * x) / of).toFixed(1)}%`;
  console.log(
    `same key:    ${same.solved}/${testCount} clips solved (${percent(same.solved, testCount)}), ${percent(same.digits, testCount * DIGITS)} of digits, ${same.segmented} clips cut into seven words`,
  );
  console.log(
    `another key: ${other.solved}/${testCount} clips solved (${percent(other.solved, testCount)}), ${percent(other.digits, testCount * DIGITS)} of digits, ${other.segmented} clips cut into seven words`,
  );
  console.log(`chance:      ${(100 / 10 ** DIGITS).toFixed(5)}% of clips, 10.0% of digits`);
}
