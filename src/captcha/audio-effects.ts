// The deployment's equaliser and room, applied to a whole mixed clip.
import type { AudioEffects } from "./audio-style.ts";

/**
 * The room's clip-long sum and its delay lines, grown as needed and reused (rendering is synchronous): a
 * fresh clip-long array (1.5 MB for 12 s at 16 kHz) costs its page faults every time where large blocks
 * go back to the system when freed, as under `npm start`'s allocator settings.
 */
let wetScratch = new Float64Array(0);
let lineScratch = new Float64Array(0);

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
  if (wetScratch.length < samples.length) wetScratch = new Float64Array(samples.length);
  const wet = wetScratch.subarray(0, samples.length).fill(0);
  for (const seconds of delays) {
    // The ring buffer holds the line's output of one delay ago.
    const length = Math.max(1, Math.round(seconds * sampleRate));
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
  const share = mix / delays.length;
  for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] as number) * (1 - mix) + (wet[i] as number) * share;
  return samples;
}
