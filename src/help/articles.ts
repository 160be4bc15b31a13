// The help center's article library: reads content/help/<locale>/*.md once per language, validates front
// matter and links, renders the Markdown to HTML that is safe to embed, and builds each language's search
// index. English (content/help/en/) is the full set; another language may translate any of its articles.
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type markdownit from "markdown-it";
import type { MarkdownIt, Token } from "markdown-it";
import type { parse as parseYAMLType } from "yaml";
import { isLocale, type Locale, SHIPPED_LOCALES } from "../i18n/locales.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { escapeHtml } from "../lib/html.ts";
import { lazyRequire } from "../lib/lazy-require.ts";
import type { HelpSearchResult } from "./search-index.ts";
import { buildHelpSearchIndex } from "./search-index.ts";

// The Markdown and YAML parsers load with the first help request (the library is read then), not at start-up.
const loadMarkdownIt = lazyRequire<typeof markdownit>("markdown-it");
const loadYAML = lazyRequire<{ parse: typeof parseYAMLType }>("yaml");

export type { HelpSearchResult } from "./search-index.ts";

/**
 * One rendered help article. `title` and `summary` are plain text (escape them when rendering); `html` is
 * the rendered body, safe to embed as is; `text` is the body as plain text, blocks separated by "\n".
 */
export type HelpArticle = {
  slug: string;
  /** The language it is written in: the one asked for, or English when that has no translation yet. */
  locale: Locale;
  title: string;
  summary: string;
  related: string[];
  /** ISO date (YYYY-MM-DD) of the last review. */
  reviewed: string;
  order: number;
  html: string;
  text: string;
  /** First 12 hex digits of the SHA-256 of the source file; changes whenever the file does. */
  version: string;
};

/**
 * The immutable set of help articles, in every language. Each method takes the reader's language
 * (default English) and answers with that language's article, or the English one where it has none.
 */
export type HelpLibrary = {
  /** Every article, sorted by `order` and then by title. Returns a new array on each call. */
  list(locale?: Locale): HelpArticle[];
  /** The article with this slug, or `null` when there is none (in English either). */
  get(slug: string, locale?: Locale): HelpArticle | null;
  /**
   * Full-text search read by the rules of `locale`, best first (default 10, at most 50 results), over the
   * articles `list(locale)` gives. Returns `[]` when nothing matches.
   */
  search(query: string, limit?: number, locale?: Locale): HelpSearchResult[];
};

/** One thing wrong with the help content: the file, the front-matter field (or "body") and what is wrong. */
export type HelpContentProblem = { file: string; field: string; message: string };

/** Thrown by {@link loadHelpLibrary} when any article is invalid; lists every problem found, not just the first. */
export class HelpContentError extends Error {
  readonly problems: readonly HelpContentProblem[];

  constructor(problems: readonly HelpContentProblem[]) {
    super(`Help content is invalid:\n${problems.map((p) => `  ${p.file}: ${p.field}: ${p.message}`).join("\n")}`);
    this.name = "HelpContentError";
    this.problems = problems;
  }
}

/** `order` of an article whose front matter sets none: after every article that does. */
export const DEFAULT_HELP_ARTICLE_ORDER = 1000;

const DEFAULT_HELP_DIR = fileURLToPath(new URL("../../content/help/", import.meta.url));

// The site's name is text, never Markdown or YAML: a name such as `"Bits" & *Bytes* [Shop](https://x.example)`
// must read as written, not turn into emphasis, a link, curly quotes or a broken front matter. So {siteName}
// stands in the file as a word that Markdown, its typographer and YAML leave alone, and the name goes in
// afterwards: as plain text in the title, summary, headings and search text, escaped in the HTML.
const SITE_NAME_STAND_IN = "LKSITENAMESTANDINQZX";

function fillSiteName(text: string, siteName: string): string {
  return text.replaceAll(SITE_NAME_STAND_IN, siteName);
}

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FRONT_MATTER_RE = /^\uFEFF?---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const KNOWN_FIELDS = new Set(["title", "summary", "related", "reviewed", "order"]);

