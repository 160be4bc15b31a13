import type { Translation } from "../../catalogue.ts";

export default {
  fallbackNote: "Diesen Artikel gibt es noch nicht auf {language}; hier lesen Sie ihn auf Englisch.",
  inEnglish: "auf Englisch",
} satisfies NonNullable<Translation["helpArticles"]>;
