// The bundled fonts and the native canvas they are drawn with: each character is drawn once per deployment
// style into a mask, and every picture reuses the masks.
import { fileURLToPath } from "node:url";
import type { SKRSContext2D } from "@napi-rs/canvas";
import { lazyRequire } from "../lib/lazy-require.ts";
import type { CAPTCHAImageStyle } from "./image-style.ts";

/** One bundled font. */
export interface CAPTCHAFont {
  /** File under assets/fonts/. */
  file: string;
  /** The family name it is registered under. */
  family: string;
  /** Size correction so the faces look equally large. */
  sizeFactor: number;
}

// Visibly different faces (humanist sans, casual hand, serif, monospace slab, geometric sans). Each
// deployment draws with three of them, chosen by its secret.
export const CAPTCHA_FONTS: readonly CAPTCHAFont[] = [
  { file: "Cantarell-ExtraBold.otf", family: "Latchkey CAPTCHA Cantarell", sizeFactor: 1 },
  { file: "ComicNeue-Bold.otf", family: "Latchkey CAPTCHA Comic Neue", sizeFactor: 1.05 },
  { file: "LiberationSerif-Bold.ttf", family: "Latchkey CAPTCHA Liberation Serif", sizeFactor: 1.05 },
  { file: "LiberationMono-Bold.ttf", family: "Latchkey CAPTCHA Liberation Mono", sizeFactor: 1.05 },
  { file: "DejaVuSans-Bold.ttf", family: "Latchkey CAPTCHA DejaVu Sans", sizeFactor: 0.95 },
];

/** Side of the square canvas one glyph is drawn on, in device pixels. */
export const GLYPH_CANVAS = 256;
/** Font size at which glyph widths are measured. */
const MEASURE_SIZE = 100;

/** The native renderer (and its fonts) load with the first picture, not at start-up. */
const loadCanvas = lazyRequire<typeof import("@napi-rs/canvas")>("@napi-rs/canvas");

let glyphCanvas: SKRSContext2D | undefined;
/** Advance widths at a font size of 1, by font index then character. */
const widths: Map<string, number>[] = CAPTCHA_FONTS.map(() => new Map<string, number>());

/**
 * Registers the bundled fonts and creates the canvas glyphs are drawn on, on first use. Drawing is
 * synchronous, so one canvas per process is never shared by two pictures at once.
 */
function getGlyphCanvas(): SKRSContext2D {
  if (glyphCanvas !== undefined) return glyphCanvas;
  const { createCanvas, GlobalFonts } = loadCanvas();
  for (const font of CAPTCHA_FONTS) {
    const path = fileURLToPath(new URL(`../../assets/fonts/${font.file}`, import.meta.url));
    if (GlobalFonts.registerFromPath(path, font.family) === null) {
      throw new Error(`could not load the CAPTCHA font ${path}`);
    }
  }
  glyphCanvas = createCanvas(GLYPH_CANVAS, GLYPH_CANVAS).getContext("2d");
  return glyphCanvas;
}

/** Advance width of `char` in font number `font` at a font size of 1, measured once per process. */
export function measureGlyphWidth(font: number, char: string): number {
  const known = widths[font] as Map<string, number>;
  let width = known.get(char);
  if (width === undefined) {
    const ctx = getGlyphCanvas();
    ctx.font = `${MEASURE_SIZE}px "${(CAPTCHA_FONTS[font] as CAPTCHAFont).family}"`;
    width = ctx.measureText(char).width / MEASURE_SIZE;
    known.set(char, width);
  }
  return width;
}

/** Font size (device pixels) at which a glyph's mask is drawn; pictures scale it down by at most a third. */
export const MASK_SIZE = 112;

/** A character drawn once, upright, with the deployment's font, weight, squeeze and slant: its alpha. */
export interface GlyphMask {
  alpha: Uint8Array;
  width: number;
  height: number;
  /** Where the glyph's centre (the point it is rotated about) lies in the mask. */
  centreX: number;
  centreY: number;
}

/** Masks by deployment style, font and character; a deployment uses at most 3 fonts x 36 characters. */
const masks = new Map<string, GlyphMask>();
const MAX_MASKS = 512;

/**
 * The mask of `char` in font `font` under `style`, drawn with the canvas library on first use and cut to
 * the ink's bounding box. Every picture then rotates, scales, warps and hatches it in one pass of its own:
 * reading pixels back from the canvas for every character of every picture cost more than all the rest.
 */
export function getGlyphMask(style: CAPTCHAImageStyle, font: number, char: string): GlyphMask {
  const id = `${style.warpSeed}:${font}:${char}`;
  const cached = masks.get(id);
  if (cached !== undefined) return cached;
  const ctx = getGlyphCanvas();
  const half = GLYPH_CANVAS / 2;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, GLYPH_CANVAS, GLYPH_CANVAS);
  ctx.translate(half, half);
  ctx.transform(style.aspect, 0, style.slant, 1, 0, 0);
  ctx.font = `${MASK_SIZE}px "${(CAPTCHA_FONTS[font] as CAPTCHAFont).family}"`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#fff";
  ctx.fillText(char, 0, 0);
  if (style.weight > 0.002) {
    ctx.strokeStyle = "#fff";
    ctx.lineJoin = "round";
    ctx.lineWidth = style.weight * MASK_SIZE;
    ctx.strokeText(char, 0, 0);
  }
  const data = ctx.getImageData(0, 0, GLYPH_CANVAS, GLYPH_CANVAS).data;
  let left = GLYPH_CANVAS;
  let right = -1;
  let top = GLYPH_CANVAS;
  let bottom = -1;
  for (let y = 0; y < GLYPH_CANVAS; y++) {
    for (let x = 0; x < GLYPH_CANVAS; x++) {
      if ((data[(y * GLYPH_CANVAS + x) * 4 + 3] as number) === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  // One empty pixel on every side, so that sampling between pixels fades to nothing at the edges.
  const width = Math.max(0, right - left + 1) + 2;
  const height = Math.max(0, bottom - top + 1) + 2;
  const alpha = new Uint8Array(width * height);
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) alpha[(y - top + 1) * width + (x - left + 1)] = data[(y * GLYPH_CANVAS + x) * 4 + 3] as number;
  }
  const mask: GlyphMask = { alpha, width, height, centreX: half - left + 1, centreY: half - top + 1 };
  if (masks.size >= MAX_MASKS) masks.clear();
  masks.set(id, mask);
  return mask;
}
