// A ranked word list packed for the password strength estimator. zxcvbn-ts keeps each dictionary as an
// object from word to rank: for the 236,000 common and English words that is about 13 MB of heap on top of
// the word arrays themselves. Packed, a list is one string of all its words, the offset where each word
// starts and an open-addressing hash table of word numbers: about 6 bytes per word beside the letters, in
// typed arrays outside the garbage-collected heap.

/** What zxcvbn-ts's dictionary matcher reads: `ranks[word]`, the word's rank (1 = most common), or undefined. */
export type RankLookup = Readonly<Record<string, number>>;

export interface PackedDictionary {
  ranks: RankLookup;
  /** Length of the longest word (the matcher skips longer substrings). */
  maxWordSize: number;
}

const EMPTY = 0;

/** The hash of the empty text: FNV-1a's offset basis. */
export const PACKED_HASH_START = 0x811c9dc5;

/** The hash of a text one UTF-16 code unit longer (FNV-1a): a text's hash can be extended as it grows. */
export function extendPackedHash(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** FNV-1a over the UTF-16 code units of `text[start, end)`: the hash every packed dictionary files a word under. */
export function packedHash(text: string, start: number, end: number): number {
  let hash = PACKED_HASH_START;
  for (let i = start; i < end; i++) hash = extendPackedHash(hash, text.charCodeAt(i));
  return hash >>> 0;
}

/**
 * A packed dictionary's lookup of `text[start, end)` by its packedHash (computed once, it looks the word up
 * in every dictionary), without going through the `ranks` proxy and without cutting the word out of `text`.
 */
export type RankProbe = (text: string, start: number, end: number, hash: number) => number | undefined;

const probes = new WeakMap<object, RankProbe>();

/** The direct lookup behind `ranks` when it is a packed dictionary's, else undefined. */
export function rankProbeOf(ranks: object): RankProbe | undefined {
  return probes.get(ranks);
}

/** A word list packed: what a packed dictionary is made of, and what a prebuilt dictionary file holds. */
export interface PackedWords {
  /** Every word, one after the other. */
  letters: string;
  /** Where each word starts in `letters`, and one more entry: the end of the last word. */
  starts: Uint32Array;
  /** Open-addressing hash table by packedHash: a word's index + 1 (which is its rank), 0 for an empty slot; a power of two long. */
  slots: Uint32Array;
  /** Length of the longest word. */
  maxWordSize: number;
}

/**
 * Packs `words` (most common first). Like zxcvbn-ts's own ranked dictionary, a word's rank is its place in
 * the list counting from 1, and a word listed twice keeps the rank of its last place.
 */
export function packWords(words: readonly (string | number)[]): PackedWords {
  const texts = words.map(String);
  const letters = texts.join("");
  const starts = new Uint32Array(texts.length + 1);
  let maxWordSize = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = (texts[i] as string).length;
    starts[i + 1] = (starts[i] as number) + length;
    if (length > maxWordSize) maxWordSize = length;
  }
  let capacity = 16;
  while (capacity < texts.length * 2) capacity *= 2;
  const slots = new Uint32Array(capacity);
  const packed: PackedWords = { letters, starts, slots, maxWordSize };
  const equalsWord = wordComparison(packed);
  const mask = capacity - 1;
  for (let index = 0; index < texts.length; index++) {
    const start = starts[index] as number;
    const end = starts[index + 1] as number;
    let slot = packedHash(letters, start, end) & mask;
    while (slots[slot] !== EMPTY && !equalsWord((slots[slot] as number) - 1, letters, start, end)) slot = (slot + 1) & mask;
    slots[slot] = index + 1;
  }
  return packed;
}

/** Whether word `index` of `packed` is `text[start, end)`. */
function wordComparison({ letters, starts }: PackedWords): (index: number, text: string, start: number, end: number) => boolean {
  return (index, text, start, end) => {
    const from = starts[index] as number;
    if ((starts[index + 1] as number) - from !== end - start) return false;
    for (let k = 0; k < end - start; k++) if (letters.charCodeAt(from + k) !== text.charCodeAt(start + k)) return false;
    return true;
  };
}

/** The first `count` words of a packed list, most common first. */
export function leadingWords({ letters, starts }: PackedWords, count: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < Math.min(count, starts.length - 1); i++) words.push(letters.slice(starts[i], starts[i + 1]));
  return words;
}

/** The dictionary over words packed before (by packWords, here or in a prebuilt file). */
export function rankedDictionaryOf(packed: PackedWords): PackedDictionary {
  const { slots, maxWordSize } = packed;
  const mask = slots.length - 1;
  const equalsWord = wordComparison(packed);

  const probe: RankProbe = (text, start, end, hash) => {
    if (end - start > maxWordSize) return undefined;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot] as number;
      if (entry === EMPTY) return undefined;
      if (equalsWord(entry - 1, text, start, end)) return entry;
      slot = (slot + 1) & mask;
    }
  };

  const rankOf = (word: string): number | undefined => probe(word, 0, word.length, packedHash(word, 0, word.length));

  const ranks = new Proxy(Object.create(null) as Record<string, number>, {
    get: (_target, key) => (typeof key === "string" ? rankOf(key) : undefined),
    has: (_target, key) => typeof key === "string" && rankOf(key) !== undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
  probes.set(ranks, probe);
  return { ranks, maxWordSize };
}
