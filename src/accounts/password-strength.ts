// The password strength estimate (zxcvbn-ts) with its work bounded, and the worker thread that runs it so an
// estimate never holds up other requests.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import type { Locale } from "../i18n/locales.ts";
import {
  extendPackedHash,
  leadingWords,
  PACKED_HASH_START,
  type PackedWords,
  type RankLookup,
  type RankProbe,
  rankedDictionaryOf,
  rankProbeOf,
} from "./packed-dictionary.ts";
import { loadStrengthLanguage, packStrengthLanguage, STRENGTH_DICTIONARY_DIR } from "./strength-dictionaries.ts";

/**
 * Only this many leading code points go through the matchers. Their cost grows with the square of the
 * length; characters past the prefix only add guesses, so judging the prefix alone never overrates a password.
 */
export const STRENGTH_CHECKED_LENGTH = 20;
/**
 * Passwords up to this length are compared by edit distance with the common-password list (zxcvbn-ts's own
 * edit-distance matching scans every dictionary, 240,000 words, on each call; ours scans one list by length).
 */
export const EDIT_DISTANCE_MAX_LENGTH = 16;
/**
 * The edit-distance check compares with this many of the most common passwords (the list is ordered by how
 * often each is used): the rare tail of 49,000 words multiplied its cost by five for little gain.
 */
export const EDIT_DISTANCE_LIST_SIZE = 10_000;
/**
 * Cap on look-alike substitutions tried: each one runs the dictionary matching again (zxcvbn-ts's default of
 * 100 costs seconds on symbol-heavy input).
 */
export const L33T_MAX_SUBSTITUTIONS = 4;

