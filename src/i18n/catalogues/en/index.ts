// The English catalogue: the source every other language translates. One file per area of the product;
// an id is "<area>.<key>", e.g. "layout.navHelp". Messages use ICU syntax (plurals, placeholders).
import helpArticles from "./helpArticles.ts";
import layout from "./layout.ts";

export const en = {
  layout,
  helpArticles,
};
