// The English catalogue: the source every other language translates. One file per area of the product;
// an id is "<area>.<key>", e.g. "layout.navHelp". Messages use ICU syntax (plurals, placeholders).
import account from "./account.ts";
import admin from "./admin.ts";
import email from "./email.ts";
import helpPages from "./helpPages.ts";
import layout from "./layout.ts";
import oidc from "./oidc.ts";
import security from "./security.ts";
import sms from "./sms.ts";

export const en = {
  layout,
  account,
  admin,
  helpPages,
  oidc,
  security,
  email,
  sms,
};
