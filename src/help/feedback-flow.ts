// Article feedback without JavaScript: one article page with three steps chosen by ?feedback=, and the
// service both the page and the API call. Only a refused reason (with what was typed) is kept as flow state.
//
// ```mermaid
// stateDiagram-v2
//   [*] --> ask
//   ask --> thanks: Yes (saved)
//   ask --> reason: No (saved without a reason)
//   reason --> thanks: Send (saved again, with reason and comment)
//   reason --> reason: refused (invalid reason or comment; flow with the error)
//   thanks --> ask: Change your answer
// ```
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import type { HelpLibrary } from "./articles.ts";
import { MAX_FEEDBACK_COMMENT_LENGTH, requireHelpArticle, saveHelpFeedback } from "./feedback.ts";

export const FEEDBACK_FLOW_KIND = "help_feedback";
export const FEEDBACK_FLOW_TTL_SECONDS = 30 * 60;

export type FeedbackStep = "ask" | "reason" | "thanks";

/** A refused reason: the article, what was typed, and why. */
export interface FeedbackState {
  step: "reason";
  slug: string;
  reason: string;
  comment: string;
  error: FlowError | null;
}

export type FeedbackResult = { kind: "saved"; slug: string; next: Exclude<FeedbackStep, "ask"> } | { kind: "refused"; state: FeedbackState; refusal: Refusal };

export function newFeedbackState(slug = ""): FeedbackState {
  return { step: "reason", slug, reason: "", comment: "", error: null };
}

/**
 * Saves an answer. The page's "No" without a reason asks for one next; everything else thanks. A
 * `helpful` other than yes or no cannot come from the page: like a schema failure it is thrown
 * (VALIDATION_FAILED), not answered as a step.
 */
export async function runFeedbackStep(
  deps: Pick<Deps, "stores" | "clock">,
  library: HelpLibrary,
  input: { slug: string; locale: Locale; visitorId: string; helpful: string; reason: string; comment: string; fromReasonStep: boolean },
): Promise<FeedbackResult> {
  const article = requireHelpArticle(library, input.slug, input.locale);
  if (input.helpful !== "yes" && input.helpful !== "no") throw new AppError("VALIDATION_FAILED", { field: "helpful", detail: "helpful must be yes or no" });
  const helpful = input.helpful === "yes";
  const saved = await refusalOrValue(() =>
    saveHelpFeedback(deps, library, {
      slug: article.slug,
      locale: input.locale,
      visitorId: input.visitorId,
      helpful,
      reason: input.reason,
      comment: input.comment,
    }),
  );
  if ("refusal" in saved) {
    const state: FeedbackState = {
      ...newFeedbackState(article.slug),
      reason: input.reason,
      // Cut by characters, not UTF-16 units: a cut through an emoji would show the reader a broken character.
      comment: Array.from(input.comment)
        .slice(0, MAX_FEEDBACK_COMMENT_LENGTH * 2)
        .join(""),
      error: flowErrorOf(saved.refusal),
    };
    return { kind: "refused", state, refusal: saved.refusal };
  }
  // The reason form always sends its comment box (empty or not); the first No button sends no comment.
  return { kind: "saved", slug: article.slug, next: !helpful && !input.fromReasonStep && input.reason === "" ? "reason" : "thanks" };
}
