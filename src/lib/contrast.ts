// Colour arithmetic for branding: parsing #rgb / #rrggbb, mixing, and the WCAG 2.x contrast ratio.

export interface RGB {
  r: number;
  g: number;
  b: number;
}

/** "#0b4f8a" or "#08f" → its channels (0–255), or null when it is not a hex colour. */
export function parseHexColor(text: string): RGB | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!match) return null;
  const hex = (match[1] as string).length === 3 ? [...(match[1] as string)].map((c) => c + c).join("") : (match[1] as string);
  return { r: Number.parseInt(hex.slice(0, 2), 16), g: Number.parseInt(hex.slice(2, 4), 16), b: Number.parseInt(hex.slice(4, 6), 16) };
}

/** The colour as lower-case #rrggbb. */
export function formatHexColor(color: RGB): string {
  return `#${[color.r, color.g, color.b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

/** `amount` (0–1) of `other` mixed into `color`, channel by channel. */
export function mixColors(color: RGB, other: RGB, amount: number): RGB {
  return { r: color.r + (other.r - color.r) * amount, g: color.g + (other.g - color.g) * amount, b: color.b + (other.b - color.b) * amount };
}

function linearChannel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance as WCAG 2.x defines it. */
export function relativeLuminance(color: RGB): number {
  return 0.2126 * linearChannel(color.r) + 0.7152 * linearChannel(color.g) + 0.0722 * linearChannel(color.b);
}

/** The WCAG 2.x contrast ratio of two colours, from 1 (none) to 21 (black on white). */
export function contrastRatio(a: RGB, b: RGB): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** The ratio as people read it in a message: rounded down to one decimal, so 4.49 never shows as 4.5. */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 10) / 10).toFixed(1)}:1`;
}
