// Helpers the enhancements share: a screen-reader live region and id lists such as aria-describedby.

/** Creates a polite live region that is not visible on screen. */
export function createLiveRegion() {
  const region = document.createElement("div");
  region.className = "visually-hidden";
  region.setAttribute("aria-live", "polite");
  region.setAttribute("aria-atomic", "true");
  document.body.append(region);
  return region;
}

/** Puts a message into a live region; clearing it first lets screen readers repeat the same text. */
export function announce(region, message) {
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** Adds or removes one id in a space-separated id-list attribute such as aria-describedby. */
export function setIdInList(element, attribute, id, present) {
  const ids = (element.getAttribute(attribute) ?? "").split(/\s+/).filter((value) => value && value !== id);
  if (present) ids.push(id);
  if (ids.length > 0) element.setAttribute(attribute, ids.join(" "));
  else element.removeAttribute(attribute);
}
