// Every shipped language translates every English message, with the same placeholders. A gap or a renamed
// placeholder fails here, listing what each language still lacks, area by area.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { allMessageIds, messageSource, translationOf } from "../src/i18n/catalogue.ts";
import { en } from "../src/i18n/catalogues/en/index.ts";
import { SHIPPED_LOCALES } from "../src/i18n/locales.ts";

const KIND: Partial<Record<TYPE, string>> = {
  [TYPE.argument]: "text",
  [TYPE.number]: "number",
  [TYPE.date]: "date",
  [TYPE.time]: "time",
  [TYPE.select]: "select",
  [TYPE.plural]: "plural",
};

/** "name:kind" of every placeholder, plural and select in a message, nested ones included. */
function placeholders(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]): void => {
    for (const element of elements) {
      const kind = KIND[element.type];
      if (kind && "value" in element && typeof element.value === "string") found.add(`${element.value}:${kind}`);
      if (element.type === TYPE.select || element.type === TYPE.plural) for (const option of Object.values(element.options)) walk(option.value);
    }
  };
  walk(parse(message, { ignoreTag: true }));
  return [...found].sort();
}

/** A select's or plural's option keys, which must match between languages for selects (not plurals: each language has its own categories). */
function selectKeys(message: string): string[] {
  const keys: string[] = [];
  const walk = (elements: MessageFormatElement[]): void => {
    for (const element of elements) {
      if (element.type === TYPE.select) keys.push(...Object.keys(element.options).map((k) => `${element.value}=${k}`));
      if (element.type === TYPE.select || element.type === TYPE.plural) for (const option of Object.values(element.options)) walk(option.value);
      if (element.type === TYPE.plural) assert.ok("other" in element.options, `plural ${element.value} has an "other" case`);
    }
  };
  walk(parse(message, { ignoreTag: true }));
  return keys.sort();
}

const ids = allMessageIds();

describe("message catalogues", () => {
  it("every English message parses", () => {
    for (const id of ids) assert.doesNotThrow(() => placeholders(messageSource("en", id).text), id);
  });

  for (const locale of SHIPPED_LOCALES.filter((l) => l !== "en")) {
    it(`${locale} translates every English message, with the same placeholders`, () => {
      const translation = translationOf(locale) as Record<string, Record<string, string> | undefined>;
      const missing = new Map<string, string[]>();
      const problems: string[] = [];
      for (const [area, messages] of Object.entries(en)) {
        const translated = translation[area];
        for (const [key, english] of Object.entries(messages as Record<string, string>)) {
          const text = translated?.[key];
          if (text === undefined) {
            missing.set(area, [...(missing.get(area) ?? []), key]);
            continue;
          }
          const id = `${area}.${key}`;
          try {
            if (placeholders(text).join() !== placeholders(english).join())
              problems.push(`${id}: placeholders ${placeholders(text).join(", ") || "none"}, English has ${placeholders(english).join(", ") || "none"}`);
            if (selectKeys(text).join() !== selectKeys(english).join()) problems.push(`${id}: select cases differ from English`);
          } catch (error) {
            problems.push(`${id}: does not parse (${(error as Error).message})`);
          }
          if (text.trim() === "") problems.push(`${id}: empty`);
        }
        for (const key of Object.keys(translated ?? {})) if (!(key in (messages as object))) problems.push(`${area}.${key}: not in the English catalogue`);
      }
      for (const area of Object.keys(translation)) if (!(area in en)) problems.push(`${area}: no such area in English`);
      const gaps = [...missing].map(([area, keys]) => `${area} (${keys.length} of ${Object.keys((en as Record<string, object>)[area] ?? {}).length} missing)`);
      assert.deepEqual(problems, [], `${locale}: messages that differ from English`);
      assert.deepEqual(gaps, [], `${locale}: untranslated areas`);
    });
  }
});
