// Latchkey's small client scripts: progressive enhancement only. Every page works without them; each
// enhancement lives in its own module under enhancements/, is independent, and does nothing when its
// elements are absent. The Content-Security-Policy forbids inline scripts and styles, so this module is
// loaded with <script type="module" src>, state is shown by toggling `hidden` and classes, never
// `element.style`, and text from the page or the server is always set with textContent, never innerHTML.

import { enhanceCapsLockWarnings } from "./enhancements/caps-lock-warning.js";
import { enhanceCaptchaAudio } from "./enhancements/captcha-audio.js";
import { enableDoubleSubmitGuard } from "./enhancements/double-submit-guard.js";
import { enhanceEmailSuggestions } from "./enhancements/email-suggestion.js";
import { enhanceErrorSummary } from "./enhancements/error-summary.js";
import { enhanceFieldChoices } from "./enhancements/field-choices.js";
import { enhanceFeedbackWidgets } from "./enhancements/help-feedback.js";
import { enhancePasswordToggles } from "./enhancements/password-toggle.js";
import { runFeature } from "./enhancements/run-feature.js";
import { enhanceStrengthMeters } from "./enhancements/strength-meter.js";

runFeature(enhancePasswordToggles);
runFeature(enhanceCapsLockWarnings);
runFeature(enhanceStrengthMeters);
runFeature(enhanceErrorSummary);
runFeature(enhanceCaptchaAudio);
runFeature(enhanceFeedbackWidgets);
runFeature(enableDoubleSubmitGuard);
runFeature(enhanceEmailSuggestions);
runFeature(enhanceFieldChoices);
