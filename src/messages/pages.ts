// Page titles and the one-line notices a page shows after a step (`?done=<key>`), by key.

export const pageTitles = {
  signin: "Sign in",
  register: "Create an account",
  registerCheckAddress: "Check your e-mail address",
  verify: "Confirm your account",
  resetRequest: "Reset your password",
  resetSent: "Check your e-mail",
  resetConfirm: "Choose a new password",
  resetLinkProblem: "Reset link problem",
} as const;

const signinNotices: Record<string, string> = {
  "signed-out": "You have signed out.",
  verified: "Your account is confirmed. Sign in with your password to continue.",
  "session-ended": "Your session has ended. Please sign in again.",
  "password-reset": "Your password has been changed and you have been signed out everywhere. Sign in with your new password.",
};

/** The notice the sign-in page shows for `?done=<key>`, or undefined for an unknown key. */
export function signinNotice(key: unknown): string | undefined {
  return typeof key === "string" && Object.hasOwn(signinNotices, key) ? signinNotices[key] : undefined;
}
