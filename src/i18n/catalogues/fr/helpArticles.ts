import type { Translation } from "../../catalogue.ts";

export default {
  fallbackNote: "Cet article n’est pas encore disponible en {language} ; le voici en anglais.",
  inEnglish: "en anglais",
} satisfies NonNullable<Translation["helpArticles"]>;
