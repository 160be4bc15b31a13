// The es catalogue: one file per area, each translating catalogues/en/<area>.ts. Missing messages fall
// back to English at run time; test/i18n-catalogues.test.ts refuses any that are missing or whose
// placeholders differ.
import type { Translation } from "../../catalogue.ts";
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

export const es: Translation = {
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
