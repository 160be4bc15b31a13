// Full-text search over the help articles: a small in-memory index built once from static content, so every
// instance of the service holds the same index and answers the same way. Scoring is BM25F (BM25 over
// weighted fields, the title counting most); the last query word also matches as a prefix, for search as
// you type. Words are read by search-tokenizer.ts, each article with its own language's analyzer
// (search-languages.ts), and snippets are cut by search-snippets.ts.
import type { Locale } from "../i18n/locales.ts";
import { type HelpWordAnalyzer, helpWordAnalyzer } from "./search-languages.ts";
import { buildHelpSnippet } from "./search-snippets.ts";
import type { HelpTextBlock, HelpTextToken } from "./search-tokenizer.ts";
import { HELP_COMPOUND_WORD_RE, isIndexableHelpWord, tokenizeHelpBlocks, tokenizeHelpText } from "./search-tokenizer.ts";

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
  /** The language the article is written in (default English): its words are read by that language's rules. */
  locale?: Locale;
};

/** One search hit. `snippetHtml` is HTML-escaped except for the `<mark>` elements around matched words. */
export type HelpSearchResult = {
  slug: string;
  title: string;
  summary: string;
  /** The language of the matched article (English for an article not yet translated). */
  locale: Locale;
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

// BM25 constants: k1 limits how much repeating a word helps; b how much a long field is discounted.
const K1 = 1.2;
const FIELDS = [
  { name: "title", weight: 4, b: 0.5 },
  { name: "summary", weight: 2, b: 0.5 },
  { name: "headings", weight: 1.5, b: 0.5 },
  { name: "body", weight: 1, b: 0.75 },
] as const;
type FieldName = (typeof FIELDS)[number]["name"];

type Posting = { tf: number; positions: number[] };
type IndexedField = { length: number; postings: Map<string, Posting> };
type IndexedDocument = {
  doc: HelpSearchDocument;
  fields: Record<FieldName, IndexedField>;
  summary: HelpTextBlock;
  blocks: HelpTextBlock[];
  /** The terms of the title and of each heading, one set per line. */
  sectionTerms: Set<string>[];
};

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

/**
 * Builds the search index for `documents` (done once at load; the content is static). Each document's
 * words are read by the rules of its own language; a query is read as written in `locale` (its stop
 * words), and each of its words is looked up as every language of the documents would index it, so a
 * query finds the articles in that language and the English ones standing in for missing translations.
 * The returned index is immutable and safe to share.
 */
export function buildHelpSearchIndex(documents: readonly HelpSearchDocument[], locale: Locale = "en"): HelpSearchIndex {
  const queryAnalyzer = helpWordAnalyzer(locale);
  const analyzers: HelpWordAnalyzer[] = [queryAnalyzer];
  for (const doc of documents) {
    const analyzer = helpWordAnalyzer(doc.locale ?? "en");
    if (!analyzers.includes(analyzer)) analyzers.push(analyzer);
  }
  const indexed: IndexedDocument[] = documents.map((doc) => {
    const analyzer = helpWordAnalyzer(doc.locale ?? "en");
    const summary: HelpTextBlock = { text: doc.summary, tokens: tokenizeHelpText(doc.summary, analyzer) };
    const blocks = tokenizeHelpBlocks(doc.text.split("\n"), analyzer);
    return {
      doc,
      fields: {
        title: indexField(tokenizeHelpText(doc.title, analyzer)),
        summary: indexField(summary.tokens),
        headings: indexField(tokenizeHelpBlocks(doc.headings ?? [], analyzer).flatMap((block) => block.tokens)),
        body: indexField(blocks.flatMap((block) => block.tokens)),
      },
      summary,
      blocks,
      sectionTerms: [doc.title, ...(doc.headings ?? [])].map((line) => new Set(tokenizeHelpText(line, analyzer).map((t) => t.term))),
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
    const words = [...capped.matchAll(HELP_COMPOUND_WORD_RE)].slice(0, MAX_QUERY_WORDS);
    const groups: QueryGroup[] = [];
    const seen = new Set<string>();
    words.forEach((match, i) => {
      const isLast = i === words.length - 1;
      // A hyphenated query word is looked up as the joined word: "e-mail" → "email", which the index
      // holds for both "e-mail" and "email".
      const word = match[0].replace(/[-\u2010]/g, "");
      const raw = queryAnalyzer.fold(word);
      if (!isIndexableHelpWord(raw, queryAnalyzer)) return;
      // The word as each language present would index it ("Passwörter" → "passwort" in German).
      const stems = new Set<string>();
      const folded = new Set<string>();
      for (const analyzer of analyzers) {
        const form = analyzer.fold(word);
        if (!isIndexableHelpWord(form, analyzer)) continue;
        folded.add(form);
        stems.add(analyzer.stem(form));
      }
      const candidates = new Map<string, number>();
      for (const stem of stems) if (documentFrequency.has(stem)) candidates.set(stem, 1);
      const wholeWord = candidates.size > 0;
      if (isLast && raw.length >= MIN_PREFIX_LENGTH) {
        const prefixes = [...new Set([...stems, ...folded])];
        for (const term of vocabulary) {
          if (candidates.size >= MAX_PREFIX_EXPANSIONS) break;
          if (!candidates.has(term) && prefixes.some((prefix) => term.startsWith(prefix))) {
            candidates.set(term, wholeWord ? PREFIX_FACTOR_AFTER_WHOLE_WORD : PREFIX_FACTOR);
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
      const sectionMatch = entry.sectionTerms.some((terms) => groups.every((group) => [...group.candidates.keys()].some((term) => terms.has(term))));
      if (sectionMatch) score *= SECTION_MATCH_BOOST;
      scored.push({ entry, score, matched });
    }

    scored.sort((a, b) => b.score - a.score || (a.entry.doc.slug < b.entry.doc.slug ? -1 : 1));
    return scored.slice(0, max).map(({ entry, score, matched }) => ({
      slug: entry.doc.slug,
      title: entry.doc.title,
      summary: entry.doc.summary,
      locale: entry.doc.locale ?? "en",
      snippetHtml: buildHelpSnippet(entry.blocks, entry.summary, matched).value,
      score: Math.round(score * 10_000) / 10_000,
    }));
  }

  return Object.freeze({ search });
}
