import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32, inflateSync } from "node:zlib";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { createSeededRandom } from "../lib/random.ts";
import { CAPTCHA_ALPHABET, generateCAPTCHAText } from "./alphabet.ts";
import { createPictureBuffers, placeCAPTCHAText, renderCAPTCHAImage, renderCAPTCHAImageParts } from "./image.ts";
import { drawGlyph, placeGlyphs } from "./image-glyphs.ts";
import { CAPTCHA_IMAGE_CSS_HEIGHT, CAPTCHA_IMAGE_CSS_WIDTH, CAPTCHA_IMAGE_SCALE } from "./image-size.ts";
import { createWarp, deriveCAPTCHAImageStyle, type GlyphWarp, warpRow } from "./image-style.ts";

/** Width, height, bit depth and colour type from a PNG's signature and IHDR chunk. */
function readPNGHeader(png: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString("latin1", 12, 16), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24] as number, colorType: png[25] as number };
}

/** Relative luminance (WCAG) of every pixel of a decoded PNG. */
async function readLuminances(png: Buffer): Promise<Float64Array> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const linear = (v: number): number => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const out = new Float64Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.2126 * linear(data[i * 4] as number) + 0.7152 * linear(data[i * 4 + 1] as number) + 0.0722 * linear(data[i * 4 + 2] as number);
  }
  return out;
}

test("renderCAPTCHAImage gives a PNG of 240x80 CSS pixels at 2x that decodes", async () => {
  assert.equal(CAPTCHA_IMAGE_CSS_WIDTH, 240);
  assert.equal(CAPTCHA_IMAGE_CSS_HEIGHT, 80);
  assert.equal(CAPTCHA_IMAGE_SCALE, 2);
  const png = renderCAPTCHAImage("K4RXN", createSeededRandom("image-size"));
  assert.deepEqual(readPNGHeader(png), { width: 480, height: 160, bitDepth: 8, colorType: 2 });
  assert.equal(png.toString("latin1", png.length - 8, png.length - 4), "IEND");
  const image = await loadImage(png);
  assert.equal(image.width, 480);
  assert.equal(image.height, 160);
});

/** Every chunk of a PNG file: its type and data, each length and CRC checked, and nothing after IEND. */
function readPNGChunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const chunks: Array<{ type: string; data: Buffer }> = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    assert.ok(at + 12 + length <= png.length, `chunk at ${at} runs past the end of the file`);
    const type = png.toString("latin1", at + 4, at + 8);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `CRC of ${type}`);
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  assert.equal(at, png.length);
  return chunks;
}

test("renderCAPTCHAImageParts sends the same file in three parts: its chunks whole, their CRCs right, the image data complete", () => {
  const parts = renderCAPTCHAImageParts("K4RXN", createSeededRandom("image-parts"));
  assert.equal(parts.length, 3);
  const file = Buffer.concat(parts);
  assert.ok(file.equals(renderCAPTCHAImage("K4RXN", createSeededRandom("image-parts"))), "the parts joined are the one-buffer picture");
  const chunks = readPNGChunks(file);
  assert.deepEqual(
    chunks.map((c) => c.type),
    ["IHDR", "pHYs", "IDAT", "IEND"],
  );
  // The middle part is the image data and nothing else; the head and the tail hold the rest.
  assert.ok(parts[1].equals(chunks[2]?.data as Buffer));
  const scanlines = inflateSync(parts[1]);
  assert.equal(scanlines.length, (480 * 3 + 1) * 160);
  for (let y = 0; y < 160; y++) assert.equal(scanlines[y * (480 * 3 + 1)], 0, `filter byte of scanline ${y}`);
});

