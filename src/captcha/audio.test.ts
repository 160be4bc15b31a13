import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Locale, SHIPPED_LOCALES } from "../i18n/locales.ts";
import { createSeededRandom } from "../lib/random.ts";
import { generateCAPTCHADigits } from "./alphabet.ts";
import { createCAPTCHAAudio, renderCAPTCHAAudio } from "./audio.ts";
import { applyAudioEffects } from "./audio-effects.ts";
import { mixCAPTCHAAudio } from "./audio-mix.ts";
import { type AudioPlan, CAPTCHA_AUDIO_SECONDS, MIN_DIGIT_GAP_SECONDS, planCAPTCHAAudio } from "./audio-plan.ts";
import { type AudioEffects, DEFAULT_VOICE_SECRET, deriveCAPTCHAVoiceStyle } from "./audio-style.ts";
import { getVoiceBank, type VoiceBankIndex } from "./audio-voices.ts";
import { encodeWAV, roundHalfUp } from "./audio-wav.ts";

interface ParsedWAV {
  sampleRate: number;
  samples: Int16Array;
}

/** Checks every header field of a canonical 16-bit mono PCM WAV file against the file's length. */
function parseWAV(file: Buffer): ParsedWAV {
  assert.equal(file.toString("latin1", 0, 4), "RIFF");
  assert.equal(file.readUInt32LE(4), file.length - 8, "RIFF size");
  assert.equal(file.toString("latin1", 8, 12), "WAVE");
  assert.equal(file.toString("latin1", 12, 16), "fmt ");
  assert.equal(file.readUInt32LE(16), 16, "fmt size");
  assert.equal(file.readUInt16LE(20), 1, "PCM");
  assert.equal(file.readUInt16LE(22), 1, "mono");
  const sampleRate = file.readUInt32LE(24);
  assert.ok(sampleRate === 8000 || sampleRate === 16000, `sample rate ${sampleRate}`);
  assert.equal(file.readUInt32LE(28), sampleRate * 2, "byte rate");
  assert.equal(file.readUInt16LE(32), 2, "block align");
  assert.equal(file.readUInt16LE(34), 16, "bits per sample");
  assert.equal(file.toString("latin1", 36, 40), "data");
  assert.equal(file.readUInt32LE(40), file.length - 44, "data size");
  const samples = new Int16Array(file.length / 2 - 22);
  for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(44 + i * 2);
  return { sampleRate, samples };
}

/** The language a seed's clip is planned in: the seeds of a loop go round every shipped language. */
function localeFor(seed: string): Locale {
  let sum = 0;
  for (const char of seed) sum += char.charCodeAt(0);
  return SHIPPED_LOCALES[sum % SHIPPED_LOCALES.length] as Locale;
}

/** A clip's plan; the properties below are checked in every language, each seed in its own. */
function planFor(seed: string): { digits: string; plan: AudioPlan } {
  const random = createSeededRandom(seed);
  const digits = generateCAPTCHADigits(random);
  return { digits, plan: planCAPTCHAAudio(digits, random, undefined, localeFor(seed)) };
}

function meanSquare(samples: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] as number) ** 2;
  return sum / Math.max(1, to - from);
}

test("planCAPTCHAAudio speaks exactly the seven digits, in order, one after another", () => {
  for (let n = 0; n < 200; n++) {
    const { digits, plan } = planFor(`plan-${n}`);
    assert.equal(plan.digits.length, 7);
    assert.equal(plan.digits.map((segment) => segment.digit).join(""), digits);
    const [first, last] = [plan.digits[0], plan.digits[6]];
    assert.ok(first && last);
    for (let i = 1; i < 7; i++) {
      const previous = plan.digits[i - 1];
      const current = plan.digits[i];
      assert.ok(previous && current);
      const gap = (current.start - (previous.start + previous.length)) / plan.sampleRate;
      assert.ok(gap >= MIN_DIGIT_GAP_SECONDS && gap <= 1, `gap of ${gap.toFixed(2)} s between digits`);
      assert.notEqual(current.voice, previous.voice, "neighbouring digits use different voices");
    }
    // A beep before the first digit and one after the last, inside the clip.
    assert.equal(plan.beeps.length, 2);
    const [opening, closing] = plan.beeps;
    assert.ok(opening && closing);
    assert.ok(opening.start + opening.length < first.start);
    assert.ok(closing.start > last.start + last.length);
    assert.ok(closing.start + closing.length <= plan.length);
    // Every clip lasts exactly as long, whatever its digits.
    assert.equal(plan.length, CAPTCHA_AUDIO_SECONDS * plan.sampleRate);
  }
});

