// The word lists, advice and keyboard layouts the password strength estimator needs in each language, from
// the @zxcvbn-ts language packages: packed at build time into one file per language (dist/
// password-dictionaries/), which the strength worker reads straight into the packed form; or, when no such
// file matches the installed packages, packed from the packages at run time. Unpacking a package's word
// lists builds hundreds of thousands of strings (about 25 MB of heap for a moment, and most of a second, for
// the common and English ones); reading a prebuilt file builds one string and two typed arrays per list.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { endianness } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locale } from "../i18n/locales.ts";
import { type PackedWords, packWords } from "./packed-dictionary.ts";

type Translations = typeof import("@zxcvbn-ts/language-en").translations;
type AdjacencyGraphs = typeof import("@zxcvbn-ts/language-common").adjacencyGraphs;

/**
 * The packages of each language. Every language's estimate also checks the common passwords and the English
 * words (most passwords everywhere borrow English words): those come with English, which every other
 * language's estimator loads first. The advice (warnings and suggestions) is the last package's translation.
 */
const STRENGTH_LANGUAGE_PACKAGES: Readonly<Record<Locale, readonly string[]>> = {
  en: ["@zxcvbn-ts/language-common", "@zxcvbn-ts/language-en"],
  de: ["@zxcvbn-ts/language-de"],
  fr: ["@zxcvbn-ts/language-fr"],
  es: ["@zxcvbn-ts/language-es-es"],
  ar: ["@zxcvbn-ts/language-ar"],
};

/** What the estimator of one language is made from. */
export interface StrengthLanguage {
  /** Each word list by zxcvbn-ts's name for it, packed. */
  lists: Record<string, PackedWords>;
  translations: Translations;
  /** Keyboard layouts (only in English's, from the common package). */
  graphs?: AdjacencyGraphs;
}

/** Where the build writes the files: dist/password-dictionaries/ (the same from src/ and from dist/). */
export const STRENGTH_DICTIONARY_DIR = fileURLToPath(new URL("../../dist/password-dictionaries/", import.meta.url));

/** Changes whenever the file's layout or the packing (its hash, its table) changes: older files are then ignored. */
const FILE_FORMAT = 1;
const MAGIC = "LKPD";
/** Every section starts at a multiple of this (typed arrays need their element's alignment). */
const ALIGN = 8;

interface Section {
  at: number;
  bytes: number;
}

interface ListEntry {
  name: string;
  maxWordSize: number;
  words: number;
  /** The letters' encoding: Latin-1 when every code unit fits in a byte, else UTF-16. */
  encoding: "latin1" | "utf16le";
  letters: Section;
  starts: Section;
  slots: Section;
}

interface FileHeader {
  format: number;
  endianness: string;
  /** The packages the lists came from, with their versions. */
  sources: Record<string, string>;
  translations: Translations;
  graphs?: AdjacencyGraphs;
  lists: ListEntry[];
}

/** Finds the packages' package.json files (it loads no module). */
const resolvePackageFile = createRequire(import.meta.url).resolve;

function installedVersions(locale: Locale): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of STRENGTH_LANGUAGE_PACKAGES[locale]) {
    versions[name] = (JSON.parse(readFileSync(resolvePackageFile(`${name}/package.json`), "utf8")) as { version: string }).version;
  }
  return versions;
}

/** The zero bytes that bring a section of `length` bytes to the next multiple of ALIGN. */
function paddingAfter(length: number): number {
  return (ALIGN - (length % ALIGN)) % ALIGN;
}

/**
 * Forgets the language packages' modules (and the decompressor they share, which points back at the first
 * of them) once their words are packed: the module cache would otherwise keep every word list, about 11 MB
 * for the common and English ones, alive for the life of the thread. They were loaded through a `require`
 * of their own, so no module still cached has them as children.
 */
function forgetLanguagePackages(require: NodeJS.Require): void {
  for (const path of Object.keys(require.cache)) {
    if (/[\\/]@zxcvbn-ts[\\/](?:language-|dictionary-compression[\\/])/.test(path)) delete require.cache[path];
  }
}

/** Loads `locale`'s packages and packs their word lists (about 0.5 s of CPU for English). */
export function packStrengthLanguage(locale: Locale): StrengthLanguage {
  // A require of its own for the word lists, so that they can be forgotten.
  const require = createRequire(import.meta.url);
  const language: StrengthLanguage = { lists: {}, translations: {} as Translations };
  for (const name of STRENGTH_LANGUAGE_PACKAGES[locale]) {
    const loaded = require(name) as { dictionary: Record<string, (string | number)[]>; translations?: Translations; adjacencyGraphs?: AdjacencyGraphs };
    for (const [list, words] of Object.entries(loaded.dictionary)) language.lists[list] = packWords(words);
    if (loaded.translations) language.translations = loaded.translations;
    if (loaded.adjacencyGraphs) language.graphs = loaded.adjacencyGraphs;
  }
  forgetLanguagePackages(require);
  return language;
}

function fileOf(dir: string, locale: Locale): string {
  return join(dir, `${locale}.bin`);
}

