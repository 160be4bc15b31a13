// How a view shows a flow's error: the stored FlowError (a code, no text) with its message looked up from
// src/messages/ when the page is drawn. Flows themselves: src/http/flow-adapter.ts and docs/architecture.md.
import type { ErrorCode } from "../errors/catalogue.ts";
import type { FlowError } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import { phoneChoiceLabelIn } from "../lib/identifier-parsing.ts";
import { messageForError } from "../messages/errors.ts";

/** An error as a view shows it. */
export interface FieldError {
  field: string | null;
  code: ErrorCode;
  message: string;
  /** Values the person can pick instead of retyping (e.g. the readings of a phone number without `+`). */
  choices?: { value: string; label: string }[];
}

/** A flow's kept error as the view shows it, with its message text. */
export function fieldErrorOf(error: FlowError, locale: Locale = "en"): FieldError {
  const base: FieldError = { field: error.field, code: error.code, message: messageForError(error.code, error.params, locale) };
  if (!error.choices) return base;
  // The service names each number's country in English; the page names it in its own language.
  return { ...base, choices: error.choices.map((choice) => ({ value: choice.value, label: phoneChoiceLabelIn(choice, locale) })) };
}
