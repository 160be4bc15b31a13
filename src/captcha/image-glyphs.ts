// Places the characters of the CAPTCHA picture (font, size, rotation, position, colour, hatching, warps) and
// draws each one, rotated, warped and hatched, into the picture's coverage.
import { randomBetween as between, type Random } from "../lib/random.ts";
import { darkenTo, hslToRGB, type PictureBuffers, type RGB } from "./image-colour.ts";
import { CAPTCHA_FONTS, type CAPTCHAFont, GLYPH_CANVAS, type GlyphMask, getGlyphMask, MASK_SIZE, measureGlyphWidth } from "./image-fonts.ts";
import { CAPTCHA_IMAGE_CSS_HEIGHT, CAPTCHA_IMAGE_CSS_WIDTH, CAPTCHA_IMAGE_HEIGHT, CAPTCHA_IMAGE_SCALE, CAPTCHA_IMAGE_WIDTH } from "./image-size.ts";
import { type CAPTCHAImageStyle, createWarp, deploymentWarp, type GlyphWarp, warpRow } from "./image-style.ts";

/** The widest the text may be, in CSS pixels, from the first character's left edge to the last one's right. */
const MAX_TEXT_SPAN = 200;
/** Font size (CSS pixels) for five characters; longer texts (test mode) are shrunk to fit. */
const BASE_SIZE = 48;
/** Spacing (device pixels) of the grid on which the warps are computed. */
const WARP_GRID = 8;

