// Colours of the CAPTCHA picture: dark, varied ink, a light decorated background, and the blend of the two
// with noise on every channel of every pixel.
import { randomBetween as between, type Random } from "../lib/random.ts";
import { CAPTCHA_IMAGE_HEIGHT, CAPTCHA_IMAGE_WIDTH } from "./image-size.ts";

/** Per-pixel noise added to each colour channel of the whole picture, ink and background alike: ±this. */
const PIXEL_NOISE = 7;

/** What a picture is drawn into, reused from one picture to the next. */
export interface PictureBuffers {
  /** Ink coverage (0-1) of each device pixel and the glyph or decoy that put it there. */
  coverage: Float32Array;
  owner: Uint8Array;
  /** Background colour of each device pixel, RGB. */
  ground: Float32Array;
  /** PNG scanlines (filter byte + RGB). */
  raw: Buffer;
}

export type RGB = [number, number, number];

/** HSL (hue in degrees, saturation and lightness in [0, 1]) to 8-bit RGB. */
export function hslToRGB(hue: number, saturation: number, lightness: number): RGB {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = (((hue % 360) + 360) % 360) / 60;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [chroma, x, 0] : h < 2 ? [x, chroma, 0] : h < 3 ? [0, chroma, x] : h < 4 ? [0, x, chroma] : h < 5 ? [x, 0, chroma] : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** WCAG relative luminance of an 8-bit sRGB colour. */
export function relativeLuminance(rgb: RGB): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as RGB;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Scales a colour towards black until its relative luminance is at most `limit`. */
export function darkenTo(rgb: RGB, limit: number): RGB {
  let colour = rgb;
  while (relativeLuminance(colour) > limit) {
    colour = colour.map((v) => Math.floor(v * 0.9)) as RGB;
  }
  return colour;
}

/** A picture's background, planned before it is painted. */
export interface Background {
  start: RGB;
  end: RGB;
  dx: number;
  dy: number;
  discs: { cx: number; cy: number; radius: number; colour: RGB }[];
}

/** A light, decorative background: a gradient between two pale tints and a few soft discs. */
export function planBackground(random: Random, hue: number): Background {
  const angle = between(random, 0, Math.PI * 2);
  const discs = [];
  const count = 5 + random.int(4);
  for (let i = 0; i < count; i++) {
    discs.push({
      cx: between(random, 0, CAPTCHA_IMAGE_WIDTH),
      cy: between(random, 0, CAPTCHA_IMAGE_HEIGHT),
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
export function composite(buffers: PictureBuffers, random: Random, background: Background, inks: readonly RGB[]): void {
  const { raw, coverage, owner, ground } = buffers;
  // The background first: the gradient everywhere, then each disc over its own box.
  const reach = Math.abs(background.dx) * CAPTCHA_IMAGE_WIDTH + Math.abs(background.dy) * CAPTCHA_IMAGE_HEIGHT;
  const origin = (background.dx < 0 ? -background.dx * CAPTCHA_IMAGE_WIDTH : 0) + (background.dy < 0 ? -background.dy * CAPTCHA_IMAGE_HEIGHT : 0);
  const [r0, g0, b0] = background.start;
  const dr = background.end[0] - r0;
  const dg = background.end[1] - g0;
  const db = background.end[2] - b0;
  const step = background.dx / reach;
  for (let y = 0; y < CAPTCHA_IMAGE_HEIGHT; y++) {
    let t = (y * background.dy + origin) / reach;
    for (let o = y * CAPTCHA_IMAGE_WIDTH * 3, end = o + CAPTCHA_IMAGE_WIDTH * 3; o < end; o += 3) {
      ground[o] = r0 + dr * t;
      ground[o + 1] = g0 + dg * t;
      ground[o + 2] = b0 + db * t;
      t += step;
    }
  }
  for (const disc of background.discs) {
    const [cr, cg, cb] = disc.colour;
    const radiusSquared = disc.radius * disc.radius;
    for (let y = Math.max(0, Math.floor(disc.cy - disc.radius)); y < Math.min(CAPTCHA_IMAGE_HEIGHT, disc.cy + disc.radius); y++) {
      const dy = y - disc.cy;
      for (let x = Math.max(0, Math.floor(disc.cx - disc.radius)); x < Math.min(CAPTCHA_IMAGE_WIDTH, disc.cx + disc.radius); x++) {
        const dx = x - disc.cx;
        // Squares first: the box's corners, outside the disc, cost no square root (and Math.hypot, which
        // guards against overflow these distances never reach, costs several times Math.sqrt).
        const squared = dx * dx + dy * dy;
        if (squared >= radiusSquared) continue;
        const d = Math.sqrt(squared);
        // Soft edges, so the discs never form lines that could be read as strokes.
        const weight = Math.min(1, (disc.radius - d) / 8) * 0.8;
        const o = (y * CAPTCHA_IMAGE_WIDTH + x) * 3;
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
  for (let y = 0; y < CAPTCHA_IMAGE_HEIGHT; y++) {
    let out = y * (CAPTCHA_IMAGE_WIDTH * 3 + 1);
    raw[out++] = 0;
    for (let at = y * CAPTCHA_IMAGE_WIDTH, end = at + CAPTCHA_IMAGE_WIDTH; at < end; at++) {
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