test("planCAPTCHAAudio puts the beep and the first digit at varying moments", () => {
  const beeps = new Set<number>();
  const firsts = new Set<number>();
  for (let n = 0; n < 50; n++) {
    const { plan } = planFor(`positions-${n}`);
    beeps.add(Math.round((plan.beeps[0]?.start ?? 0) / (plan.sampleRate * 0.05)));
    firsts.add(Math.round((plan.digits[0]?.start ?? 0) / (plan.sampleRate * 0.05)));
  }
  // In 50 ms steps, spread over most of the ranges (0.1-0.9 s and later).
  assert.ok(beeps.size >= 10, `${beeps.size} beep positions`);
  assert.ok(firsts.size >= 10, `${firsts.size} first-digit positions`);
});

test("deriveCAPTCHAVoiceStyle gives each secret its own voices, vocal tract, equaliser and room", () => {
  const a = deriveCAPTCHAVoiceStyle("secret-one");
  assert.equal(deriveCAPTCHAVoiceStyle("secret-one"), a);
  const b = deriveCAPTCHAVoiceStyle("secret-two");
  assert.notEqual(a.formant, b.formant);
  assert.notDeepEqual(a.effects, b.effects);
  const voicesOf = (style: typeof a): Set<number> => {
    const used = new Set<number>();
    for (let n = 0; n < 40; n++) {
      const random = createSeededRandom(`style-voices-${n}`);
      for (const segment of planCAPTCHAAudio(generateCAPTCHADigits(random), random, style).digits) used.add(segment.voice);
    }
    return used;
  };
  const usedA = voicesOf(a);
  const usedB = voicesOf(b);
  assert.notDeepEqual([...usedA].sort(), [...usedB].sort(), "the two deployments speak with different recordings");
  const clip = (style: typeof a): Buffer => createCAPTCHAAudio("1234567", createSeededRandom("style-same-randomness"), style);
  assert.ok(!clip(a).equals(clip(b)));
});

test("planCAPTCHAAudio varies voice, speed, pitch and level from digit to digit", () => {
  const voices = new Set<number>();
  const speeds = new Set<number>();
  const pitches = new Set<number>();
  const gains = new Set<number>();
  for (let n = 0; n < 20; n++) {
    for (const segment of planFor(`vary-${n}`).plan.digits) {
      voices.add(segment.voice);
      speeds.add(segment.speed);
      pitches.add(segment.pitch);
      gains.add(segment.gain);
      assert.ok(segment.speed >= 0.85 && segment.speed <= 1.2);
      assert.ok(segment.pitch >= 0.8 && segment.pitch <= 1.25);
    }
  }
  assert.ok(voices.size >= 4, "at least four voices in use");
  assert.equal(speeds.size, 140);
  assert.equal(pitches.size, 140);
  assert.ok(gains.size > 100);
});

