// Runs inside the password strength worker thread: answers estimate requests one at a time.
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { isLocale } from "../i18n/locales.ts";
import {
  estimatePasswordStrengthNow,
  loadEnglishEstimator,
  loadedStrengthLanguages,
  type PasswordStrength,
  releaseUnusedHeap,
  type StrengthWorkerData,
  useStrengthDictionaryDir,
  warmUpEstimates,
} from "./password-strength.ts";

useStrengthDictionaryDir((workerData as StrengthWorkerData).dictionaryDir);

// Before the first request is read, the English dictionaries load (from the build's prebuilt files, in tens of
// milliseconds; from the packages, in most of a second). The warm-up that compiles the matchers then runs
// one estimate at a time whenever no request came in for a moment, so the first requests do not wait for
// all of it; once it is done, the heap that loading and warming used for a moment goes back to the system.
loadEnglishEstimator();
const WARM_UP_IDLE_MS = 20;
const warmUp = warmUpEstimates();
let warmUpTimer: NodeJS.Timeout | undefined = setTimeout(warmUpStep, 0);

function warmUpStep(): void {
  let done: boolean | undefined;
  try {
    done = warmUp.next().done;
  } catch {
    // A warm-up estimate that fails leaves the matchers to compile on real requests (whose own errors are answered).
    done = true;
  }
  if (done) {
    warmUpTimer = undefined;
    releaseUnusedHeap();
  } else warmUpTimer = setTimeout(warmUpStep, 0);
}

function estimate(request: { password: string; userInputs: string[]; locale?: string }): { strength: PasswordStrength } | { error: string } {
  try {
    const locale = isLocale(request.locale) ? request.locale : "en";
    const firstInLanguage = !loadedStrengthLanguages().includes(locale);
    const strength = estimatePasswordStrengthNow(request.password, request.userInputs, locale);
    // The first estimate in a language loaded its words: the same heap to give back.
    if (firstInLanguage) releaseUnusedHeap();
    return { strength };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on("message", (request: { id: number; password: string; userInputs: string[]; locale?: string }) => {
  parentPort?.postMessage({ id: request.id, ...estimate(request), heapBytes: getHeapStatistics().total_heap_size });
  // The rest of the warm-up waits until requests pause.
  if (warmUpTimer !== undefined) {
    clearTimeout(warmUpTimer);
    warmUpTimer = setTimeout(warmUpStep, WARM_UP_IDLE_MS);
  }
});
