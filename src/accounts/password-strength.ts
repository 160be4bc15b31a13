// The password strength estimate (zxcvbn-ts) with its work bounded, and the worker thread that runs it so an
// estimate never holds up other requests.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

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

let estimator: ZxcvbnFactory | undefined;
/** The common-password list by word length, for the edit-distance check. */
let commonPasswordsByLength: Map<number, string[]> | undefined;
let similarToCommonWarning = "This is similar to a commonly used password.";

/** Loaded on first use: the dictionaries take tens of megabytes and a second or so to index. */
function loadEstimator(): ZxcvbnFactory {
  if (!estimator) {
    const require = createRequire(import.meta.url);
    const core = require("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
    const common = require("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common");
    const english = require("@zxcvbn-ts/language-en") as typeof import("@zxcvbn-ts/language-en");
    estimator = new core.ZxcvbnFactory({
      translations: english.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...english.dictionary },
      useLevenshteinDistance: false,
      l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
      maxLength: STRENGTH_CHECKED_LENGTH * 2,
    });
    commonPasswordsByLength = new Map();
    for (const [name, words] of Object.entries(common.dictionary)) {
      if (!name.startsWith("passwords")) continue;
      for (const word of words.slice(0, EDIT_DISTANCE_LIST_SIZE)) {
        const text = String(word);
        const bucket = commonPasswordsByLength.get(text.length);
        if (bucket) bucket.push(text);
        else commonPasswordsByLength.set(text.length, [text]);
      }
    }
    const warnings = english.translations.warnings as Record<string, string>;
    if (warnings.similarToCommon) similarToCommonWarning = warnings.similarToCommon;
  }
  return estimator;
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
 */
export function estimatePasswordStrengthNow(password: string, userInputs: string[]): PasswordStrength {
  const checked = leadingCodePoints(password.normalize("NFKC"), STRENGTH_CHECKED_LENGTH);
  const result = loadEstimator().check(checked, userInputsFrom(userInputs));
  const strength: PasswordStrength = {
    score: result.score as PasswordStrength["score"],
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  };
  // A short password a few typos away from a common one is guessed early: at most "weak".
  if (strength.score > 1 && checked.length <= EDIT_DISTANCE_MAX_LENGTH && isSimilarToCommonPassword(checked, levenshteinDistance())) {
    return { score: 1, warning: similarToCommonWarning, suggestions: strength.suggestions };
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

/** Loads the dictionaries and runs the matchers over a few hard passwords (the worker calls it at start). */
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
}
type EstimateAnswer = { id: number; strength: PasswordStrength } | { id: number; error: string };

/** An idle worker (and the tens of megabytes of its dictionaries) stops after this long without estimates. */
export const WORKER_IDLE_MS = 5 * 60 * 1000;
/**
 * The worker's heap. The dictionaries hold about 27 MB once loaded; without a bound V8 lets the heap grow to
 * several times that before it collects, and the process keeps the pages.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | undefined;
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
  return new Worker(source, { eval: true, name: "password-strength", resourceLimits: WORKER_LIMITS });
}

function startWorker(): Worker {
  const started = import.meta.url.endsWith(".ts")
    ? startSourceWorker()
    : new Worker(new URL("./password-strength-worker.js", import.meta.url), { name: "password-strength", resourceLimits: WORKER_LIMITS });
  started.on("message", (answer: EstimateAnswer) => {
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
 * estimate never blocks the event loop. Calls are answered in order, one at a time.
 */
export function estimatePasswordStrength(password: string, userInputs: string[]): Promise<PasswordStrength> {
  worker ??= startWorker();
  clearTimeout(idleTimer);
  const target = worker;
  const id = nextRequestId++;
  return new Promise<PasswordStrength>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.ref();
    target.postMessage({ id, password, userInputs: userInputs.slice(0, 8) } satisfies EstimateRequest);
  });
}

/** Stops the worker thread, if one runs (tests and shutdown). */
export async function stopPasswordStrengthWorker(): Promise<void> {
  const running = worker;
  worker = null;
  if (running) await running.terminate();
}