test("planCAPTCHAAudio lays babble of other voices under the whole clip", () => {
  for (let n = 0; n < 50; n++) {
    const { plan } = planFor(`babble-${n}`);
    // Every sample of the clip is under at least one babble fragment.
    const covered = new Uint8Array(plan.length);
    for (const fragment of plan.babble) {
      for (let i = Math.max(0, fragment.start); i < Math.min(plan.length, fragment.start + fragment.length); i++) covered[i] = 1;
      // A fragment never speaks in the voice of a digit it overlaps.
      for (const segment of plan.digits) {
        const overlaps = fragment.start < segment.start + segment.length && segment.start < fragment.start + fragment.length;
        if (overlaps) assert.notEqual(fragment.voice, segment.voice);
      }
    }
    assert.equal(covered.indexOf(0), -1, "babble covers the clip");
    const reversed = plan.babble.filter((fragment) => fragment.reversed).length;
    assert.ok(reversed > plan.babble.length / 2, "mostly reversed speech");
    assert.ok(
      plan.babble.some((fragment) => !fragment.reversed && fragment.to - fragment.from < 0.6),
      "some partial digits",
    );
  }
});

/** The digits alone, and the babble alone as the full mix minus the digits (mixing is linear). */
function mixLayers(plan: AudioPlan): { digits: Float32Array; babble: Float32Array } {
  const digits = mixCAPTCHAAudio({ ...plan, babble: [], beeps: [] });
  const babble = mixCAPTCHAAudio({ ...plan, beeps: [] });
  for (let i = 0; i < babble.length; i++) babble[i] = (babble[i] as number) - (digits[i] as number);
  return { digits, babble };
}

test("every digit stands at least 6 dB above the babble under it, and the babble is not negligible", () => {
  for (let n = 0; n < 100; n++) {
    const { plan } = planFor(`level-${n}`);
    const { digits, babble } = mixLayers(plan);
    for (const segment of plan.digits) {
      const end = segment.start + segment.length;
      const ratio = 10 * Math.log10(meanSquare(digits, segment.start, end) / meanSquare(babble, segment.start, end));
      assert.ok(ratio >= 6, `digit ${segment.digit} only ${ratio.toFixed(1)} dB above the babble (seed level-${n})`);
      assert.ok(ratio <= 14, `babble ${ratio.toFixed(1)} dB under digit ${segment.digit} is too faint to mask it`);
    }
  }
});

test("the babble swells in the pauses but stays quieter than the digits", () => {
  for (let n = 0; n < 50; n++) {
    const { plan } = planFor(`pauses-${n}`);
    assert.equal(plan.babblePauseGains.length, 8);
    const { digits, babble } = mixLayers(plan);
    let digitPower = 0;
    let underDigits = 0;
    for (const segment of plan.digits) {
      digitPower += meanSquare(digits, segment.start, segment.start + segment.length) / 7;
      underDigits += meanSquare(babble, segment.start, segment.start + segment.length) / 7;
    }
    let inPauses = 0;
    for (let i = 1; i < 7; i++) {
      const previous = plan.digits[i - 1];
      const current = plan.digits[i];
      assert.ok(previous && current);
      const inPause = meanSquare(babble, previous.start + previous.length, current.start);
      inPauses += inPause / 6;
      const belowDigits = 10 * Math.log10(digitPower / inPause);
      assert.ok(belowDigits >= 3, `babble in pause ${i} only ${belowDigits.toFixed(1)} dB under the digits (seed pauses-${n})`);
    }
    assert.ok(inPauses > underDigits * 2, `babble ducks under the digits (seed pauses-${n})`);
  }
});

test("the mixed clip never falls silent for more than 150 ms", () => {
  for (let n = 0; n < 50; n++) {
    const { plan } = planFor(`silence-${n}`);
    const { sampleRate, samples } = parseWAV(renderCAPTCHAAudio(plan));
    const window = Math.round(sampleRate * 0.01);
    let quietRun = 0;
    let longest = 0;
    // Near silence: a 10 ms window more than 40 dB under full scale.
    for (let start = window * 2; start + window <= samples.length - window * 2; start += window) {
      let sum = 0;
      for (let i = start; i < start + window; i++) sum += ((samples[i] as number) / 32768) ** 2;
      const quiet = Math.sqrt(sum / window) < 0.01;
      quietRun = quiet ? quietRun + 10 : 0;
      longest = Math.max(longest, quietRun);
    }
    assert.ok(longest <= 150, `${longest} ms of near silence (seed silence-${n})`);
  }
});

