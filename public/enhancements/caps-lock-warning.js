// Caps Lock warning: shows the field's warning while Caps Lock is on and tells screen readers when it turns
// on or off.
import { announce, createLiveRegion, setIdInList } from "./dom.js";

export function enhanceCapsLockWarnings() {
  const fields = [];
  for (const input of document.querySelectorAll("input[data-password]")) {
    if (!input.id) continue;
    const warning = document.querySelector(`[data-capslock-for="${CSS.escape(input.id)}"]`);
    if (warning instanceof HTMLElement) fields.push({ input, warning });
  }
  if (fields.length === 0) return;

  const liveRegion = createLiveRegion();
  /** The last state read from a keyboard event; null until the first key is pressed. */
  let capsLockOn = null;

  const showWarning = (input, warning, visible) => {
    warning.hidden = !visible;
    // A description that points at hidden text is still read out, so point at it only while it shows.
    if (warning.id) setIdInList(input, "aria-describedby", warning.id, visible);
  };

  for (const { input, warning } of fields) {
    showWarning(input, warning, false);

    const onKey = (event) => {
      if (typeof event.getModifierState !== "function") return;
      const on = event.getModifierState("CapsLock");
      const changed = capsLockOn !== null && on !== capsLockOn;
      const firstTimeOn = capsLockOn === null && on;
      capsLockOn = on;
      showWarning(input, warning, on);
      if (changed || firstTimeOn) {
        announce(liveRegion, on ? (warning.textContent ?? "").trim() || "Caps Lock is on." : "Caps Lock is off.");
      }
    };

    input.addEventListener("keydown", onKey);
    input.addEventListener("keyup", onKey);
    input.addEventListener("focus", () => showWarning(input, warning, capsLockOn === true));
    input.addEventListener("blur", () => showWarning(input, warning, false));
  }
}
