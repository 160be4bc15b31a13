// The one error type that request handling throws on purpose. What the user sees comes from the
// catalogue and src/messages/, never from `detail`, which is only logged.
import { type ErrorCode, errorCatalogue } from "./catalogue.ts";

export interface AppErrorOptions {
  /** The input field the error belongs to, for forms and the API's `field`. */
  field?: string;
  /** Private detail for the log only. */
  detail?: string;
  cause?: unknown;
  /** Seconds until the client may retry, for 429 answers. */
  retryAfter?: number;
  /** Values substituted into the public message (e.g. a suggestion). */
  params?: Record<string, string>;
  /** Extra top-level members of the API error body, e.g. a fresh `captcha` challenge. */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly detail: string | undefined;
  readonly retryAfter: number | undefined;
  readonly params: Record<string, string> | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.detail ? `${code}: ${options.detail}` : code, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.field = options.field;
    this.detail = options.detail;
    this.retryAfter = options.retryAfter;
    this.params = options.params;
    this.extra = options.extra;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
