// Every public error code, its HTTP status and where it can come from. docs/errors.md lists the same
// codes; a test fails when the two disagree.
import { IDENTIFIER_ERROR_CODES } from "../lib/identifier-parsing.ts";

const identifierEntries = Object.fromEntries(IDENTIFIER_ERROR_CODES.map((code) => [code, { status: 400 }])) as Record<
  (typeof IDENTIFIER_ERROR_CODES)[number],
  { status: number }
>;

export const errorCatalogue = {
  ...identifierEntries,
  VALIDATION_FAILED: { status: 400 },
  NAME_TOO_LONG: { status: 400 },
  NAME_INVALID: { status: 400 },
  PHONE_COUNTRY_NOT_SUPPORTED: { status: 400 },
  PASSWORD_REQUIRED: { status: 400 },
  PASSWORD_TOO_SHORT: { status: 400 },
  PASSWORD_TOO_LONG: { status: 400 },
  PASSWORD_TOO_WEAK: { status: 400 },
  PASSWORD_CONTAINS_IDENTIFIER: { status: 400 },
  PASSWORD_MISMATCH: { status: 400 },
  PASSWORD_INCORRECT: { status: 400 },
  SIGNIN_FAILED: { status: 401 },
  SIGNIN_LOCKED: { status: 429 },
  CAPTCHA_REQUIRED: { status: 401 },
  CAPTCHA_INCORRECT: { status: 400 },
  CAPTCHA_EXPIRED: { status: 400 },
  CAPTCHA_ANSWER_MISSING: { status: 400 },
  POW_REQUIRED: { status: 400 },
  POW_INVALID: { status: 400 },
  POW_TOO_EASY: { status: 400 },
  ACCOUNT_NOT_VERIFIED: { status: 403 },
  UNAUTHENTICATED: { status: 401 },
  VERIFICATION_CODE_INVALID: { status: 400 },
  VERIFICATION_CODE_EXPIRED: { status: 400 },
  REGISTRATION_PASSWORD_REQUIRED: { status: 400 },
  REGISTRATION_PASSWORD_INCORRECT: { status: 400 },
  RESET_TOKEN_INVALID: { status: 400 },
  RESET_TOKEN_EXPIRED: { status: 400 },
  RESET_TOKEN_USED: { status: 400 },
  RESET_CODE_INVALID: { status: 400 },
  RESET_CODE_EXPIRED: { status: 400 },
  IDENTIFIER_ALREADY_YOURS: { status: 409 },
  IDENTIFIER_LAST_ONE: { status: 409 },
  IDENTIFIER_NOT_FOUND: { status: 404 },
  SESSION_NOT_FOUND: { status: 404 },
  ADMIN_LAST_ADMIN: { status: 409 },
  SECOND_FACTOR_REQUIRED: { status: 401 },
  SECOND_FACTOR_INVALID: { status: 400 },
  SECOND_FACTOR_LOCKED: { status: 429 },
  SIGNIN_FLOW_EXPIRED: { status: 401 },
  STEP_UP_REQUIRED: { status: 403 },
  PASSKEY_FAILED: { status: 400 },
  PASSKEY_NOT_FOUND: { status: 404 },
  PASSKEY_NAME_INVALID: { status: 400 },
  TOTP_ALREADY_ENABLED: { status: 409 },
  TOTP_NOT_SET_UP: { status: 409 },
  FEEDBACK_REASON_INVALID: { status: 400 },
  FEEDBACK_COMMENT_TOO_LONG: { status: 400 },
  SEND_LIMITED: { status: 429 },
  DELIVERY_FAILED: { status: 503 },
  SERVICE_UNAVAILABLE: { status: 503 },
  CSRF_INVALID: { status: 403 },
  ORIGIN_REJECTED: { status: 403 },
  RATE_LIMITED: { status: 429 },
  NOT_FOUND: { status: 404 },
  METHOD_NOT_ALLOWED: { status: 405 },
  REQUEST_TIMEOUT: { status: 408 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  HEADERS_TOO_LARGE: { status: 431 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  INTERNAL: { status: 500 },
} as const satisfies Record<string, { status: number }>;

export type ErrorCode = keyof typeof errorCatalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}