test("renderCAPTCHAImage draws every character of the text, in order, at a readable size, inside the picture", async () => {
  for (const [n, text] of ["TESTME", "ABCDEFGH", "IJKLMNOP", "QRSTUVWX", "YZ012345", "6789", "K", CAPTCHA_ALPHABET.slice(0, 7)].entries()) {
    const seed = `image-every-char-${n}`;
    const placed = placeCAPTCHAText(text, createSeededRandom(seed));
    assert.deepEqual(
      placed.map((g) => g.char),
      [...text],
      `${text}: each character placed once, in order`,
    );
    const luminances = await readLuminances(renderCAPTCHAImage(text, createSeededRandom(seed)));
    const width = CAPTCHA_IMAGE_CSS_WIDTH * CAPTCHA_IMAGE_SCALE;
    const height = CAPTCHA_IMAGE_CSS_HEIGHT * CAPTCHA_IMAGE_SCALE;
    for (const [i, g] of placed.entries()) {
      assert.ok(g.size >= 20 * CAPTCHA_IMAGE_SCALE, `${text}[${i}] drawn at ${g.size}px`);
      assert.ok(g.x > 0 && g.x < width && g.y > 0 && g.y < height, `${text}[${i}] at ${g.x.toFixed(0)},${g.y.toFixed(0)}`);
      if (i > 0) assert.ok(g.x > (placed[i - 1]?.x ?? 0), `${text}[${i}] right of the one before`);
      // Ink (or the dark plate behind a light character) around the character's centre in the picture.
      let dark = 0;
      const r = Math.round(g.size / 3);
      for (let y = Math.max(0, Math.round(g.y) - r); y < Math.min(height, Math.round(g.y) + r); y++) {
        for (let x = Math.max(0, Math.round(g.x) - r); x < Math.min(width, Math.round(g.x) + r); x++) if ((luminances[y * width + x] as number) < 0.1) dark++;
      }
      assert.ok(dark > r * r * 0.2, `${text}[${i}]: ${dark} dark pixels around its centre`);
    }
  }
});

test("renderCAPTCHAImage refuses text it cannot show", () => {
  const random = createSeededRandom("image-bad-text");
  for (const text of ["", "abcde", "ABC DE", "ABCDEFGHJ", "ÄBCDE", "AB-CD"]) {
    assert.throws(() => renderCAPTCHAImage(text, random), RangeError, JSON.stringify(text));
  }
});

test("renderCAPTCHAImage shows dark text on a light background with high contrast", async () => {
  const random = createSeededRandom("image-contrast");
  for (let i = 0; i < 10; i++) {
    const luminances = await readLuminances(renderCAPTCHAImage(generateCAPTCHAText(random), random));
    const sorted = Float64Array.from(luminances).sort();
    const ink = sorted[Math.floor(sorted.length * 0.03)] as number;
    const background = sorted[Math.floor(sorted.length * 0.6)] as number;
    const contrast = (background + 0.05) / (ink + 0.05);
    assert.ok(contrast >= 7, `contrast ${contrast.toFixed(1)} must be at least 7:1`);
    // The text covers a fair part of the picture: neither lost nor a solid block.
    const inkShare = luminances.filter((l) => l < 0.1).length / luminances.length;
    assert.ok(inkShare > 0.06 && inkShare < 0.4, `ink covers ${(inkShare * 100).toFixed(1)}%`);
  }
});

test("renderCAPTCHAImage is repeatable with the same seed and varies with the seed", () => {
  const a = renderCAPTCHAImage("TESTME", createSeededRandom("image-seed-1"));
  const b = renderCAPTCHAImage("TESTME", createSeededRandom("image-seed-1"));
  const c = renderCAPTCHAImage("TESTME", createSeededRandom("image-seed-2"));
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
});

test("renderCAPTCHAImage draws in true colour with noise: no palette, thousands of distinct colours", async () => {
  const png = renderCAPTCHAImage("HENLK", createSeededRandom("image-true-colour"));
  assert.equal(png.includes(Buffer.from("PLTE", "latin1")), false);
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) colours.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number));
  assert.ok(colours.size > 5000, `${colours.size} distinct colours`);
});

