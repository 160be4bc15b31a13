// Draws the CAPTCHA picture: a few large, well-spaced characters, each bent by an elastic warp, in true
// colour over a noisy light background, encoded as an RGB PNG.
//
// Two kinds of randomness shape a picture. The deployment's style (`deriveCAPTCHAImageStyle` in
// image-style.ts, from the server secret) fixes the fonts, the stroke weight and a warp for every
// character. The challenge's own randomness adds rotation, size, position, colours and a second, smaller
// warp. The steps live beside this file: image-glyphs.ts (places and draws the characters), image-fonts.ts,
// image-decoys.ts, image-colour.ts (background, blend, noise) and image-png.ts.
import type { Random } from "../lib/random.ts";
import { randomBetween as between } from "../lib/random.ts";
import { composite, type PictureBuffers, planBackground } from "./image-colour.ts";
import { drawDecoys, placeDecoys } from "./image-decoys.ts";
import { drawGlyph, type PlacedGlyph, placeGlyphs } from "./image-glyphs.ts";
import { encodePNGParts } from "./image-png.ts";
import { CAPTCHA_IMAGE_HEIGHT, CAPTCHA_IMAGE_WIDTH } from "./image-size.ts";
import { type CAPTCHAImageStyle, DEFAULT_STYLE_SECRET, deriveCAPTCHAImageStyle } from "./image-style.ts";

const MAX_TEXT_LENGTH = 8;

let buffers: PictureBuffers | undefined;

/** Empty buffers for one picture. */
export function createPictureBuffers(): PictureBuffers {
  return {
    coverage: new Float32Array(CAPTCHA_IMAGE_WIDTH * CAPTCHA_IMAGE_HEIGHT),
    owner: new Uint8Array(CAPTCHA_IMAGE_WIDTH * CAPTCHA_IMAGE_HEIGHT),
    ground: new Float32Array(CAPTCHA_IMAGE_WIDTH * CAPTCHA_IMAGE_HEIGHT * 3),
    raw: Buffer.alloc((CAPTCHA_IMAGE_WIDTH * 3 + 1) * CAPTCHA_IMAGE_HEIGHT),
  };
}

/** The picture's buffers, made on first use and reused: drawing is synchronous, so never shared by two pictures. */
function getBuffers(): PictureBuffers {
  buffers ??= createPictureBuffers();
  return buffers;
}

/** The picture's hue and its characters' places: the first choices a picture makes. */
function planText(random: Random, style: CAPTCHAImageStyle, text: string): { hue: number; glyphs: PlacedGlyph[] } {
  const hue = between(random, 0, 360);
  return { hue, glyphs: placeGlyphs(random, style, text, hue) };
}

/** Where one character lands in the picture, in device pixels. */
export interface CAPTCHAGlyphPlacement {
  char: string;
  /** Centre of the character. */
  x: number;
  y: number;
  /** Font size. */
  size: number;
}

/**
 * Where `renderCAPTCHAImage(text, random, style)` puts each character when given a random stream in the
 * same state: the same first choices, without drawing. For tests and for labelling attack samples.
 */
export function placeCAPTCHAText(
  text: string,
  random: Random,
  style: CAPTCHAImageStyle = deriveCAPTCHAImageStyle(DEFAULT_STYLE_SECRET),
): CAPTCHAGlyphPlacement[] {
  return planText(random, style, text).glyphs.map((g) => ({ char: g.char, x: g.x, y: g.y, size: g.size }));
}

/**
 * Renders the picture of a CAPTCHA challenge.
 *
 * The characters are large and stand apart; each has its own font (among the deployment's), size,
 * rotation, height and colour, and is bent by the deployment's warp for that character plus a smaller
 * warp of its own. Nothing crosses them. Dark ink on a light, decorated background keeps the contrast above
 * 7:1; noise on every pixel keeps ink and background from being told apart by exact colour values.
 *
 * @param text The answer to show: 1 to 8 characters from A-Z and 0-9 (the test mode shows `TESTME`).
 * @param random Source of randomness for this picture; cryptographic in production.
 * @param style The deployment's style (`deriveCAPTCHAImageStyle`); the public default when omitted.
 * @returns A PNG of `CAPTCHA_IMAGE_CSS_WIDTH` x `CAPTCHA_IMAGE_CSS_HEIGHT` CSS pixels at
 *   `CAPTCHA_IMAGE_SCALE` device pixels each (480 x 160), 24-bit RGB.
 * @throws RangeError when `text` is empty, too long or has characters other than A-Z and 0-9.
 */
export function renderCAPTCHAImage(text: string, random: Random, style: CAPTCHAImageStyle = deriveCAPTCHAImageStyle(DEFAULT_STYLE_SECRET)): Buffer {
  return Buffer.concat(renderCAPTCHAImageParts(text, random, style));
}

/**
 * The same PNG as `renderCAPTCHAImage`, in the three parts of `encodePNGParts` (head, image data, tail), for
 * sending one after the other without copying the image data into one buffer first. What the server sends.
 */
export function renderCAPTCHAImageParts(
  text: string,
  random: Random,
  style: CAPTCHAImageStyle = deriveCAPTCHAImageStyle(DEFAULT_STYLE_SECRET),
): [Buffer, Buffer, Buffer] {
  if (!/^[A-Z0-9]+$/.test(text) || text.length > MAX_TEXT_LENGTH) {
    throw new RangeError(`CAPTCHA text must be 1 to ${MAX_TEXT_LENGTH} characters from A-Z and 0-9`);
  }
  const current = getBuffers();
  const { hue, glyphs } = planText(random, style, text);
  current.coverage.fill(0);
  for (const [i, glyph] of glyphs.entries()) drawGlyph(current, style, glyph, i);
  const decoys = placeDecoys(random, current.coverage, glyphs, hue);
  drawDecoys(current, decoys, glyphs.length);
  composite(current, random, planBackground(random, hue), [...glyphs.map((g) => g.ink), ...decoys.map((d) => d.ink)]);
  return encodePNGParts(current.raw, CAPTCHA_IMAGE_WIDTH, CAPTCHA_IMAGE_HEIGHT);
}
