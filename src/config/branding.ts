// The branding section of the configuration: the site's name, colours, support contact and footer links
// (environment variables) and its logo, favicon, extra stylesheet and message templates (files in the
// branding folder). Read and checked once at start-up; every problem is reported, each naming its value.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { contrastRatio, formatHexColor, formatRatio, mixColors, parseHexColor, type RGB } from "../lib/contrast.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { loadMessageTemplates, type MessageTemplates } from "../messages/templates.ts";
import { envDefault } from "./schema.ts";

/** The schema's default site name, for a name that is only white space. */
export const DEFAULT_SITE_NAME = envDefault("LATCHKEY_SITE_NAME") as string;

/** A file of the branding folder, served under a URL that changes with its content. */
export interface BrandAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** /assets/brand/<content hash>/<name> */
  readonly url: string;
  readonly name: string;
}

export interface SupportContact {
  readonly href: string;
  /** What the link says: the address, or the URL without its scheme. */
  readonly label: string;
}

export interface Branding {
  readonly siteName: string;
  /** The folder the files came from, or undefined when there is none. */
  readonly dir: string | undefined;
  readonly logo: BrandAsset | undefined;
  readonly favicon: BrandAsset | undefined;
  readonly stylesheet: BrandAsset | undefined;
  /** The colours as CSS custom properties, or undefined when no colour is set. */
  readonly theme: BrandAsset | undefined;
  /** Links and buttons in e-mails (e-mail clients ignore the page's stylesheet). */
  readonly emailColor: string;
  readonly supportContact: SupportContact | undefined;
  readonly privacyUrl: string | undefined;
  readonly termsUrl: string | undefined;
  readonly templates: MessageTemplates;
}

/** The name people know the site by, for anything that shows it: pages, messages, an authenticator app's label. */
export function siteName(config: { readonly branding: Pick<Branding, "siteName"> }): string {
  return config.branding.siteName;
}

/** The files a branding folder may hold, their content types and size limits. */
const FILE_RULES: Record<string, { kind: "logo" | "favicon" | "stylesheet"; contentType: string; maxBytes: number }> = {
  "logo.svg": { kind: "logo", contentType: "image/svg+xml", maxBytes: 256 * 1024 },
  "logo.png": { kind: "logo", contentType: "image/png", maxBytes: 256 * 1024 },
  "favicon.svg": { kind: "favicon", contentType: "image/svg+xml", maxBytes: 64 * 1024 },
  "favicon.png": { kind: "favicon", contentType: "image/png", maxBytes: 64 * 1024 },
  "favicon.ico": { kind: "favicon", contentType: "image/x-icon", maxBytes: 64 * 1024 },
  "style.css": { kind: "stylesheet", contentType: "text/css; charset=utf-8", maxBytes: 256 * 1024 },
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ICO_SIGNATURE = Buffer.from([0x00, 0x00, 0x01, 0x00]);

function isUTF8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
}

/** Why the file's content does not match its name, or null when it does. */
function contentProblem(name: string, body: Buffer): string | null {
  if (name.endsWith(".png")) return body.subarray(0, 8).equals(PNG_SIGNATURE) ? null : "is not a PNG image";
  if (name.endsWith(".ico")) return body.subarray(0, 4).equals(ICO_SIGNATURE) ? null : "is not an ICO image";
  if (!isUTF8(body)) return "is not UTF-8 text";
  if (name.endsWith(".svg") && !/<svg[\s>]/.test(body.toString("utf8"))) return "is not an SVG image (no <svg> element)";
  return null;
}

function assetFrom(name: string, contentType: string, body: Buffer): BrandAsset {
  const version = sha256Hex(body).slice(0, 16);
  return { body, contentType, name, url: `/assets/brand/${version}/${name}` };
}

/** The backgrounds the colours are checked against: the page and the cards, in each colour scheme. */
const SCHEMES = {
  light: { page: "#f2f4f7", card: "#ffffff", lightText: "#ffffff", darkText: "#1b2430" },
  dark: { page: "#11161d", card: "#1a212b", lightText: "#ffffff", darkText: "#0b1d33" },
} as const;

