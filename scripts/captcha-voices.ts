// Records the spoken digits of the CAPTCHA audio with espeak-ng, for every shipped language in several
// voices, and writes them, trimmed and resampled, to assets/captcha/voices/<locale>/ with an index.json.
// The results are committed, so servers never need espeak-ng.
//
// Usage: npm run captcha:voices [-- <locale> ...]   (no locale: every shipped language)
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { VoiceBankIndex } from "../src/captcha/audio-voices.ts";
import { decodeWAV, encodeWAV } from "../src/captcha/audio-wav.ts";
import { isLocale, type Locale, SHIPPED_LOCALES } from "../src/i18n/locales.ts";

const VOICES_DIR = fileURLToPath(new URL("../assets/captcha/voices/", import.meta.url));
const SAMPLE_RATE = 16000;

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

/** What is recorded for one language: the text spoken for 0-9 and the voices that speak it. */
interface LanguageSpec {
  /** The ten texts given to espeak-ng, for 0 to 9. */
  words: string[];
  voices: VoiceSpec[];
}

/** A voice of a language other than English: the language's espeak-ng voice with one of its variants. */
function variant(id: string, name: string, base: string, variantName: string, pitch: number, speed: number): VoiceSpec {
  return { id, description: `${name} (${base}+${variantName})`, voice: `${base}+${variantName}`, pitch, speed };
}

// Different accents, pitches, speeds and synthesis settings, so that no single acoustic model fits every
// digit, and two takes of each (another pitch and pace), so that a digit has many recorded forms. Each one
// alone is easy to understand; the protection comes from the mixing and from each server's own voice
// transforms (src/captcha/audio-style.ts), not from odd voices. Languages with a single espeak-ng accent
// get their variety from the variants (another voice source and vocal tract) and pitches.
const LANGUAGES: Record<Locale, LanguageSpec> = {
  en: {
    words: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    voices: [
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
    ],
  },
  de: {
    words: ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"],
    voices: [
      variant("klatt", "German", "de", "klatt", 45, 145),
      variant("klatt-high", "German, high pitch", "de", "klatt3", 78, 150),
      variant("klatt-low", "German, low pitch", "de", "klatt2", 32, 140),
      variant("klatt4", "German", "de", "klatt4", 55, 145),
      variant("edward", "German, Edward", "de", "edward2", 50, 140),
      variant("benjamin", "German, Benjamin", "de", "benjamin", 58, 145),
      variant("f2", "German, female variant", "de", "f2", 62, 145),
      variant("f4", "German, female variant", "de", "f4", 70, 140),
      variant("m3", "German, male variant", "de", "m3", 45, 145),
      variant("m6", "German, male variant", "de", "m6", 40, 150),
    ],
  },
  fr: {
    words: ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    voices: [
      variant("fr-klatt", "French (France)", "fr", "klatt", 45, 145),
      variant("fr-high", "French (France), high pitch", "fr", "klatt3", 78, 150),
      variant("fr-edward", "French (France), Edward", "fr", "edward2", 50, 140),
      variant("fr-f2", "French (France), female variant", "fr", "f2", 62, 145),
      variant("fr-m3", "French (France), male variant", "fr", "m3", 42, 145),
      variant("be-klatt", "French (Belgium)", "fr-be", "klatt2", 35, 140),
      variant("be-benjamin", "French (Belgium), Benjamin", "fr-be", "benjamin", 58, 145),
      variant("be-f4", "French (Belgium), female variant", "fr-be", "f4", 70, 140),
      variant("ch-klatt", "French (Switzerland)", "fr-ch", "klatt4", 55, 140),
      variant("ch-m6", "French (Switzerland), male variant", "fr-ch", "m6", 40, 150),
    ],
  },
  es: {
    words: ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
    voices: [
      variant("es-klatt", "Spanish (Spain)", "es", "klatt", 45, 145),
      variant("es-high", "Spanish (Spain), high pitch", "es", "klatt3", 78, 150),
      variant("es-edward", "Spanish (Spain), Edward", "es", "edward2", 50, 140),
      variant("es-f2", "Spanish (Spain), female variant", "es", "f2", 62, 145),
      variant("es-m3", "Spanish (Spain), male variant", "es", "m3", 42, 145),
      variant("419-klatt", "Spanish (Latin America)", "es-419", "klatt2", 35, 140),
      variant("419-benjamin", "Spanish (Latin America), Benjamin", "es-419", "benjamin", 58, 145),
      variant("419-f4", "Spanish (Latin America), female variant", "es-419", "f4", 70, 140),
      variant("419-klatt4", "Spanish (Latin America)", "es-419", "klatt4", 55, 145),
      variant("419-m6", "Spanish (Latin America), male variant", "es-419", "m6", 40, 150),
    ],
  },
  ar: {
    // espeak-ng reads the Arabic-Indic digits as their Modern Standard Arabic words (sifr, wahid,
    // ithnan, thalatha, ...); written-out words without their vowel marks come out mispronounced. The
    // words are longer than in the other languages, so they are spoken a little faster to leave the
    // same pauses between digits in a clip of the same length.
    words: ["٠", "١", "٢", "٣", "٤", "٥", "٦", "٧", "٨", "٩"],
    voices: [
      variant("klatt", "Arabic", "ar", "klatt", 45, 170),
      variant("klatt-high", "Arabic, high pitch", "ar", "klatt3", 78, 175),
      variant("klatt-low", "Arabic, low pitch", "ar", "klatt2", 32, 165),
      variant("klatt4", "Arabic", "ar", "klatt4", 55, 170),
      variant("edward", "Arabic, Edward", "ar", "edward2", 50, 165),
      variant("benjamin", "Arabic, Benjamin", "ar", "benjamin", 58, 170),
      variant("f2", "Arabic, female variant", "ar", "f2", 62, 170),
      variant("f4", "Arabic, female variant", "ar", "f4", 70, 165),
      variant("m3", "Arabic, male variant", "ar", "m3", 45, 170),
      variant("m6", "Arabic, male variant", "ar", "m6", 40, 175),
    ],
  },
};

