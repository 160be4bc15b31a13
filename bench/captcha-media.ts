// Times the CAPTCHA media as the server makes them: a picture with cryptographic randomness, in the parts
// the server sends, and an audio clip from a seeded stream (the server seeds it from the challenge).
// Run: npx tsx bench/captcha-media.ts [iterations] [--json]; `npm run bench` runs it in a child process with
// the Node.js flags and environment of `npm start` (bench/captcha.ts).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { generateCAPTCHADigits, generateCAPTCHAText } from "../src/captcha/alphabet.ts";
import { createCAPTCHAAudio } from "../src/captcha/audio.ts";
import { renderCAPTCHAImageParts } from "../src/captcha/image.ts";
import { createCryptoRandom, createSeededRandom } from "../src/lib/random.ts";

const WARM_UP = 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Renders `iterations` pictures and `iterations` audio clips on this thread, after a warm-up that loads
 * the fonts and the voice bank, and returns the median milliseconds of one of each.
 */
export async function measureCAPTCHAMedia(iterations: number): Promise<{ imageMsP50: number; audioMsP50: number }> {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError("iterations must be a positive integer");
  const random = createCryptoRandom();
  const image = (): void => {
    renderCAPTCHAImageParts(generateCAPTCHAText(random), random);
  };
  const audio = (): void => {
    createCAPTCHAAudio(generateCAPTCHADigits(random), createSeededRandom(randomBytes(32)));
  };
  const time = (run: () => void): number[] => {
    for (let i = 0; i < WARM_UP; i++) run();
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
    return times;
  };
  const imageTimes = time(image);
  const audioTimes = time(audio);
  return { imageMsP50: median(imageTimes), audioMsP50: median(audioTimes) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const iterations = Number(process.argv[2] ?? 200);
  const { imageMsP50, audioMsP50 } = await measureCAPTCHAMedia(iterations);
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ imageMsP50, audioMsP50 }));
    process.exit(0);
  }
  console.log(`captcha_image_ms_p50 ${imageMsP50.toFixed(2)}   (target <= 5, ${iterations} pictures)`);
  console.log(`captcha_audio_ms_p50 ${audioMsP50.toFixed(2)}   (target <= 25, ${iterations} clips)`);
}
