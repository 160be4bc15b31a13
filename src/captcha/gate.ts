// The security check in front of sensitive actions: without a solved challenge the action does not run,
// and the answer carries a fresh challenge to solve.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { type CAPTCHAPurpose, createCAPTCHAChallenge, normalizeCAPTCHAAnswer, verifyCAPTCHAAnswer } from "./challenges.ts";

export interface CAPTCHASubmission {
  id: string;
  answer: string;
}

/**
 * Passes when `submission` solves a challenge of this purpose and binding. Otherwise throws
 * CAPTCHA_REQUIRED (none given), CAPTCHA_ANSWER_MISSING (an empty answer), CAPTCHA_INCORRECT or
 * CAPTCHA_EXPIRED, each with a new challenge in `extra.captcha`, whose audio speaks `locale` (the
 * default language when none is given).
 */
export async function requireSolvedCAPTCHA(
  deps: Pick<Deps, "stores" | "clock" | "random" | "config"> & { metrics?: Deps["metrics"] },
  input: { submission: CAPTCHASubmission | undefined; purpose: CAPTCHAPurpose; binding: string; locale?: Locale | undefined },
): Promise<void> {
  const fresh = async () => ({ captcha: await createCAPTCHAChallenge(deps, { purpose: input.purpose, binding: input.binding, locale: input.locale }) });
  if (!input.submission?.id) {
    throw new AppError("CAPTCHA_REQUIRED", { field: "captcha", extra: await fresh() });
  }
  const verdict = await verifyCAPTCHAAnswer(deps, { id: input.submission.id, answer: input.submission.answer, purpose: input.purpose, binding: input.binding });
  if (verdict === "correct") return;
  // An empty answer is most likely a slip (Enter pressed too soon), so it gets its own message rather
  // than "not right". The challenge is still spent: every attempt costs one, whatever was typed.
  if (verdict === "incorrect" && normalizeCAPTCHAAnswer(input.submission.answer) === "") {
    throw new AppError("CAPTCHA_ANSWER_MISSING", { field: "captcha", extra: await fresh() });
  }
  throw new AppError(verdict === "incorrect" ? "CAPTCHA_INCORRECT" : "CAPTCHA_EXPIRED", { field: "captcha", extra: await fresh() });
}
