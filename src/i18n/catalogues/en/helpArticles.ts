// The help articles' frame: what a reader is told when an article is not yet written in their language.
export default {
  fallbackNote: "This article is not yet available in {language}; here it is in English.",
  inEnglish: "in English",
};
