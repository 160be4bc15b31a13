// The texts page scripts show, in the page's language: the server puts them in a JSON data block
// (<script type="application/json" id="page-texts">). A value goes where the text has "\u0000".

let texts;

function loadTexts() {
  if (texts) return texts;
  texts = {};
  const block = document.getElementById("page-texts");
  try {
    const parsed = JSON.parse(block?.textContent ?? "{}");
    if (parsed && typeof parsed === "object") texts = parsed;
  } catch {
    // A page without the block (or a broken one) keeps the English fallbacks.
  }
  return texts;
}

/** The page's text for `key`, or `fallback` (English, with "\u0000" for the value) when the page has none. */
export function pageText(key, fallback) {
  const text = loadTexts()[key];
  return typeof text === "string" ? text : fallback;
}

/** The text split around its value: ["Did you mean ", "?"]. */
export function pageTextAround(key, fallback) {
  const [before = "", after = ""] = pageText(key, fallback).split("\u0000");
  return [before, after];
}

/** The text with its value filled in. */
export function pageTextWith(key, fallback, value) {
  return pageText(key, fallback).split("\u0000").join(value);
}