test("renderCAPTCHAAudio writes a consistent WAV header and uses the full range without clipping", () => {
  const { plan } = planFor("wav");
  const file = renderCAPTCHAAudio(plan);
  const { sampleRate, samples } = parseWAV(file);
  assert.equal(sampleRate, plan.sampleRate);
  assert.equal(samples.length, plan.length);
  let peak = 0;
  let clipped = 0;
  for (const sample of samples) {
    peak = Math.max(peak, Math.abs(sample));
    if (Math.abs(sample) >= 32767) clipped++;
  }
  assert.ok(peak > 32767 * 0.8, "normalised close to full scale");
  assert.equal(clipped, 0);
});

test("createCAPTCHAAudio gives the same bytes for the same seed and different bytes for another", () => {
  const a = createCAPTCHAAudio("1234567", createSeededRandom("challenge-1"));
  const b = createCAPTCHAAudio("1234567", createSeededRandom("challenge-1"));
  const c = createCAPTCHAAudio("1234567", createSeededRandom("challenge-2"));
  const d = createCAPTCHAAudio("7654321", createSeededRandom("challenge-1"));
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
  assert.ok(!a.equals(d));
  parseWAV(a);
});

test("a clip has the same bytes whatever was rendered before it (the mix and the room reuse their buffers)", () => {
  const plan = planCAPTCHAAudio("3141592", createSeededRandom("reuse-1"));
  const other = planCAPTCHAAudio("2718281", createSeededRandom("reuse-2"));
  // A shorter clip than the others: the buffers it reuses hold more samples than it needs.
  const short: AudioPlan = { ...planCAPTCHAAudio("1618033", createSeededRandom("reuse-3")), length: Math.round(plan.length * 0.6) };
  const first = renderCAPTCHAAudio(plan);
  const shortFirst = renderCAPTCHAAudio(short);
  // Another clip in between leaves its samples in the reused buffers.
  renderCAPTCHAAudio(other);
  assert.ok(renderCAPTCHAAudio(plan).equals(first), "the same clip again, after another");
  assert.ok(renderCAPTCHAAudio(short).equals(shortFirst), "the shorter clip again, after a longer one");
  assert.equal(parseWAV(shortFirst).samples.length, short.length);
});

/** The equaliser and the room as plainly as they can be written: one band, then one delay, at a time. */
function plainEffects(input: Float32Array, sampleRate: number, effects: AudioEffects): Float32Array {
  const samples = Float32Array.from(input);
  for (const band of effects.eq) {
    const a = 10 ** (band.gainDB / 40);
    const w = (2 * Math.PI * band.frequency) / sampleRate;
    const alpha = Math.sin(w) / (2 * band.q);
    const a0 = 1 + alpha / a;
    const [b0, b1, b2, a1, a2] = [(1 + alpha * a) / a0, (-2 * Math.cos(w)) / a0, (1 - alpha * a) / a0, (-2 * Math.cos(w)) / a0, (1 - alpha / a) / a0];
    let [x1, x2, y1, y2] = [0, 0, 0, 0];
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] as number;
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      samples[i] = y;
      [x2, x1, y2, y1] = [x1, x, y1, y];
    }
  }
  const { feedback, mix, delays } = effects.room;
  const wet = new Float64Array(samples.length);
  for (const seconds of delays) {
    const line = new Float64Array(Math.max(1, Math.round(seconds * sampleRate)));
    for (let i = 0; i < samples.length; i++) {
      const value = (samples[i] as number) + (line[i % line.length] as number) * feedback;
      line[i % line.length] = value;
      wet[i] = (wet[i] as number) + value;
    }
  }
  for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] as number) * (1 - mix) + ((wet[i] as number) * mix) / delays.length;
  return samples;
}

