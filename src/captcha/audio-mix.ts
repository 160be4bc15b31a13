// Mixes a planned CAPTCHA clip: the babble (ducked under the digits), the digits and the beeps, each
// recording changed in speed and pitch by overlapping grains.
import { type AudioPlan, BABBLE_DUCK_SECONDS } from "./audio-plan.ts";
import { getVoiceBank, type Voice } from "./audio-voices.ts";

/** Grain hop of the pitch and speed changer: 10 ms at 16 kHz. Grains are twice as long. */
const GRAIN_HOP_SECONDS = 0.01;

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
function alignGrain(source: Float32Array, from: number, to: number, nominal: number, continuation: number, hop: number, pitch: number, radius: number): number {
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
    if (outBase >= start + hop && outBase + hop * 2 <= end - hop) {
      // A grain clear of both ends, as most are: no fades to apply.
      for (let j = jFirst; j < jLast; j++) {
        const position = grainStart + j * pitch;
        const o = outBase + j;
        const weight = (window[j] as number) * gain;
        const i = position | 0;
        const a = source[i] as number;
        out[o] = (out[o] as number) + (a + ((source[i + 1] as number) - a) * (position - i)) * weight;
      }
      continue;
    }
    for (let j = jFirst; j < jLast; j++) {
      const position = grainStart + j * pitch;
      const o = outBase + j;
      let weight = (window[j] as number) * gain;
      const sinceStart = o - start;
      const untilEnd = end - 1 - o;
      if (sinceStart < hop) weight *= sinceStart / hop;
      if (untilEnd < hop) weight *= untilEnd / hop;
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
 * (ducked under the digits), the digits and the beeps at the gains the plan gives them. Into a new array, or
 * into the start of `into` (cleared first; at least `plan.length` long), returning that view of it.
 */
export function mixCAPTCHAAudio(plan: AudioPlan, into?: Float32Array): Float32Array {
  const { voices } = getVoiceBank(plan.locale);
  if (into && into.length < plan.length) throw new RangeError(`the mix needs ${plan.length} samples, not ${into.length}`);
  const out = into ? into.subarray(0, plan.length).fill(0) : new Float32Array(plan.length);
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
