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

export function displace(warp: GlyphWarp, u: number, v: number, axis: "x" | "y"): number {
  let sum = 0;
  for (const term of warp[axis]) sum += term.amplitude * Math.sin(term.fu * u + term.fv * v + term.phase);
  return sum;
}