test("the equaliser and the room, done in fewer passes, give exactly the samples of one band and one delay at a time", () => {
  const { plan } = planFor("effects");
  const mixed = mixCAPTCHAAudio(plan);
  const styles = [0, 1, 2].map((n) => deriveCAPTCHAVoiceStyle(`effects-${n}`).effects);
  const [first, second] = styles as [AudioEffects, AudioEffects];
  const cases: [string, AudioEffects][] = [
    ...styles.map((effects, n): [string, AudioEffects] => [`style ${n}: two bands, four delays`, effects]),
    ["three bands, three delays", { eq: [...first.eq, ...second.eq.slice(0, 1)], room: { ...first.room, delays: first.room.delays.slice(0, 3) } }],
    ["one band, five delays", { eq: first.eq.slice(0, 1), room: { ...second.room, delays: [...second.room.delays, 0.0123] } }],
  ];
  for (const [name, effects] of cases) {
    const expected = plainEffects(mixed, plan.sampleRate, effects);
    const actual = applyAudioEffects(Float32Array.from(mixed), plan.sampleRate, effects);
    let differing = 0;
    for (let i = 0; i < expected.length; i++) if (!Object.is(expected[i], actual[i])) differing++;
    assert.equal(differing, 0, `${name}: ${differing} samples differ`);
  }
});

test("the mix's grains away from a fragment's ends, drawn without the fade arithmetic, give the samples of fading every grain", () => {
  const { plan } = planFor("grains");
  // The babble alone: no digits (so no grain alignment and no ducking) and no beeps.
  const babbleOnly: AudioPlan = { ...plan, digits: [], beeps: [], babblePauseGains: [] };
  const { voices } = getVoiceBank(plan.locale);
  const hop = Math.round(plan.sampleRate * 0.01);
  const window = Float32Array.from({ length: hop * 2 }, (_, j) => 0.5 - 0.5 * Math.cos((Math.PI * j) / hop));
  const expected = new Float32Array(plan.length);
  for (const fragment of plan.babble) {
    const voice = voices[fragment.voice] as (typeof voices)[number];
    const source = (fragment.reversed ? voice.reversedDigits : voice.digits)[fragment.digit] as Float32Array;
    const [from, to] = [fragment.from * source.length, fragment.to * source.length];
    const end = Math.min(fragment.start + fragment.length, plan.length);
    for (let k = 0; fragment.start + (k - 1) * hop < end; k++) {
      const outBase = fragment.start + (k - 1) * hop;
      const grainStart = from + k * hop * fragment.speed - hop * fragment.pitch;
      const jFirst = Math.max(0, fragment.start - outBase, -outBase, Math.ceil((from - grainStart) / fragment.pitch));
      const jLast = Math.min(hop * 2, end - outBase, Math.ceil((to - 1 - grainStart) / fragment.pitch));
      for (let j = jFirst; j < jLast; j++) {
        const position = grainStart + j * fragment.pitch;
        const o = outBase + j;
        let weight = (window[j] as number) * fragment.gain;
        if (o - fragment.start < hop) weight *= (o - fragment.start) / hop;
        if (end - 1 - o < hop) weight *= (end - 1 - o) / hop;
        const i = position | 0;
        const a = source[i] as number;
        expected[o] = (expected[o] as number) + (a + ((source[i + 1] as number) - a) * (position - i)) * weight;
      }
    }
  }
  const actual = mixCAPTCHAAudio(babbleOnly);
  let differing = 0;
  for (let i = 0; i < expected.length; i++) if (!Object.is(expected[i], actual[i])) differing++;
  assert.equal(differing, 0, `${differing} samples differ`);
});

