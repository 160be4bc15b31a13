// Search result snippets: picks the block of an article that best shows why it matched, cuts it around the
// matches and marks the matched words. The HTML is built with the views' escaping template, so every
// character taken from the article is escaped and only the `<mark>` elements are markup.

import type { SafeHtml } from "../lib/html.ts";
import { html, trustedHtml } from "../lib/html.ts";
import type { HelpTextBlock, HelpTextToken } from "./search-tokenizer.ts";

const SNIPPET_MAX_CHARS = 200;
const SNIPPET_CONTEXT_BEFORE = 40;
const SNIPPET_SENTENCE_REACH = 100;

/** Matched index terms, each with its weight (how much finding it in a block counts). */
export type HelpMatchedTerms = ReadonlyMap<string, number>;

/**
 * Weight of the distinct matched terms among `tokens`, plus some for different matched words standing
 * next to each other (a phrase, such as "locked out") and a little for each repeat.
 */
function weighMatches(tokens: readonly HelpTextToken[], matched: HelpMatchedTerms): number {
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
 * An excerpt of the best-matching block of `blocks` (or of `fallback`, the summary, when no block matches,
 * as when only the title did), cut to about SNIPPET_MAX_CHARS around the densest matches, with matched
 * words in `<mark>`.
 */
export function buildHelpSnippet(blocks: readonly HelpTextBlock[], fallback: HelpTextBlock, matched: HelpMatchedTerms): SafeHtml {
  let best: HelpTextBlock | null = null;
  let bestWeight = 0;
  for (const block of blocks) {
    const weight = weighMatches(block.tokens, matched);
    if (weight > bestWeight || (weight === bestWeight && weight > 0 && best && block.text.length > best.text.length)) {
      best = block;
      bestWeight = weight;
    }
  }
  return renderExcerpt(best ?? fallback, matched);
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

/** The part of the block to show, as [from, to): all of it when short, else the window with the most matched weight. */
function chooseExcerptWindow({ text, tokens }: HelpTextBlock, matched: HelpMatchedTerms): [number, number] {
  if (text.length <= SNIPPET_MAX_CHARS) return [0, text.length];
  // Try a window starting a little before each match (at the start of its sentence when that is near);
  // keep the one holding the most matched weight.
  let from = 0;
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
  let to = from;
  for (const token of tokens) if (token.end <= limit && token.end > to) to = token.end;
  if (to === from) to = Math.min(text.length, limit);
  // Keep closing punctuation that directly follows the last word.
  const trailing = /^[.,;:!?)"'\u2019\u201D]+/.exec(text.slice(to));
  if (trailing) to += trailing[0].length;
  return [from, to];
}

/** Ranges of matched words inside [from, to); a joined word ("e-mail") may overlap its parts, so ranges are merged. */
function findMarkRanges(tokens: readonly HelpTextToken[], matched: HelpMatchedTerms, from: number, to: number): [number, number][] {
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
  return merged;
}

function renderExcerpt(block: HelpTextBlock, matched: HelpMatchedTerms): SafeHtml {
  const { text } = block;
  const [from, to] = chooseExcerptWindow(block, matched);
  const plain = (start: number, end: number): string => text.slice(start, end).replace(/\s+/g, " ");
  const parts: SafeHtml[] = [];
  let cursor = from;
  for (const [start, end] of findMarkRanges(block.tokens, matched, from, to)) {
    parts.push(html`${plain(cursor, start)}<mark>${plain(start, end)}</mark>`);
    cursor = end;
  }
  const excerpt = html`${from > 0 ? "…" : ""}${parts}${plain(cursor, to)}${to < text.length ? "…" : ""}`;
  // Trimming the escaped markup only removes spaces at its ends, which cannot cut into an escape or a tag.
  return trustedHtml(excerpt.value.trim());
}
