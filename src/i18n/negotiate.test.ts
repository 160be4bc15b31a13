import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchAcceptLanguage } from "./negotiate.ts";

const ALL = ["en", "de", "fr", "es", "ar"] as const;

describe("matchAcceptLanguage", () => {
  it("takes the highest q-value first, and the header's order on a tie", () => {
    assert.equal(matchAcceptLanguage("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7", ALL), "fr");
    assert.equal(matchAcceptLanguage("en;q=0.5, de;q=0.8", ALL), "de");
    assert.equal(matchAcceptLanguage("es, ar", ALL), "es");
  });
  it("matches a regional tag to its language and skips what is not offered", () => {
    assert.equal(matchAcceptLanguage("de-AT", ALL), "de");
    assert.equal(matchAcceptLanguage("da, ar-EG;q=0.8", ALL), "ar");
    assert.equal(matchAcceptLanguage("da, sv", ALL), undefined);
    assert.equal(matchAcceptLanguage("de", ["en", "fr"]), undefined);
  });
  it("never picks a language excluded with q=0, even for *", () => {
    assert.equal(matchAcceptLanguage("de;q=0, *", ["de", "en"]), "en");
    assert.equal(matchAcceptLanguage("fr;q=0", ALL), undefined);
  });
  it("ignores malformed ranges and oversized headers", () => {
    assert.equal(matchAcceptLanguage("<script>, de", ALL), "de");
    assert.equal(matchAcceptLanguage(`${"x".repeat(600)}, de`, ALL), undefined);
    assert.equal(matchAcceptLanguage(undefined, ALL), undefined);
  });
});
