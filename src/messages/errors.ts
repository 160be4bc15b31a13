// What people read for each error code. Clear about format, silent about whether an account exists.
import type { ErrorCode } from "../errors/catalogue.ts";
import { identifierMessages } from "./identifiers.ts";

export const errorMessages: Record<ErrorCode, string> = {
  ...identifierMessages,
  VALIDATION_FAILED: "Some of what was sent is missing or not in the expected form.",
  NAME_TOO_LONG: "Your name can be at most 100 characters long.",
  PASSWORD_REQUIRED: "Enter your password.",
  PASSWORD_TOO_SHORT: "Use at least 8 characters for your password. A few unrelated words make a good one.",
  PASSWORD_TOO_LONG: "Your password can be at most 128 characters long.",
  PASSWORD_TOO_WEAK: "This password would be easy to guess. Add another word or two, or use a phrase only you would think of.",
  PASSWORD_CONTAINS_IDENTIFIER: "Your password contains your e-mail address or mobile number, which makes it easy to guess. Choose something else.",
  PASSWORD_MISMATCH: "The two passwords are not the same. Type the new password again in both fields.",
  PASSWORD_INCORRECT: "Your current password is not right. Check Caps Lock and try again.",
  SIGNIN_FAILED: "The e-mail address, mobile number or password is not right. Passwords are case-sensitive: check Caps Lock.",
  SIGNIN_LOCKED:
    "There have been too many failed attempts to sign in with this address or number, so sign-in is paused for {wait}. You can reset your password now instead: that always works.",
  CAPTCHA_REQUIRED: "Please complete the security check, so we know you're a person and not a program.",
  CAPTCHA_INCORRECT:
    "That answer to the security check was not right. Here is a new one: type the characters in the picture, or the 7 digits you hear. Upper and lower case don't matter.",
  CAPTCHA_EXPIRED: "The security check had expired or was already used. Here is a new one.",
  CAPTCHA_ANSWER_MISSING: "Type your answer to the security check: the characters in the picture, or the 7 digits you hear. Here is a new one.",
  SECOND_FACTOR_REQUIRED: "Your password was right. Now finish signing in with your passkey, your authenticator app or a recovery code.",
  SECOND_FACTOR_INVALID: "That code is not right, or it was already used. Type the 6 digits your authenticator app shows now, or one of your recovery codes.",
  SECOND_FACTOR_LOCKED:
    "There have been too many wrong codes, so codes are paused for {wait}. If you have lost your phone, use a recovery code once the pause is over.",
  SIGNIN_FLOW_EXPIRED: "This sign-in has expired or was already finished. Sign in again with your password.",
  STEP_UP_REQUIRED: "To change this, first confirm it's you: with your password, a passkey or your authenticator app.",
  PASSKEY_FAILED: "The passkey could not be used. It may have been cancelled, timed out, or belong to another site. Try again.",
  PASSKEY_NOT_FOUND: "That passkey is not on your account.",
  PASSKEY_NAME_INVALID: 'Give the passkey a name of 1 to 64 characters, such as "Work laptop".',
  TOTP_ALREADY_ENABLED: "An authenticator app is already on. Turn it off first to set up another one.",
  TOTP_NOT_SET_UP: "Start setting up the authenticator app again: the set-up had not begun or has already finished.",
  POW_REQUIRED:
    "Your browser did not finish a short background check. Reload the page and try again; if it keeps happening, turn on JavaScript or use the security check instead.",
  POW_INVALID: "Your browser's background check had expired or was already used. Reload the page and try again.",
  POW_TOO_EASY:
    "There have been failed attempts to sign in with this address or number, so your browser's background check must do a little more work. Try again; it happens by itself.",
  ACCOUNT_NOT_VERIFIED: "Confirm your e-mail address or mobile number before you sign in. We have sent you a new code.",
  UNAUTHENTICATED: "Sign in to continue.",
  VERIFICATION_CODE_INVALID: "That code is not right. Check the latest message we sent and try again.",
  VERIFICATION_CODE_EXPIRED: "That code has expired or has been used up. Ask for a new code and use the one in the newest message.",
  RESET_TOKEN_INVALID:
    "This reset link is not complete or not valid. It may have been cut off when it was copied. Start a new reset and open the link from the newest e-mail.",
  RESET_TOKEN_EXPIRED: "This reset link has expired: links work for 30 minutes. Start a new reset to get a fresh one.",
  RESET_TOKEN_USED: "This reset link has already been used, or a newer one was sent. Sign in with your new password, or start a new reset.",
  RESET_CODE_INVALID: "That code is not right. Check the newest text message we sent and try again.",
  RESET_CODE_EXPIRED: "That code has expired or has been used up. Codes work for 10 minutes and 5 tries. Start a new reset to get a new code.",
  IDENTIFIER_ALREADY_YOURS: "This address or number is already on your account.",
  IDENTIFIER_LAST_ONE: "You can't remove the only e-mail address or mobile number on your account.",
  IDENTIFIER_NOT_FOUND: "That e-mail address or mobile number is not on your account.",
  SESSION_NOT_FOUND: "That session does not exist or has already ended.",
  ADMIN_LAST_ADMIN: "This is the only enabled administrator. Make another account an administrator first, so that someone can still manage accounts.",
  FEEDBACK_REASON_INVALID: 'Choose one of the reasons in the list. Reasons can only be given with a "No" answer.',
  FEEDBACK_COMMENT_TOO_LONG: "Your comment can be at most 1,000 characters long. Please shorten it.",
  SEND_LIMITED: "We have sent several messages already. Wait a little before asking for another.",
  DELIVERY_FAILED: "We could not send the message just now. Please try again in a few minutes.",
  SERVICE_UNAVAILABLE: "Part of our service is briefly unavailable, so we could not finish this. Please try again in a minute.",
  CSRF_INVALID: "This form has expired. We have loaded a fresh one: please try again.",
  ORIGIN_REJECTED: "This request came from another site and was refused.",
  RATE_LIMITED: "Too many requests. Please wait a moment and try again.",
  NOT_FOUND: "There is nothing here.",
  METHOD_NOT_ALLOWED: "This address does not accept that kind of request.",
  REQUEST_TIMEOUT: "The request took too long to arrive and was cut off. Please check your connection and try again.",
  PAYLOAD_TOO_LARGE: "What was sent is too large.",
  UNSUPPORTED_MEDIA_TYPE: "Send JSON (Content-Type: application/json) or a form.",
  INTERNAL: "Something went wrong on our side. Please try again.",
};

/** The public message for a code, with `{name}` placeholders filled from params. */
export function messageForError(code: ErrorCode, params?: Record<string, string>): string {
  const template = errorMessages[code];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
