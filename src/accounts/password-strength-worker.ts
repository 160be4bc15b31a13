// Runs inside the password strength worker thread: answers estimate requests one at a time.
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { isLocale } from "../i18n/locales.ts";
import {
  estimatePasswordStrengthNow,
  loadedStrengthLanguages,
  type PasswordStrength,
  releaseUnusedHeap,
  type StrengthWorkerData,
  useStrengthDictionaryDir,
  warmUpPasswordStrength,
} from "./password-strength.ts";

useStrengthDictionaryDir((workerData as StrengthWorkerData).dictionaryDir);

// Before the first request is read: the dictionaries load (from the build's prebuilt files, in tens of
// milliseconds; from the packages, in most of a second) and the matchers are compiled once, here; then the
// heap that this used for a moment goes back to the system.
warmUpPasswordStrength();
releaseUnusedHeap();

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
});