/** Whether every UTF-16 code unit of `text` is below 256 (so Latin-1 holds it, a byte each). */
export function fitsInLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Writes `language` as `locale`'s prebuilt file in `dir` (whole or not at all: written aside, then renamed). */
export function writeStrengthLanguageFile(dir: string, locale: Locale, language: StrengthLanguage): void {
  const sections: Uint8Array[] = [];
  let offset = 0;
  const place = (bytes: Uint8Array): Section => {
    const section = { at: offset, bytes: bytes.byteLength };
    sections.push(bytes);
    const padding = paddingAfter(bytes.byteLength);
    if (padding > 0) sections.push(new Uint8Array(padding));
    offset += bytes.byteLength + padding;
    return section;
  };
  const lists: ListEntry[] = [];
  for (const [name, packed] of Object.entries(language.lists)) {
    const encoding = fitsInLatin1(packed.letters) ? "latin1" : "utf16le";
    lists.push({
      name,
      maxWordSize: packed.maxWordSize,
      words: packed.starts.length - 1,
      encoding,
      letters: place(Buffer.from(packed.letters, encoding)),
      starts: place(new Uint8Array(packed.starts.buffer, packed.starts.byteOffset, packed.starts.byteLength)),
      slots: place(new Uint8Array(packed.slots.buffer, packed.slots.byteOffset, packed.slots.byteLength)),
    });
  }
  const header: FileHeader = {
    format: FILE_FORMAT,
    endianness: endianness(),
    sources: installedVersions(locale),
    translations: language.translations,
    ...(language.graphs ? { graphs: language.graphs } : {}),
    lists,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  // Magic, header length, header, padded so that the sections (numbered from the end of the padding) stay aligned.
  const lead = Buffer.alloc(8);
  lead.write(MAGIC, 0, "latin1");
  lead.writeUInt32LE(headerBytes.byteLength, 4);
  const headerPadding = new Uint8Array(paddingAfter(8 + headerBytes.byteLength));
  mkdirSync(dir, { recursive: true });
  const path = fileOf(dir, locale);
  writeFileSync(`${path}.tmp`, Buffer.concat([lead, headerBytes, headerPadding, ...sections]));
  renameSync(`${path}.tmp`, path);
}

/** Packs every language and writes its file into `dir` (the build does this). */
export function writeStrengthDictionaryFiles(dir = STRENGTH_DICTIONARY_DIR): void {
  for (const locale of Object.keys(STRENGTH_LANGUAGE_PACKAGES) as Locale[]) writeStrengthLanguageFile(dir, locale, packStrengthLanguage(locale));
}

/** Whether `packed` is a table the lookups can trust: a lookup in a damaged one could read past its words or never end. */
function isWellFormed({ letters, starts, slots, maxWordSize }: PackedWords): boolean {
  const words = starts.length - 1;
  if (words < 0 || starts[0] !== 0 || starts[words] !== letters.length) return false;
  if (slots.length < 2 || (slots.length & (slots.length - 1)) !== 0 || words >= slots.length) return false;
  let longest = 0;
  for (let i = 0; i < words; i++) {
    const length = (starts[i + 1] as number) - (starts[i] as number);
    if (length < 0) return false;
    if (length > longest) longest = length;
  }
  if (longest !== maxWordSize) return false;
  let empty = 0;
  for (const entry of slots) {
    if (entry === 0) empty++;
    else if (entry > words) return false;
  }
  return empty > 0;
}

/**
 * `locale`'s prebuilt file in `dir`, read into packed lists; null when there is none, or it was made from
 * other versions of the packages or by another format, or it is damaged (then the packages are packed
 * instead).
 */
export function readStrengthLanguageFile(dir: string, locale: Locale): StrengthLanguage | null {
  let fd: number;
  try {
    fd = openSync(fileOf(dir, locale), "r");
  } catch {
    return null;
  }
  try {
    const readExactly = (target: Uint8Array | Uint32Array, position: number): boolean =>
      readSync(fd, target, 0, target.byteLength, position) === target.byteLength;
    const lead = Buffer.alloc(8);
    if (!readExactly(lead, 0) || lead.toString("latin1", 0, 4) !== MAGIC) return null;
    const headerBytes = Buffer.alloc(lead.readUInt32LE(4));
    if (!readExactly(headerBytes, 8)) return null;
    const header = JSON.parse(headerBytes.toString("utf8")) as FileHeader;
    if (header.format !== FILE_FORMAT || header.endianness !== endianness()) return null;
    if (JSON.stringify(header.sources) !== JSON.stringify(installedVersions(locale))) return null;
    const base = 8 + headerBytes.byteLength + paddingAfter(8 + headerBytes.byteLength);
    const language: StrengthLanguage = { lists: {}, translations: header.translations, ...(header.graphs ? { graphs: header.graphs } : {}) };
    for (const entry of header.lists) {
      if (entry.starts.bytes !== (entry.words + 1) * 4 || entry.slots.bytes % 4 !== 0) return null;
      const letterBytes = Buffer.allocUnsafe(entry.letters.bytes);
      const starts = new Uint32Array(entry.words + 1);
      const slots = new Uint32Array(entry.slots.bytes / 4);
      if (!readExactly(letterBytes, base + entry.letters.at) || !readExactly(starts, base + entry.starts.at) || !readExactly(slots, base + entry.slots.at))
        return null;
      const packed: PackedWords = { letters: letterBytes.toString(entry.encoding), starts, slots, maxWordSize: entry.maxWordSize };
      if (!isWellFormed(packed)) return null;
      language.lists[entry.name] = packed;
    }
    return language;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** `locale`'s lists and advice: from its prebuilt file in `dir` when one matches the installed packages, else packed now. */
export function loadStrengthLanguage(locale: Locale, dir = STRENGTH_DICTIONARY_DIR): StrengthLanguage & { from: "file" | "packages" } {
  const prebuilt = readStrengthLanguageFile(dir, locale);
  return prebuilt ? { ...prebuilt, from: "file" } : { ...packStrengthLanguage(locale), from: "packages" };
}