/** The second take of each voice: a little higher or lower and faster or slower than the first. */
function withSecondTakes(voices: VoiceSpec[]): VoiceSpec[] {
  return voices.flatMap((spec, i) => [
    spec,
    {
      id: `${spec.id}-2`,
      description: `${spec.description}, second take`,
      voice: spec.voice,
      pitch: Math.max(10, Math.min(95, spec.pitch + (i % 2 === 0 ? 14 : -12))),
      speed: spec.speed + (i % 3 === 0 ? -15 : 15),
    },
  ]);
}

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

/** The phonemes espeak-ng speaks for `word` in `voice`, kept in the index so the words can be checked by reading. */
function phonemes(voice: string, word: string): string {
  return spawnSync("espeak-ng", ["-v", voice, "-q", "-x", word]).stdout.toString().trim();
}

function recordLanguage(locale: Locale, generator: string): void {
  const spec = LANGUAGES[locale];
  const dir = `${VOICES_DIR}${locale}/`;
  rmSync(dir, { recursive: true, force: true });
  const voices = withSecondTakes(spec.voices);
  const index: VoiceBankIndex = {
    generator,
    locale,
    sampleRate: SAMPLE_RATE,
    words: spec.words,
    phonemes: spec.words.map((word) => phonemes((spec.voices[0] as VoiceSpec).voice.split("+")[0] as string, word)),
    voices: [],
  };
  let bytes = 0;
  for (const voice of voices) {
    mkdirSync(`${dir}${voice.id}`, { recursive: true });
    const files: string[] = [];
    for (const [digit, word] of spec.words.entries()) {
      const raw = synthesize(voice, word);
      const samples = normalizeLoudness(resample(trimSilence(raw.samples, raw.sampleRate), raw.sampleRate, SAMPLE_RATE));
      const file = `${voice.id}/${digit}.wav`;
      const wav = encodeWAV(samples, SAMPLE_RATE);
      writeFileSync(`${dir}${file}`, wav);
      bytes += wav.length;
      files.push(file);
    }
    index.voices.push({ id: voice.id, description: voice.description, digits: files });
  }
  writeFileSync(`${dir}index.json`, `${JSON.stringify(index, null, 2)}\n`);
  console.log(`${locale}: wrote ${voices.length} voices x 10 digits (${Math.round(bytes / 1024)} KiB) to ${dir}`);
}

/** Records every shipped language, or only those named on the command line (`npm run captcha:voices -- de fr`). */
function main(): void {
  const wanted = process.argv.slice(2);
  for (const name of wanted) if (!isLocale(name)) throw new Error(`unknown language ${name}; shipped: ${SHIPPED_LOCALES.join(", ")}`);
  ensureEspeak();
  const generator = spawnSync("espeak-ng", ["--version"]).stdout.toString().split("Data at")[0]?.trim() ?? "espeak-ng";
  for (const locale of SHIPPED_LOCALES) if (wanted.length === 0 || wanted.includes(locale)) recordLanguage(locale, generator);
}

main();