/** WCAG 2.x level AA: 4.5:1 for text, 3:1 for the parts of controls that are not text (focus rings, borders). */
export const AA_TEXT = 4.5;
export const AA_NON_TEXT = 3;

interface ColourChecks {
  css: string[];
  problems: string[];
}

/**
 * Checks a primary colour (links, buttons, the text on buttons) and builds its custom properties. The text
 * on buttons is white or near-black, whichever contrasts more with it.
 */
function checkPrimary(variable: string, text: string, color: RGB, scheme: (typeof SCHEMES)["light" | "dark"]): ColourChecks {
  const problems: string[] = [];
  const shown = formatHexColor(color);
  for (const [where, background] of [
    ["links in this colour on the page background", scheme.page],
    ["links in this colour on cards", scheme.card],
  ] as const) {
    const ratio = contrastRatio(color, parseHexColor(background) as RGB);
    if (ratio < AA_TEXT)
      problems.push(`${variable}=${text}: ${where} (${background}) reach ${formatRatio(ratio)}; WCAG AA asks at least ${AA_TEXT}:1 for text`);
  }
  const light = parseHexColor(scheme.lightText) as RGB;
  const dark = parseHexColor(scheme.darkText) as RGB;
  const onLight = contrastRatio(color, light);
  const onDark = contrastRatio(color, dark);
  const buttonText = onLight >= onDark ? light : dark;
  const buttonRatio = Math.max(onLight, onDark);
  if (buttonRatio < AA_TEXT)
    problems.push(
      `${variable}=${text}: button labels on this colour reach at most ${formatRatio(buttonRatio)} (white or dark text); WCAG AA asks at least ${AA_TEXT}:1 for text`,
    );
  // Hover moves away from the button's text colour, so the label only gains contrast.
  const hover = mixColors(color, buttonText === light ? { r: 0, g: 0, b: 0 } : { r: 255, g: 255, b: 255 }, 0.2);
  const card = parseHexColor(scheme.card) as RGB;
  let tint = mixColors(card, color, 0.1);
  if (contrastRatio(color, tint) < AA_TEXT) tint = card;
  return {
    problems,
    // Focus rings follow the primary colour (which passed 4.5:1, more than their 3:1) until an accent is set.
    css: [
      `--accent: ${shown};`,
      `--accent-hover: ${formatHexColor(hover)};`,
      `--accent-contrast: ${formatHexColor(buttonText)};`,
      `--accent-tint: ${formatHexColor(tint)};`,
      `--focus: ${shown};`,
      `--brand-stripe: ${shown};`,
    ],
  };
}

/** Checks an accent colour (focus rings, the stripe above the header) as a control's non-text part. */
function checkAccent(variable: string, text: string, color: RGB, scheme: (typeof SCHEMES)["light" | "dark"]): ColourChecks {
  const problems: string[] = [];
  for (const [where, background] of [
    ["focus rings in this colour on the page background", scheme.page],
    ["focus rings in this colour on cards", scheme.card],
  ] as const) {
    const ratio = contrastRatio(color, parseHexColor(background) as RGB);
    if (ratio < AA_NON_TEXT)
      problems.push(`${variable}=${text}: ${where} (${background}) reach ${formatRatio(ratio)}; WCAG AA asks at least ${AA_NON_TEXT}:1 for controls`);
  }
  return { problems, css: [`--focus: ${formatHexColor(color)};`, `--brand-stripe: ${formatHexColor(color)};`] };
}

export interface BrandingEnv {
  LATCHKEY_SITE_NAME?: string | undefined;
  LATCHKEY_BRANDING_DIR?: string | undefined;
  LATCHKEY_PRIMARY_COLOR?: string | undefined;
  LATCHKEY_ACCENT_COLOR?: string | undefined;
  LATCHKEY_PRIMARY_COLOR_DARK?: string | undefined;
  LATCHKEY_ACCENT_COLOR_DARK?: string | undefined;
  LATCHKEY_SUPPORT_CONTACT?: string | undefined;
  LATCHKEY_PRIVACY_URL?: string | undefined;
  LATCHKEY_TERMS_URL?: string | undefined;
}

