// Draws the CAPTCHA picture: distorted, overlapping characters crossed by strokes, encoded as a PNG.
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import type { SKRSContext2D } from "@napi-rs/canvas";
import { lazyRequire } from "../lib/lazy-require.ts";
import type { Random } from "../lib/random.ts";

/** Width of the picture in CSS pixels (the `width` attribute of the `<img>`). */
export const CAPTCHA_IMAGE_CSS_WIDTH = 240;
/** Height of the picture in CSS pixels (the `height` attribute of the `<img>`). */
export const CAPTCHA_IMAGE_CSS_HEIGHT = 80;
/** Device pixels per CSS pixel, so the picture stays sharp on high-density screens. */
export const CAPTCHA_IMAGE_SCALE = 2;

const WIDTH = CAPTCHA_IMAGE_CSS_WIDTH * CAPTCHA_IMAGE_SCALE;
const HEIGHT = CAPTCHA_IMAGE_CSS_HEIGHT * CAPTCHA_IMAGE_SCALE;
const MAX_TEXT_LENGTH = 8;
/** The widest the text may be, in CSS pixels, counting half a character of margin on each side. */
const MAX_TEXT_SPAN = 224;
/** Room (CSS pixels) kept above and below the characters for the wave (8) and a margin (2). */
const EDGE_ROOM = 10;
/** The crossing strokes end at least this far (CSS pixels) from the left and right edges. */
const STROKE_MARGIN = 8;
/** Shades of the background: a gradient in `GRADIENT_STEPS` steps and `BLOB_COLOURS` blob colours. */
const GRADIENT_STEPS = 8;
const BLOB_COLOURS = 4;
/** Levels of ink coverage (anti-aliasing) per background shade; shades x levels fill a 256-colour palette. */
const COVERAGE_LEVELS = 16;

interface CAPTCHAFont {
  /** File under assets/fonts/. */
  file: string;
  /** The family name it is registered under. */
  family: string;
  /** Thickness of a vertical stem as a fraction of the font size, so crossing strokes can match it. */
  stem: number;
  /** Size correction so the faces look equally large. */
  sizeFactor: number;
}

// Four visibly different faces (humanist sans, casual hand, serif, monospace slab) so that no single
// glyph template matches every character.
const FONTS: readonly CAPTCHAFont[] = [
  { file: "Cantarell-ExtraBold.otf", family: "Latchkey CAPTCHA Cantarell", stem: 0.18, sizeFactor: 1 },
  { file: "ComicNeue-Bold.otf", family: "Latchkey CAPTCHA Comic Neue", stem: 0.1, sizeFactor: 1.05 },
  { file: "LiberationSerif-Bold.ttf", family: "Latchkey CAPTCHA Liberation Serif", stem: 0.16, sizeFactor: 1.05 },
  { file: "LiberationMono-Bold.ttf", family: "Latchkey CAPTCHA Liberation Mono", stem: 0.15, sizeFactor: 1.05 },
];

/** Font size at which glyph widths are measured; other sizes scale them. */
const MEASURE_SIZE = 100;

interface RenderState {
  mask: SKRSContext2D;
  /** Advance width of each character in each font at `MEASURE_SIZE`, by font index then character. */
  widths: Map<string, number>[];
  /** Background shade index of each CSS pixel. */
  shades: Uint8Array;
  /** PNG scanlines (filter byte + palette indices), reused between pictures. */
  raw: Buffer;
  /** Per-row horizontal and per-column vertical displacement of the wave, reused between pictures. */
  shiftX: Float32Array;
  shiftY: Float32Array;
}

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
  const mask = createCanvas(WIDTH, HEIGHT).getContext("2d");
  state = {
    mask,
    widths: FONTS.map(() => new Map<string, number>()),
    shades: new Uint8Array(CAPTCHA_IMAGE_CSS_WIDTH * CAPTCHA_IMAGE_CSS_HEIGHT),
    raw: Buffer.alloc((WIDTH + 1) * HEIGHT),
    shiftX: new Float32Array(HEIGHT),
    shiftY: new Float32Array(WIDTH),
  };
  return state;
}

