// Runs one enhancement so that a failure in it never stops the others.

/** Calls `feature`, logging instead of throwing when it fails. */
export function runFeature(feature) {
  try {
    feature();
  } catch (error) {
    console.error(error);
  }
}
