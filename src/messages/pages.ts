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
  account: "Your account",
  confirmIdentifier: "Confirm the new address or number",
  changePassword: "Change your password",
  help: "Help",
  helpSearch: (query: string): string => `Search: ${query}`,
  security: "Sign-in and security",
  totpSetup: "Set up an authenticator app",
  confirm: "Confirm it's you",
  deleteAccount: "Delete your account",
  goodbye: "Account deleted",
  secondFactor: "Sign in: one more step",
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

const accountNotices: Record<string, string> = {
  "session-ended": "That session has been signed out.",
  welcome: "Your account is confirmed and you are signed in.",
  "others-ended": "You have been signed out everywhere else.",
  "identifier-added": "Added. You can now sign in with it.",
  "identifier-removed": "Removed. It can no longer be used to sign in.",
  "password-changed": "Your password has been changed. We've sent you a notice about it.",
  "app-removed": "Access removed. The application has been signed out and must ask again.",
};

/** The notice the account page shows for `?done=<key>`, or undefined for an unknown key. */
export function accountNotice(key: unknown): string | undefined {
  return typeof key === "string" && Object.hasOwn(accountNotices, key) ? accountNotices[key] : undefined;
}

const securityNotices: Record<string, string> = {
  "passkey-added": "Passkey added. You can now sign in with it.",
  "passkey-renamed": "Passkey renamed.",
  "passkey-removed": "Passkey removed. It can no longer be used to sign in.",
  "totp-on": "The authenticator app is on. From now on we ask for its code after your password.",
  "totp-off": "The authenticator app is off.",
  "name-saved": "Your name has been saved.",
  "recovery-codes": "New recovery codes made. The old ones no longer work.",
};

/** The notice the security page shows for `?done=<key>`, or undefined for an unknown key. */
export function securityNotice(key: unknown): string | undefined {
  return typeof key === "string" && Object.hasOwn(securityNotices, key) ? securityNotices[key] : undefined;
}

/** The admin console's texts for removing an account's second factors (the lost-phone case). */
export const adminSecondFactorTexts = {
  action: "Remove second factors",
  heading: "Second factors",
  none: "None",
  consequences: [
    "Their passkeys, authenticator app and recovery codes are removed: their password alone signs them in until they set up a new second step.",
    "Do this only once you are sure it is really them asking (they lost their phone or security key, and their recovery codes).",
    "Their sessions stay as they are.",
    "We tell them by e-mail or text message.",
  ],
  done: "The account's second factors are removed. Its owner has been told.",
  /** One line: what the account has, e.g. "Authenticator app, 2 passkeys, 8 recovery codes left". */
  summary: (o: { totp: boolean; passkeys: number; recoveryCodesLeft: number }): string => {
    const parts = [
      ...(o.totp ? ["Authenticator app"] : []),
      ...(o.passkeys > 0 ? [`${o.passkeys} passkey${o.passkeys === 1 ? "" : "s"}`] : []),
      ...(o.recoveryCodesLeft > 0 ? [`${o.recoveryCodesLeft} recovery code${o.recoveryCodesLeft === 1 ? "" : "s"} left`] : []),
    ];
    return parts.length > 0 ? parts.join(", ") : "None";
  },
} as const;