test("encodeWAV rounds like Math.round, halves upwards, and clips at the ends of the 16-bit range", () => {
  const ties = [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 1.4999999, 32766.5, -32767.5, -32768.5, 32767.5, 40000, -40000, 0, -0];
  const samples = Float32Array.from(ties);
  // A gain whose product with 32767 is exactly 1: the samples above become the values rounded.
  const gain = 1 / 32767;
  assert.equal(gain * 32767, 1);
  const file = encodeWAV(samples, 16000, gain);
  // Through an Int16Array, as the file holds them: -0 is 0 there.
  const expected = [...Int16Array.from(ties, (x) => Math.max(-32768, Math.min(32767, Math.round(Math.fround(x)))))];
  assert.deepEqual([...parseWAV(file).samples], expected);
  // Doubles a Float32Array cannot hold: the neighbours of halves on the side of zero, among them the largest
  // double below 0.5, where x + 0.5 rounds up to 1.
  const towardZero = (x: number): number => {
    const bits = new Float64Array([x]);
    const integer = new BigInt64Array(bits.buffer);
    integer[0] = (integer[0] as bigint) - 1n;
    return bits[0] as number;
  };
  const halves = [0.5, 1.5, 2.5, -0.5, -1.5, 123456.5, -123456.5];
  for (const x of [...halves, ...halves.map(towardZero), 2 ** 52 + 1]) {
    // === rather than Object.is: Math.round gives -0 for -0.5 up to 0, which is 0 in the file as well.
    assert.ok(roundHalfUp(x) === Math.round(x), `roundHalfUp(${x}) is ${roundHalfUp(x)}, Math.round ${Math.round(x)}`);
  }
});

test("planCAPTCHAAudio refuses anything but seven digits 0-9", () => {
  const random = createSeededRandom("bad-digits");
  for (const digits of ["", "123456", "12345678", "12345a7", " 1234567", "1234567\n", "١٢٣٤٥٦٧", "-123456"]) {
    assert.throws(() => planCAPTCHAAudio(digits, random), RangeError, JSON.stringify(digits));
    assert.throws(() => createCAPTCHAAudio(digits, random), RangeError, JSON.stringify(digits));
  }
});

const VOICES_DIR = fileURLToPath(new URL("../../assets/captcha/voices/", import.meta.url));

/** What the committed banks must say for 0-9: the words given to espeak-ng. */
const DIGIT_WORDS: Record<Locale, string[]> = {
  en: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
  de: ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"],
  fr: ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
  es: ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
  ar: ["٠", "١", "٢", "٣", "٤", "٥", "٦", "٧", "٨", "٩"],
};

/**
 * The consonants of the Modern Standard Arabic numbers as espeak-ng writes them (sifr, wahid, ithnan,
 * thalatha, arba'a, khamsa, sitta, sab'a, thamaniya, tis'a): the Arabic digits were read as those words.
 */
const ARABIC_SKELETONS = [/s.*f.*R/, /w.*H.*d/, /T.*n.*n/, /T.*l.*T/, /R.*b.*A/, /x.*m.*s/, /s.*t/, /s.*b.*A/, /T.*m.*n/, /t.*s.*A/];

test("every shipped language has a voice bank of ten digits in as many voices as English, of sane lengths", () => {
  const english = getVoiceBank("en").voices.length;
  assert.ok(english >= 10);
  for (const locale of SHIPPED_LOCALES) {
    const index = JSON.parse(readFileSync(`${VOICES_DIR}${locale}/index.json`, "utf8")) as VoiceBankIndex;
    assert.equal(index.locale, locale);
    assert.deepEqual(index.words, DIGIT_WORDS[locale], `${locale}: the words recorded`);
    const bank = getVoiceBank(locale);
    assert.equal(bank.locale, locale);
    assert.equal(bank.sampleRate, 16000);
    assert.equal(bank.voices.length, english, `${locale}: as many voices as English`);
    assert.equal(new Set(bank.voices.map((voice) => voice.id)).size, english, `${locale}: distinct voices`);
    for (const voice of bank.voices) {
      assert.equal(voice.digits.length, 10);
      for (const [digit, samples] of voice.digits.entries()) {
        const seconds = samples.length / bank.sampleRate;
        // A spoken number word: long enough to be a word, short enough to leave pauses in a 12 s clip.
        assert.ok(seconds >= 0.15 && seconds <= 1, `${locale}/${voice.id}/${digit} lasts ${seconds.toFixed(2)} s`);
        let sum = 0;
        for (const value of samples) sum += value * value;
        assert.ok(Math.sqrt(sum / samples.length) > 0.05, `${locale}/${voice.id}/${digit} is not silent`);
      }
    }
  }
});