/** The colours' stylesheet and every colour that fails its contrast check. */
function buildTheme(env: BrandingEnv): { theme: BrandAsset | undefined; problems: string[] } {
  const problems: string[] = [];
  const light: string[] = [];
  const dark: string[] = [];
  const entries = [
    ["LATCHKEY_PRIMARY_COLOR", "light", checkPrimary],
    ["LATCHKEY_ACCENT_COLOR", "light", checkAccent],
    ["LATCHKEY_PRIMARY_COLOR_DARK", "dark", checkPrimary],
    ["LATCHKEY_ACCENT_COLOR_DARK", "dark", checkAccent],
  ] as const;
  for (const [variable, scheme, check] of entries) {
    const text = env[variable];
    if (text === undefined) continue;
    const color = parseHexColor(text);
    if (!color) {
      problems.push(`${variable}=${JSON.stringify(text)}: not a colour; write it as #rrggbb or #rgb`);
      continue;
    }
    const result = check(variable, text, color, SCHEMES[scheme]);
    problems.push(...result.problems);
    (scheme === "light" ? light : dark).push(...result.css);
  }
  if (light.length === 0 && dark.length === 0) return { theme: undefined, problems };
  // The light colours must not reach the dark scheme: they were checked against light backgrounds only.
  const css = [
    "/* The site's colours (generated from its configuration). */",
    light.length ? `@media not (prefers-color-scheme: dark) {\n  :root {\n    ${light.join("\n    ")}\n  }\n}` : "",
    dark.length ? `@media (prefers-color-scheme: dark) {\n  :root {\n    ${dark.join("\n    ")}\n  }\n}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  return { theme: assetFrom("theme.css", "text/css; charset=utf-8", Buffer.from(`${css}\n`)), problems };
}

// Characters that have no place in a name or address shown as one line of text: control characters (C0 and
// C1, NEL among them), the line and paragraph separators that phones and mail programs show as line breaks,
// and the direction overrides and isolates that make text read in another order than it is written.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const NOT_ONE_LINE_OF_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A refused value as the start-up message shows it: quoted, with each such character written as \uXXXX. */
function shownValue(text: string): string {
  return JSON.stringify(text).replace(new RegExp(NOT_ONE_LINE_OF_TEXT.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function parseSupportContact(text: string): SupportContact | null {
  if (NOT_ONE_LINE_OF_TEXT.test(text)) return null;
  if (/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(text)) return { href: `mailto:${text}`, label: text };
  if (/^https?:\/\/[^\s<>"]+$/.test(text)) {
    try {
      const url = new URL(text);
      return { href: url.href, label: `${url.host}${url.pathname === "/" ? "" : url.pathname}` };
    } catch {
      return null;
    }
  }
  return null;
}

function parseFooterUrl(text: string): string | null {
  // A path must stay on this site: browsers read a backslash as a slash, so "/\evil.example" (like
  // "//evil.example") would lead to another site; control characters have no place in a link either.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/^\/(?![/\\])[^\s<>"\\\u0000-\u001f\u007f]*$/.test(text)) return text;
  if (!/^https?:\/\/[^\s<>"]+$/.test(text)) return null;
  try {
    return new URL(text).href;
  } catch {
    return null;
  }
}

/**
 * Reads the branding section: `env` for the settings, and the folder LATCHKEY_BRANDING_DIR (or `branding/`
 * in the data directory, when it exists) for the files. Returns every problem found.
 */
export function loadBranding(env: BrandingEnv, dataDir: string, resolvePath: (path: string) => string): { branding: Branding; problems: string[] } {
  const problems: string[] = [];
  const siteName = env.LATCHKEY_SITE_NAME?.trim() || DEFAULT_SITE_NAME;
  // The name goes into page titles, e-mail From names and text messages: a line break or a direction
  // override there would split a text message or make the name read differently from what was configured.
  if (NOT_ONE_LINE_OF_TEXT.test(siteName)) {
    problems.push(
      `LATCHKEY_SITE_NAME=${shownValue(siteName)}: one line of text, without control characters, line or paragraph separators or direction overrides`,
    );
  }
  const { theme, problems: colourProblems } = buildTheme(env);
  problems.push(...colourProblems);

  let supportContact: SupportContact | undefined;
  if (env.LATCHKEY_SUPPORT_CONTACT !== undefined) {
    supportContact = parseSupportContact(env.LATCHKEY_SUPPORT_CONTACT) ?? undefined;
    if (!supportContact)
      problems.push(
        `LATCHKEY_SUPPORT_CONTACT=${shownValue(env.LATCHKEY_SUPPORT_CONTACT)}: an e-mail address or an http(s) URL, on one line without control characters`,
      );
  }
  const footer: Record<"LATCHKEY_PRIVACY_URL" | "LATCHKEY_TERMS_URL", string | undefined> = { LATCHKEY_PRIVACY_URL: undefined, LATCHKEY_TERMS_URL: undefined };
  for (const name of ["LATCHKEY_PRIVACY_URL", "LATCHKEY_TERMS_URL"] as const) {
    const text = env[name];
    if (text === undefined) continue;
    footer[name] = parseFooterUrl(text) ?? undefined;
    if (!footer[name]) problems.push(`${name}=${JSON.stringify(text)}: an http(s) URL or a path on this site starting with /`);
  }

  const explicitDir = env.LATCHKEY_BRANDING_DIR ? resolvePath(env.LATCHKEY_BRANDING_DIR) : undefined;
  const defaultDir = join(dataDir, "branding");
  const dir = explicitDir ?? (existsSync(defaultDir) ? defaultDir : undefined);
  const found: Partial<Record<"logo" | "favicon" | "stylesheet", BrandAsset>> = {};
  let templates: MessageTemplates = new Map();
  if (dir !== undefined) {
    let names: string[] = [];
    try {
      if (!statSync(dir).isDirectory()) throw new Error("not a folder");
      names = readdirSync(dir).sort();
    } catch {
      problems.push(`LATCHKEY_BRANDING_DIR=${JSON.stringify(env.LATCHKEY_BRANDING_DIR ?? dir)}: no such folder`);
    }
    for (const name of names) {
      const file = join(dir, name);
      if (name === "templates") {
        const loaded = loadMessageTemplates(file);
        templates = loaded.templates;
        problems.push(...loaded.problems);
        continue;
      }
      if (name.startsWith(".")) continue;
      const rule = FILE_RULES[name];
      if (!rule) {
        problems.push(`${file}: not a branding file (expected ${Object.keys(FILE_RULES).join(", ")} or a templates folder)`);
        continue;
      }
      const stats = statSync(file);
      if (!stats.isFile() || stats.size > rule.maxBytes) {
        problems.push(`${file}: must be a file of at most ${rule.maxBytes / 1024} KiB`);
        continue;
      }
      if (found[rule.kind]) {
        problems.push(`${file}: there is already ${found[rule.kind]?.name}; keep one ${rule.kind}`);
        continue;
      }
      const body = readFileSync(file);
      const problem = contentProblem(name, body);
      if (problem) {
        problems.push(`${file}: ${problem}`);
        continue;
      }
      found[rule.kind] = assetFrom(name, rule.contentType, body);
    }
  }
  return {
    problems,
    branding: {
      siteName,
      dir,
      logo: found.logo,
      favicon: found.favicon,
      stylesheet: found.stylesheet,
      theme,
      emailColor:
        env.LATCHKEY_PRIMARY_COLOR && parseHexColor(env.LATCHKEY_PRIMARY_COLOR) ? formatHexColor(parseHexColor(env.LATCHKEY_PRIMARY_COLOR) as RGB) : "#0b5cad",
      supportContact,
      privacyUrl: footer.LATCHKEY_PRIVACY_URL,
      termsUrl: footer.LATCHKEY_TERMS_URL,
      templates,
    },
  };
}
