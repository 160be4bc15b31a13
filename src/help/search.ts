// Full-text search over the help articles: a small in-memory index built once from static content, so every
// instance of the service holds the same index and answers the same way. Scoring is BM25F (BM25 over
// weighted fields, the title counting most); the last query word also matches as a prefix, for search as
// you type.

/**
 * One article as the index sees it. `text` is the article body as plain text, blocks separated by "\n";
 * `headings` are the body's headings (also part of `text`), which weigh more than the rest of the body.
 */
export type HelpSearchDocument = {
  slug: string;
  title: string;
  summary: string;
  text: string;
  headings?: readonly string[];
};

/** One search hit. `snippetHtml` is HTML-escaped except for the `<mark>` elements around matched words. */
export type HelpSearchResult = {
  slug: string;
  title: string;
  summary: string;
  snippetHtml: string;
  score: number;
};

/** A search index over a fixed set of documents. */
export interface HelpSearchIndex {
  /**
   * The best matches for `query`, best first, at most `limit` (default 10, at most 50). Returns an empty
   * array for an empty query, a query of stop words only, or one that matches nothing.
   */
  search(query: string, limit?: number): HelpSearchResult[];
}

/** A word found in a text: its index term, where it is (UTF-16 offsets) and its word position. */
export type HelpTextToken = {
  term: string;
  start: number;
  end: number;
  position: number;
};

/** Characters of a query that are read; the rest is ignored. */
export const MAX_QUERY_LENGTH = 200;
/** Words of a query that are read; the rest are ignored. */
export const MAX_QUERY_WORDS = 10;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;
/** Index terms one prefix may expand to, so a short prefix cannot make a query expensive. */
const MAX_PREFIX_EXPANSIONS = 40;
const MIN_PREFIX_LENGTH = 3;
/** A prefix match counts a little less than the whole word, and less still when the word is itself a term. */
const PREFIX_FACTOR = 0.8;
const PREFIX_FACTOR_AFTER_WHOLE_WORD = 0.5;
/**
 * Extra weight, on top of BM25F, for a query word found in the title. BM25F saturates quickly, so a word
 * that fills an article's body would otherwise rank it level with the article that is about that word.
 */
const TITLE_BOOST = 1;
/** Multiplier for an article whose title or one of whose headings holds every word of the query. */
const SECTION_MATCH_BOOST = 2;
const SNIPPET_MAX_CHARS = 200;
const SNIPPET_CONTEXT_BEFORE = 40;
const SNIPPET_SENTENCE_REACH = 100;

// BM25 constants: k1 limits how much repeating a word helps; b how much a long field is discounted.
const K1 = 1.2;
const FIELDS = [
  { name: "title", weight: 4, b: 0.5 },
  { name: "summary", weight: 2, b: 0.5 },
  { name: "headings", weight: 1.5, b: 0.5 },
  { name: "body", weight: 1, b: 0.75 },
] as const;
type FieldName = (typeof FIELDS)[number]["name"];

const STOP_WORDS = new Set([
  "a", "about", "an", "and", "are", "as", "at", "be", "but", "by", "do", "does", "for", "from", "has", "have",
  "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "than", "that",
  "the", "their", "them", "then", "there", "these", "they", "this", "to", "us", "was", "we", "were", "what",
  "when", "where", "which", "who", "why", "will", "with", "you", "your",
]);

