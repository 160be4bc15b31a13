// Draws the CAPTCHA picture: a few large, well-spaced characters, each bent by an elastic warp, in true
// colour over a noisy light background, encoded as an RGB PNG.
//
// Two kinds of randomness shape a picture. The deployment's style (`deriveCAPTCHAImageStyle`, from the
// server secret) fixes which fonts are used, how heavy the strokes are and a warp for every character, so
// a recognizer trained on pictures from the public code or from another server meets shapes it has not
// seen. The challenge's own randomness adds rotation, size, position, colours and a second, smaller warp.
import { fileURLToPath } from "node:url";
import { crc32, deflateSync, constants as zlibConstants } from "node:zlib";
import type { SKRSContext2D } from "@napi-rs/canvas";
import { hmacHex } from "../lib/crypto.ts";
import { lazyRequire } from "../lib/lazy-require.ts";
import { createSeededRandom, type Random } from "../lib/random.ts";

/** Width of the picture in CSS pixels (the `width` attribute of the `<img>`). */
export const CAPTCHA_IMAGE_CSS_WIDTH = 240;
/** Height of the picture in CSS pixels (the `height` attribute of the `<img>`). */
export const CAPTCHA_IMAGE_CSS_HEIGHT = 80;
/** Device pixels per CSS pixel, so the picture stays sharp on high-density screens. */
export const CAPTCHA_IMAGE_SCALE = 2;

const WIDTH = CAPTCHA_IMAGE_CSS_WIDTH * CAPTCHA_IMAGE_SCALE;
const HEIGHT = CAPTCHA_IMAGE_CSS_HEIGHT * CAPTCHA_IMAGE_SCALE;
const MAX_TEXT_LENGTH = 8;
/** The widest the text may be, in CSS pixels, from the first character's left edge to the last one's right. */
const MAX_TEXT_SPAN = 200;
/** Font size (CSS pixels) for five characters; longer texts (test mode) are shrunk to fit. */
const BASE_SIZE = 48;
/** Per-pixel noise added to each colour channel of the whole picture, ink and background alike: ±this. */
const PIXEL_NOISE = 7;

interface CAPTCHAFont {
  /** File under assets/fonts/. */
  file: string;
  /** The family name it is registered under. */
  family: string;
  /** Size correction so the faces look equally large. */
  sizeFactor: number;
}

// Visibly different faces (humanist sans, casual hand, serif, monospace slab, geometric sans). Each
// deployment draws with three of them, chosen by its secret.
const FONTS: readonly CAPTCHAFont[] = [
  { file: "Cantarell-ExtraBold.otf", family: "Latchkey CAPTCHA Cantarell", sizeFactor: 1 },
  { file: "ComicNeue-Bold.otf", family: "Latchkey CAPTCHA Comic Neue", sizeFactor: 1.05 },
  { file: "LiberationSerif-Bold.ttf", family: "Latchkey CAPTCHA Liberation Serif", sizeFactor: 1.05 },
  { file: "LiberationMono-Bold.ttf", family: "Latchkey CAPTCHA Liberation Mono", sizeFactor: 1.05 },
  { file: "DejaVuSans-Bold.ttf", family: "Latchkey CAPTCHA DejaVu Sans", sizeFactor: 0.95 },
];
/** How many of the bundled fonts one deployment uses. */
const FONTS_PER_DEPLOYMENT = 3;

/** Font size at which glyph widths are measured; other sizes scale them. */
const MEASURE_SIZE = 100;

/** One term of a smooth displacement field: amplitude × sin(fu·u + fv·v + phase), u and v in [-1, 1]. */
interface WarpTerm {
  amplitude: number;
  fu: number;
  fv: number;
  phase: number;
}

/** A smooth displacement of a glyph: horizontal and vertical terms, amplitudes as fractions of the font size. */
interface GlyphWarp {
  x: WarpTerm[];
  y: WarpTerm[];
}

/**
 * What a deployment's pictures have in common, derived from its secret: the fonts, the stroke weight and a
 * fixed elastic warp per character and font. Nothing here is sent to clients.
 */
