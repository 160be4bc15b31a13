// Records the spoken digits of the CAPTCHA audio with espeak-ng in several voices and writes them, trimmed
// and resampled, to assets/captcha/voices/. The results are committed, so servers never need espeak-ng.
//
// Usage: npm run captcha:voices
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { VoiceBankIndex } from "../src/captcha/audio-voices.ts";
import { decodeWAV, encodeWAV } from "../src/captcha/audio-wav.ts";

const OUTPUT_DIR = fileURLToPath(new URL("../assets/captcha/voices/", import.meta.url));
const SAMPLE_RATE = 16000;
const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

interface VoiceSpec {
  id: string;
  description: string;
  /** espeak-ng voice name with its variant. */
  voice: string;
  /** espeak-ng base pitch, 0-99. */
  pitch: number;
  /** espeak-ng speed in words per minute. */
  speed: number;
}

// Different accents, pitches, speeds and synthesis settings, so that no single acoustic model fits every
// digit, and two takes of each (another pitch and pace), so that a digit has many recorded forms. Each one
// alone is easy to understand; the protection comes from the mixing and from each server's own voice
// transforms (src/captcha/audio-style.ts), not from odd voices.
const BASE_VOICES: VoiceSpec[] = [
  { id: "us-klatt", description: "American English (en-us+klatt)", voice: "en-us+klatt", pitch: 45, speed: 150 },
  { id: "us-high", description: "American English, high pitch (en-us+klatt3)", voice: "en-us+klatt3", pitch: 80, speed: 155 },
  { id: "rp-low", description: "Received Pronunciation, low pitch (en-gb-x-rp+klatt)", voice: "en-gb-x-rp+klatt", pitch: 32, speed: 140 },
  { id: "us-edward", description: "American English, Edward (en-us+edward2)", voice: "en-us+edward2", pitch: 50, speed: 145 },
  { id: "us-benjamin", description: "American English, Benjamin (en-us+benjamin)", voice: "en-us+benjamin", pitch: 58, speed: 150 },
  { id: "lancaster", description: "Lancashire English (en-gb-x-gbclan+klatt)", voice: "en-gb-x-gbclan+klatt", pitch: 60, speed: 140 },
  { id: "scotland", description: "Scottish English (en-gb-scotland+klatt2)", voice: "en-gb-scotland+klatt2", pitch: 50, speed: 145 },
  { id: "caribbean", description: "Caribbean English (en-029+klatt4)", voice: "en-029+klatt4", pitch: 55, speed: 145 },
  { id: "us-f2", description: "American English, female variant (en-us+f2)", voice: "en-us+f2", pitch: 60, speed: 150 },
  { id: "midlands", description: "West Midlands English (en-gb-x-gbcwmd+m3)", voice: "en-gb-x-gbcwmd+m3", pitch: 45, speed: 145 },
];

/** The second take of each voice: a little higher or lower and faster or slower than the first. */
const VOICES: VoiceSpec[] = BASE_VOICES.flatMap((spec, i) => [
  spec,
  {
    id: `${spec.id}-2`,
    description: `${spec.description}, second take`,
    voice: spec.voice,
    pitch: Math.max(10, Math.min(95, spec.pitch + (i % 2 === 0 ? 14 : -12))),
    speed: spec.speed + (i % 3 === 0 ? -15 : 15),
  },
]);

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: "inherit" });
  return result.status === 0;
}

/** Installs Debian's espeak-ng when it is missing (the script runs as root on Debian). */
function ensureEspeak(): void {
  if (spawnSync("espeak-ng", ["--version"], { stdio: "ignore" }).status === 0) return;
  console.log("espeak-ng is missing; installing it with apt-get");
  const install = ["install", "-y", "-o", "DPkg::Lock::Timeout=600", "espeak-ng"];
  if (!run("apt-get", install)) {
    run("apt-get", ["update", "-o", "DPkg::Lock::Timeout=600"]);
    if (!run("apt-get", install)) throw new Error("could not install espeak-ng");
  }
}

