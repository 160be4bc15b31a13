// A deployment's picture style, derived from its secret, and the elastic warps that bend the characters.
//
// The style fixes which fonts are used, how heavy the strokes are and a warp for every character, so a
// recognizer trained on pictures from the public code or from another server meets shapes it has not seen.
import { hmacHex } from "../lib/crypto.ts";
import { randomBetween as between, createSeededRandom, type Random } from "../lib/random.ts";
import { CAPTCHA_FONTS } from "./image-fonts.ts";

/** How many of the bundled fonts one deployment uses. */
const FONTS_PER_DEPLOYMENT = 3;

/** One term of a smooth displacement field: amplitude × sin(fu·u + fv·v + phase), u and v in [-1, 1]. */
export interface WarpTerm {
  amplitude: number;
  fu: number;
  fv: number;
  phase: number;
}

/** A smooth displacement of a glyph: horizontal and vertical terms, amplitudes as fractions of the font size. */
export interface GlyphWarp {
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
  const order = CAPTCHA_FONTS.map((_, i) => i);
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

/** The secret behind the style of pictures drawn without a deployment secret (the public defaults). */
export const DEFAULT_STYLE_SECRET = "latchkey-public-default-style";

export function createWarp(random: Random, strength: number): GlyphWarp {
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
export function deploymentWarp(style: CAPTCHAImageStyle, font: number, char: string): GlyphWarp {
  const id = `${font}:${char}`;
  let warp = style.warps.get(id);
  if (warp === undefined) {
    warp = createWarp(createSeededRandom(`warp:${style.warpSeed}:${id}`), 0.07);
    style.warps.set(id, warp);
  }
  return warp;
}

/** Adds the terms' amplitude * sin(fu * u + fv * v + phase) at the row's points to `sums`, each by rotation. */
function addTermsAlongRow(terms: readonly WarpTerm[], u0: number, du: number, v: number, sums: Float64Array): void {
  for (const { amplitude, fu, fv, phase } of terms) {
    const start = fu * u0 + fv * v + phase;
    let sin = Math.sin(start);
    let cos = Math.cos(start);
    const stepSin = Math.sin(fu * du);
    const stepCos = Math.cos(fu * du);
    for (let k = 0; k < sums.length; k++) {
      sums[k] = (sums[k] as number) + amplitude * sin;
      const next = sin * stepCos + cos * stepSin;
      cos = cos * stepCos - sin * stepSin;
      sin = next;
    }
  }
}

/**
 * The displacement by all of `warps` together, times `scale`, at `count` points along a row: (u0 + k * du,
 * v) for k from 0, written to `outX` and `outY` from index `at`. A warp moves (u, v) along each axis by
 * the sum of its terms there, amplitude * sin(fu * u + fv * v + phase). Along a row every sine's argument
 * grows by the same step, so each term is carried from one point to the next by a rotation (sin(a + d) =
 * sin a cos d + cos a sin d, and likewise the cosine): a tenth of the calls to Math.sin and Math.cos, with
 * values that differ from direct ones only in their last bits.
 */
export function warpRow(
  warps: readonly GlyphWarp[],
  u0: number,
  du: number,
  v: number,
  count: number,
  scale: number,
  outX: Float32Array,
  outY: Float32Array,
  at: number,
): void {
  const rowX = new Float64Array(count);
  const rowY = new Float64Array(count);
  for (const warp of warps) {
    addTermsAlongRow(warp.x, u0, du, v, rowX);
    addTermsAlongRow(warp.y, u0, du, v, rowY);
  }
  for (let k = 0; k < count; k++) {
    outX[at + k] = scale * (rowX[k] as number);
    outY[at + k] = scale * (rowY[k] as number);
  }
}
