// An informed attack on our own CAPTCHA picture, to measure what knowing the public generator is worth.
// The attacker runs the generator with a deployment key of their own, so they have unlimited labelled
// pictures; they segment each picture into its five characters (dark-pixel mask, closing to join the
// hatching, blobs sorted left to right, small blobs dropped as decoys) and train a k-nearest-neighbour
// classifier on 24 x 24 patches. Then they attack a server: the same classifier is measured on fresh
// pictures from its own key and on pictures from another key (another deployment's secret).
//
// Usage: npm run captcha:attack [-- --train N --test N]           (defaults 300 and 100 pictures)
//        npm run captcha:attack -- --audio [--train N --test N]   (the audio clips; scripts/captcha-attack-audio.ts)
import { parseArgs } from "node:util";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { CAPTCHA_ALPHABET, generateCAPTCHAText } from "../src/captcha/alphabet.ts";
import { renderCAPTCHAImage } from "../src/captcha/image.ts";
import { type CAPTCHAImageStyle, deriveCAPTCHAImageStyle } from "../src/captcha/image-style.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
import { runAudioAttack } from "./captcha-attack-audio.ts";
import { classifyByNearest, type LabelledSample } from "./nearest-neighbours.ts";

const PATCH = 24;
const K = 3;

type Sample = LabelledSample<string>;

/** Dark-pixel mask of a picture: luminance below the midpoint between the darkest and lightest tenths. */
async function readMask(png: Buffer): Promise<{ mask: Uint8Array; width: number; height: number }> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const luminance = new Float32Array(image.width * image.height);
  for (let i = 0; i < luminance.length; i++) {
    luminance[i] = 0.2126 * (data[i * 4] as number) + 0.7152 * (data[i * 4 + 1] as number) + 0.0722 * (data[i * 4 + 2] as number);
  }
  const sorted = Float32Array.from(luminance).sort();
  const threshold = ((sorted[Math.floor(sorted.length * 0.05)] as number) + (sorted[Math.floor(sorted.length * 0.6)] as number)) / 2;
  const mask = new Uint8Array(luminance.length);
  for (let i = 0; i < mask.length; i++) mask[i] = (luminance[i] as number) < threshold ? 1 : 0;
  return { mask, width: image.width, height: image.height };
}

/** Dilation by a square of side 2r+1, then erosion: joins the hatching's bars into whole characters. */
function close(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const pass = (input: Uint8Array, value: number): Uint8Array => {
    const out = new Uint8Array(input.length).fill(value === 1 ? 0 : 1);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let hit = false;
        for (let dy = -r; dy <= r && !hit; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= height) continue;
          for (let dx = -r; dx <= r; dx++) {
            const xx = x + dx;
            if (xx >= 0 && xx < width && input[yy * width + xx] === value) {
              hit = true;
              break;
            }
          }
        }
        if (hit) out[y * width + x] = value;
      }
    }
    return out;
  };
  const dilated = pass(mask, 1);
  return pass(dilated, 0).map((v) => (v === 0 ? 0 : 1));
}

interface Blob {
  left: number;
  right: number;
  top: number;
  bottom: number;
  area: number;
}

function findBlobs(mask: Uint8Array, width: number, height: number): Blob[] {
  const seen = new Uint8Array(mask.length);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1 || seen[start]) continue;
    const blob: Blob = { left: width, right: 0, top: height, bottom: 0, area: 0 };
    stack.push(start);
    seen[start] = 1;
    while (stack.length > 0) {
      const at = stack.pop() as number;
      const x = at % width;
      const y = (at - x) / width;
      blob.area++;
      blob.left = Math.min(blob.left, x);
      blob.right = Math.max(blob.right, x);
      blob.top = Math.min(blob.top, y);
      blob.bottom = Math.max(blob.bottom, y);
      for (const next of [at - 1, at + 1, at - width, at + width]) {
        if (next < 0 || next >= mask.length || seen[next] || mask[next] !== 1) continue;
        if (Math.abs((next % width) - x) > 1) continue;
        seen[next] = 1;
        stack.push(next);
      }
    }
    blobs.push(blob);
  }
  return blobs;
}

