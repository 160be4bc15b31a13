import type { Translation } from "../../catalogue.ts";

export default {
  fallbackNote: "Este artículo aún no está disponible en {language}; aquí lo tienes en inglés.",
  inEnglish: "en inglés",
} satisfies NonNullable<Translation["helpArticles"]>;