function synthesize(spec: VoiceSpec, word: string): { sampleRate: number; samples: Float32Array } {
  const result = spawnSync("espeak-ng", ["-v", spec.voice, "-p", String(spec.pitch), "-s", String(spec.speed), "--stdout", word], {
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`espeak-ng failed for ${spec.voice}: ${result.stderr.toString()}`);
  return decodeWAV(result.stdout);
}

/** Cuts leading and trailing silence: everything outside the frames within 40 dB of the loudest one. */
function trimSilence(samples: Float32Array, sampleRate: number): Float32Array {
  const frame = Math.round(sampleRate * 0.005);
  const energies: number[] = [];
  for (let start = 0; start < samples.length; start += frame) {
    let sum = 0;
    const end = Math.min(samples.length, start + frame);
    for (let i = start; i < end; i++) sum += (samples[i] as number) ** 2;
    energies.push(sum / (end - start));
  }
  const threshold = Math.max(...energies) * 1e-4;
  const first = energies.findIndex((e) => e > threshold);
  let last = energies.length - 1;
  while (last > first && (energies[last] as number) <= threshold) last--;
  const padding = Math.round(sampleRate * 0.01);
  return samples.slice(Math.max(0, first * frame - padding), Math.min(samples.length, (last + 1) * frame + padding));
}

/** Resamples with a Blackman-windowed sinc low-pass at 90% of the lower Nyquist frequency. */
function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const ratio = to / from;
  const cutoff = 0.9 * Math.min(1, ratio);
  const halfWidth = 24;
  const out = new Float32Array(Math.floor(samples.length * ratio));
  for (let n = 0; n < out.length; n++) {
    const centre = n / ratio;
    const first = Math.ceil(centre - halfWidth / cutoff);
    const last = Math.floor(centre + halfWidth / cutoff);
    let sum = 0;
    for (let i = Math.max(0, first); i <= Math.min(samples.length - 1, last); i++) {
      const x = (i - centre) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * x) / halfWidth);
      sum += (samples[i] as number) * sinc * w * cutoff;
    }
    out[n] = sum;
  }
  return out;
}

/** Brings every recording to the same loudness (RMS of its voiced part), keeping peaks below 0.95. */
function normalizeLoudness(samples: Float32Array): Float32Array {
  let sum = 0;
  let count = 0;
  let peak = 0;
  for (const value of samples) {
    const magnitude = Math.abs(value);
    peak = Math.max(peak, magnitude);
    if (magnitude > 0.01) {
      sum += value * value;
      count++;
    }
  }
  const rms = Math.sqrt(sum / Math.max(1, count));
  const gain = Math.min(0.15 / rms, 0.95 / peak);
  return samples.map((value) => value * gain);
}

function main(): void {
  ensureEspeak();
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  const version = spawnSync("espeak-ng", ["--version"]).stdout.toString().split("Data at")[0]?.trim() ?? "espeak-ng";
  const index: VoiceBankIndex = { generator: version, sampleRate: SAMPLE_RATE, voices: [] };
  let bytes = 0;
  for (const spec of VOICES) {
    mkdirSync(`${OUTPUT_DIR}${spec.id}`, { recursive: true });
    const files: string[] = [];
    for (const [digit, word] of DIGIT_WORDS.entries()) {
      const raw = synthesize(spec, word);
      const samples = normalizeLoudness(resample(trimSilence(raw.samples, raw.sampleRate), raw.sampleRate, SAMPLE_RATE));
      const file = `${spec.id}/${digit}.wav`;
      const wav = encodeWAV(samples, SAMPLE_RATE);
      writeFileSync(`${OUTPUT_DIR}${file}`, wav);
      bytes += wav.length;
      files.push(file);
    }
    index.voices.push({ id: spec.id, description: spec.description, digits: files });
  }
  writeFileSync(`${OUTPUT_DIR}index.json`, `${JSON.stringify(index, null, 2)}\n`);
  console.log(`wrote ${VOICES.length} voices x 10 digits (${Math.round(bytes / 1024)} KiB) to ${OUTPUT_DIR}`);
}

main();
