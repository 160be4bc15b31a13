// The words of the help center's feedback widget and of the feedback report.
// public/enhancements/help-feedback.js repeats the two thank-you texts for the inline path; keep them the same.
import type { HelpFeedbackReason } from "../stores/types.ts";

export const feedbackQuestion = "Was this information helpful?";
export const feedbackReasonLegend = "Please select what best describes the information";
export const feedbackCommentLabel = "Anything else? (optional)";

export const feedbackThanksYes = "Thank you for your feedback.";
export const feedbackThanksNo = "Thank you. We can't reply to individual answers, but we read every one and use them to improve this help.";

/** The choices after "No", in the order they are offered. */
export const feedbackReasonLabels: Record<HelpFeedbackReason, string> = {
  confusing: "Confusing or hard to follow",
  didnt_answer: "Didn't answer my question",
  inaccurate: "Inaccurate or out of date",
  too_long: "Too long",
  other: "Something else",
};
