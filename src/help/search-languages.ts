// How the help search reads words in each shipped language: which words are too common to index (stop
// words), how a word is folded (case, accents, French elision, Arabic letter variants) and a light stemmer
// that lets the forms of a word meet. None of them has to be linguistically right, only consistent: the
// index and the query read words through the same analyzer.
import type { Locale } from "../i18n/locales.ts";
import { stemHelpTerm } from "./search-stemmer.ts";

/** One language's reading of words. `fold` comes first; `isStopWord` and `stem` take folded words. */
export interface HelpWordAnalyzer {
  locale: Locale;
  /** Lower-cases, folds accents and removes apostrophes: "Doesn’t" → "doesnt", "Café" → "cafe". */
  fold(word: string): string;
  isStopWord(word: string): boolean;
  stem(word: string): string;
}

/** Lower-case, accents and other marks removed, "ß" as "ss", apostrophes removed. */
export function foldHelpWord(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/\u00DF/g, "ss")
    .replace(/['\u2019]/g, "");
}

/** Stop words are written folded (no accents), as the analyzer compares them after folding. */
function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ""));
}

const ENGLISH_STOP_WORDS = words(`
  a about an and are as at be but by do does for from has have how i if in into is it its me my of on or our so
  than that the their them then there these they this to us was we were what when where which who why will with
  you your`);

const GERMAN_STOP_WORDS = words(`
  aber als am an auch auf aus bei bin bis bist da dann das dass dem den der des die dies diese diesem diesen
  dieser dieses du durch ein eine einem einen einer eines er es fur hat hatte ich ihr ihre ihrem ihren ihrer im
  in ist ja kann mein meine mich mir mit nach nicht noch nur ob oder sein sich sie sind so um und uns vom von
  vor war was welche wenn wer werden wie wir wird wo zu zum zur`);

const FRENCH_STOP_WORDS = words(`
  a au aux avec ce ces cet cette comme comment dans de des du elle elles en est et etes il ils je la le les leur
  leurs ma mais me mes moi mon ne nos notre nous on ou par pas plus pour qu que quel quelle qui sa se ses si son
  sont sur ta te tes toi ton tu un une vos votre vous y`);

const SPANISH_STOP_WORDS = words(`
  a al como con cual cuando de del donde e el ella en era es esa ese eso esta estas este esto estos la las le
  les lo los me mi mis muy no nos o para pero por que se si sin son su sus te ti tu tus un una unas uno unos y
  ya yo`);

// Arabic stop words as folded (alef forms folded to ا, no diacritics).
const ARABIC_STOP_WORDS = words(`
  في من على الى عن ان او ام ما ماذا لا لم لن هل و ثم مع كان كانت قد كل هذا هذه ذلك تلك التي الذي الذين هو هي
  هم انت انتم نحن انا به بها له لها عند اذا كيف لماذا اين متى`);

function englishAnalyzer(): HelpWordAnalyzer {
  return { locale: "en", fold: foldHelpWord, isStopWord: (w) => ENGLISH_STOP_WORDS.has(w), stem: stemHelpTerm };
}

/** Strips the first of `suffixes` (longest listed first) that leaves at least `keep` characters. */
function stripSuffix(word: string, suffixes: readonly string[], keep: number): string {
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= keep) return word.slice(0, -suffix.length);
  }
  return word;
}

/**
 * A light German stemmer after the first two steps of the Snowball one: inflection endings ("-ern",
 * "-en", "-er", "-es", "-e", a genitive or plural "-s", then "-est", "-st"), so that "Passwort",
 * "Passworts" and "Passwörter" meet. Umlauts are already folded ("ö" → "o").
 */
function stemGerman(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.length > 5 && w.endsWith("ern")) w = w.slice(0, -3);
  else if (w.length > 4 && /(?:em|en|er|es)$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  else if (w.length > 3 && /[bdfghklmnrt]s$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("est")) w = w.slice(0, -3);
  else if (w.length > 4 && /(?:en|er)$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 5 && /[bdfghklmnt]st$/.test(w)) w = w.slice(0, -2);
  return w;
}

/**
 * A light French stemmer: plural "-s"/"-x" ("-aux" → "-al"), the feminine and past participle endings
 * and the "-er"/"-ez" verb endings, so that "connecter", "connectez", "connecté" and "connectés" meet.
 */
function stemFrench(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.length > 4 && w.endsWith("aux")) w = `${w.slice(0, -3)}al`;
  else if (/[sx]$/.test(w)) w = w.slice(0, -1);
  w = stripSuffix(w, ["ement", "ee", "er", "ez", "e"], 4);
  return w;
}

/**
 * A light Spanish stemmer: plural "-es"/"-s", a final vowel and the infinitive endings, so that
 * "contraseña" and "contraseñas", "restablecer" and "restablece" meet.
 */
function stemSpanish(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.length > 4 && /[^aeiou]es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith("s")) w = w.slice(0, -1);
  w = stripSuffix(w, ["ar", "er", "ir", "a", "o", "e"], 4);
  return w;
}

/** Arabic letters folded to one form: alef variants (already without hamza after NFKD), alef maqsura, taa marbuta, tatweel. */
function foldArabic(word: string): string {
  return foldHelpWord(word)
    .replace(/\u0640/g, "")
    .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627")
    .replace(/\u0649/g, "\u064a")
    .replace(/\u0629/g, "\u0647");
}

const ARABIC_PREFIXES = ["وال", "بال", "كال", "فال", "لل", "ال", "و"];
const ARABIC_SUFFIXES = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

/** A light Arabic stemmer (after Larkey's "light10"): the article and conjunctions in front, common endings behind. */
function stemArabic(word: string): string {
  let w = word;
  for (const prefix of ARABIC_PREFIXES) {
    if (w.startsWith(prefix) && w.length - prefix.length >= 2) {
      w = w.slice(prefix.length);
      break;
    }
  }
  for (const suffix of ARABIC_SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 2) w = w.slice(0, -suffix.length);
  }
  return w;
}

/** French elision: "l’authentification" is read as "authentification", "d’un" as "un". */
const FRENCH_ELISION_RE = /^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['\u2019](?=[\p{L}\p{N}])/iu;

const ANALYZERS: Readonly<Record<Locale, HelpWordAnalyzer>> = {
  en: englishAnalyzer(),
  de: { locale: "de", fold: foldHelpWord, isStopWord: (w) => GERMAN_STOP_WORDS.has(w), stem: stemGerman },
  fr: {
    locale: "fr",
    fold: (word) => foldHelpWord(word.replace(FRENCH_ELISION_RE, "")),
    isStopWord: (w) => FRENCH_STOP_WORDS.has(w),
    stem: stemFrench,
  },
  es: { locale: "es", fold: foldHelpWord, isStopWord: (w) => SPANISH_STOP_WORDS.has(w), stem: stemSpanish },
  ar: { locale: "ar", fold: foldArabic, isStopWord: (w) => ARABIC_STOP_WORDS.has(w), stem: stemArabic },
};

/** The analyzer of a language. */
export function helpWordAnalyzer(locale: Locale): HelpWordAnalyzer {
  return ANALYZERS[locale];
}