test("the Arabic bank speaks the Modern Standard Arabic number words", () => {
  const index = JSON.parse(readFileSync(`${VOICES_DIR}ar/index.json`, "utf8")) as VoiceBankIndex;
  assert.equal(index.phonemes?.length, 10);
  for (const [digit, skeleton] of ARABIC_SKELETONS.entries()) {
    assert.match(index.phonemes?.[digit] ?? "", skeleton, `the phonemes of ${digit}`);
  }
});

test("a plan in German speaks and babbles with the German recordings only", () => {
  const random = createSeededRandom("german-bank");
  const plan = planCAPTCHAAudio("3141592", random, deriveCAPTCHAVoiceStyle(DEFAULT_VOICE_SECRET), "de");
  assert.equal(plan.locale, "de");
  const german = getVoiceBank("de");
  for (const segment of [...plan.digits, ...plan.babble]) assert.ok(segment.voice < german.voices.length);
  // A fragment of the babble played forwards, whole, at its natural speed, pitch and level is the German
  // recording itself (babble grains are not re-aligned, so overlap-adding them gives back the source).
  const fragment = plan.babble[0];
  assert.ok(fragment);
  const source = german.voices[fragment.voice]?.digits[fragment.digit] as Float32Array;
  const alone: AudioPlan = {
    ...plan,
    digits: [],
    babble: [{ ...fragment, reversed: false, from: 0, to: 1, start: 0, length: source.length, speed: 1, pitch: 1, gain: 1 }],
    babblePauseGains: [1],
    beeps: [],
  };
  const mixed = mixCAPTCHAAudio(alone);
  const english = getVoiceBank("en").voices[fragment.voice]?.digits[fragment.digit] as Float32Array;
  const hop = 160;
  let fromGerman = 0;
  let fromEnglish = 0;
  for (let i = hop; i < source.length - hop; i++) {
    fromGerman = Math.max(fromGerman, Math.abs((mixed[i] as number) - (source[i] as number)));
    fromEnglish = Math.max(fromEnglish, Math.abs((mixed[i] as number) - (english[i] ?? 0)));
  }
  assert.ok(fromGerman < 1e-4, `the mix is the German recording (largest difference ${fromGerman})`);
  assert.ok(fromEnglish > 0.1, "and not the English one");
  // The same choices in English are other recordings, and the clips differ.
  const clip = (locale: Locale): Buffer => createCAPTCHAAudio("3141592", createSeededRandom("same-seed"), undefined, locale);
  const clips = SHIPPED_LOCALES.map(clip);
  assert.equal(new Set(clips.map((c) => c.toString("base64"))).size, SHIPPED_LOCALES.length, "five languages, five clips");
});

test("voice banks are read only when a clip in their language is made", () => {
  const script = [
    'const voices = await import("./src/captcha/audio-voices.ts");',
    'const audio = await import("./src/captcha/audio.ts");',
    'const { createSeededRandom } = await import("./src/lib/random.ts");',
    "const before = voices.loadedVoiceBanks().join();",
    'audio.createCAPTCHAAudio("1234567", createSeededRandom("lazy"), undefined, "fr");',
    "console.log(JSON.stringify({ before, after: voices.loadedVoiceBanks().join() }));",
  ].join("\n");
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim()), { before: "", after: "fr" });
});
