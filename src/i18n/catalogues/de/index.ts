// The de catalogue: one file per area, each translating catalogues/en/<area>.ts. Missing messages fall
// back to English at run time; test/i18n-catalogues.test.ts refuses any that are missing or whose
// placeholders differ.
import type { Translation } from "../../catalogue.ts";
import account from "./account.ts";
import admin from "./admin.ts";
import email from "./email.ts";
import helpPages from "./helpPages.ts";
import oidc from "./oidc.ts";
import security from "./security.ts";
import sms from "./sms.ts";

export const de: Translation = {
  account,
  admin,
  helpPages,
  oidc,
  security,
  email,
  sms,
};
