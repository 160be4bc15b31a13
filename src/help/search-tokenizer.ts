// The help search's tokenizer: splits text into normalized, stemmed index terms with their offsets and word
// positions, reading words with one language's analyzer (search-languages.ts; English unless given). The
// index and the query parser both read words through it, so they always agree.
import type { HelpWordAnalyzer } from "./search-languages.ts";
import { helpWordAnalyzer } from "./search-languages.ts";

const ENGLISH = helpWordAnalyzer("en");

/** A word found in a text: its index term, where it is (UTF-16 offsets) and its word position. */
export type HelpTextToken = {
  term: string;
  start: number;
  end: number;
  position: number;
};

/** One line of text (a body block, a heading or the summary) with its tokens. */
export type HelpTextBlock = { text: string; tokens: HelpTextToken[] };

/** A run of letters, digits and marks, possibly joined by apostrophes or hyphens ("doesn't", "e-mail"). */
export const HELP_COMPOUND_WORD_RE = /[\p{L}\p{N}\p{M}]+(?:['\u2019\-\u2010][\p{L}\p{N}\p{M}]+)*/gu;
const PART_RE = /[\p{L}\p{N}\p{M}]+(?:['\u2019][\p{L}\p{N}\p{M}]+)*/gu;
const HYPHEN_RE = /[-\u2010]/;

/** Positions skipped between blocks, so words at the end of one block and the start of the next are not "close". */
const BLOCK_POSITION_GAP = 10;

/** Whether a folded word is worth indexing: not a stop word of the language, and not a lone letter. */
export function isIndexableHelpWord(word: string, analyzer: HelpWordAnalyzer = ENGLISH): boolean {
  if (word.length === 0 || analyzer.isStopWord(word)) return false;
  return word.length > 1 || /\d/.test(word);
}

/**
 * Splits `text` into index terms with their offsets. A hyphenated word yields its parts and also the
 * joined word, so "e-mail" is found by "e-mail", "mail" and "email". Stop words are skipped but still take
 * a position, so word distances stay true.
 */
export function tokenizeHelpText(text: string, analyzer: HelpWordAnalyzer = ENGLISH): HelpTextToken[] {
  const tokens: HelpTextToken[] = [];
  let position = 0;
  for (const compound of text.matchAll(HELP_COMPOUND_WORD_RE)) {
    const base = compound.index;
    const parts: string[] = [];
    // Most words have no hyphen: they are their only part, without a second regular expression.
    const pieces = HYPHEN_RE.test(compound[0]) ? compound[0].matchAll(PART_RE) : [{ 0: compound[0], index: 0 }];
    for (const part of pieces) {
      const word = analyzer.fold(part[0]);
      parts.push(word);
      if (isIndexableHelpWord(word, analyzer)) {
        const start = base + part.index;
        tokens.push({ term: analyzer.stem(word), start, end: start + part[0].length, position });
      }
      position += 1;
    }
    if (parts.length > 1) {
      const joined = parts.join("");
      if (isIndexableHelpWord(joined, analyzer)) {
        tokens.push({
          term: analyzer.stem(joined),
          start: base,
          end: base + compound[0].length,
          position: position - 1,
        });
      }
    }
  }
  return tokens;
}

/**
 * Tokenizes lines (body blocks or headings), each with offsets into its own text and word positions that
 * never overlap between lines. Blank lines are dropped.
 */
export function tokenizeHelpBlocks(lines: readonly string[], analyzer: HelpWordAnalyzer = ENGLISH): HelpTextBlock[] {
  const blocks: HelpTextBlock[] = [];
  let offset = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const tokens = tokenizeHelpText(line, analyzer).map((t) => ({ ...t, position: t.position + offset }));
    blocks.push({ text: line, tokens });
    offset = (tokens[tokens.length - 1]?.position ?? offset) + BLOCK_POSITION_GAP;
  }
  return blocks;
}