export interface PasswordStrength {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

interface Estimator {
  factory: ZxcvbnFactory;
  /** The warning given for a password a few typos away from a common one, in the estimator's language. */
  similarToCommonWarning: string;
}

/**
 * Where the prebuilt dictionary files are read from (src/accounts/strength-dictionaries.ts); null: never
 * read, the packages are packed each time (the tests compare both).
 */
let dictionaryDir: string | null = STRENGTH_DICTIONARY_DIR;

/** Sets where this thread's estimators, and the workers started from now on, read prebuilt dictionaries (see dictionaryDir). */
export function useStrengthDictionaryDir(dir: string | null): void {
  dictionaryDir = dir;
}

/** One estimator per language, each made on the first estimate in its language. */
const estimators = new Map<Locale, Estimator>();
/** The common-password list by word length, for the edit-distance check (the same in every language). */
let commonPasswordsByLength: Map<number, string[]> | undefined;

function indexCommonPasswords(lists: Record<string, PackedWords>): Map<number, string[]> {
  const byLength = new Map<number, string[]>();
  for (const [name, packed] of Object.entries(lists)) {
    if (!name.startsWith("passwords")) continue;
    for (const text of leadingWords(packed, EDIT_DISTANCE_LIST_SIZE)) {
      const bucket = byLength.get(text.length);
      if (bucket) bucket.push(text);
      else byLength.set(text.length, [text]);
    }
  }
  return byLength;
}

/** The part of zxcvbn-ts's options that holds the indexed dictionaries (read by the matchers on every check). */
interface IndexedDictionaries {
  rankedDictionaries: Record<string, RankLookup>;
  rankedDictionariesMaxWordSize: Record<string, number>;
}

/** The packed common and English dictionaries, which every language's estimator checks too. */
let sharedDictionaries: IndexedDictionaries | undefined;

function packDictionaries(lists: Record<string, PackedWords>): IndexedDictionaries {
  const packed: IndexedDictionaries = { rankedDictionaries: {}, rankedDictionariesMaxWordSize: {} };
  for (const [name, words] of Object.entries(lists)) {
    const { ranks, maxWordSize } = rankedDictionaryOf(words);
    packed.rankedDictionaries[name] = ranks;
    packed.rankedDictionariesMaxWordSize[name] = maxWordSize;
  }
  return packed;
}

/**
 * Gives `factory` packed dictionaries instead of the word-to-rank objects zxcvbn-ts would build (about 13 MB
 * of heap for the common and English words alone): the fields its dictionary matcher reads,
 * `options.rankedDictionaries` and their longest words (@zxcvbn-ts/core 4). A language other than English
 * gets the shared common and English ones beside its own. The tests check that every word keeps its rank
 * and that the estimates equal zxcvbn-ts's own.
 */
function installDictionaries(factory: ZxcvbnFactory, own: IndexedDictionaries, shared: IndexedDictionaries | undefined): void {
  const options = (factory as unknown as { options: IndexedDictionaries }).options;
  options.rankedDictionaries = { ...shared?.rankedDictionaries, ...own.rankedDictionaries };
  options.rankedDictionariesMaxWordSize = { ...shared?.rankedDictionariesMaxWordSize, ...own.rankedDictionariesMaxWordSize };
}

/** What the dictionary matching below reads of zxcvbn-ts's dictionary matcher (@zxcvbn-ts/core 4). */
interface DictionaryMatcher {
  options: { useLevenshteinDistance?: boolean };
  getRangedDictionaries(userInputsOptions: unknown): IndexedDictionaries;
}

interface DictionaryMatchArguments {
  password: string;
  userInputsOptions?: unknown;
}

interface DictionaryMatch {
  pattern: "dictionary";
  i: number;
  j: number;
  token: string;
  matchedWord: string;
  rank: number;
  dictionaryName: string;
  reversed: false;
  l33t: false;
}

/** How many times matchPackedDictionaries has matched a password or a variant of it (for the tests). */
let packedMatchRuns = 0;

/**
 * zxcvbn-ts's dictionary matching, the same matches in the same order, for dictionaries that include packed
 * ones: every substring up to the longest word is looked up in every dictionary (the reversed and look-alike
 * matchers run it again on their variants of the password). zxcvbn-ts goes through each packed dictionary's
 * proxy, which hashes the substring again for every dictionary; here each substring's hash extends the one
 * before it by a character, every packed table is probed with it directly, and a substring is cut out of the
 * password only when a dictionary has it (or for a dictionary that is not packed). Like zxcvbn-ts, it reads
 * the lower-case password at the original password's positions. It answers null where it does not apply (no
 * packed dictionary, or zxcvbn-ts's own edit distance switched on), and zxcvbn-ts's own loop runs instead.
 */
function matchPackedDictionaries(matcher: DictionaryMatcher, { password, userInputsOptions }: DictionaryMatchArguments): DictionaryMatch[] | null {
  if (matcher.options.useLevenshteinDistance) return null;
  const { rankedDictionaries, rankedDictionariesMaxWordSize } = matcher.getRangedDictionaries(userInputsOptions);
  const names = Object.keys(rankedDictionaries);
  const lookups = names.map((name) => rankedDictionaries[name] as RankLookup);
  const probes: (RankProbe | undefined)[] = lookups.map((ranks) => rankProbeOf(ranks));
  if (!probes.some((probe) => probe !== undefined)) return null;
  packedMatchRuns++;
  const length = password.length;
  const lower = password.toLowerCase();
  // Compared the way zxcvbn-ts compares them: a dictionary without a size is never skipped.
  const widths = names.map((name) => rankedDictionariesMaxWordSize[name] as number);
  const maxSearchWidth = Math.max(0, ...Object.values(rankedDictionariesMaxWordSize));
  const matches: DictionaryMatch[] = [];
  for (let i = 0; i < length; i++) {
    let hash = PACKED_HASH_START;
    for (let j = i; j < length; j++) {
      const width = j - i + 1;
      const isFullPassword = i === 0 && j === length - 1;
      if (width > maxSearchWidth && !isFullPassword) break;
      hash = extendPackedHash(hash, lower.charCodeAt(j));
      let word: string | undefined;
      for (let d = 0; d < names.length; d++) {
        if (width > (widths[d] as number) && !isFullPassword) continue;
        const probe = probes[d];
        let rank: number | undefined;
        if (probe) {
          rank = probe(lower, i, j + 1, hash);
        } else {
          word ??= lower.slice(i, j + 1);
          rank = (lookups[d] as RankLookup)[word];
        }
        if (rank !== undefined) {
          word ??= lower.slice(i, j + 1);
          matches.push({
            pattern: "dictionary",
            i,
            j,
            token: password.slice(i, j + 1),
            matchedWord: word,
            rank,
            dictionaryName: names[d] as string,
            reversed: false,
            l33t: false,
          });
        }
      }
    }
  }
  return matches;
}

let packedMatchingInstalled = false;

/**
 * Routes zxcvbn-ts's dictionary matcher (and the reversed, look-alike and word-sequence matchers built on
 * it) through matchPackedDictionaries. Its class is changed once for the thread; a factory with zxcvbn-ts's
 * own dictionaries keeps its own loop.
 */
function installPackedMatching(require: NodeJS.Require): void {
  if (packedMatchingInstalled) return;
  const matcherClass = require("@zxcvbn-ts/core/dist/matcher/dictionary/matching.cjs") as { prototype?: Record<string, unknown> } | undefined;
  const prototype = matcherClass?.prototype;
  const original = prototype?.match;
  if (!prototype || typeof original !== "function" || typeof prototype.getRangedDictionaries !== "function") return;
  prototype.match = function match(this: DictionaryMatcher, args: DictionaryMatchArguments) {
    return matchPackedDictionaries(this, args) ?? original.call(this, args);
  };
  packedMatchingInstalled = true;
}

/** zxcvbn-ts's whole answer (guesses, the matches it chose) with the packed dictionaries, for the tests to compare. */
export function checkWithPackedDictionaries(password: string, userInputs: string[], locale: Locale = "en"): ReturnType<ZxcvbnFactory["check"]> {
  return loadEstimator(locale).factory.check(password, userInputsFrom(userInputs));
}

/** How many passwords (and variants of them) matchPackedDictionaries has matched in this thread. */
export function packedDictionaryMatchRuns(): number {
  return packedMatchRuns;
}

/** zxcvbn-ts's adjacency graphs (keyboard layouts), kept from the common package for every estimator. */
let adjacencyGraphs: typeof import("@zxcvbn-ts/language-common").adjacencyGraphs | undefined;

/**
 * The estimator of `locale`, made on first use: the dictionaries take megabytes and a fraction of a second
 * to pack, so a language nobody writes a password in is never loaded.
 */
function loadEstimator(locale: Locale): Estimator {
  const loaded = estimators.get(locale);
  if (loaded) return loaded;
  if (locale !== "en") loadEstimator("en");
  const requireCore = createRequire(import.meta.url);
  const core = requireCore("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
  installPackedMatching(requireCore);
  const { lists, translations, graphs } = dictionaryDir === null ? packStrengthLanguage(locale) : loadStrengthLanguage(locale, dictionaryDir);
  if (locale === "en") {
    adjacencyGraphs = graphs;
    commonPasswordsByLength = indexCommonPasswords(lists);
  }
  // No dictionary option: zxcvbn-ts would index every word into objects; the packed ones go in below.
  const factory = new core.ZxcvbnFactory({
    translations,
    graphs: adjacencyGraphs,
    useLevenshteinDistance: false,
    l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
    maxLength: STRENGTH_CHECKED_LENGTH * 2,
  });
  const own = packDictionaries(lists);
  installDictionaries(factory, own, sharedDictionaries);
  if (locale === "en") sharedDictionaries = own;
  const warnings = translations.warnings as Record<string, string>;
  const estimator = { factory, similarToCommonWarning: warnings.similarToCommon || "This is similar to a commonly used password." };
  estimators.set(locale, estimator);
  return estimator;
}

/** The languages whose estimator has been made so far (in this thread). */
export function loadedStrengthLanguages(): Locale[] {
  return [...estimators.keys()];
}

const UNLEET: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "8": "b",
  "9": "g",
  "@": "a",
  $: "s",
  "!": "i",
  "|": "l",
  "+": "t",
};

/** Whether `password` is within a small edit distance of a common password (as typed, de-l33ted, or without a trailing suffix). */
function isSimilarToCommonPassword(password: string, distance: (a: string, b: string) => number): boolean {
  const lower = password.toLowerCase();
  const unleeted = [...lower].map((char) => UNLEET[char] ?? char).join("");
  const stem = unleeted.replace(/[^a-z]+$/, "");
  const candidates = new Set([lower, unleeted, ...(stem.length >= 4 ? [stem] : [])]);
  for (const candidate of candidates) {
    for (let length = candidate.length - 2; length <= candidate.length + 2; length++) {
      for (const word of commonPasswordsByLength?.get(length) ?? []) {
        // The same allowance as zxcvbn-ts: 2 edits, fewer when the password is no longer than the word.
        const allowed = candidate.length <= word.length ? Math.ceil(candidate.length / 4) : 2;
        if (Math.abs(candidate.length - word.length) <= allowed && distance(candidate, word) <= allowed) return true;
      }
    }
  }
  return false;
}

let distanceFunction: ((a: string, b: string) => number) | undefined;
function levenshteinDistance(): (a: string, b: string) => number {
  distanceFunction ??= (createRequire(import.meta.url)("fastest-levenshtein") as { distance: (a: string, b: string) => number }).distance;
  return distanceFunction;
}

/** The first `count` code points of `text` (never half of a surrogate pair). */
function leadingCodePoints(text: string, count: number): string {
  let out = "";
  let n = 0;
  for (const char of text) {
    if (n++ === count) break;
    out += char;
  }
  return out;
}

/**
 * Estimates strength on the calling thread, in bounded time: the first STRENGTH_CHECKED_LENGTH code points,
 * edit distance only when the whole password is short. `userInputs` (identifier, name) count as easy to guess.
 * `locale` adds that language's words to the English ones and gives the advice in that language.
 */
export function estimatePasswordStrengthNow(password: string, userInputs: string[], locale: Locale = "en"): PasswordStrength {
  const checked = leadingCodePoints(password.normalize("NFKC"), STRENGTH_CHECKED_LENGTH);
  const estimator = loadEstimator(locale);
  const result = estimator.factory.check(checked, userInputsFrom(userInputs));
  const strength: PasswordStrength = {
    score: result.score as PasswordStrength["score"],
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  };
  // A short password a few typos away from a common one is guessed early: at most "weak".
  if (strength.score > 1 && checked.length <= EDIT_DISTANCE_MAX_LENGTH && isSimilarToCommonPassword(checked, levenshteinDistance())) {
    return { score: 1, warning: estimator.similarToCommonWarning, suggestions: strength.suggestions };
  }
  return strength;
}

/**
 * Passwords that take every matcher's slow path (look-alikes, symbols, repeats, keyboard runs, words, dates,
 * near-common words). Estimating them once at start compiles the matchers, so later estimates do not pay for
 * it one by one.
 */
const WARM_UP_PASSWORDS = [
  "P4$$w0rd-Tr0ub4dor&3",
  "Xk9#mP2$vL7@qR4!nB6&",
  "passwordpassword1234",
  "qwertyuiopasdfgh2024",
  "Correct-Horse-Batter",
  "1l1l|!|!@@44$$5500++",
  "Summer-19.04.1987!",
  "monkey12",
];

/**
 * Loads the English dictionaries and runs the matchers over a few hard passwords (the worker calls it at
 * start, before it reads the first request: about 180 ms of cold code, after which estimates take a few
 * milliseconds). Other languages' dictionaries are loaded on their first estimate; the matchers are compiled
 * by then.
 */
export function warmUpPasswordStrength(): void {
  for (let round = 0; round < 3; round++) for (const password of WARM_UP_PASSWORDS) estimatePasswordStrengthNow(`${password}${round}`, ["someone@example.com"]);
}

/** Splits identifiers and names into the pieces a guesser would try (local part, domain words, digits). */
export function userInputsFrom(values: string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    const v = value.trim().toLowerCase().slice(0, 320);
    if (!v) continue;
    out.add(v);
    for (const part of v.split(/[@.\s+_-]+/)) if (part.length >= 3) out.add(part);
    const digits = v.replace(/\D/g, "");
    if (digits.length >= 6) {
      out.add(digits);
      out.add(digits.slice(-6));
    }
  }
  return [...out];
}