// A run of letters, digits and marks, possibly joined by apostrophes or hyphens ("doesn't", "e-mail").
const COMPOUND_RE = /[\p{L}\p{N}\p{M}]+(?:['’\-‐][\p{L}\p{N}\p{M}]+)*/gu;
const PART_RE = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu;

/** Lower-cases, folds accents and removes apostrophes: "Doesn’t" → "doesnt", "Café" → "cafe". */
function normalizeWord(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['’]/g, "");
}

const VOWEL_RE = /[aeiouy]/;

/**
 * A light English stemmer: folds plurals, "-ing", "-ed", a final "e" and a final consonant + "y" so that
 * "cookie"/"cookies", "sign"/"signing"/"signed", "type"/"typing" and "retry"/"retries" meet. Words with
 * digits and short words are left alone. It only has to be consistent, not linguistically right.
 */
export function stemHelpTerm(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);

  if (w.endsWith("ied") && w.length > 4) {
    w = `${w.slice(0, -3)}i`;
  } else {
    for (const suffix of ["ing", "ed"]) {
      const stem = w.slice(0, -suffix.length);
      if (w.endsWith(suffix) && stem.length >= 3 && VOWEL_RE.test(stem)) {
        w = /([b-df-hj-np-rtv-xz])\1$/.test(stem) && !/(?:ll|ss|zz)$/.test(stem) ? stem.slice(0, -1) : stem;
        break;
      }
    }
  }
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  if (w.length > 3 && /[^aeiou]y$/.test(w)) w = `${w.slice(0, -1)}i`;
  return w;
}

/** Whether a normalized word is worth indexing: not a stop word, and not a lone letter. */
function isIndexable(word: string): boolean {
  if (word.length === 0 || STOP_WORDS.has(word)) return false;
  return word.length > 1 || /\d/.test(word);
}

/**
 * Splits `text` into index terms with their offsets. A hyphenated word yields its parts and also the
 * joined word, so "e-mail" is found by "e-mail", "mail" and "email". Stop words are skipped but still take
 * a position, so word distances stay true.
 */
export function tokenizeHelpText(text: string): HelpTextToken[] {
  const tokens: HelpTextToken[] = [];
  let position = 0;
  for (const compound of text.matchAll(COMPOUND_RE)) {
    const base = compound.index;
    const parts: string[] = [];
    for (const part of compound[0].matchAll(PART_RE)) {
      const word = normalizeWord(part[0]);
      parts.push(word);
      if (isIndexable(word)) {
        const start = base + part.index;
        tokens.push({ term: stemHelpTerm(word), start, end: start + part[0].length, position });
      }
      position += 1;
    }
    if (parts.length > 1) {
      const joined = parts.join("");
      if (isIndexable(joined)) {
        tokens.push({
          term: stemHelpTerm(joined),
          start: base,
          end: base + compound[0].length,
          position: position - 1,
        });
      }
    }
  }
  return tokens;
}

/** Escapes text for use in HTML element content and attribute values. */
function escapeHTML(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

type Posting = { tf: number; positions: number[] };
type IndexedField = { length: number; postings: Map<string, Posting> };
type IndexedDocument = {
  doc: HelpSearchDocument;
  fields: Record<FieldName, IndexedField>;
  summaryTokens: HelpTextToken[];
  blocks: TextBlock[];
  /** The terms of the title and of each heading, one set per line. */
  sectionTerms: Set<string>[];
};
type TextBlock = { text: string; tokens: HelpTextToken[] };

/** One query word and the index terms that satisfy it, each with a factor (1 for the whole word). */
type QueryGroup = { candidates: Map<string, number> };

function indexField(tokens: readonly HelpTextToken[]): IndexedField {
  const postings = new Map<string, Posting>();
  for (const token of tokens) {
    const posting = postings.get(token.term);
    if (posting) {
      posting.tf += 1;
      posting.positions.push(token.position);
    } else {
      postings.set(token.term, { tf: 1, positions: [token.position] });
    }
  }
  return { length: tokens.length, postings };
}

/** Positions skipped between blocks, so words at the end of one block and the start of the next are not "close". */
const BLOCK_POSITION_GAP = 10;

/** Lines (body blocks or headings), each tokenised with offsets into its own text and positions that never overlap. */
function splitBlocks(lines: readonly string[]): TextBlock[] {
  const blocks: TextBlock[] = [];
  let offset = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const tokens = tokenizeHelpText(line).map((t) => ({ ...t, position: t.position + offset }));
    blocks.push({ text: line, tokens });
    offset = (tokens[tokens.length - 1]?.position ?? offset) + BLOCK_POSITION_GAP;
  }
  return blocks;
}

/**
 * Builds the search index for `documents` (done once at load; the content is static). The returned index
 * is immutable and safe to share.
 */
export function buildHelpSearchIndex(documents: readonly HelpSearchDocument[]): HelpSearchIndex {
  const indexed: IndexedDocument[] = documents.map((doc) => {
    const summaryTokens = tokenizeHelpText(doc.summary);
    const blocks = splitBlocks(doc.text.split("\n"));
    return {
      doc,
      fields: {
        title: indexField(tokenizeHelpText(doc.title)),
        summary: indexField(summaryTokens),
        headings: indexField(splitBlocks(doc.headings ?? []).flatMap((block) => block.tokens)),
        body: indexField(blocks.flatMap((block) => block.tokens)),
      },
      summaryTokens,
      blocks,
      sectionTerms: [doc.title, ...(doc.headings ?? [])].map((line) => new Set(tokenizeHelpText(line).map((t) => t.term))),
    };
  });

  const documentFrequency = new Map<string, number>();
  for (const entry of indexed) {
    const terms = new Set<string>();
    for (const field of FIELDS) for (const term of entry.fields[field.name].postings.keys()) terms.add(term);
    for (const term of terms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const vocabulary = [...documentFrequency.keys()].sort();
  const averageLength = {} as Record<FieldName, number>;
  for (const field of FIELDS) {
    const total = indexed.reduce((sum, entry) => sum + entry.fields[field.name].length, 0);
    averageLength[field.name] = indexed.length === 0 ? 1 : Math.max(1, total / indexed.length);
  }
  const documentCount = indexed.length;

  function inverseDocumentFrequency(term: string): number {
    const df = documentFrequency.get(term) ?? 0;
    return Math.log(1 + (documentCount - df + 0.5) / (df + 0.5));
  }

  /** BM25F: field frequencies are length-normalised and weighted first, then saturated once. */
  function scoreTerm(entry: IndexedDocument, term: string): number {
    let weighted = 0;
    for (const field of FIELDS) {
      const indexedField = entry.fields[field.name];
      const posting = indexedField.postings.get(term);
      if (!posting) continue;
      const norm = 1 - field.b + (field.b * indexedField.length) / averageLength[field.name];
      weighted += (field.weight * posting.tf) / norm;
    }
    if (weighted === 0) return 0;
    const inTitle = entry.fields.title.postings.has(term) ? 1 + TITLE_BOOST : 1;
    return (inTitle * inverseDocumentFrequency(term) * (weighted * (K1 + 1))) / (weighted + K1);
  }

  function parseQuery(query: string): QueryGroup[] {
    const capped = query.slice(0, MAX_QUERY_LENGTH);
    const words = [...capped.matchAll(COMPOUND_RE)].slice(0, MAX_QUERY_WORDS);
    const groups: QueryGroup[] = [];
    const seen = new Set<string>();
    words.forEach((match, i) => {
      const isLast = i === words.length - 1;
      // A hyphenated query word is looked up as the joined word: "e-mail" → "email", which the index
      // holds for both "e-mail" and "email".
      const raw = normalizeWord(match[0].replace(/[-‐]/g, ""));
      if (!isIndexable(raw)) return;
      const stem = stemHelpTerm(raw);
      const candidates = new Map<string, number>();
      if (documentFrequency.has(stem)) candidates.set(stem, 1);
      if (isLast && raw.length >= MIN_PREFIX_LENGTH) {
        for (const term of vocabulary) {
          if (candidates.size >= MAX_PREFIX_EXPANSIONS) break;
          if (!candidates.has(term) && (term.startsWith(stem) || term.startsWith(raw))) {
            candidates.set(term, candidates.has(stem) ? PREFIX_FACTOR_AFTER_WHOLE_WORD : PREFIX_FACTOR);
          }
        }
      }
      const key = [...candidates.keys()].sort().join(" ");
      if (candidates.size > 0 && !seen.has(key)) {
        seen.add(key);
        groups.push({ candidates });
      }
    });
    return groups;
  }

  /** How many neighbouring query groups appear close together (at most 2 words apart, in order). */
  function countClosePairs(entry: IndexedDocument, groups: readonly QueryGroup[]): number {
    let close = 0;
    for (let i = 0; i + 1 < groups.length; i++) {
      const first = groups[i];
      const second = groups[i + 1];
      if (!first || !second) continue;
      let found = false;
      for (const field of FIELDS) {
        const postings = entry.fields[field.name].postings;
        for (const a of first.candidates.keys()) {
          const followers = new Set<number>();
          for (const b of second.candidates.keys()) for (const p of postings.get(b)?.positions ?? []) followers.add(p);
          if (followers.size === 0) continue;
          for (const p of postings.get(a)?.positions ?? []) {
            if (followers.has(p + 1) || followers.has(p + 2)) {
              found = true;
              break;
            }
          }
          if (found) break;
        }
        if (found) break;
      }
      if (found) close += 1;
    }
    return close;
  }

  function search(query: string, limit: number = DEFAULT_LIMIT): HelpSearchResult[] {
    const max = Number.isFinite(limit) ? Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit))) : DEFAULT_LIMIT;
    const groups = parseQuery(typeof query === "string" ? query : "");
    if (groups.length === 0) return [];

    const scored: { entry: IndexedDocument; score: number; matched: Map<string, number> }[] = [];
    for (const entry of indexed) {
      let score = 0;
      let matchedGroups = 0;
      const matched = new Map<string, number>();
      for (const group of groups) {
        // A group scores as its best candidate, so a short prefix that expands to many words in one
        // article does not outweigh a whole-word match in another.
        let best = 0;
        for (const [term, factor] of group.candidates) {
          const termScore = scoreTerm(entry, term) * factor;
          if (termScore > 0) matched.set(term, inverseDocumentFrequency(term) * factor);
          if (termScore > best) best = termScore;
        }
        if (best > 0) matchedGroups += 1;
        score += best;
      }
      if (score <= 0) continue;
      score *= matchedGroups / groups.length;
      if (groups.length > 1) score *= 1 + (0.5 * countClosePairs(entry, groups)) / (groups.length - 1);
      // A heading that holds the whole query is the best sign that a section is about it.
      const sectionMatch = entry.sectionTerms.some((terms) =>
        groups.every((group) => [...group.candidates.keys()].some((term) => terms.has(term))),
      );
      if (sectionMatch) score *= SECTION_MATCH_BOOST;
      scored.push({ entry, score, matched });
    }

    scored.sort((a, b) => b.score - a.score || (a.entry.doc.slug < b.entry.doc.slug ? -1 : 1));
    return scored.slice(0, max).map(({ entry, score, matched }) => ({
      slug: entry.doc.slug,
      title: entry.doc.title,
      summary: entry.doc.summary,
      snippetHtml: buildSnippet(entry, matched),
      score: Math.round(score * 10_000) / 10_000,
    }));
  }

  return Object.freeze({ search });
}

/**
 * Weight of the distinct matched terms among `tokens`, plus some for different matched words standing
 * next to each other (a phrase, such as "locked out") and a little for each repeat.
 */
function weighMatches(tokens: readonly HelpTextToken[], matched: ReadonlyMap<string, number>): number {
  const distinct = new Set<string>();
  let count = 0;
  let phrase = 0;
  let previous: HelpTextToken | null = null;
  for (const token of tokens) {
    const weight = matched.get(token.term);
    if (weight === undefined) continue;
    distinct.add(token.term);
    count += 1;
    if (previous && previous.term !== token.term && token.position - previous.position <= 2) {
      phrase += 0.5 * Math.min(weight, matched.get(previous.term) ?? 0);
    }
    previous = token;
  }
  let weight = phrase + 0.01 * count;
  for (const term of distinct) weight += matched.get(term) ?? 0;
  return weight;
}

/**
 * An excerpt of the best-matching block of the body (or of the summary when only the title matched), cut
 * to about SNIPPET_MAX_CHARS around the densest matches, with matched words in `<mark>`. Every character
 * taken from the article is escaped; only the `<mark>` tags are added as markup.
 */
function buildSnippet(entry: IndexedDocument, matched: ReadonlyMap<string, number>): string {
  let best: { text: string; tokens: HelpTextToken[] } | null = null;
  let bestWeight = 0;
  for (const block of entry.blocks) {
    const weight = weighMatches(block.tokens, matched);
    if (weight > bestWeight || (weight === bestWeight && weight > 0 && best && block.text.length > best.text.length)) {
      best = block;
      bestWeight = weight;
    }
  }
  if (!best) best = { text: entry.doc.summary, tokens: entry.summaryTokens };
  return renderExcerpt(best.text, best.tokens, matched);
}

/**
 * Where an excerpt showing the match at `anchor` should begin: the start of its sentence when that is at
 * most SNIPPET_SENTENCE_REACH characters back, otherwise the first whole word SNIPPET_CONTEXT_BEFORE back.
 */
function findExcerptStart(text: string, tokens: readonly HelpTextToken[], anchor: number): number {
  const reach = Math.max(0, anchor - SNIPPET_SENTENCE_REACH);
  const before = text.slice(reach, anchor);
  const sentenceEnd = /.*[.!?:;]\s+/s.exec(before);
  if (sentenceEnd) return reach + sentenceEnd[0].length;
  if (reach === 0) return 0;
  const start = Math.max(0, anchor - SNIPPET_CONTEXT_BEFORE);
  return tokens.find((t) => t.start >= start)?.start ?? anchor;
}

function renderExcerpt(text: string, tokens: readonly HelpTextToken[], matched: ReadonlyMap<string, number>): string {
  let from = 0;
  let to = text.length;
  if (text.length > SNIPPET_MAX_CHARS) {
    // Try a window starting a little before each match (at the start of its sentence when that is near);
    // keep the one holding the most matched weight.
    let bestWeight = -1;
    for (const token of tokens) {
      if (!matched.has(token.term)) continue;
      const start = findExcerptStart(text, tokens, token.start);
      const inside = tokens.filter((t) => t.start >= start && t.end <= start + SNIPPET_MAX_CHARS);
      const weight = weighMatches(inside, matched);
      if (weight > bestWeight) {
        bestWeight = weight;
        from = start;
      }
    }
    const limit = from + SNIPPET_MAX_CHARS;
    to = from;
    for (const token of tokens) if (token.end <= limit && token.end > to) to = token.end;
    if (to === from) to = Math.min(text.length, limit);
    // Keep closing punctuation that directly follows the last word.
    const trailing = /^[.,;:!?)"'’”]+/.exec(text.slice(to));
    if (trailing) to += trailing[0].length;
  }

  // Mark ranges for matched tokens; a joined word ("e-mail") may overlap its parts, so merge ranges.
  const ranges = tokens
    .filter((t) => matched.has(t.term) && t.start >= from && t.end <= to)
    .map((t) => [t.start, t.end] as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }

  const plain = (s: string): string => escapeHTML(s.replace(/\s+/g, " "));
  let html = from > 0 ? "…" : "";
  let cursor = from;
  for (const [start, end] of merged) {
    html += `${plain(text.slice(cursor, start))}<mark>${plain(text.slice(start, end))}</mark>`;
    cursor = end;
  }
  html += plain(text.slice(cursor, to));
  if (to < text.length) html += "…";
  return html.trim();
}
