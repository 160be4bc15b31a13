// The help search's stemmer: folds the common English word endings so that different forms of a word meet
// in the index.

const VOWEL_RE = /[aeiouy]/;

/**
 * A light English stemmer: folds plurals, "-ing", "-ed", a final "e" and a final consonant + "y" so that
 * "cookie"/"cookies", "sign"/"signing"/"signed", "type"/"typing" and "retry"/"retries" meet. Words with
 * digits and short words are left alone. It only has to be consistent, not linguistically right.
 */
export function stemHelpTerm(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);

  if (w.endsWith("ied") && w.length > 4) {
    w = `${w.slice(0, -3)}i`;
  } else {
    for (const suffix of ["ing", "ed"]) {
      const stem = w.slice(0, -suffix.length);
      if (w.endsWith(suffix) && stem.length >= 3 && VOWEL_RE.test(stem)) {
        w = /([b-df-hj-np-rtv-xz])\1$/.test(stem) && !/(?:ll|ss|zz)$/.test(stem) ? stem.slice(0, -1) : stem;
        break;
      }
    }
  }
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  if (w.length > 3 && /[^aeiou]y$/.test(w)) w = `${w.slice(0, -1)}i`;
  return w;
}
