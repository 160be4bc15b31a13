// The deployment's equaliser and room, applied to a whole mixed clip.
import type { AudioEffects, AudioEQBand } from "./audio-style.ts";

/**
 * The room's clip-long sum and its delay lines, grown as needed and reused (rendering is synchronous): a
 * fresh clip-long array (1.5 MB for 12 s at 16 kHz) costs its page faults every time where large blocks
 * go back to the system when freed, as under `npm start`'s allocator settings.
 */
let wetScratch = new Float64Array(0);
let lineScratch = new Float64Array(0);

/** The coefficients of a peaking band (an RBJ biquad), normalised so a0 is 1; a1 equals b1. */
interface PeakingFilter {
  b0: number;
  b1: number;
  b2: number;
  a2: number;
}

function peakingFilter(band: AudioEQBand, sampleRate: number): PeakingFilter {
  const a = 10 ** (band.gainDB / 40);
  const w = (2 * Math.PI * band.frequency) / sampleRate;
  const alpha = Math.sin(w) / (2 * band.q);
  const a0 = 1 + alpha / a;
  return { b0: (1 + alpha * a) / a0, b1: (-2 * Math.cos(w)) / a0, b2: (1 - alpha * a) / a0, a2: (1 - alpha / a) / a0 };
}

/** One band over the clip, in place, its state in local variables. */
function filterOnce(samples: Float32Array, { b0, b1, b2, a2 }: PeakingFilter): void {
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

/**
 * Two bands in one pass, with the same result as one pass after the other: the second band takes the
 * first's output rounded to 32 bits, as it would read it back from the clip.
 */
function filterTwice(samples: Float32Array, first: PeakingFilter, second: PeakingFilter): void {
  const { b0, b1, b2, a2 } = first;
  const c0 = second.b0;
  const c1 = second.b1;
  const c2 = second.b2;
  const d2 = second.a2;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  let u1 = 0;
  let u2 = 0;
  let z1 = 0;
  let z2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] as number;
    const y = b0 * x + b1 * x1 + b2 * x2 - b1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    const u = Math.fround(y);
    const z = c0 * u + c1 * u1 + c2 * u2 - c1 * z1 - d2 * z2;
    samples[i] = z;
    u2 = u1;
    u1 = u;
    z2 = z1;
    z1 = z;
  }
}

/**
 * The room of four delays (what every deployment's style has) in one pass: the four ring buffers sit end to
 * end in one array, and the wet sum is added up in the order of the delays, as `roomOfAny` does.
 */
function roomOfFour(samples: Float32Array, lengths: readonly number[], feedback: number, keep: number, share: number): void {
  const [l0, l1, l2] = lengths as [number, number, number, number];
  const end1 = l0;
  const end2 = end1 + l1;
  const end3 = end2 + l2;
  const end4 = end3 + (lengths[3] as number);
  if (lineScratch.length < end4) lineScratch = new Float64Array(end4);
  const line = lineScratch.subarray(0, end4).fill(0);
  let p0 = 0;
  let p1 = end1;
  let p2 = end2;
  let p3 = end3;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as number;
    const v0 = s + (line[p0] as number) * feedback;
    line[p0] = v0;
    if (++p0 === end1) p0 = 0;
    const v1 = s + (line[p1] as number) * feedback;
    line[p1] = v1;
    if (++p1 === end2) p1 = end1;
    const v2 = s + (line[p2] as number) * feedback;
    line[p2] = v2;
    if (++p2 === end3) p2 = end2;
    const v3 = s + (line[p3] as number) * feedback;
    line[p3] = v3;
    if (++p3 === end4) p3 = end3;
    samples[i] = s * keep + (0 + v0 + v1 + v2 + v3) * share;
  }
}

/** A room of any number of delays: one pass per delay into a clip-long sum, then the blend. */
function roomOfAny(samples: Float32Array, lengths: readonly number[], feedback: number, keep: number, share: number): void {
  if (wetScratch.length < samples.length) wetScratch = new Float64Array(samples.length);
  const wet = wetScratch.subarray(0, samples.length).fill(0);
  for (const length of lengths) {
    // The ring buffer holds the line's output of one delay ago.
    if (lineScratch.length < length) lineScratch = new Float64Array(length);
    const line = lineScratch.subarray(0, length).fill(0);
    let at = 0;
    for (let i = 0; i < samples.length; i++) {
      const value = (samples[i] as number) + (line[at] as number) * feedback;
      line[at] = value;
      at++;
      if (at === length) at = 0;
      wet[i] = (wet[i] as number) + value;
    }
  }
  for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] as number) * keep + (wet[i] as number) * share;
}

/**
 * Peaking equaliser bands (RBJ biquads), then a small room (parallel feedback delays), blended in. Works in
 * place and returns `samples`. The clip is long (12 s), so the work is a few passes over it with the state in
 * local variables: the bands two at a time, and a room of four delays in one pass.
 */
export function applyAudioEffects(samples: Float32Array, sampleRate: number, effects: AudioEffects): Float32Array {
  const filters = effects.eq.map((band) => peakingFilter(band, sampleRate));
  let next = 0;
  for (; next + 1 < filters.length; next += 2) filterTwice(samples, filters[next] as PeakingFilter, filters[next + 1] as PeakingFilter);
  if (next < filters.length) filterOnce(samples, filters[next] as PeakingFilter);
  const { feedback, mix, delays } = effects.room;
  if (delays.length === 0) return samples;
  const lengths = delays.map((seconds) => Math.max(1, Math.round(seconds * sampleRate)));
  const keep = 1 - mix;
  const share = mix / delays.length;
  if (lengths.length === 4) roomOfFour(samples, lengths, feedback, keep, share);
  else roomOfAny(samples, lengths, feedback, keep, share);
  return samples;
}
