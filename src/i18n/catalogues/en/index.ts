// The English catalogue: the source every other language translates. One file per area of the product;
// an id is "<area>.<key>", e.g. "layout.navHelp". Messages use ICU syntax (plurals, placeholders).
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

export const en = {
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