export interface CAPTCHAImageStyle {
  /** Indices into the bundled fonts. */
  fonts: number[];
  /** Extra outline drawn around each glyph, as a fraction of the font size (0 = the font's own weight). */
  weight: number;
  /** Horizontal squeeze (< 1) or stretch (> 1) of every glyph. */
  aspect: number;
  /** Slant of every glyph (a horizontal shear). */
  slant: number;
  /** Seed of the per-character warps. */
  warpSeed: string;
  /** Warps computed so far, by font index and character. */
  warps: Map<string, GlyphWarp>;
}

const styles = new Map<string, CAPTCHAImageStyle>();

/**
 * The picture style of the deployment whose server secret is `secret`. Different secrets give different
 * fonts, weights and warps; the same secret always gives the same style.
 */
export function deriveCAPTCHAImageStyle(secret: string): CAPTCHAImageStyle {
  const seed = hmacHex(secret, "captcha-image-style");
  const cached = styles.get(seed);
  if (cached) return cached;
  const random = createSeededRandom(`style:${seed}`);
  const order = FONTS.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const style: CAPTCHAImageStyle = {
    fonts: order.slice(0, FONTS_PER_DEPLOYMENT).sort(),
    weight: between(random, 0, 0.035),
    aspect: between(random, 0.88, 1.08),
    slant: between(random, -0.1, 0.1),
    warpSeed: seed,
    warps: new Map(),
  };
  if (styles.size > 16) styles.clear();
  styles.set(seed, style);
  return style;
}

/** The style of pictures drawn without a deployment secret (the public defaults). */
const DEFAULT_STYLE_SECRET = "latchkey-public-default-style";

function createWarp(random: Random, strength: number): GlyphWarp {
  const terms = (): WarpTerm[] =>
    [0, 1, 2].map(() => ({
      amplitude: (strength * between(random, 0.4, 1)) / 3,
      fu: between(random, -3.2, 3.2),
      fv: between(random, -3.2, 3.2),
      phase: between(random, 0, Math.PI * 2),
    }));
  return { x: terms(), y: terms() };
}

/** The deployment's fixed warp for `char` in font `font`. */
function deploymentWarp(style: CAPTCHAImageStyle, font: number, char: string): GlyphWarp {
  const id = `${font}:${char}`;
  let warp = style.warps.get(id);
  if (warp === undefined) {
    warp = createWarp(createSeededRandom(`warp:${style.warpSeed}:${id}`), 0.07);
    style.warps.set(id, warp);
  }
  return warp;
}

function displace(warp: GlyphWarp, u: number, v: number, axis: "x" | "y"): number {
  let sum = 0;
  for (const term of warp[axis]) sum += term.amplitude * Math.sin(term.fu * u + term.fv * v + term.phase);
  return sum;
}

interface RenderState {
  glyph: SKRSContext2D;
  /** Advance width of each character in each font at `MEASURE_SIZE`, by font index then character. */
  widths: Map<string, number>[];
  /** Ink coverage (0-1) of each device pixel and the glyph that put it there. */
  coverage: Float32Array;
  owner: Uint8Array;
  /** Background colour of each device pixel, RGB. */
  ground: Float32Array;
  /** PNG scanlines (filter byte + RGB), reused between pictures. */
  raw: Buffer;
}

/** Spacing (device pixels) of the grid on which the warps are computed. */
const WARP_GRID = 8;
/** Side of the square canvas one glyph is drawn on, in device pixels. */
const GLYPH_CANVAS = 256;

let state: RenderState | undefined;

/** The native renderer (and its fonts) load with the first picture, not at start-up. */
const loadCanvas = lazyRequire<typeof import("@napi-rs/canvas")>("@napi-rs/canvas");

/**
 * Registers the bundled fonts and creates the reusable canvas and buffers on first use. Drawing is
 * synchronous, so one set per process is never shared by two pictures at once.
 */