/** Cuts a picture into five patches, left to right; fewer when segmentation fails. */
async function segment(png: Buffer, count: number): Promise<Float32Array[]> {
  const { mask, width, height } = await readMask(png);
  const closed = close(mask, width, height, 3);
  const blobs = findBlobs(closed, width, height).filter((b) => b.area > 900 && b.bottom - b.top > 40);
  blobs.sort((a, b) => a.left + a.right - (b.left + b.right));
  // Too many: merge the two neighbours closest together. Too few: split the widest in two.
  while (blobs.length > count) {
    let best = 0;
    let bestGap = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < blobs.length; i++) {
      const gap = (blobs[i + 1] as Blob).left - (blobs[i] as Blob).right;
      if (gap < bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    const a = blobs[best] as Blob;
    const b = blobs[best + 1] as Blob;
    blobs.splice(best, 2, {
      left: Math.min(a.left, b.left),
      right: Math.max(a.right, b.right),
      top: Math.min(a.top, b.top),
      bottom: Math.max(a.bottom, b.bottom),
      area: a.area + b.area,
    });
  }
  while (blobs.length > 0 && blobs.length < count) {
    let widest = 0;
    for (let i = 1; i < blobs.length; i++)
      if ((blobs[i] as Blob).right - (blobs[i] as Blob).left > (blobs[widest] as Blob).right - (blobs[widest] as Blob).left) widest = i;
    const w = blobs[widest] as Blob;
    const middle = Math.round((w.left + w.right) / 2);
    blobs.splice(widest, 1, { ...w, right: middle }, { ...w, left: middle + 1 });
  }
  return blobs.map((blob) => {
    const features = new Float32Array(PATCH * PATCH);
    const bw = blob.right - blob.left + 1;
    const bh = blob.bottom - blob.top + 1;
    const side = Math.max(bw, bh);
    const ox = blob.left - (side - bw) / 2;
    const oy = blob.top - (side - bh) / 2;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const sx = Math.round(ox + x);
        const sy = Math.round(oy + y);
        if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
        const cell = Math.min(PATCH - 1, Math.floor((y * PATCH) / side)) * PATCH + Math.min(PATCH - 1, Math.floor((x * PATCH) / side));
        features[cell] = (features[cell] as number) + (closed[sy * width + sx] as number);
      }
    }
    const cellArea = (side / PATCH) ** 2;
    for (let i = 0; i < features.length; i++) features[i] = (features[i] as number) / cellArea;
    return features;
  });
}

function classify(training: readonly Sample[], features: Float32Array): string {
  return classifyByNearest(training, features, K) ?? "";
}

async function measure(training: readonly Sample[], style: CAPTCHAImageStyle, count: number): Promise<{ solved: number; characters: number }> {
  const random = createCryptoRandom();
  let solved = 0;
  let characters = 0;
  for (let n = 0; n < count; n++) {
    const text = generateCAPTCHAText(random);
    const patches = await segment(renderCAPTCHAImage(text, random, style), text.length);
    const guess = patches.map((p) => classify(training, p)).join("");
    if (guess === text) solved++;
    for (let i = 0; i < text.length; i++) if (guess[i] === text[i]) characters++;
  }
  return { solved, characters };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { train: { type: "string", default: "300" }, test: { type: "string", default: "100" }, audio: { type: "boolean", default: false } },
  });
  const trainCount = Number(values.train);
  const testCount = Number(values.test);
  if (!Number.isInteger(trainCount) || trainCount < 1 || !Number.isInteger(testCount) || testCount < 1) {
    console.error("usage: npm run captcha:attack [-- [--audio] --train N --test N]");
    process.exit(2);
  }
  if (values.audio) {
    runAudioAttack(trainCount, testCount);
    return;
  }
  const random = createCryptoRandom();
  const ownKey = deriveCAPTCHAImageStyle(random.bytes(32).toString("hex"));
  const otherKey = deriveCAPTCHAImageStyle(random.bytes(32).toString("hex"));
  const training: Sample[] = [];
  for (let n = 0; n < trainCount; n++) {
    const text = generateCAPTCHAText(random);
    const patches = await segment(renderCAPTCHAImage(text, random, ownKey), text.length);
    if (patches.length !== text.length) continue;
    for (const [i, features] of patches.entries()) training.push({ features, label: text.charAt(i) });
  }
  console.log(
    `trained a ${K}-nearest-neighbour classifier on ${training.length} characters from ${trainCount} pictures of one key (alphabet ${CAPTCHA_ALPHABET})`,
  );
  const same = await measure(training, ownKey, testCount);
  const other = await measure(training, otherKey, testCount);
  const percent = (x: number, of: number): string => `${((100 * x) / of).toFixed(1)}%`;
  console.log(
    `same key:    ${same.solved}/${testCount} pictures solved (${percent(same.solved, testCount)}), ${percent(same.characters, testCount * 5)} of characters`,
  );
  console.log(
    `another key: ${other.solved}/${testCount} pictures solved (${percent(other.solved, testCount)}), ${percent(other.characters, testCount * 5)} of characters`,
  );
  console.log(`chance:      ${(100 / CAPTCHA_ALPHABET.length ** 5).toFixed(5)}% of pictures, ${(100 / CAPTCHA_ALPHABET.length).toFixed(1)}% of characters`);
}

await main();
