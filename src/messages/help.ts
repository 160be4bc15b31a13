// The feedback reasons in English, for the terminal report and the CSV export. Pages show them in their
// own language from the helpPages catalogue.
import { translate } from "../i18n/catalogue.ts";
import type { HelpFeedbackReason } from "../stores/types.ts";

/** The choices after "No", by reason. */
export const feedbackReasonLabels: Record<HelpFeedbackReason, string> = {
  confusing: translate("en", "helpPages.reason_confusing"),
  didnt_answer: translate("en", "helpPages.reason_didnt_answer"),
  inaccurate: translate("en", "helpPages.reason_inaccurate"),
  too_long: translate("en", "helpPages.reason_too_long"),
  other: translate("en", "helpPages.reason_other"),
};