// ---- The worker thread ---------------------------------------------------------------------------------

interface EstimateRequest {
  id: number;
  password: string;
  userInputs: string[];
  locale: Locale;
}
/** What a worker is started with. */
export interface StrengthWorkerData {
  dictionaryDir: string | null;
}
/** Every answer also carries the worker's heap size (bytes), read when the answer was sent. */
type EstimateAnswer = ({ id: number; strength: PasswordStrength } | { id: number; error: string }) & { heapBytes?: number };

/** An idle worker (and the megabytes of its dictionaries) stops after this long without estimates. */
export const WORKER_IDLE_MS = 5 * 60 * 1000;
/**
 * The worker's heap. Packed, the common and English dictionaries keep about 4 MB of heap and 4 MB of typed
 * arrays, but unpacking the packages' word lists takes about 25 MB for a moment; without a bound V8 lets the
 * heap grow to several times that before it collects, and the process keeps the pages.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | undefined;
/** The running worker's heap size from its latest answer; null before the first answer. */
let workerHeapBytes: number | null = null;
let nextRequestId = 1;
const pending = new Map<number, { resolve: (strength: PasswordStrength) => void; reject: (error: Error) => void }>();

function failPending(error: Error): void {
  for (const waiting of pending.values()) waiting.reject(error);
  pending.clear();
}

