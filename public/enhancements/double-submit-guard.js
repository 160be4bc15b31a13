// Double-submit guard: a POST form's buttons are disabled while it is being sent, so a second press does not
// send it twice; they come back after a few seconds or when the page is shown again from the cache.

const SUBMIT_GUARD_MS = 5000;

/** Forms currently guarded, with their disabled buttons and the hidden submitter copy. */
const guardedForms = new Map();

function isSubmitButton(element) {
  return (
    (element instanceof HTMLButtonElement && element.type === "submit") ||
    (element instanceof HTMLInputElement && (element.type === "submit" || element.type === "image"))
  );
}

function releaseForm(form) {
  const state = guardedForms.get(form);
  if (!state) return;
  guardedForms.delete(form);
  window.clearTimeout(state.timer);
  for (const button of state.buttons) button.disabled = false;
  state.mirror?.remove();
}

export function enableDoubleSubmitGuard() {
  // Listening on the document runs after the forms' own handlers, so a submit that a script took over
  // (defaultPrevented) is left alone.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    // A search (GET) is harmless to repeat; the guard is for requests that change something.
    if ((form.getAttribute("method") ?? "get").toLowerCase() !== "post") return;
    if (guardedForms.has(form)) {
      event.preventDefault();
      return;
    }

    // A disabled button is left out of the submitted data, so copy the submitter's name/value first.
    const submitter = event.submitter;
    let mirror = null;
    if (isSubmitButton(submitter) && submitter.name) {
      mirror = document.createElement("input");
      mirror.type = "hidden";
      mirror.name = submitter.name;
      mirror.value = submitter.value;
      mirror.setAttribute("data-submitter-mirror", "");
      form.append(mirror);
    }

    const buttons = Array.from(form.elements).filter((element) => isSubmitButton(element) && !element.disabled);
    for (const button of buttons) button.disabled = true;
    const timer = window.setTimeout(() => releaseForm(form), SUBMIT_GUARD_MS);
    guardedForms.set(form, { buttons, mirror, timer });
  });

  // Coming back with the Back button restores the page from the bfcache with the buttons still disabled.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of Array.from(guardedForms.keys())) releaseForm(form);
  });
}
