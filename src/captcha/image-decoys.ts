// Decoys: filled shapes between the characters of the CAPTCHA picture that no person reads as a letter.
import { randomBetween as between, type Random } from "../lib/random.ts";
import { darkenTo, hslToRGB, type PictureBuffers, type RGB } from "./image-colour.ts";
import type { PlacedGlyph } from "./image-glyphs.ts";
import { CAPTCHA_IMAGE_HEIGHT, CAPTCHA_IMAGE_SCALE, CAPTCHA_IMAGE_WIDTH } from "./image-size.ts";

/** A filled shape that is no character: a disc, a diamond or a triangle. */
export interface Decoy {
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
export function placeDecoys(random: Random, coverage: Float32Array, glyphs: readonly PlacedGlyph[], hue: number): Decoy[] {
  const decoys: Decoy[] = [];
  const positions: number[] = [];
  for (let i = 1; i < glyphs.length; i++) positions.push(((glyphs[i - 1] as PlacedGlyph).x + (glyphs[i] as PlacedGlyph).x) / 2);
  for (const x of positions) {
    const decoy: Decoy = {
      kind: random.int(3) as 0 | 1 | 2,
      x: x + between(random, -4, 4),
      y: CAPTCHA_IMAGE_HEIGHT / 2 + between(random, -0.3, 0.3) * CAPTCHA_IMAGE_HEIGHT,
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
  for (let py = Math.max(0, Math.floor(y - radius)); py < Math.min(CAPTCHA_IMAGE_HEIGHT, y + radius); py++) {
    for (let px = Math.max(0, Math.floor(x - radius)); px < Math.min(CAPTCHA_IMAGE_WIDTH, x + radius); px++) {
      if ((coverage[py * CAPTCHA_IMAGE_WIDTH + px] as number) > 0 && Math.hypot(px - x, py - y) <= radius) return true;
    }
  }
  return false;
}

/** Adds the decoys' coverage, owned by index `first` onwards. */
export function drawDecoys(buffers: PictureBuffers, decoys: readonly Decoy[], first: number): void {
  const { coverage, owner } = buffers;
  for (const [i, decoy] of decoys.entries()) {
    const r = decoy.radius;
    const cos = Math.cos(decoy.angle);
    const sin = Math.sin(decoy.angle);
    for (let py = Math.max(0, Math.floor(decoy.y - r - 2)); py < Math.min(CAPTCHA_IMAGE_HEIGHT, decoy.y + r + 2); py++) {
      for (let px = Math.max(0, Math.floor(decoy.x - r - 2)); px < Math.min(CAPTCHA_IMAGE_WIDTH, decoy.x + r + 2); px++) {
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
        const at = py * CAPTCHA_IMAGE_WIDTH + px;
        // Behind the characters: a decoy never covers part of one.
        if (value > 0 && (coverage[at] as number) === 0) {
          coverage[at] = value;
          owner[at] = first + i;
        }
      }
    }
  }
}
