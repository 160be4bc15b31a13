// Runs inside the password strength worker thread: answers estimate requests one at a time.
import { parentPort } from "node:worker_threads";
import { isLocale } from "../i18n/locales.ts";
import { estimatePasswordStrengthNow, warmUpPasswordStrength } from "./password-strength.ts";

// Before the first request is read: the dictionaries load and the matchers are compiled once, here.
warmUpPasswordStrength();

parentPort?.on("message", (request: { id: number; password: string; userInputs: string[]; locale?: string }) => {
  try {
    const locale = isLocale(request.locale) ? request.locale : "en";
    parentPort?.postMessage({ id: request.id, strength: estimatePasswordStrengthNow(request.password, request.userInputs, locale) });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
