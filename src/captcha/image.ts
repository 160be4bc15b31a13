// Draws the CAPTCHA picture: distorted, overlapping characters crossed by strokes, encoded as a PNG.
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import type { Canvas, SKRSContext2D } from "@napi-rs/canvas";
import type { Random } from "../lib/random.ts";
const K = (n: string, d: number): number => (process.env[n] === undefined ? d : Number(process.env[n]));

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
/** The crossing strokes end at least this far (CSS pixels) from the left and right edges. */
const STROKE_MARGIN = 8;

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

interface RenderState {
  backgroundCanvas: Canvas;
  background: SKRSContext2D;
  maskCanvas: Canvas;
  mask: SKRSContext2D;
  /** PNG scanlines (filter byte + RGB), reused between pictures. */
  raw: Buffer;
  /** Per-row horizontal and per-column vertical displacement of the wave, reused between pictures. */
  shiftX: Float32Array;
  shiftY: Float32Array;
}

let state: RenderState | undefined;

/**
 * Registers the bundled fonts and creates the reusable canvases on first use. Drawing is synchronous, so
 * one set of canvases per process is never shared by two pictures at once.
 */
function getRenderState(): RenderState {
  if (state !== undefined) return state;
  for (const font of FONTS) {
    const path = fileURLToPath(new URL(`../../assets/fonts/${font.file}`, import.meta.url));
    if (GlobalFonts.registerFromPath(path, font.family) === null) {
      throw new Error(`could not load the CAPTCHA font ${path}`);
    }
  }
  // The decorative background is drawn at CSS resolution and doubled when composited: it has no fine
  // detail worth four times the drawing.
  const backgroundCanvas = createCanvas(CAPTCHA_IMAGE_CSS_WIDTH, CAPTCHA_IMAGE_CSS_HEIGHT);
  const maskCanvas = createCanvas(WIDTH, HEIGHT);
  state = {
    backgroundCanvas,
    background: backgroundCanvas.getContext("2d"),
    maskCanvas,
    mask: maskCanvas.getContext("2d"),
    raw: Buffer.alloc((WIDTH * 3 + 1) * HEIGHT),
    shiftX: new Float32Array(HEIGHT),
    shiftY: new Float32Array(WIDTH),
  };
  return state;
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

function cssColor([r, g, b]: RGB, alpha = 1): string {
  return `rgba(${r},${g},${b},${alpha})`;
}

/** Paints a light background with soft decorative shapes. It carries no information and hides nothing. */
function drawBackground(ctx: SKRSContext2D, random: Random, hue: number): void {
  const gradient = ctx.createLinearGradient(0, between(random, 0, 80), 240, between(random, 0, 80));
  gradient.addColorStop(0, cssColor(hslToRGB(hue + between(random, -40, 40), 0.55, 0.93)));
  gradient.addColorStop(1, cssColor(hslToRGB(hue + between(random, -40, 40), 0.55, 0.93)));
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, CAPTCHA_IMAGE_CSS_WIDTH, CAPTCHA_IMAGE_CSS_HEIGHT);
  const blobs = 5 + random.int(4);
  for (let i = 0; i < blobs; i++) {
    ctx.fillStyle = cssColor(hslToRGB(hue + between(random, -90, 90), 0.6, 0.82), 0.35);
    ctx.beginPath();
    ctx.arc(between(random, 0, 240), between(random, 0, 80), between(random, 6, 22), 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.lineWidth = 1;
  const lines = 4 + random.int(4);
  for (let i = 0; i < lines; i++) {
    ctx.strokeStyle = cssColor(hslToRGB(hue + between(random, -90, 90), 0.5, 0.78), 0.6);
    ctx.beginPath();
    ctx.moveTo(between(random, -20, 240), between(random, 0, 80));
    ctx.quadraticCurveTo(between(random, 0, 240), between(random, 0, 80), between(random, 0, 260), between(random, 0, 80));
    ctx.stroke();
  }
}

/**
 * Draws the characters and the crossing strokes as white coverage on a transparent canvas, in CSS units.
 * The strokes have the thickness of the letters' stems so they cannot be filtered out by width.
 */
function drawTextMask(ctx: SKRSContext2D, random: Random, text: string): void {
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
  for (const char of text) {
    const angle = between(random, -K("ROT", 0.25), K("ROT", 0.25));
    const font = FONTS[random.int(FONTS.length)] as CAPTCHAFont;
    const size = baseSize * font.sizeFactor * between(random, 0.8, 1.2);
    ctx.font = `${size.toFixed(1)}px "${font.family}"`;
    const scaleX = between(random, 0.85, 1.1);
    const width = ctx.measureText(char).width * scaleX;
    // Advancing by less than a glyph's width makes neighbours touch or overlap, so characters cannot be
    // separated by looking for empty columns.
    const advance = width * between(random, K("ADV", 0.92), K("ADV", 0.92) + 0.1);
    glyphs.push({ char, font, size, advance, angle, dy: between(random, -K("DY", 9), K("DY", 9)), scaleX, skew: between(random, -0.1, 0.1) });
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
    ctx.save();
    ctx.translate(x, centreY + glyph.dy);
    ctx.rotate(glyph.angle);
    ctx.transform(glyph.scaleX, 0, glyph.skew, 1, 0, 0);
    ctx.font = `${(glyph.size * fit).toFixed(1)}px "${glyph.font.family}"`;
    ctx.fillText(glyph.char, 0, 0);
    ctx.restore();
  }

  // Two strokes as thick as the letters and in their colour cross the text, so no filter can tell them
  // from letters by width or colour, and they join the characters into one shape. A reader still sees
  // them as lines because they are long and smooth waves that cut the characters at an angle instead of
  // running along their bars (a bar through a T or a C would read as F or E). One runs from the left end
  // to somewhere in the middle, the other from there to the right end, so most characters are crossed
  // only once.
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
  strokeWave(ctx, from, split + overlap, centreY + between(random, -4, 4), between(random, K("SA", 9), K("SA", 9) + 5), wavelength, phase);
  strokeWave(ctx, split - overlap, to, centreY + between(random, -4, 4), between(random, K("SA", 9), K("SA", 9) + 5), wavelength, phase + between(random, 2, 4.3));
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
 * Bends the text mask with a global wave and paints it over the background, writing PNG scanlines (filter
 * type 1, "Sub") into `raw`.
 */
function composite(
  current: RenderState,
  random: Random,
  mask: Uint8ClampedArray,
  background: Uint8ClampedArray,
  ink: RGB,
): void {
  const { raw, shiftX, shiftY } = current;
  // Each displacement is the sum of a long wave, which bends the whole line of text, and a short one,
  // which bends strokes inside the characters.
  const waveX = [
    { amplitude: between(random, 3, 5), frequency: (Math.PI * 2) / between(random, 90, 150), phase: between(random, 0, Math.PI * 2) },
    { amplitude: between(random, K("WX2", 0), K("WX2", 0) + 1.5), frequency: (Math.PI * 2) / between(random, 40, 60), phase: between(random, 0, Math.PI * 2) },
  ];
  const waveY = [
    { amplitude: between(random, K("WYL", 12), K("WYL", 12) + 4), frequency: (Math.PI * 2) / between(random, 220, 340), phase: between(random, 0, Math.PI * 2) },
    { amplitude: between(random, K("WY2", 0), K("WY2", 0) + 2), frequency: (Math.PI * 2) / between(random, 60, 90), phase: between(random, 0, Math.PI * 2) },
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
  const [inkR, inkG, inkB] = ink;
  const rowBytes = WIDTH * 3 + 1;
  for (let y = 0; y < HEIGHT; y++) {
    const rowStart = y * rowBytes;
    raw[rowStart] = 1;
    let prevR = 0;
    let prevG = 0;
    let prevB = 0;
    const sx0 = shiftX[y] as number;
    const backgroundRow = ((y / CAPTCHA_IMAGE_SCALE) | 0) * CAPTCHA_IMAGE_CSS_WIDTH;
    for (let x = 0; x < WIDTH; x++) {
      const bi = (backgroundRow + ((x / CAPTCHA_IMAGE_SCALE) | 0)) * 4;
      let r = background[bi] as number;
      let g = background[bi + 1] as number;
      let b = background[bi + 2] as number;
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
          const coverage = (top + (a01 + (a11 - a01) * fx - top) * (sy - iy)) / 255;
          r = (r + (inkR - r) * coverage + 0.5) | 0;
          g = (g + (inkG - g) * coverage + 0.5) | 0;
          b = (b + (inkB - b) * coverage + 0.5) | 0;
        }
      }
      const o = rowStart + 1 + x * 3;
      raw[o] = (r - prevR) & 0xff;
      raw[o + 1] = (g - prevG) & 0xff;
      raw[o + 2] = (b - prevB) & 0xff;
      prevR = r;
      prevG = g;
      prevB = b;
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

/** Wraps filtered RGB scanlines in a PNG file. */
function encodePNG(raw: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour RGB
  // Bytes 10-12: deflate compression, adaptive filtering, no interlace.
  const pixels = deflateSync(raw, { level: 3 });
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("pHYs", Buffer.from([0, 0, 0x17, 0x12, 0, 0, 0x17, 0x12, 1])), // 5906 px/m = 150 dpi: 2x a 72/75 dpi screen
    pngChunk("IDAT", pixels),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * Renders the picture of a CAPTCHA challenge.
 *
 * Each character gets its own font (from the bundled faces), size, rotation, horizontal squeeze and
 * vertical offset; neighbours overlap; two curves as thick as the letters and in the same colour cross the
 * text; a global wave bends everything. The background is light and only decorative, and the text is dark,
 * so the contrast stays high for people.
 *
 * @param text The answer to show: 1 to 8 characters from A-Z and 0-9 (the test mode shows `TESTME`).
 * @param random Source of randomness for the distortion; cryptographic in production.
 * @returns A PNG of `CAPTCHA_IMAGE_CSS_WIDTH` x `CAPTCHA_IMAGE_CSS_HEIGHT` CSS pixels at
 *   `CAPTCHA_IMAGE_SCALE` device pixels each (480 x 160).
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
  drawBackground(current.background, random, hue);
  drawTextMask(current.mask, random, text);
  const background = current.background.getImageData(0, 0, CAPTCHA_IMAGE_CSS_WIDTH, CAPTCHA_IMAGE_CSS_HEIGHT).data;
  const mask = current.mask.getImageData(0, 0, WIDTH, HEIGHT).data;
  composite(current, random, mask, background, ink);
  return encodePNG(current.raw);
}
