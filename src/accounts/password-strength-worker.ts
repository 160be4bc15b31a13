// Runs inside the password strength worker thread: answers estimate requests one at a time.
import { parentPort } from "node:worker_threads";
import { estimatePasswordStrengthNow } from "./password-strength.ts";

parentPort?.on("message", (request: { id: number; password: string; userInputs: string[] }) => {
  try {
    parentPort?.postMessage({ id: request.id, strength: estimatePasswordStrengthNow(request.password, request.userInputs) });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