/**
 * The compiled build runs dist/*.js. The sources (tests, watch mode) run through tsx, whose loader a worker
 * thread does not inherit, so the worker registers it before it loads the worker module.
 */
function startSourceWorker(): Worker {
  const loader = import.meta.resolve("tsx/esm/api");
  const module = new URL("./password-strength-worker.ts", import.meta.url).href;
  const source = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module)}); });`;
  return new Worker(source, {
    eval: true,
    name: "password-strength",
    resourceLimits: WORKER_LIMITS,
    workerData: { dictionaryDir } satisfies StrengthWorkerData,
  });
}

function startWorker(): Worker {
  workerHeapBytes = null;
  const started = import.meta.url.endsWith(".ts")
    ? startSourceWorker()
    : new Worker(new URL("./password-strength-worker.js", import.meta.url), {
        name: "password-strength",
        resourceLimits: WORKER_LIMITS,
        workerData: { dictionaryDir } satisfies StrengthWorkerData,
      });
  started.on("message", (answer: EstimateAnswer) => {
    if (worker === started && answer.heapBytes !== undefined) workerHeapBytes = answer.heapBytes;
    const waiting = pending.get(answer.id);
    if (!waiting) return;
    pending.delete(answer.id);
    if ("strength" in answer) waiting.resolve(answer.strength);
    else waiting.reject(new Error(`password strength estimate failed: ${answer.error}`));
    // An idle worker must not keep a finished command (or a test) alive, and stops after a while.
    if (pending.size === 0) {
      started.unref();
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        if (worker === started && pending.size === 0) void stopPasswordStrengthWorker();
      }, WORKER_IDLE_MS);
      idleTimer.unref();
    }
  });
  started.on("error", (error) => {
    if (worker === started) worker = null;
    failPending(error);
  });
  started.on("exit", (code) => {
    if (worker === started) worker = null;
    failPending(new Error(`the password strength worker stopped (exit ${code})`));
  });
  started.unref();
  return started;
}

/**
 * Estimates strength in a worker thread (started, and its dictionaries loaded, on first use), so a slow
 * estimate never blocks the event loop. Calls are answered in order, one at a time. `locale` is the page's
 * language: its dictionary joins the English one (loaded in the worker on the first estimate in that
 * language) and the warning and suggestions come in it.
 */
export function estimatePasswordStrength(password: string, userInputs: string[], locale: Locale = "en"): Promise<PasswordStrength> {
  worker ??= startWorker();
  clearTimeout(idleTimer);
  const target = worker;
  const id = nextRequestId++;
  return new Promise<PasswordStrength>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.ref();
    target.postMessage({ id, password, userInputs: userInputs.slice(0, 8), locale } satisfies EstimateRequest);
  });
}

/** The heap size of the running worker thread as of its latest answer, in bytes; null when none runs or it has not answered yet. */
export function passwordStrengthWorkerHeapBytes(): number | null {
  return worker ? workerHeapBytes : null;
}

type CollectGarbage = (options?: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/**
 * Gives the heap pages that loading the dictionaries left empty back to the system, when the process runs
 * with `--expose-gc` (as `npm start` and the `latchkey` command do); true when it could. Unpacking the word
 * lists takes about 25 MB of heap for a moment and leaves 8 MB in use, and V8 keeps the rest of the pages
 * for a long while (Node.js 24 did not give them back in 30 s of idleness): about 18 MB per worker on
 * Node.js 24, 8 to 14 on Node.js 20. Node.js 24's V8 frees them with a "last resort" collection; Node.js 20's
 * ignores that option and frees them on the second of two full collections. The worker calls this once
 * after it loads a language, so it costs 20 to 70 ms off the main thread, once.
 */
export function releaseUnusedHeap(gc = (globalThis as { gc?: CollectGarbage }).gc): boolean {
  if (typeof gc !== "function") return false;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  gc();
  gc();
  return true;
}

/** Stops the worker thread, if one runs (tests and shutdown). */
export async function stopPasswordStrengthWorker(): Promise<void> {
  const running = worker;
  worker = null;
  if (running) await running.terminate();
}