/** One character of a picture, with every choice made for it. */
export interface PlacedGlyph {
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
export function placeGlyphs(random: Random, style: CAPTCHAImageStyle, text: string, hue: number): PlacedGlyph[] {
  const count = text.length;
  const drafts = [...text].map((char) => {
    const font = style.fonts[random.int(style.fonts.length)] as number;
    const size = BASE_SIZE * (CAPTCHA_FONTS[font] as CAPTCHAFont).sizeFactor * between(random, 0.85, 1.1);
    const width = measureGlyphWidth(font, char) * size * style.aspect;
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
 * Copies one glyph into the picture's coverage: its mask rotated and scaled, bent by its two warps, cut by
 * its hatching or set into its plate. Where glyphs meet, the one with more ink at a pixel owns it.
 * `wholeBox` visits every pixel of the glyph's box, as it did before the narrower bounds (what the mask can
 * reach, or the plate's ellipse): for the test that the bounds leave every pixel as it was.
 */
export function drawGlyph(buffers: PictureBuffers, style: CAPTCHAImageStyle, glyph: PlacedGlyph, index: number, wholeBox = false): void {
  const mask = getGlyphMask(style, glyph.font, glyph.char);
  const { alpha, width: maskWidth, height: maskHeight } = mask;
  const half = GLYPH_CANVAS / 2;
  const { coverage, owner } = buffers;
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
  const right = Math.min(CAPTCHA_IMAGE_WIDTH, Math.ceil(glyph.x + reach));
  const top = Math.max(0, Math.floor(glyph.y - reach));
  const bottom = Math.min(CAPTCHA_IMAGE_HEIGHT, Math.ceil(glyph.y + reach));
  // The warps are smooth, so they are computed on a coarse grid and interpolated in between.
  const columns = Math.ceil((right - left) / WARP_GRID) + 2;
  const rows = Math.ceil((bottom - top) / WARP_GRID) + 2;
  const gridX = new Float32Array(columns * rows);
  const gridY = new Float32Array(columns * rows);
  const warps = [glyph.fixedWarp, glyph.ownWarp];
  for (let gy = 0; gy < rows; gy++) {
    warpRow(warps, (left - glyph.x) / scale, WARP_GRID / scale, (top + gy * WARP_GRID - glyph.y) / scale, columns, scale, gridX, gridY, gy * columns);
  }
  const plateX = glyph.plate * glyph.plateWidth;
  // A plate fills the whole box; without one, only the pixels the mask can reach take ink.
  const box = { firstColumn: left, endColumn: right, firstRow: top, endRow: bottom };
  const { firstColumn, endColumn, firstRow, endRow } = glyph.plate === 0 && !wholeBox ? reachOfMask(mask, cos, sin, gridX, gridY, glyph, box) : box;
  const firstCell = Math.max(0, Math.floor((firstColumn - left) / WARP_GRID));
  for (let py = firstRow; py < endRow; py++) {
    const fy = (py - top) / WARP_GRID;
    const iy = fy | 0;
    const ty = fy - iy;
    const v = (py - glyph.y) / scale;
    let rowFirstColumn = firstColumn;
    let rowEndColumn = endColumn;
    let rowFirstCell = firstCell;
    if (glyph.plate > 0 && !wholeBox) {
      // Only pixels inside the plate's ellipse take ink (see below): the rows it spans, and in each row
      // its columns with a pixel to spare on either side.
      const ev = v / glyph.plate;
      if (ev * ev >= 1) continue;
      const halfWidth = scale * plateX * Math.sqrt(1 - ev * ev);
      rowFirstColumn = Math.max(firstColumn, Math.floor(glyph.x - halfWidth) - 1);
      rowEndColumn = Math.min(endColumn, Math.ceil(glyph.x + halfWidth) + 2);
      rowFirstCell = Math.max(0, Math.floor((rowFirstColumn - left) / WARP_GRID));
    }
    // One cell of the warp grid at a time: its four corners are read once for its WARP_GRID pixels.
    for (let ix = rowFirstCell, cellLeft = left + rowFirstCell * WARP_GRID; cellLeft < rowEndColumn; ix++, cellLeft += WARP_GRID) {
      const g = iy * columns + ix;
      const g00x = gridX[g] as number;
      const g10x = gridX[g + 1] as number;
      const g01x = gridX[g + columns] as number;
      const g11x = gridX[g + columns + 1] as number;
      const g00y = gridY[g] as number;
      const g10y = gridY[g + 1] as number;
      const g01y = gridY[g + columns] as number;
      const g11y = gridY[g + columns + 1] as number;
      const cellRight = Math.min(rowEndColumn, cellLeft + WARP_GRID);
      for (let px = Math.max(cellLeft, rowFirstColumn); px < cellRight; px++) {
        const tx = (px - left) / WARP_GRID - ix;
        const upperX = g00x + (g10x - g00x) * tx;
        const lowerX = g01x + (g11x - g01x) * tx;
        const upperY = g00y + (g10y - g00y) * tx;
        const lowerY = g01y + (g11y - g01y) * tx;
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
              // Where the pixel falls within its hatching period, from 0 up to `period`.
              const across = hatchX * qx + hatchY * qy + GLYPH_CANVAS;
              const phase = across - Math.floor(across / period) * period;
              const cut = halfGap - Math.min(phase, period - phase);
              if (cut > 0) value *= cut >= 1 ? 0 : 1 - cut;
            }
          }
        }
        if (glyph.plate > 0) {
          // A light character cut out of a dark plate (an ellipse with a soft edge).
          const u = (px - glyph.x) / scale;
          const eu = u / plateX;
          const ev = v / glyph.plate;
          const edge = Math.min(1, Math.max(0, (1 - Math.sqrt(eu * eu + ev * ev)) * scale * glyph.plate * 0.5));
          value = edge * (1 - value);
        }
        if (value === 0) continue;
        const at = py * CAPTCHA_IMAGE_WIDTH + px;
        if (value > (coverage[at] as number)) {
          coverage[at] = value;
          owner[at] = index;
        }
      }
    }
  }
}

/** Pixels of a picture, as half-open ranges of columns and rows. */
interface PixelRange {
  firstColumn: number;
  endColumn: number;
  firstRow: number;
  endRow: number;
}

/**
 * The part of `box` whose pixels, once warped, can land in the mask: the mask's corners turned back into
 * the picture (`cos` and `sin` turn and scale a picture offset into the mask), widened by the largest warp
 * on the grid (between grid points the interpolated warp stays within its corners), and a pixel to spare.
 */
function reachOfMask(mask: GlyphMask, cos: number, sin: number, gridX: Float32Array, gridY: Float32Array, glyph: PlacedGlyph, box: PixelRange): PixelRange {
  const det = cos * cos + sin * sin;
  let qMinX = Number.POSITIVE_INFINITY;
  let qMaxX = Number.NEGATIVE_INFINITY;
  let qMinY = Number.POSITIVE_INFINITY;
  let qMaxY = Number.NEGATIVE_INFINITY;
  for (const [cornerX, cornerY] of [
    [0, 0],
    [mask.width - 1, 0],
    [0, mask.height - 1],
    [mask.width - 1, mask.height - 1],
  ] as const) {
    const dx = cornerX - mask.centreX;
    const dy = cornerY - mask.centreY;
    const qx = (cos * dx - sin * dy) / det;
    const qy = (sin * dx + cos * dy) / det;
    qMinX = Math.min(qMinX, qx);
    qMaxX = Math.max(qMaxX, qx);
    qMinY = Math.min(qMinY, qy);
    qMaxY = Math.max(qMaxY, qy);
  }
  let warpMinX = Number.POSITIVE_INFINITY;
  let warpMaxX = Number.NEGATIVE_INFINITY;
  let warpMinY = Number.POSITIVE_INFINITY;
  let warpMaxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < gridX.length; i++) {
    const wx = gridX[i] as number;
    const wy = gridY[i] as number;
    if (wx < warpMinX) warpMinX = wx;
    if (wx > warpMaxX) warpMaxX = wx;
    if (wy < warpMinY) warpMinY = wy;
    if (wy > warpMaxY) warpMaxY = wy;
  }
  // A pixel's offset in the glyph is px - glyph.x + its warp, so an offset within [qMinX, qMaxX] needs px
  // within these (and likewise for y).
  return {
    firstColumn: Math.max(box.firstColumn, Math.floor(glyph.x + qMinX - warpMaxX) - 1),
    endColumn: Math.min(box.endColumn, Math.ceil(glyph.x + qMaxX - warpMinX) + 2),
    firstRow: Math.max(box.firstRow, Math.floor(glyph.y + qMinY - warpMaxY) - 1),
    endRow: Math.min(box.endRow, Math.ceil(glyph.y + qMaxY - warpMinY) + 2),
  };
}
