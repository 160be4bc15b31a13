// What a flow answers when it will not go on: an expected outcome (a wrong password, a security check to
// solve, a pause) as a value, not an exception. Only truly exceptional cases (storage down, a bug) throw.
import { AppError, isAppError } from "../errors/app-error.ts";
import type { ErrorCode } from "../errors/catalogue.ts";

/** One expected refusal: the public error code and what the answer carries with it. */
export interface Refusal {
  code: ErrorCode;
  /** The input field it belongs to. */
  field?: string;
  /** Values for the public message (e.g. how long a pause lasts). */
  params?: Record<string, string>;
  /** Seconds until the client may try again (sent as Retry-After). */
  retryAfter?: number;
  /** Extra top-level members of the API answer, e.g. a fresh `captcha` challenge or identifier `choices`. */
  extra?: Record<string, unknown>;
  /** Private detail for the log only. */
  detail?: string;
}

/** A refusal as a page keeps it in flow state: no message text (the view looks it up), no secrets. */
export interface FlowError {
  field: string | null;
  code: ErrorCode;
  params?: Record<string, string>;
  /** Values the person can pick instead of retyping (e.g. the readings of a phone number without `+`). */
  choices?: { value: string; label: string }[];
}

/**
 * Runs a service step whose expected failures are still thrown deep inside (input parsing, the security
 * check, throttling), and returns them as a refusal. Anything else, and every 5xx error except the codes
 * in `alsoExpected`, is exceptional and thrown on.
 */
export async function refusalOrValue<T>(step: () => Promise<T>, alsoExpected: readonly ErrorCode[] = []): Promise<{ value: T } | { refusal: Refusal }> {
  try {
    return { value: await step() };
  } catch (error) {
    if (!isAppError(error) || (error.status >= 500 && !alsoExpected.includes(error.code))) throw error;
    return { refusal: refusalFrom(error) };
  }
}

export function refusalFrom(error: AppError): Refusal {
  return {
    code: error.code,
    ...(error.field ? { field: error.field } : {}),
    ...(error.params ? { params: error.params } : {}),
    ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
    ...(error.extra ? { extra: error.extra } : {}),
    ...(error.detail ? { detail: error.detail } : {}),
  };
}

/** The refusal as the error the API answers with (the same shape every other error has). */
export function refusalError(refusal: Refusal): AppError {
  return new AppError(refusal.code, {
    ...(refusal.field ? { field: refusal.field } : {}),
    ...(refusal.params ? { params: refusal.params } : {}),
    ...(refusal.retryAfter !== undefined ? { retryAfter: refusal.retryAfter } : {}),
    ...(refusal.extra ? { extra: refusal.extra } : {}),
    ...(refusal.detail ? { detail: refusal.detail } : {}),
  });
}

/** What a page keeps of a refusal between the POST and the GET. */
export function flowErrorOf(refusal: Refusal): FlowError {
  const choices = refusal.extra?.choices;
  return {
    field: refusal.field ?? null,
    code: refusal.code,
    ...(refusal.params ? { params: refusal.params } : {}),
    ...(Array.isArray(choices) && choices.length > 0 ? { choices: choices as { value: string; label: string }[] } : {}),
  };
}