/** Width of `char` in font number `fontIndex` at `MEASURE_SIZE`, measured once per process. */
function measureGlyph(current: RenderState, fontIndex: number, char: string): number {
  const widths = current.widths[fontIndex] as Map<string, number>;
  let width = widths.get(char);
  if (width === undefined) {
    current.mask.font = `${MEASURE_SIZE}px "${(FONTS[fontIndex] as CAPTCHAFont).family}"`;
    width = current.mask.measureText(char).width;
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

/**
 * Paints the light, decorative background into `shades` (one palette shade per CSS pixel): a gradient
 * between two pale tints and a few soft-coloured discs. It carries no information and hides nothing.
 *
 * @returns The colours of the shades: gradient steps first, then the disc colours.
 */
function paintBackground(shades: Uint8Array, random: Random, hue: number): RGB[] {
  const start = hslToRGB(hue + between(random, -40, 40), 0.55, 0.93);
  const end = hslToRGB(hue + between(random, -40, 40), 0.55, 0.93);
  const colours: RGB[] = [];
  for (let step = 0; step < GRADIENT_STEPS; step++) {
    const t = step / (GRADIENT_STEPS - 1);
    colours.push([0, 1, 2].map((c) => Math.round((start[c] as number) + ((end[c] as number) - (start[c] as number)) * t)) as RGB);
  }
  for (let i = 0; i < BLOB_COLOURS; i++) colours.push(hslToRGB(hue + between(random, -90, 90), 0.55, 0.87));

  // The gradient runs along a random direction across the picture.
  const angle = between(random, 0, Math.PI * 2);
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const reach = Math.abs(dx) * CAPTCHA_IMAGE_CSS_WIDTH + Math.abs(dy) * CAPTCHA_IMAGE_CSS_HEIGHT;
  const origin = (dx < 0 ? -dx * CAPTCHA_IMAGE_CSS_WIDTH : 0) + (dy < 0 ? -dy * CAPTCHA_IMAGE_CSS_HEIGHT : 0);
  for (let y = 0; y < CAPTCHA_IMAGE_CSS_HEIGHT; y++) {
    for (let x = 0; x < CAPTCHA_IMAGE_CSS_WIDTH; x++) {
      const t = (x * dx + y * dy + origin) / reach;
      shades[y * CAPTCHA_IMAGE_CSS_WIDTH + x] = Math.min(GRADIENT_STEPS - 1, Math.max(0, (t * GRADIENT_STEPS) | 0));
    }
  }
  const discs = 5 + random.int(4);
  for (let i = 0; i < discs; i++) {
    const cx = between(random, 0, CAPTCHA_IMAGE_CSS_WIDTH);
    const cy = between(random, 0, CAPTCHA_IMAGE_CSS_HEIGHT);
    const radius = between(random, 6, 22);
    const shade = GRADIENT_STEPS + random.int(BLOB_COLOURS);
    const top = Math.max(0, Math.floor(cy - radius));
    const bottom = Math.min(CAPTCHA_IMAGE_CSS_HEIGHT - 1, Math.ceil(cy + radius));
    for (let y = top; y <= bottom; y++) {
      const half = Math.sqrt(Math.max(0, radius * radius - (y - cy) * (y - cy)));
      const left = Math.max(0, Math.ceil(cx - half));
      const right = Math.min(CAPTCHA_IMAGE_CSS_WIDTH - 1, Math.floor(cx + half));
      for (let x = left; x <= right; x++) shades[y * CAPTCHA_IMAGE_CSS_WIDTH + x] = shade;
    }
  }
  return colours;
}

/**
 * Draws the characters and the crossing strokes as white coverage on a transparent canvas, in CSS units.
 * The strokes have the thickness of the letters' stems so they cannot be filtered out by width.
 */
function drawTextMask(current: RenderState, random: Random, text: string): void {
  const ctx = current.mask;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, WIDTH, HEIGHT);
  ctx.setTransform(CAPTCHA_IMAGE_SCALE, 0, 0, CAPTCHA_IMAGE_SCALE, 0, 0);
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = "#fff";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";

  const count = text.length;
  // Fewer characters get larger type, so the text always fills most of the width.
  const baseSize = count <= 5 ? 54 : count === 6 ? 50 : 46;
  interface Glyph {
    char: string;
    font: CAPTCHAFont;
    size: number;
    advance: number;
    angle: number;
    dy: number;
    scaleX: number;
    skew: number;
  }
  const glyphs: Glyph[] = [];
  let totalAdvance = 0;
  let stemTotal = 0;
  // Each character gets its own face, size, rotation, squeeze, slant and height: people read such
  // variations easily, while OCR expects one font on one straight baseline.
  for (const char of text) {
    const fontIndex = random.int(FONTS.length);
    const font = FONTS[fontIndex] as CAPTCHAFont;
    const size = baseSize * font.sizeFactor * between(random, 0.8, 1.2);
    const scaleX = between(random, 0.85, 1.1);
    const width = ((measureGlyph(current, fontIndex, char) * size) / MEASURE_SIZE) * scaleX;
    // Advancing by a little less than a glyph's width makes neighbours touch or overlap, so characters
    // cannot be separated by looking for empty columns.
    const advance = width * between(random, 0.92, 1.02);
    glyphs.push({
      char,
      font,
      size,
      advance,
      angle: between(random, -0.32, 0.32),
      dy: between(random, -9, 9),
      scaleX,
      skew: between(random, -0.1, 0.1),
    });
    totalAdvance += advance;
    stemTotal += font.stem * size;
  }
  const first = glyphs[0];
  const last = glyphs[glyphs.length - 1];
  let span = totalAdvance - ((first?.advance ?? 0) + (last?.advance ?? 0)) / 2;
  // Shrink long texts so that every character stays inside the picture, away from the edges.
  const fit = Math.min(1, MAX_TEXT_SPAN / (span + baseSize * 0.7));
  span *= fit;
  const left = (CAPTCHA_IMAGE_CSS_WIDTH - span) / 2 + between(random, -6, 6);
  const centreY = CAPTCHA_IMAGE_CSS_HEIGHT / 2 + between(random, -3, 3);
  let x = left;
  for (const [i, glyph] of glyphs.entries()) {
    if (i > 0) x += (((glyphs[i - 1]?.advance ?? 0) + glyph.advance) / 2) * fit;
    // Keep the whole character, bent by the wave, inside the picture.
    const room = Math.max(0, CAPTCHA_IMAGE_CSS_HEIGHT / 2 - 0.4 * glyph.size * fit - EDGE_ROOM);
    const y = Math.min(CAPTCHA_IMAGE_CSS_HEIGHT / 2 + room, Math.max(CAPTCHA_IMAGE_CSS_HEIGHT / 2 - room, centreY + glyph.dy));
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(glyph.angle);
    ctx.transform(glyph.scaleX, 0, glyph.skew, 1, 0, 0);
    ctx.font = `${(glyph.size * fit).toFixed(1)}px "${glyph.font.family}"`;
    ctx.fillText(glyph.char, 0, 0);
    ctx.restore();
  }

  // Two strokes as thick as the letters and in their colour cross the text, so no filter can tell them
  // from letters by width or colour, and they join the characters into one shape. A reader still sees
  // them as lines because they are long and smooth waves that cut the characters at an angle instead of
  // running along their bars. One runs from the left end to somewhere in the middle, the other from there
  // to the right end, so most characters are crossed only once.
  const right = left + span;
  ctx.lineWidth = ((stemTotal * fit) / glyphs.length) * between(random, 0.8, 0.9);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  // The strokes start and end clear of the outer characters: a stroke's rounded end on a character
  // reads as part of it (a K becomes an R).
  const from = Math.max(STROKE_MARGIN, left - ((first?.advance ?? 0) * fit) / 2 - between(random, 6, 12));
  const to = Math.min(CAPTCHA_IMAGE_CSS_WIDTH - STROKE_MARGIN, right + ((last?.advance ?? 0) * fit) / 2 + between(random, 6, 12));
  const split = left + span * between(random, 0.35, 0.65);
  const overlap = between(random, 6, 14);
  const phase = between(random, 0, Math.PI * 2);
  const wavelength = (to - from) * between(random, 0.7, 1);
  strokeWave(ctx, from, split + overlap, centreY + between(random, -4, 4), between(random, 9, 14), wavelength, phase);
  strokeWave(ctx, split - overlap, to, centreY + between(random, -4, 4), between(random, 9, 14), wavelength, phase + between(random, 2, 4.3));
}

/** Strokes one sine wave from `from` to `to` around `centreY`, in the current transform. */
function strokeWave(ctx: SKRSContext2D, from: number, to: number, centreY: number, amplitude: number, wavelength: number, phase: number): void {
  ctx.beginPath();
  ctx.moveTo(from, centreY + amplitude * Math.sin(phase));
  for (let x = from + 4; x < to + 4; x += 4) {
    const px = Math.min(x, to);
    ctx.lineTo(px, centreY + amplitude * Math.sin(((px - from) / wavelength) * Math.PI * 2 + phase));
  }
  ctx.stroke();
}

/**
 * Bends the text mask with a global wave and lays it over the background, writing PNG scanlines of
 * palette indices (filter type 0): index = background shade * `COVERAGE_LEVELS` + ink coverage level.
 */
function composite(current: RenderState, random: Random, mask: Uint8ClampedArray): void {
  const { raw, shiftX, shiftY, shades } = current;
  // Each displacement is the sum of a long wave, which bends the whole line of text, and a short, weak
  // one, which bends the strokes inside the characters a little.
  const waveX = [
    { amplitude: between(random, 3, 5), frequency: (Math.PI * 2) / between(random, 90, 150), phase: between(random, 0, Math.PI * 2) },
    { amplitude: between(random, 0, 1.5), frequency: (Math.PI * 2) / between(random, 40, 60), phase: between(random, 0, Math.PI * 2) },
  ];
  const waveY = [
    { amplitude: between(random, 10, 14), frequency: (Math.PI * 2) / between(random, 170, 260), phase: between(random, 0, Math.PI * 2) },
    { amplitude: between(random, 0, 2), frequency: (Math.PI * 2) / between(random, 60, 90), phase: between(random, 0, Math.PI * 2) },
  ];
  for (let y = 0; y < HEIGHT; y++) {
    let shift = 0;
    for (const wave of waveX) shift += wave.amplitude * Math.sin(y * wave.frequency + wave.phase);
    shiftX[y] = shift;
  }
  for (let x = 0; x < WIDTH; x++) {
    let shift = 0;
    for (const wave of waveY) shift += wave.amplitude * Math.sin(x * wave.frequency + wave.phase);
    shiftY[x] = shift;
  }
  const levels = COVERAGE_LEVELS - 1;
  for (let y = 0; y < HEIGHT; y++) {
    const rowStart = y * (WIDTH + 1);
    raw[rowStart] = 0;
    const sx0 = shiftX[y] as number;
    const shadeRow = ((y / CAPTCHA_IMAGE_SCALE) | 0) * CAPTCHA_IMAGE_CSS_WIDTH;
    for (let x = 0; x < WIDTH; x++) {
      let level = 0;
      // Bilinear sample of the mask's coverage at the displaced position; most pixels have none.
      const sx = x + sx0;
      const sy = y + (shiftY[x] as number);
      if (sx >= 0 && sy >= 0 && sx < WIDTH - 1 && sy < HEIGHT - 1) {
        const ix = sx | 0;
        const iy = sy | 0;
        const i00 = (iy * WIDTH + ix) * 4 + 3;
        const a00 = mask[i00] as number;
        const a10 = mask[i00 + 4] as number;
        const a01 = mask[i00 + WIDTH * 4] as number;
        const a11 = mask[i00 + WIDTH * 4 + 4] as number;
        if ((a00 | a10 | a01 | a11) !== 0) {
          const fx = sx - ix;
          const top = a00 + (a10 - a00) * fx;
          const coverage = top + (a01 + (a11 - a01) * fx - top) * (sy - iy);
          level = ((coverage * levels) / 255 + 0.5) | 0;
        }
      }
      raw[rowStart + 1 + x] = (shades[shadeRow + ((x / CAPTCHA_IMAGE_SCALE) | 0)] as number) * COVERAGE_LEVELS + level;
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

/**
 * Builds the palette: for each background shade, `COVERAGE_LEVELS` steps from the shade to the ink.
 */
function buildPalette(shadeColours: readonly RGB[], ink: RGB): Buffer {
  const palette = Buffer.alloc(shadeColours.length * COVERAGE_LEVELS * 3);
  let o = 0;
  for (const shade of shadeColours) {
    for (let level = 0; level < COVERAGE_LEVELS; level++) {
      const t = level / (COVERAGE_LEVELS - 1);
      for (let c = 0; c < 3; c++) palette[o++] = Math.round((shade[c] as number) + ((ink[c] as number) - (shade[c] as number)) * t);
    }
  }
  return palette;
}

/** Wraps scanlines of palette indices in a PNG file. */
function encodePNG(raw: Buffer, palette: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 8; // bits per index
  header[9] = 3; // indexed colour
  // Bytes 10-12: deflate compression, adaptive filtering, no interlace.
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("PLTE", palette),
    pngChunk("pHYs", Buffer.from([0, 0, 0x17, 0x12, 0, 0, 0x17, 0x12, 1])), // 5906 px/m = 150 dpi: 2x a 72/75 dpi screen
    pngChunk("IDAT", deflateSync(raw, { level: 3 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * Renders the picture of a CAPTCHA challenge.
 *
 * Each character gets its own font (from the bundled faces), size, rotation, squeeze, slant and vertical
 * offset; neighbours overlap; two curves as thick as the letters and in the same colour cross the text; a
 * global wave bends everything. The background is light and only decorative and the text is dark, so the
 * contrast stays above 7:1 for people.
 *
 * @param text The answer to show: 1 to 8 characters from A-Z and 0-9 (the test mode shows `TESTME`).
 * @param random Source of randomness for the distortion; cryptographic in production.
 * @returns A PNG of `CAPTCHA_IMAGE_CSS_WIDTH` x `CAPTCHA_IMAGE_CSS_HEIGHT` CSS pixels at
 *   `CAPTCHA_IMAGE_SCALE` device pixels each (480 x 160), with a 256-colour palette.
 * @throws RangeError when `text` is empty, too long or has characters other than A-Z and 0-9.
 */
export function renderCAPTCHAImage(text: string, random: Random): Buffer {
  if (!/^[A-Z0-9]+$/.test(text) || text.length > MAX_TEXT_LENGTH) {
    throw new RangeError(`CAPTCHA text must be 1 to ${MAX_TEXT_LENGTH} characters from A-Z and 0-9`);
  }
  const current = getRenderState();
  const hue = between(random, 0, 360);
  // Dark ink (relative luminance at most 0.03) on a light ground keeps the contrast above 7:1 whatever
  // the hues, even over the decorations.
  const ink = darkenTo(hslToRGB(hue + 180 + between(random, -60, 60), between(random, 0.5, 0.8), between(random, 0.16, 0.24)), 0.03);
  const shadeColours = paintBackground(current.shades, random, hue);
  drawTextMask(current, random, text);
  const mask = current.mask.getImageData(0, 0, WIDTH, HEIGHT).data;
  composite(current, random, mask);
  return encodePNG(current.raw, buildPalette(shadeColours, ink));
}
