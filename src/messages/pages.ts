// Page titles and the one-line notices a page shows after a step (`?done=<key>`), from the `pages`
// catalogue area. Views and routes ask with the request's translator: `pageTitlesIn(t).signin`.
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";

const TITLE_IDS = {
  signin: "pages.titleSignin",
  register: "pages.titleRegister",
  registerCheckAddress: "pages.titleRegisterCheckAddress",
  verify: "pages.titleVerify",
  resetRequest: "pages.titleResetRequest",
  resetSent: "pages.titleResetSent",
  resetConfirm: "pages.titleResetConfirm",
  resetLinkProblem: "pages.titleResetLinkProblem",
  account: "pages.titleAccount",
  confirmIdentifier: "pages.titleConfirmIdentifier",
  changePassword: "pages.titleChangePassword",
  help: "pages.titleHelp",
  security: "pages.titleSecurity",
  totpSetup: "pages.titleTotpSetup",
  confirm: "pages.titleConfirm",
  deleteAccount: "pages.titleDeleteAccount",
  goodbye: "pages.titleGoodbye",
  secondFactor: "pages.titleSecondFactor",
  welcome: "pages.titleWelcome",
} as const satisfies Record<string, MessageId>;

export type PageTitles = { readonly [K in keyof typeof TITLE_IDS]: string } & { readonly helpSearch: (query: string) => string };

/** Every page title in the translator's language (each read when asked for). */
export function pageTitlesIn(t: Translate): PageTitles {
  const titles = { helpSearch: (query: string) => t("pages.titleHelpSearch", { query }) };
  for (const [key, id] of Object.entries(TITLE_IDS)) Object.defineProperty(titles, key, { get: () => t(id), enumerable: true });
  return titles as PageTitles;
}

/** The page titles in English, for pages not yet given the request's language. */
export const pageTitles: PageTitles = pageTitlesIn(translator("en"));

const SIGNIN_NOTICES: Record<string, MessageId> = {
  "signed-out": "pages.signinSignedOut",
  verified: "pages.signinVerified",
  "session-ended": "pages.signinSessionEnded",
  "password-reset": "pages.signinPasswordReset",
};

const ACCOUNT_NOTICES: Record<string, MessageId> = {
  "session-ended": "pages.accountSessionEnded",
  welcome: "pages.accountWelcome",
  "others-ended": "pages.accountOthersEnded",
  "identifier-added": "pages.accountIdentifierAdded",
  "identifier-removed": "pages.accountIdentifierRemoved",
  "password-changed": "pages.accountPasswordChanged",
  "app-removed": "pages.accountAppRemoved",
};

const SECURITY_NOTICES: Record<string, MessageId> = {
  "passkey-added": "pages.securityPasskeyAdded",
  "passkey-renamed": "pages.securityPasskeyRenamed",
  "passkey-removed": "pages.securityPasskeyRemoved",
  "totp-on": "pages.securityTotpOn",
  "totp-off": "pages.securityTotpOff",
  "name-saved": "pages.securityNameSaved",
  "recovery-codes": "pages.securityRecoveryCodes",
};

function noticeOf(table: Record<string, MessageId>, key: unknown, t: Translate): string | undefined {
  if (typeof key !== "string" || !Object.hasOwn(table, key)) return undefined;
  const id = table[key];
  return id ? t(id) : undefined;
}

const english = translator("en");

/** The notice the sign-in page shows for `?done=<key>`, or undefined for an unknown key. */
export function signinNotice(key: unknown, t: Translate = english): string | undefined {
  return noticeOf(SIGNIN_NOTICES, key, t);
}

/** The notice the account page shows for `?done=<key>`, or undefined for an unknown key. */
export function accountNotice(key: unknown, t: Translate = english): string | undefined {
  return noticeOf(ACCOUNT_NOTICES, key, t);
}

/** The notice the security page shows for `?done=<key>`, or undefined for an unknown key. */
export function securityNotice(key: unknown, t: Translate = english): string | undefined {
  return noticeOf(SECURITY_NOTICES, key, t);
}

/** What protects an account besides its password, in one line: "Authenticator app, 2 passkeys, 8 recovery codes left". */
export function secondFactorSummary(o: { totp: boolean; passkeys: number; recoveryCodesLeft: number }, t: Translate = english): string {
  const parts = [
    ...(o.totp ? [t("admin.secondFactorsTotp")] : []),
    ...(o.passkeys > 0 ? [t("admin.secondFactorsPasskeys", { count: o.passkeys })] : []),
    ...(o.recoveryCodesLeft > 0 ? [t("admin.secondFactorsCodesLeft", { count: o.recoveryCodesLeft })] : []),
  ];
  return parts.length > 0 ? parts.join(", ") : t("admin.secondFactorsNone");
}