// Only these schemes may appear in links and images. Everything else with a scheme (javascript:, data:,
// vbscript:, file:, blob: …) is refused, so content can never run script in the page even if an article
// were edited carelessly.
const SAFE_LINK_SCHEMES = new Set(["http", "https", "mailto", "tel"]);

/**
 * Whether markdown-it may turn `url` (already normalised by markdown-it) into a link or image. Relative
 * URLs are allowed; a URL with a scheme must use one on the allow-list.
 */
function isSafeHelpLink(url: string): boolean {
  // Browsers drop leading control characters and spaces and remove tabs and newlines anywhere before they
  // read the scheme ("java\tscript:" runs as javascript:), so look at the URL the way they will.
  const withoutBreaks = url.replace(/[\t\n\r]/g, "");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
  const cleaned = withoutBreaks.replace(/^[\u0000-\u0020]+/, "").toLowerCase();
  const scheme = /^([^/?#]*):/.exec(cleaned);
  if (!scheme) return true;
  return SAFE_LINK_SCHEMES.has(scheme[1] ?? "");
}

/** Whether a link leaves the site (absolute or protocol-relative). */
function isExternalHref(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(href) || /^[\\/]{2}/.test(href);
}

function createHelpMarkdown(): MarkdownIt {
  // Raw HTML off: an article can only produce the elements Markdown itself produces, all escaped.
  const md = loadMarkdownIt()({ html: false, linkify: false, typographer: true });
  md.validateLink = isSafeHelpLink;
  return md;
}

/** Plain text of an inline token's children (text, code, image descriptions; breaks become spaces). */
function inlineText(token: Token | undefined): string {
  if (!token?.children) return token?.content ?? "";
  let text = "";
  for (const child of token.children) {
    if (child.type === "text" || child.type === "code_inline") text += child.content;
    else if (child.type === "softbreak" || child.type === "hardbreak") text += " ";
    else if (child.type === "image") text += inlineText(child);
  }
  return text;
}

/** A heading's anchor: lower-case ASCII letters and digits joined by hyphens ("Doesn't arrive" → "doesnt-arrive"). */
function slugifyHeading(text: string): string {
  const slug = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug === "" ? "section" : slug;
}

type RenderedBody = { html: string; text: string; headings: string[]; anchors: Set<string>; links: string[] };

/**
 * Renders an article body: heading ids, `rel="noopener noreferrer"` on links that leave the site, and the
 * plain text for search. Unsafe link targets never become links (see isSafeHelpLink).
 */
function renderHelpBody(md: MarkdownIt, body: string, siteName: string): RenderedBody {
  const env = {};
  const tokens = md.parse(body, env);
  const anchors = new Set<string>();
  const links: string[] = [];
  const blocks: string[] = [];
  const headings: string[] = [];

  tokens.forEach((token, i) => {
    if (token.type === "heading_open") {
      const heading = fillSiteName(inlineText(tokens[i + 1]), siteName);
      headings.push(heading);
      const base = slugifyHeading(heading);
      let id = base;
      for (let n = 2; anchors.has(id); n++) id = `${base}-${n}`;
      anchors.add(id);
      token.attrSet("id", id);
    } else if (token.type === "inline") {
      for (const child of token.children ?? []) {
        if (child.type !== "link_open") continue;
        const href = String(child.attrGet("href") ?? "");
        links.push(fillSiteName(href, siteName));
        // Links that leave the site get neither our page as opener nor our URL as referrer.
        if (isExternalHref(href)) child.attrSet("rel", "noopener noreferrer");
      }
      const text = fillSiteName(inlineText(token), siteName).trim();
      if (text !== "") blocks.push(text);
    } else if (token.type === "fence" || token.type === "code_block") {
      const text = fillSiteName(token.content, siteName).trim();
      if (text !== "") blocks.push(text);
    }
  });

  const html = md.renderer.render(tokens, md.options, env).replaceAll(SITE_NAME_STAND_IN, escapeHtml(siteName));
  return { html, text: blocks.join("\n"), headings, anchors, links };
}

type ParsedArticle = {
  file: string;
  article: Omit<HelpArticle, "html" | "text">;
  rendered: RenderedBody;
};

/**
 * Parses and validates one file; reports problems through `report` and returns null when unusable. The
 * file's {siteName} placeholders become `siteName` as plain text (see SITE_NAME_STAND_IN).
 */
function parseHelpFile(
  md: MarkdownIt,
  file: string,
  locale: Locale,
  source: Buffer,
  siteName: string,
  report: (field: string, message: string) => void,
): ParsedArticle | null {
  const slug = file.slice(0, -".md".length);
  if (!SLUG_RE.test(slug)) {
    report("slug", `the file name must be lower-case letters, digits and single hyphens, like "reset-your-password.md"`);
  }
  const content = source.toString("utf8").replaceAll(SITE_NAME_PLACEHOLDER, SITE_NAME_STAND_IN);
  const frontMatter = FRONT_MATTER_RE.exec(content);
  if (!frontMatter) {
    report("front matter", `missing: the file must start with front matter between "---" lines`);
    return null;
  }

  let data: unknown;
  try {
    data = loadYAML().parse(frontMatter[1] ?? "", { schema: "core", prettyErrors: true });
  } catch (err) {
    report("front matter", `not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    return null;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    report("front matter", "must be a mapping of fields (title, summary, related, reviewed, order)");
    return null;
  }
  const fields = data as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) report(key, `unknown field; allowed: ${[...KNOWN_FIELDS].join(", ")}`);
  }

  const requireText = (field: "title" | "summary"): string => {
    const value = fields[field];
    if (typeof value !== "string" || value.trim() === "") {
      report(field, "required, a non-empty string");
      return "";
    }
    if (/[\r\n]/.test(value.trim())) report(field, "must be a single line");
    return fillSiteName(value.trim(), siteName);
  };
  const title = requireText("title");
  const summary = requireText("summary");

  let related: string[] = [];
  const relatedValue = fields.related;
  if (!Array.isArray(relatedValue) || relatedValue.some((s) => typeof s !== "string")) {
    report("related", "required, a list of article slugs (it may be empty: [])");
  } else {
    related = relatedValue as string[];
    if (new Set(related).size !== related.length) report("related", "lists the same slug more than once");
    if (related.includes(slug)) report("related", "must not list the article itself");
  }

  let reviewed = "";
  const reviewedValue = fields.reviewed;
  const dateMatch = typeof reviewedValue === "string" ? ISO_DATE_RE.exec(reviewedValue) : null;
  if (!dateMatch || typeof reviewedValue !== "string") {
    report("reviewed", "required, a date written YYYY-MM-DD");
  } else {
    const date = new Date(`${reviewedValue}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== reviewedValue) {
      report("reviewed", `"${reviewedValue}" is not a real calendar date`);
    } else {
      reviewed = reviewedValue;
    }
  }

  let order = DEFAULT_HELP_ARTICLE_ORDER;
  if (fields.order !== undefined) {
    if (typeof fields.order !== "number" || !Number.isFinite(fields.order)) report("order", "must be a number");
    else order = fields.order;
  }

  const body = content.slice(frontMatter[0].length);
  if (body.trim() === "") report("body", "the article has no text");
  const rendered = renderHelpBody(md, body, siteName);
  const version = sha256Hex(source).slice(0, 12);
  return { file, article: { slug, locale, title, summary, related, reviewed, order, version }, rendered };
}

/**
 * Every internal link must lead somewhere: `/help/<slug>` to an article, `#id` to a heading. `served` is
 * the set a reader of this language sees: its own articles and English ones where it has none, so a link
 * to a heading must name that heading as the target reads in the same language.
 */
function checkHelpLinks(
  parsed: readonly ParsedArticle[],
  served: ReadonlyMap<string, ParsedArticle>,
  report: (file: string, field: string, message: string) => void,
): void {
  for (const entry of parsed) {
    for (const slug of entry.article.related) {
      if (!served.has(slug)) report(entry.file, "related", `"${slug}" is not an existing article slug`);
    }
    for (const href of entry.rendered.links) {
      const help = /^\/help\/([^/?#]+)\/?(?:\?[^#]*)?(?:#(.*))?$/.exec(href);
      const local = /^#(.+)$/.exec(href);
      if (help) {
        const target = served.get(help[1] ?? "");
        if (!target) report(entry.file, "body", `link "${href}" points to an article that does not exist`);
        else if (help[2] && !target.rendered.anchors.has(help[2])) {
          report(entry.file, "body", `link "${href}" points to a heading that does not exist`);
        }
      } else if (local && !entry.rendered.anchors.has(local[1] ?? "")) {
        report(entry.file, "body", `link "${href}" points to a heading that does not exist`);
      }
    }
  }
}

/** Written in an article (title, summary or body), it is replaced by the site's name when articles load. */
export const SITE_NAME_PLACEHOLDER = "{siteName}";

export interface HelpLibraryOptions {
  /** The site's name, for {siteName} in articles (default Latchkey). */
  siteName?: string;
}

type Report = (file: string, field: string, message: string) => void;

/** The languages with a folder under `dir`; anything else there (a stray file, an unknown folder) is reported. */
function findHelpLocales(dir: string, report: Report): Set<Locale> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new HelpContentError([{ file: dir, field: "directory", message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  const found = new Set<Locale>();
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory() && isLocale(entry.name)) found.add(entry.name);
    else if (entry.isDirectory())
      report(entry.name, "directory", `not a shipped language; articles go in one of ${SHIPPED_LOCALES.map((l) => `${l}/`).join(", ")}`);
    else if (entry.name.endsWith(".md"))
      report(entry.name, "directory", `articles go in a folder per language: move it to en/${entry.name} (English) or to the folder of its language`);
  }
  if (!found.has("en")) report(dir, "directory", "no en/ folder: every article is written in English first, in en/<slug>.md");
  return found;
}

/** Reads and parses every `*.md` in one language's folder; problems are reported as "<locale>/<file>". */
function readHelpLocale(md: MarkdownIt, dir: string, locale: Locale, siteName: string, report: Report): ParsedArticle[] {
  const folder = join(dir, locale);
  const files = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => entry.name)
    .sort();
  if (locale === "en" && files.length === 0) report(folder, "directory", "no *.md articles found");
  const parsed: ParsedArticle[] = [];
  for (const file of files) {
    const name = `${locale}/${file}`;
    const original = readFileSync(join(folder, file));
    // Articles name the site as {siteName}, so they read right on every installation; the version stays
    // that of the file, so feedback keeps its article version when the site is renamed.
    const entry = parseHelpFile(md, file, locale, original, siteName, (field, message) => report(name, field, message));
    if (entry) {
      parsed.push({
        ...entry,
        file: name,
        article: { ...entry.article, version: sha256Hex(original).slice(0, 12) },
      });
    }
  }
  return parsed;
}

function toHelpArticle({ article, rendered }: ParsedArticle): HelpArticle {
  return Object.freeze({
    ...article,
    related: Object.freeze([...article.related]) as string[],
    html: rendered.html,
    text: rendered.text,
  });
}

/** What readers of one language see: their articles, English ones where a translation is missing, and the search index over both. */
type HelpLanguageSet = {
  articles: readonly HelpArticle[];
  bySlug: ReadonlyMap<string, HelpArticle>;
  search(query: string, limit?: number): HelpSearchResult[];
};

function buildLanguageSet(locale: Locale, served: ReadonlyMap<string, ParsedArticle>): HelpLanguageSet {
  const sorted = [...served.values()].sort(
    (a, b) => a.article.order - b.article.order || a.article.title.localeCompare(b.article.title, locale) || (a.article.slug < b.article.slug ? -1 : 1),
  );
  const articles = sorted.map(toHelpArticle);
  const index = buildHelpSearchIndex(
    sorted.map(({ article, rendered }) => ({ ...article, text: rendered.text, headings: rendered.headings })),
    locale,
  );
  return { articles, bySlug: new Map(articles.map((a) => [a.slug, a])), search: index.search };
}

/**
 * The help articles of `dir` (default: the project's `content/help/`), one folder per language
 * (`en/`, `de/`, …), each language read, checked and indexed the first time it is asked for. English is
 * read with the first language, as the others fall back to it per article. The library answers in the
 * language asked for (English when none is given); an article without a translation is served in
 * English (its `locale` says so).
 *
 * @throws HelpContentError (from the first call that reads a language) naming every file and field that is
 *   wrong in that language or in English.
 */
export function openHelpLibrary(dir: string = DEFAULT_HELP_DIR, options: HelpLibraryOptions = {}): HelpLibrary {
  const siteName = options.siteName ?? "Latchkey";
  // The Markdown parser is loaded with the first language read, not when the server starts.
  let markdown: MarkdownIt | undefined;
  const md = (): MarkdownIt => {
    markdown ??= createHelpMarkdown();
    return markdown;
  };
  type English = { locales: Set<Locale>; parsed: Map<string, ParsedArticle>; problems: HelpContentProblem[] };
  let english: English | undefined;
  const sets = new Map<Locale, HelpLanguageSet>();

  // English is read once, problems and all, so that each language reports them with its own.
  const readEnglish = (): English => {
    if (english) return english;
    const problems: HelpContentProblem[] = [];
    const report: Report = (file, field, message) => problems.push({ file, field, message });
    const locales = findHelpLocales(dir, report);
    const parsed = locales.has("en") ? readHelpLocale(md(), dir, "en", siteName, report) : [];
    const bySlug = new Map(parsed.map((p) => [p.article.slug, p]));
    checkHelpLinks(parsed, bySlug, report);
    english = { locales, parsed: bySlug, problems };
    return english;
  };

  const setFor = (locale: Locale): HelpLanguageSet => {
    const found = sets.get(locale);
    if (found) return found;
    const base = readEnglish();
    if (locale !== "en" && !base.locales.has(locale)) {
      const set = setFor("en");
      sets.set(locale, set);
      return set;
    }
    const problems = [...base.problems];
    const report: Report = (file, field, message) => problems.push({ file, field, message });
    const served = new Map(base.parsed);
    if (locale !== "en") {
      const translated = readHelpLocale(md(), dir, locale, siteName, report);
      for (const entry of translated) {
        if (!base.parsed.has(entry.article.slug)) {
          report(
            entry.file,
            "slug",
            `there is no en/${entry.article.slug}.md: every article is written in English first, and a translation keeps its file name`,
          );
        }
        served.set(entry.article.slug, entry);
      }
      checkHelpLinks(translated, served, report);
    }
    if (problems.length > 0) throw new HelpContentError(problems);
    const set = buildLanguageSet(locale, served);
    sets.set(locale, set);
    return set;
  };

  return Object.freeze({
    list: (locale: Locale = "en"): HelpArticle[] => [...setFor(locale).articles],
    get: (slug: string, locale: Locale = "en"): HelpArticle | null => setFor(locale).bySlug.get(slug) ?? null,
    search: (query: string, limit?: number, locale: Locale = "en"): HelpSearchResult[] => setFor(locale).search(query, limit),
  });
}

/**
 * Reads, checks and indexes every language of `dir` at once (see {@link openHelpLibrary}), for the
 * command line and tests: bad content anywhere fails here rather than on the first request in its language.
 *
 * @throws HelpContentError naming every file and field that is wrong (missing or invalid field, unknown
 *   related slug, broken `/help/…` link, a translation without an English article, no articles at all).
 */
export function loadHelpLibrary(dir: string = DEFAULT_HELP_DIR, options: HelpLibraryOptions = {}): HelpLibrary {
  const library = openHelpLibrary(dir, options);
  // Every language repeats the English problems; each is reported once.
  const problems = new Map<string, HelpContentProblem>();
  for (const locale of SHIPPED_LOCALES) {
    try {
      library.list(locale);
    } catch (err) {
      if (!(err instanceof HelpContentError)) throw err;
      for (const p of err.problems) problems.set(`${p.file}\u0000${p.field}\u0000${p.message}`, p);
    }
  }
  if (problems.size > 0) throw new HelpContentError([...problems.values()]);
  return library;
}
