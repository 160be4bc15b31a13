// Draws the CAPTCHA picture: a few large, well-spaced characters, each bent by an elastic warp, in true
// colour over a noisy light background, encoded as an RGB PNG.
//
// Two kinds of randomness shape a picture. The deployment's style (`deriveCAPTCHAImageStyle`, from the
// server secret) fixes which fonts are used, how heavy the strokes are and a warp for every character, so
// a recognizer trained on pictures from the public code or from another server meets shapes it has not
// seen. The challenge's own randomness adds rotation, size, position, colours and a second, smaller warp.
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
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

/**
 * Draws one glyph on the small canvas and copies its coverage into the picture through its two warps.
 * Where glyphs meet, the one with more ink at a pixel owns it.
 */
function drawGlyph(current: RenderState, style: CAPTCHAImageStyle, glyph: PlacedGlyph, index: number): void {
  const ctx = current.glyph;
  const half = GLYPH_CANVAS / 2;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, GLYPH_CANVAS, GLYPH_CANVAS);
  ctx.translate(half, half);
  ctx.rotate(glyph.angle);
  ctx.transform(style.aspect, 0, style.slant, 1, 0, 0);
  ctx.font = `${glyph.size.toFixed(1)}px "${(FONTS[glyph.font] as CAPTCHAFont).family}"`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#fff";
  ctx.fillText(glyph.char, 0, 0);
  if (style.weight > 0.002) {
    ctx.strokeStyle = "#fff";
    ctx.lineJoin = "round";
    ctx.lineWidth = style.weight * glyph.size;
    ctx.strokeText(glyph.char, 0, 0);
  }
  // Hatching: gaps cut straight across the character. People see a striped letter at once; OCR, which
  // looks for connected solid strokes, finds a heap of short bars.
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  if (glyph.hatchGap > 0) {
  ctx.globalCompositeOperation = "destination-out";
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = glyph.hatchGap;
  ctx.beginPath();
  const dx = Math.cos(glyph.hatchAngle + glyph.angle);
  const dy = Math.sin(glyph.hatchAngle + glyph.angle);
  for (let offset = -GLYPH_CANVAS; offset < GLYPH_CANVAS; offset += glyph.hatchPeriod) {
    ctx.moveTo(half - dx * GLYPH_CANVAS - dy * offset, half - dy * GLYPH_CANVAS + dx * offset);
    ctx.lineTo(half + dx * GLYPH_CANVAS - dy * offset, half + dy * GLYPH_CANVAS + dx * offset);
  }
  ctx.stroke();
  ctx.globalCompositeOperation = "source-over";
  }
  const alpha = ctx.getImageData(0, 0, GLYPH_CANVAS, GLYPH_CANVAS).data;
  const { coverage, owner } = current;
  const scale = glyph.size;
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
  const warpAt = (grid: Float32Array, px: number, py: number): number => {
    const fx = (px - left) / WARP_GRID;
    const fy = (py - top) / WARP_GRID;
    const ix = fx | 0;
    const iy = fy | 0;
    const tx = fx - ix;
    const ty = fy - iy;
    const i = iy * columns + ix;
    const upper = (grid[i] as number) + ((grid[i + 1] as number) - (grid[i] as number)) * tx;
    const lower = (grid[i + columns] as number) + ((grid[i + columns + 1] as number) - (grid[i + columns] as number)) * tx;
    return upper + (lower - upper) * ty;
  };
  for (let py = top; py < bottom; py++) {
    for (let px = left; px < right; px++) {
      // Where in the glyph's canvas this picture pixel comes from, after both warps.
      const u = (px - glyph.x) / scale;
      const v = (py - glyph.y) / scale;
      const sx = px - glyph.x + half + warpAt(gridX, px, py);
      const sy = py - glyph.y + half + warpAt(gridY, px, py);
      let value = 0;
      if (sx >= 0 && sy >= 0 && sx < GLYPH_CANVAS - 1 && sy < GLYPH_CANVAS - 1) {
        const ix = sx | 0;
        const iy = sy | 0;
        const i00 = (iy * GLYPH_CANVAS + ix) * 4 + 3;
        const a00 = alpha[i00] as number;
        const a10 = alpha[i00 + 4] as number;
        const a01 = alpha[i00 + GLYPH_CANVAS * 4] as number;
        const a11 = alpha[i00 + GLYPH_CANVAS * 4 + 4] as number;
        if ((a00 | a10 | a01 | a11) !== 0) {
          const fx = sx - ix;
          const topRow = a00 + (a10 - a00) * fx;
          value = (topRow + (a01 + (a11 - a01) * fx - topRow) * (sy - iy)) / 255;
        }
      }
      if (glyph.plate > 0) {
        // A light character cut out of a dark plate (an ellipse with a soft edge).
        const edge = Math.min(1, Math.max(0, (1 - Math.hypot(u / (glyph.plate * glyph.plateWidth), v / glyph.plate)) * scale * glyph.plate * 0.5));
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
  // The background first, channel by channel: the gradient everywhere, then each disc over its own box.
  const reach = Math.abs(background.dx) * WIDTH + Math.abs(background.dy) * HEIGHT;
  const origin = (background.dx < 0 ? -background.dx * WIDTH : 0) + (background.dy < 0 ? -background.dy * HEIGHT : 0);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const t = (x * background.dx + y * background.dy + origin) / reach;
      const o = (y * WIDTH + x) * 3;
      for (let c = 0; c < 3; c++) ground[o + c] = (background.start[c] as number) + ((background.end[c] as number) - (background.start[c] as number)) * t;
    }
  }
  for (const disc of background.discs) {
    for (let y = Math.max(0, Math.floor(disc.cy - disc.radius)); y < Math.min(HEIGHT, disc.cy + disc.radius); y++) {
      for (let x = Math.max(0, Math.floor(disc.cx - disc.radius)); x < Math.min(WIDTH, disc.cx + disc.radius); x++) {
        const d = Math.hypot(x - disc.cx, y - disc.cy);
        if (d >= disc.radius) continue;
        // Soft edges, so the discs never form lines that could be read as strokes.
        const weight = Math.min(1, (disc.radius - d) / 8) * 0.8;
        const o = (y * WIDTH + x) * 3;
        for (let c = 0; c < 3; c++) ground[o + c] = (ground[o + c] as number) * (1 - weight) + (disc.colour[c] as number) * weight;
      }
    }
  }
  // The noise needs no cryptographic strength, only to be there: a fast generator seeded from `random`.
  let state = random.bytes(4).readUInt32LE(0) | 1;
  const noiseScale = (2 * PIXEL_NOISE) / 2 ** 32;
  for (let y = 0; y < HEIGHT; y++) {
    const rowStart = y * (WIDTH * 3 + 1);
    raw[rowStart] = 0;
    for (let x = 0; x < WIDTH; x++) {
      const at = y * WIDTH + x;
      const cover = coverage[at] as number;
      const ink = cover > 0 ? (inks[owner[at] as number] as RGB) : undefined;
      for (let c = 0; c < 3; c++) {
        let value = ground[at * 3 + c] as number;
        if (ink !== undefined) value = value * (1 - cover) + (ink[c] as number) * cover;
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        value = Math.round(value + (state >>> 0) * noiseScale - PIXEL_NOISE);
        raw[rowStart + 1 + x * 3 + c] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
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
    pngChunk("IDAT", deflateSync(raw, { level: 3 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
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
  const hue = between(random, 0, 360);
  const glyphs = placeGlyphs(current, random, style, text, hue);
  current.coverage.fill(0);
  for (const [i, glyph] of glyphs.entries()) drawGlyph(current, style, glyph, i);
  const decoys = placeDecoys(random, current.coverage, glyphs, hue);
  drawDecoys(current, decoys, glyphs.length);
  composite(current, random, planBackground(random, hue), [...glyphs.map((g) => g.ink), ...decoys.map((d) => d.ink)]);
  return encodePNG(current.raw);
}
