// The English catalogue: the source every other language translates. One file per area of the product;
// an id is "<area>.<key>", e.g. "layout.navHelp". Messages use ICU syntax (plurals, placeholders).
import captcha from "./captcha.ts";
import errors from "./errors.ts";
import helpArticles from "./helpArticles.ts";
import home from "./home.ts";
import identifiers from "./identifiers.ts";
import layout from "./layout.ts";
import pages from "./pages.ts";
import password from "./password.ts";
import recovery from "./recovery.ts";
import register from "./register.ts";
import signin from "./signin.ts";

export const en = {
  captcha,
  errors,
  helpArticles,
  home,
  identifiers,
  layout,
  pages,
  password,
  recovery,
  register,
  signin,
};