function getRenderState(): RenderState {
  if (state !== undefined) return state;
  const { createCanvas, GlobalFonts } = loadCanvas();
  for (const font of FONTS) {
    const path = fileURLToPath(new URL(`../../assets/fonts/${font.file}`, import.meta.url));
    if (GlobalFonts.registerFromPath(path, font.family) === null) {
      throw new Error(`could not load the CAPTCHA font ${path}`);
    }
  }
  state = {
    glyph: createCanvas(GLYPH_CANVAS, GLYPH_CANVAS).getContext("2d"),
    widths: FONTS.map(() => new Map<string, number>()),
    coverage: new Float32Array(WIDTH * HEIGHT),
    owner: new Uint8Array(WIDTH * HEIGHT),
    ground: new Float32Array(WIDTH * HEIGHT * 3),
    raw: Buffer.alloc((WIDTH * 3 + 1) * HEIGHT),
  };
  return state;
}

/** Width of `char` in font number `fontIndex` at `MEASURE_SIZE`, measured once per process. */
function measureGlyph(current: RenderState, fontIndex: number, char: string): number {
  const widths = current.widths[fontIndex] as Map<string, number>;
  let width = widths.get(char);
  if (width === undefined) {
    current.glyph.font = `${MEASURE_SIZE}px "${(FONTS[fontIndex] as CAPTCHAFont).family}"`;
    width = current.glyph.measureText(char).width;
    widths.set(char, width);
  }
  return width;
}

/** A uniformly distributed number in [min, max). */
function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random.float();
}

type RGB = [number, number, number];