test("deriveCAPTCHAImageStyle gives each secret its own fonts, weight and warps, and the same secret the same style", () => {
  const a = deriveCAPTCHAImageStyle("secret-one");
  const again = deriveCAPTCHAImageStyle("secret-one");
  assert.equal(a, again);
  const styles = ["secret-two", "secret-three", "secret-four", "secret-five"].map(deriveCAPTCHAImageStyle);
  const differs = styles.filter((s) => s.fonts.join() !== a.fonts.join() || s.weight !== a.weight || s.slant !== a.slant);
  assert.equal(differs.length, styles.length);
  const random = () => createSeededRandom("image-style-same-randomness");
  const fromA = renderCAPTCHAImage("HENLK", random(), a);
  const fromB = renderCAPTCHAImage("HENLK", random(), styles[0]);
  assert.ok(!fromA.equals(fromB), "the same text and randomness look different under another secret");
  assert.ok(fromA.equals(renderCAPTCHAImage("HENLK", random(), again)));
});

test("a glyph drawn over only the pixels its mask (or its plate) can reach leaves every pixel as drawing its whole box does", () => {
  let inked = 0;
  let plates = 0;
  for (const secret of ["bound-a".repeat(6), "bound-b".repeat(6), "bound-c".repeat(6)]) {
    const style = deriveCAPTCHAImageStyle(secret);
    for (let picture = 0; picture < 40; picture++) {
      const random = createSeededRandom(`${secret}:${picture}`);
      const text = generateCAPTCHAText(random);
      const glyphs = placeGlyphs(random, style, text, 200);
      const bounded = createPictureBuffers();
      const whole = createPictureBuffers();
      for (const [i, glyph] of glyphs.entries()) {
        if (glyph.plate > 0) plates++;
        drawGlyph(bounded, style, glyph, i);
        drawGlyph(whole, style, glyph, i, true);
      }
      assert.deepEqual(bounded.coverage, whole.coverage, `${secret} picture ${picture}: coverage`);
      assert.deepEqual(bounded.owner, whole.owner, `${secret} picture ${picture}: owners`);
      inked += whole.coverage.filter((c) => c > 0).length;
    }
  }
  // The comparison means something only if the glyphs put ink down.
  assert.ok(inked > 120 * 2000, `only ${inked} inked pixels`);
  assert.ok(plates >= 120, `only ${plates} characters on a plate`);
});

test("warpRow gives each point of a row the sum of every warp term's sine, as computed directly", () => {
  const random = createSeededRandom("warp-row");
  /** The displacement by `warps` at (u, v) along one axis, one Math.sin per term. */
  const direct = (warps: GlyphWarp[], u: number, v: number, axis: "x" | "y"): number =>
    warps.reduce((sum, warp) => sum + warp[axis].reduce((s, t) => s + t.amplitude * Math.sin(t.fu * u + t.fv * v + t.phase), 0), 0);
  let largest = 0;
  for (let row = 0; row < 50; row++) {
    const warps = [createWarp(random, 0.07), createWarp(random, 0.3)];
    const [u0, du, v, scale, count] = [-0.9 + random.float() * 0.2, 0.08 + random.float() * 0.1, random.float() * 2 - 1, 40 + random.float() * 80, 24];
    const outX = new Float32Array(count + 3).fill(7);
    const outY = new Float32Array(count + 3).fill(7);
    warpRow(warps, u0, du, v, count, scale, outX, outY, 2);
    assert.equal(outX[1], 7, "nothing written before `at`");
    assert.equal(outY[count + 2], 7, "nothing written after `count` points");
    for (let k = 0; k < count; k++) {
      const [x, y] = [scale * direct(warps, u0 + k * du, v, "x"), scale * direct(warps, u0 + k * du, v, "y")];
      largest = Math.max(largest, Math.abs(x));
      assert.ok(Math.abs((outX[2 + k] as number) - x) < 1e-4, `row ${row} point ${k}: x ${outX[2 + k]}, directly ${x}`);
      assert.ok(Math.abs((outY[2 + k] as number) - y) < 1e-4, `row ${row} point ${k}: y ${outY[2 + k]}, directly ${y}`);
    }
  }
  // The warps move points by several pixels: a tolerance of a ten-thousandth of a pixel is a real check.
  assert.ok(largest > 5, `the largest displacement was only ${largest} px`);
});
