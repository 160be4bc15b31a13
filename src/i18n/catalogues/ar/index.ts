// The ar catalogue: one file per area, each translating catalogues/en/<area>.ts. Missing messages fall
// back to English at run time; test/i18n-catalogues.test.ts refuses any that are missing or whose
// placeholders differ.
import type { Translation } from "../../catalogue.ts";
import account from "./account.ts";
import admin from "./admin.ts";
import captcha from "./captcha.ts";
import email from "./email.ts";
import errors from "./errors.ts";
import helpArticles from "./helpArticles.ts";
import helpPages from "./helpPages.ts";
import home from "./home.ts";
import identifiers from "./identifiers.ts";
import layout from "./layout.ts";
import oidc from "./oidc.ts";
import pages from "./pages.ts";
import password from "./password.ts";
import recovery from "./recovery.ts";
import register from "./register.ts";
import security from "./security.ts";
import signin from "./signin.ts";
import sms from "./sms.ts";

export const ar: Translation = {
  account,
  admin,
  captcha,
  email,
  errors,
  helpArticles,
  helpPages,
  home,
  identifiers,
  layout,
  oidc,
  pages,
  password,
  recovery,
  register,
  security,
  signin,
  sms,
};