/** HSL (hue in degrees, saturation and lightness in [0, 1]) to 8-bit RGB. */
function hslToRGB(hue: number, saturation: number, lightness: number): RGB {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = (((hue % 360) + 360) % 360) / 60;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1 ? [chroma, x, 0] : h < 2 ? [x, chroma, 0] : h < 3 ? [0, chroma, x] : h < 4 ? [0, x, chroma] : h < 5 ? [x, 0, chroma] : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** WCAG relative luminance of an 8-bit sRGB colour. */
function relativeLuminance(rgb: RGB): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as RGB;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Scales a colour towards black until its relative luminance is at most `limit`. */
function darkenTo(rgb: RGB, limit: number): RGB {
  let colour = rgb;
  while (relativeLuminance(colour) > limit) {
    colour = colour.map((v) => Math.floor(v * 0.9)) as RGB;
  }
  return colour;
}

interface PlacedGlyph {
  char: string;
  font: number;
  size: number;
  x: number;
  y: number;
  angle: number;
  ink: RGB;
  /** Direction, spacing and width (device pixels) of the gaps cut across the character. */
  hatchAngle: number;
  hatchPeriod: number;
  hatchGap: number;
  /** For a light character on a dark plate, the plate's half-height as a fraction of the size; else 0. */
  plate: number;
  /** The plate's width relative to its height. */
  plateWidth: number;
  /** The deployment's warp for this character, and this picture's own smaller one. */
  fixedWarp: GlyphWarp;
  ownWarp: GlyphWarp;
}

/** Chooses font, size, rotation, position and colour of every character, in device pixels. */
function placeGlyphs(current: RenderState, random: Random, style: CAPTCHAImageStyle, text: string, hue: number): PlacedGlyph[] {
  const count = text.length;
  const drafts = [...text].map((char) => {
    const font = style.fonts[random.int(style.fonts.length)] as number;
    const size = BASE_SIZE * (FONTS[font] as CAPTCHAFont).sizeFactor * between(random, 0.85, 1.1);
    const width = ((measureGlyph(current, font, char) * size) / MEASURE_SIZE) * style.aspect;
    return { char, font, size, width };
  });
  // A clear gap between neighbours: people read separate characters far more reliably than touching ones.
  const gaps = drafts.slice(1).map((d) => d.size * between(random, 0.2, 0.3));
  let span = drafts.reduce((sum, d) => sum + d.width, 0) + gaps.reduce((sum, g) => sum + g, 0);
  const fit = Math.min(1, MAX_TEXT_SPAN / span);
  span *= fit;
  let x = (CAPTCHA_IMAGE_CSS_WIDTH - span) / 2 + between(random, -4, 4);
  const centreY = CAPTCHA_IMAGE_CSS_HEIGHT / 2 + between(random, -2, 2);
  const placed: PlacedGlyph[] = [];
  // One or two characters are light on a dark plate: easy for a reader, while OCR, which expects one
  // polarity for a whole word, loses them.
  const plates = new Set<number>();
  const plateCount = 1 + random.int(2);
  while (plates.size < Math.min(plateCount, count)) plates.add(random.int(count));
  for (const [i, draft] of drafts.entries()) {
    const size = draft.size * fit;
    const width = draft.width * fit;
    // Dark ink, a different hue for each character, at most 0.04 relative luminance: over a background
    // of at least 0.7 the contrast stays above 7:1.
    const ink = darkenTo(hslToRGB(hue + 150 + between(random, -70, 70), between(random, 0.45, 0.85), between(random, 0.15, 0.25)), 0.04);
    placed.push({
      char: draft.char,
      font: draft.font,
      size: size * CAPTCHA_IMAGE_SCALE,
      x: (x + width / 2) * CAPTCHA_IMAGE_SCALE,
      y: (centreY + between(random, -9, 9)) * CAPTCHA_IMAGE_SCALE,
      angle: (random.float() < 0.5 ? -1 : 1) * between(random, 0.08, 0.3),
      ink,
      // Diagonal to the character's own upright strokes and bars, so the gaps never run along one and erase it.
      hatchAngle: (random.float() < 0.5 ? Math.PI / 4 : (3 * Math.PI) / 4) + between(random, -0.2, 0.2),
      hatchPeriod: between(random, 6, 7),
      hatchGap: plates.has(i) ? 0 : between(random, 1.8, 2.3),
      plate: plates.has(i) ? between(random, 0.56, 0.62) : 0,
      // Wide characters (M, W) get a wider plate, so the plate's edge never cuts an arm off.
      plateWidth: Math.max(0.85, (0.5 * width) / size / 0.58 + 0.25),
      fixedWarp: deploymentWarp(style, draft.font, draft.char),
      ownWarp: createWarp(random, 0.035),
    });
    x += width + (gaps[i] ?? 0) * fit;
  }
  return placed;
}

/** Font size (device pixels) at which a glyph's mask is drawn; pictures scale it down by at most a third. */
const MASK_SIZE = 112;

/** A character drawn once, upright, with the deployment's font, weight, squeeze and slant: its alpha. */
interface GlyphMask {
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
function getGlyphMask(current: RenderState, style: CAPTCHAImageStyle, font: number, char: string): GlyphMask {
  const id = `${style.warpSeed}:${font}:${char}`;
  const cached = masks.get(id);
  if (cached !== undefined) return cached;
  const ctx = current.glyph;
  const half = GLYPH_CANVAS / 2;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, GLYPH_CANVAS, GLYPH_CANVAS);
  ctx.translate(half, half);
  ctx.transform(style.aspect, 0, style.slant, 1, 0, 0);
  ctx.font = `${MASK_SIZE}px "${(FONTS[font] as CAPTCHAFont).family}"`;
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

/**
 * Copies one glyph into the picture's coverage: its mask rotated and scaled, bent by its two warps, cut by
 * its hatching or set into its plate. Where glyphs meet, the one with more ink at a pixel owns it.
 */
function drawGlyph(current: RenderState, style: CAPTCHAImageStyle, glyph: PlacedGlyph, index: number): void {
  const mask = getGlyphMask(current, style, glyph.font, glyph.char);
  const { alpha, width: maskWidth, height: maskHeight } = mask;
  const half = GLYPH_CANVAS / 2;
  const { coverage, owner } = current;
  const scale = glyph.size;
  const shrink = MASK_SIZE / scale;
  // Undoing the rotation maps a picture pixel back into the upright mask.
  const cos = Math.cos(glyph.angle) * shrink;
  const sin = Math.sin(glyph.angle) * shrink;
  // Hatching: gaps cut straight across the character. People see a striped letter at once; OCR, which
  // looks for connected solid strokes, finds a heap of short bars. The gaps are lines at `hatchPeriod`
  // spacing across the rotated character, so a pixel's distance to the nearest one decides how much is cut.
  const hatchX = -Math.sin(glyph.hatchAngle + glyph.angle);
  const hatchY = Math.cos(glyph.hatchAngle + glyph.angle);
  const period = glyph.hatchPeriod;
  const halfGap = glyph.hatchGap / 2 + 0.5;
  // The character, warped, and its plate stay within 0.75 of the font size from its centre.
  const reach = Math.min(half, 0.75 * scale);
  const left = Math.max(0, Math.floor(glyph.x - reach));
  const right = Math.min(WIDTH, Math.ceil(glyph.x + reach));
  const top = Math.max(0, Math.floor(glyph.y - reach));
  const bottom = Math.min(HEIGHT, Math.ceil(glyph.y + reach));
  // The warps are smooth, so they are computed on a coarse grid and interpolated in between.
  const columns = Math.ceil((right - left) / WARP_GRID) + 2;
  const rows = Math.ceil((bottom - top) / WARP_GRID) + 2;
  const gridX = new Float32Array(columns * rows);
  const gridY = new Float32Array(columns * rows);
  for (let gy = 0; gy < rows; gy++) {
    for (let gx = 0; gx < columns; gx++) {
      const u = (left + gx * WARP_GRID - glyph.x) / scale;
      const v = (top + gy * WARP_GRID - glyph.y) / scale;
      gridX[gy * columns + gx] = scale * (displace(glyph.fixedWarp, u, v, "x") + displace(glyph.ownWarp, u, v, "x"));
      gridY[gy * columns + gx] = scale * (displace(glyph.fixedWarp, u, v, "y") + displace(glyph.ownWarp, u, v, "y"));
    }
  }
  const plateX = glyph.plate * glyph.plateWidth;
  for (let py = top; py < bottom; py++) {
    const fy = (py - top) / WARP_GRID;
    const iy = fy | 0;
    const ty = fy - iy;
    const v = (py - glyph.y) / scale;
    for (let px = left; px < right; px++) {
      const fx = (px - left) / WARP_GRID;
      const ix = fx | 0;
      const tx = fx - ix;
      const g = iy * columns + ix;
      const g00x = gridX[g] as number;
      const upperX = g00x + ((gridX[g + 1] as number) - g00x) * tx;
      const lowerX = (gridX[g + columns] as number) + ((gridX[g + columns + 1] as number) - (gridX[g + columns] as number)) * tx;
      const g00y = gridY[g] as number;
      const upperY = g00y + ((gridY[g + 1] as number) - g00y) * tx;
      const lowerY = (gridY[g + columns] as number) + ((gridY[g + columns + 1] as number) - (gridY[g + columns] as number)) * tx;
      // Where this picture pixel comes from around the character's centre, after both warps...
      const qx = px - glyph.x + upperX + (lowerX - upperX) * ty;
      const qy = py - glyph.y + upperY + (lowerY - upperY) * ty;
      // ...and so in the upright mask.
      const sx = cos * qx + sin * qy + mask.centreX;
      const sy = -sin * qx + cos * qy + mask.centreY;
      let value = 0;
      if (qx > -half && qy > -half && qx < half && qy < half && sx >= 0 && sy >= 0 && sx < maskWidth - 1 && sy < maskHeight - 1) {
        const mx = sx | 0;
        const my = sy | 0;
        const i00 = my * maskWidth + mx;
        const a00 = alpha[i00] as number;
        const a10 = alpha[i00 + 1] as number;
        const a01 = alpha[i00 + maskWidth] as number;
        const a11 = alpha[i00 + maskWidth + 1] as number;
        if ((a00 | a10 | a01 | a11) !== 0) {
          const wx = sx - mx;
          const topRow = a00 + (a10 - a00) * wx;
          value = (topRow + (a01 + (a11 - a01) * wx - topRow) * (sy - my)) / 255;
          if (value > 0 && glyph.hatchGap > 0) {
            const phase = (((hatchX * qx + hatchY * qy + GLYPH_CANVAS) % period) + period) % period;
            const cut = halfGap - Math.min(phase, period - phase);
            if (cut > 0) value *= cut >= 1 ? 0 : 1 - cut;
          }
        }
      }
      if (glyph.plate > 0) {
        // A light character cut out of a dark plate (an ellipse with a soft edge).
        const u = (px - glyph.x) / scale;
        const edge = Math.min(1, Math.max(0, (1 - Math.hypot(u / plateX, v / glyph.plate)) * scale * glyph.plate * 0.5));
        value = edge * (1 - value);
      }
      if (value === 0) continue;
      const at = py * WIDTH + px;
      if (value > (coverage[at] as number)) {
        coverage[at] = value;
        owner[at] = index;
      }
    }
  }
}

/** A filled shape that is no character: a disc, a diamond or a triangle. */
interface Decoy {
  kind: 0 | 1 | 2;
  x: number;
  y: number;
  radius: number;
  angle: number;
  ink: RGB;
}

/**
 * Places filled shapes in the gaps between characters and beyond the ends. Nobody reads a solid dot or
 * diamond as a letter, while OCR tries to read each blob as a character and gets a wrong answer.
 */
function placeDecoys(random: Random, coverage: Float32Array, glyphs: readonly PlacedGlyph[], hue: number): Decoy[] {
  const decoys: Decoy[] = [];
  const positions: number[] = [];
  for (let i = 1; i < glyphs.length; i++) positions.push(((glyphs[i - 1] as PlacedGlyph).x + (glyphs[i] as PlacedGlyph).x) / 2);
  for (const x of positions) {
        const decoy: Decoy = {
      kind: random.int(3) as 0 | 1 | 2,
      x: x + between(random, -4, 4),
      y: HEIGHT / 2 + between(random, -0.3, 0.3) * HEIGHT,
      radius: between(random, 4.5, 7) * CAPTCHA_IMAGE_SCALE,
      angle: between(random, 0, Math.PI * 2),
      ink: darkenTo(hslToRGB(hue + 150 + between(random, -70, 70), between(random, 0.45, 0.85), 0.2), 0.04),
    };
    // Clear of every character by a margin, so that no decoy reads as part of one.
    if (!touchesInk(coverage, decoy.x, decoy.y, decoy.radius + 3 * CAPTCHA_IMAGE_SCALE)) decoys.push(decoy);
  }
  return decoys;
}

/** Whether any ink lies within `radius` of (x, y). */
function touchesInk(coverage: Float32Array, x: number, y: number, radius: number): boolean {
  for (let py = Math.max(0, Math.floor(y - radius)); py < Math.min(HEIGHT, y + radius); py++) {
    for (let px = Math.max(0, Math.floor(x - radius)); px < Math.min(WIDTH, x + radius); px++) {
      if ((coverage[py * WIDTH + px] as number) > 0 && Math.hypot(px - x, py - y) <= radius) return true;
    }
  }
  return false;
}

/** Adds the decoys' coverage, owned by index `first` onwards. */
function drawDecoys(current: RenderState, decoys: readonly Decoy[], first: number): void {
  const { coverage, owner } = current;
  for (const [i, decoy] of decoys.entries()) {
    const r = decoy.radius;
    const cos = Math.cos(decoy.angle);
    const sin = Math.sin(decoy.angle);
    for (let py = Math.max(0, Math.floor(decoy.y - r - 2)); py < Math.min(HEIGHT, decoy.y + r + 2); py++) {
      for (let px = Math.max(0, Math.floor(decoy.x - r - 2)); px < Math.min(WIDTH, decoy.x + r + 2); px++) {
        const dx = px - decoy.x;
        const dy = py - decoy.y;
        const u = dx * cos + dy * sin;
        const v = -dx * sin + dy * cos;
        // Signed distance (negative inside), approximately, for soft edges.
        let inside: number;
        if (decoy.kind === 0) inside = r - Math.hypot(u, v);
        else if (decoy.kind === 1) inside = (r - Math.abs(u) - Math.abs(v)) * Math.SQRT1_2;
        else {
          // An equilateral triangle: three half-planes.
          let least = Number.POSITIVE_INFINITY;
          for (let k = 0; k < 3; k++) {
            const a = (k * Math.PI * 2) / 3;
            least = Math.min(least, r * 0.5 - (u * Math.cos(a) + v * Math.sin(a)));
          }
          inside = least;
        }
        const value = Math.max(0, Math.min(1, inside + 0.5));
        const at = py * WIDTH + px;
        // Behind the characters: a decoy never covers part of one.
        if (value > 0 && (coverage[at] as number) === 0) {
          coverage[at] = value;
          owner[at] = first + i;
        }
      }
    }
  }
}

interface Background {
  start: RGB;
  end: RGB;
  dx: number;
  dy: number;
  discs: { cx: number; cy: number; radius: number; colour: RGB }[];
}

/** A light, decorative background: a gradient between two pale tints and a few soft discs. */
function planBackground(random: Random, hue: number): Background {
  const angle = between(random, 0, Math.PI * 2);
  const discs = [];
  const count = 5 + random.int(4);
  for (let i = 0; i < count; i++) {
    discs.push({
      cx: between(random, 0, WIDTH),
      cy: between(random, 0, HEIGHT),
      radius: between(random, 12, 44),
      colour: hslToRGB(hue + between(random, -90, 90), 0.5, between(random, 0.86, 0.9)),
    });
  }
  return {
    start: hslToRGB(hue + between(random, -40, 40), 0.55, 0.93),
    end: hslToRGB(hue + between(random, -40, 40), 0.55, 0.93),
    dx: Math.cos(angle),
    dy: Math.sin(angle),
    discs,
  };
}

/**
 * Blends ink over the background into RGB scanlines (PNG filter type 0) and adds noise to every channel of
 * every pixel, so that no colour value marks a pixel as ink or background.
 */
function composite(current: RenderState, random: Random, background: Background, inks: readonly RGB[]): void {
  const { raw, coverage, owner, ground } = current;
  // The background first: the gradient everywhere, then each disc over its own box.
  const reach = Math.abs(background.dx) * WIDTH + Math.abs(background.dy) * HEIGHT;
  const origin = (background.dx < 0 ? -background.dx * WIDTH : 0) + (background.dy < 0 ? -background.dy * HEIGHT : 0);
  const [r0, g0, b0] = background.start;
  const dr = background.end[0] - r0;
  const dg = background.end[1] - g0;
  const db = background.end[2] - b0;
  const step = background.dx / reach;
  for (let y = 0; y < HEIGHT; y++) {
    let t = (y * background.dy + origin) / reach;
    for (let o = y * WIDTH * 3, end = o + WIDTH * 3; o < end; o += 3) {
      ground[o] = r0 + dr * t;
      ground[o + 1] = g0 + dg * t;
      ground[o + 2] = b0 + db * t;
      t += step;
    }
  }
  for (const disc of background.discs) {
    const [cr, cg, cb] = disc.colour;
    for (let y = Math.max(0, Math.floor(disc.cy - disc.radius)); y < Math.min(HEIGHT, disc.cy + disc.radius); y++) {
      for (let x = Math.max(0, Math.floor(disc.cx - disc.radius)); x < Math.min(WIDTH, disc.cx + disc.radius); x++) {
        const d = Math.hypot(x - disc.cx, y - disc.cy);
        if (d >= disc.radius) continue;
        // Soft edges, so the discs never form lines that could be read as strokes.
        const weight = Math.min(1, (disc.radius - d) / 8) * 0.8;
        const o = (y * WIDTH + x) * 3;
        ground[o] = (ground[o] as number) * (1 - weight) + cr * weight;
        ground[o + 1] = (ground[o + 1] as number) * (1 - weight) + cg * weight;
        ground[o + 2] = (ground[o + 2] as number) * (1 - weight) + cb * weight;
      }
    }
  }
  // The noise needs no cryptographic strength, only to be there: a fast generator seeded from `random`,
  // one 32-bit draw giving ten bits of noise to each channel of a pixel.
  let state = random.bytes(4).readUInt32LE(0) | 1;
  const noiseScale = (2 * PIXEL_NOISE) / 1024;
  // Half a level more than the noise's centre, because storing into the byte array truncates: this rounds.
  const offset = PIXEL_NOISE - 0.5;
  for (let y = 0; y < HEIGHT; y++) {
    let out = y * (WIDTH * 3 + 1);
    raw[out++] = 0;
    for (let at = y * WIDTH, end = at + WIDTH; at < end; at++) {
      const o = at * 3;
      let red = ground[o] as number;
      let green = ground[o + 1] as number;
      let blue = ground[o + 2] as number;
      const cover = coverage[at] as number;
      if (cover > 0) {
        const ink = inks[owner[at] as number] as RGB;
        red += (ink[0] - red) * cover;
        green += (ink[1] - green) * cover;
        blue += (ink[2] - blue) * cover;
      }
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      red += (state & 1023) * noiseScale - offset;
      green += ((state >>> 10) & 1023) * noiseScale - offset;
      blue += ((state >>> 20) & 1023) * noiseScale - offset;
      raw[out++] = red < 0 ? 0 : red > 255 ? 255 : red;
      raw[out++] = green < 0 ? 0 : green > 255 ? 255 : green;
      raw[out++] = blue < 0 ? 0 : blue > 255 ? 255 : blue;
    }
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, "latin1");
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** Wraps RGB scanlines in a PNG file. */
function encodePNG(raw: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // true colour, no palette: the file format says nothing about which pixels are ink
  // Bytes 10-12: deflate compression, adaptive filtering, no interlace.
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("pHYs", Buffer.from([0, 0, 0x17, 0x12, 0, 0, 0x17, 0x12, 1])), // 5906 px/m = 150 dpi: 2x a 72/75 dpi screen
    // Huffman coding alone: the noise leaves LZ77 little to find, and skipping the search makes encoding
    // about four times faster for a file of much the same size.
    pngChunk("IDAT", deflateSync(raw, { strategy: zlibConstants.Z_HUFFMAN_ONLY })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The picture's hue and its characters' places: the first choices a picture makes. */
function planText(current: RenderState, random: Random, style: CAPTCHAImageStyle, text: string): { hue: number; glyphs: PlacedGlyph[] } {
  const hue = between(random, 0, 360);
  return { hue, glyphs: placeGlyphs(current, random, style, text, hue) };
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
export function placeCAPTCHAText(text: string, random: Random, style: CAPTCHAImageStyle = deriveCAPTCHAImageStyle(DEFAULT_STYLE_SECRET)): CAPTCHAGlyphPlacement[] {
  return planText(getRenderState(), random, style, text).glyphs.map((g) => ({ char: g.char, x: g.x, y: g.y, size: g.size }));
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
  if (!/^[A-Z0-9]+$/.test(text) || text.length > MAX_TEXT_LENGTH) {
    throw new RangeError(`CAPTCHA text must be 1 to ${MAX_TEXT_LENGTH} characters from A-Z and 0-9`);
  }
  const current = getRenderState();
  const { hue, glyphs } = planText(current, random, style, text);
  current.coverage.fill(0);
  for (const [i, glyph] of glyphs.entries()) drawGlyph(current, style, glyph, i);
  const decoys = placeDecoys(random, current.coverage, glyphs, hue);
  drawDecoys(current, decoys, glyphs.length);
  composite(current, random, planBackground(random, hue), [...glyphs.map((g) => g.ink), ...decoys.map((d) => d.ink)]);
  return encodePNG(current.raw);
}
