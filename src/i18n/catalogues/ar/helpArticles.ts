import type { Translation } from "../../catalogue.ts";

export default {
  fallbackNote: "هذه المقالة غير متوفرة بعد باللغة {language}؛ إليك نصها باللغة الإنجليزية.",
  inEnglish: "بالإنجليزية",
} satisfies NonNullable<Translation["helpArticles"]>;
