// Latchkey's small client scripts: progressive enhancement only. Every page works without them; each
// feature below is independent and does nothing when its elements are absent. The Content-Security-Policy
// forbids inline styles, so state is shown by toggling `hidden` and classes, never `element.style`, and
// text from the page or the server is always set with textContent, never innerHTML.

const STRENGTH_LABELS = ["Too weak", "Weak", "Fair", "Good", "Strong"];
const STRENGTH_DEBOUNCE_MS = 300;
const SUBMIT_GUARD_MS = 5000;
const FEEDBACK_THANKS_YES = "Thank you for your feedback.";
const FEEDBACK_THANKS_NO =
  "Thank you. We can't reply to individual answers, but we read every one and use them to improve this help.";

/** Runs one feature, so that a failure in one never stops the others. */
function runFeature(feature) {
  try {
    feature();
  } catch (error) {
    console.error(error);
  }
}

/** Creates a polite live region that is not visible on screen. */
function createLiveRegion() {
  const region = document.createElement("div");
  region.className = "visually-hidden";
  region.setAttribute("aria-live", "polite");
  region.setAttribute("aria-atomic", "true");
  document.body.append(region);
  return region;
}

/** Puts a message into a live region; clearing it first lets screen readers repeat the same text. */
function announce(region, message) {
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** Adds or removes one id in a space-separated id-list attribute such as aria-describedby. */
function setIdInList(element, attribute, id, present) {
  const ids = (element.getAttribute(attribute) ?? "").split(/\s+/).filter((value) => value && value !== id);
  if (present) ids.push(id);
  if (ids.length > 0) element.setAttribute(attribute, ids.join(" "));
  else element.removeAttribute(attribute);
}

// ---------------------------------------------------------------------------------------------------------
// 1. Show password
// ---------------------------------------------------------------------------------------------------------

function setPasswordToggleLabel(button, visible) {
  const word = document.createTextNode(visible ? "Hide" : "Show");
  // The hidden word gives screen readers "Show password" while sighted users see "Show".
  const context = document.createElement("span");
  context.className = "visually-hidden";
  context.textContent = " password";
  button.replaceChildren(word, context);
  button.setAttribute("aria-pressed", String(visible));
}

function enhancePasswordToggles() {
  for (const button of document.querySelectorAll("[data-password-toggle]")) {
    const input = document.getElementById(button.getAttribute("data-password-toggle") ?? "");
    if (!(input instanceof HTMLInputElement)) continue;

    button.setAttribute("aria-controls", input.id);
    setPasswordToggleLabel(button, input.type !== "password");
    button.hidden = false;

    button.addEventListener("click", () => {
      const visible = input.type === "password";
      const hadFocus = document.activeElement === input;
      const { selectionStart, selectionEnd, selectionDirection } = input;
      input.type = visible ? "text" : "password";
      setPasswordToggleLabel(button, visible);
      // Changing the type can reset the caret; put it back where the user left it.
      if (
        selectionStart !== null &&
        selectionEnd !== null &&
        (input.selectionStart !== selectionStart || input.selectionEnd !== selectionEnd)
      ) {
        try {
          input.setSelectionRange(selectionStart, selectionEnd, selectionDirection ?? "none");
        } catch {
          // Some browsers refuse selection on some input types; the caret then stays where it is.
        }
      }
      if (hadFocus) input.focus();
    });

    // Hide the password again before the form is sent, so the browser never stores it as plain text
    // (form history, "save password" prompts, the back/forward cache).
    input.form?.addEventListener("submit", (event) => {
      if (event.defaultPrevented || input.type === "password") return;
      input.type = "password";
      setPasswordToggleLabel(button, false);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Caps Lock warning
// ---------------------------------------------------------------------------------------------------------

function enhanceCapsLockWarnings() {
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

// ---------------------------------------------------------------------------------------------------------
// 3. Password strength meter (a hint only: the server always decides)
// ---------------------------------------------------------------------------------------------------------

/** Reads the values of the fields listed in data-strength-inputs (ids, or names within the same form). */
function readStrengthUserInputs(input) {
  const keys = (input.getAttribute("data-strength-inputs") ?? "").split(/\s+/).filter(Boolean);
  const values = [];
  for (const key of keys) {
    let field = document.getElementById(key);
    if (!field && input.form) field = input.form.elements.namedItem(key);
    if (field && "value" in field && typeof field.value === "string" && field.value.trim() !== "") {
      values.push(field.value.trim());
    }
  }
  return values;
}

function createStrengthMeter() {
  const meter = document.createElement("div");
  meter.className = "strength-meter";
  meter.hidden = true;
  const bar = document.createElement("div");
  bar.className = "strength-meter-bar";
  bar.setAttribute("aria-hidden", "true");
  const text = document.createElement("p");
  text.className = "strength-meter-text";
  text.setAttribute("aria-live", "polite");
  meter.append(bar, text);
  return { meter, bar, text };
}

function renderStrength({ meter, bar, text }, result) {
  const score = Math.min(4, Math.max(0, Math.trunc(Number(result.score) || 0)));
  const hint =
    typeof result.warning === "string" && result.warning.trim() !== ""
      ? result.warning.trim()
      : Array.isArray(result.suggestions) && typeof result.suggestions[0] === "string"
        ? result.suggestions[0].trim()
        : "";
  const summary = `${STRENGTH_LABELS[score]}${hint ? `. ${hint}` : ""}`;

  bar.setAttribute("data-score", String(score));
  // Rewriting identical text would make screen readers repeat it on every keystroke.
  if (text.getAttribute("data-summary") === summary && !meter.hidden) return;
  text.setAttribute("data-summary", summary);
  const label = document.createElement("strong");
  label.className = "strength-meter-label";
  label.textContent = STRENGTH_LABELS[score];
  const fill = () => {
    if (text.getAttribute("data-summary") !== summary) return;
    text.replaceChildren(label);
    if (hint) text.append(document.createTextNode(`. ${hint}`));
  };
  if (meter.hidden) {
    // A live region only speaks once it is shown, so show it first and fill it a moment later.
    meter.hidden = false;
    window.setTimeout(fill, 100);
  } else {
    fill();
  }
}

function enhanceStrengthMeters() {
  for (const input of document.querySelectorAll("input[data-strength-meter]")) {
    const parts = createStrengthMeter();
    (input.closest(".password-input") ?? input).after(parts.meter);

    let timer = 0;
    let latestRequest = 0;

    const hide = () => {
      parts.meter.hidden = true;
      parts.bar.removeAttribute("data-score");
      parts.text.removeAttribute("data-summary");
      parts.text.replaceChildren();
    };

    const check = async (password, requestNumber) => {
      try {
        const response = await fetch("/api/v1/password-strength", {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ password, userInputs: readStrengthUserInputs(input) }),
        });
        if (!response.ok) return;
        const result = await response.json();
        // Ignore an answer that a newer request has overtaken, or that no longer matches the field.
        if (requestNumber !== latestRequest || input.value !== password) return;
        if (result && typeof result === "object") renderStrength(parts, result);
      } catch {
        // The meter is only a hint; on a network error it simply does not update.
      }
    };

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      latestRequest += 1;
      const password = input.value;
      if (password === "") {
        hide();
        return;
      }
      const requestNumber = latestRequest;
      timer = window.setTimeout(() => check(password, requestNumber), STRENGTH_DEBOUNCE_MS);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4. Error summary focus
// ---------------------------------------------------------------------------------------------------------

function enhanceErrorSummary() {
  const summary = document.querySelector(".error-summary");
  if (!(summary instanceof HTMLElement)) return;

  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  // The summary wins over the server's autofocus on the first invalid field: it lists every problem.
  summary.focus();

  summary.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!(link instanceof HTMLAnchorElement) || !link.hash || link.pathname !== window.location.pathname) return;
    let id;
    try {
      id = decodeURIComponent(link.hash.slice(1));
    } catch {
      return;
    }
    const target = document.getElementById(id);
    if (!(target instanceof HTMLElement)) return;
    event.preventDefault();

    // Show the field's label (or its group's legend) too, not only the input at the top edge.
    const label =
      (target.id && document.querySelector(`label[for="${CSS.escape(target.id)}"]`)) ||
      target.closest("fieldset")?.querySelector("legend") ||
      target;
    label.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
}

// ---------------------------------------------------------------------------------------------------------
// 5. Hear the challenge (CAPTCHA audio): plays on the first press, never on its own, and can be replayed
// ---------------------------------------------------------------------------------------------------------

function enhanceCaptchaAudio() {
  for (const link of document.querySelectorAll("a[data-captcha-audio]")) {
    link.addEventListener("click", (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return; // let "open in new tab" and friends work as usual
      }
      event.preventDefault();

      const player = document.createElement("div");
      player.className = "captcha-audio-player";

      const note = document.createElement("p");
      note.className = "captcha-audio-note";
      note.id = `captcha-audio-note-${Math.random().toString(36).slice(2, 10)}`;
      note.textContent = "Playing 7 digits, between two beeps. Use “Play again” to hear them once more.";

      const audio = document.createElement("audio");
      audio.className = "captcha-audio";
      audio.controls = true;
      audio.preload = "auto";
      audio.setAttribute("aria-label", "Security check audio");
      audio.setAttribute("aria-describedby", note.id);
      audio.src = link.href;
      audio.addEventListener("error", () => {
        note.textContent = "The audio could not be loaded. Choose “Try another” for a new security check.";
      });

      const again = document.createElement("button");
      again.type = "button";
      again.className = "link-button captcha-audio-again";
      again.textContent = "Play again";
      again.addEventListener("click", () => {
        audio.currentTime = 0;
        audio.play().catch(() => {});
      });

      player.append(note, audio, again);

      // Put the player after the row of controls (so "Try another" stays where it was) and drop the link.
      const controls = link.closest(".captcha-controls");
      if (controls) {
        controls.after(player);
        link.remove();
      } else {
        link.replaceWith(player);
      }

      // The press that asked for the audio is the permission to play it: start at once. Should the browser
      // still refuse, the player's own play button is there.
      audio.play().catch(() => {
        note.textContent = "Press play to hear 7 digits, between two beeps.";
      });
      audio.focus();
      if (document.activeElement !== audio) {
        note.setAttribute("tabindex", "-1");
        note.focus();
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 6. Help article feedback
// ---------------------------------------------------------------------------------------------------------

/** POSTs JSON feedback; true only for a 2xx answer. */
async function postFeedback(url, body) {
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** Sends the form the ordinary way, with the submit button's name/value that form.submit() would drop. */
function submitFormNormally(form, submitter) {
  if (submitter?.name) {
    const mirror = document.createElement("input");
    mirror.type = "hidden";
    mirror.name = submitter.name;
    mirror.value = submitter.value;
    form.append(mirror);
  }
  HTMLFormElement.prototype.submit.call(form);
}

function enhanceFeedbackWidget(section) {
  const slug = section.getAttribute("data-slug");
  const askForm = section.querySelector('form[data-feedback-step="ask"]');
  if (!slug || !(askForm instanceof HTMLFormElement)) return;
  const reasonForm = section.querySelector('form[data-feedback-step="reason"]');
  const url = `/api/v1/help/articles/${encodeURIComponent(slug)}/feedback`;

  let thanks = section.querySelector('[data-feedback-step="thanks"]');
  let liveRegion = section.querySelector("[data-feedback-live]");
  if (!liveRegion) {
    liveRegion = document.createElement("div");
    liveRegion.className = "visually-hidden";
    liveRegion.setAttribute("aria-live", "polite");
    section.append(liveRegion);
  }

  const showThanks = (defaultText) => {
    for (const form of section.querySelectorAll("form[data-feedback-step]")) form.hidden = true;
    if (!thanks) {
      thanks = document.createElement("p");
      thanks.className = "feedback-thanks";
      thanks.setAttribute("data-feedback-step", "thanks");
      section.append(thanks);
    }
    // The server's own wording (rendered for the no-JavaScript path) wins when it is there.
    if ((thanks.textContent ?? "").trim() === "") thanks.textContent = defaultText;
    thanks.setAttribute("tabindex", "-1");
    thanks.hidden = false;
    thanks.focus();
    announce(liveRegion, thanks.textContent.trim());
  };

  const setBusy = (form, busy) => {
    form.setAttribute("aria-busy", String(busy));
    for (const button of form.querySelectorAll("button")) button.disabled = busy;
  };

  askForm.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    const value =
      submitter && submitter.name === "helpful" ? submitter.value : new FormData(askForm).get("helpful");
    if (value !== "yes" && value !== "no") return; // unknown: let the server handle it
    event.preventDefault();
    if (askForm.getAttribute("aria-busy") === "true") return;

    setBusy(askForm, true);
    postFeedback(url, { helpful: value === "yes" }).then((ok) => {
      setBusy(askForm, false);
      if (!ok) {
        submitFormNormally(askForm, submitter ?? { name: "helpful", value });
        return;
      }
      if (value === "yes" || !(reasonForm instanceof HTMLFormElement)) {
        showThanks(value === "yes" ? FEEDBACK_THANKS_YES : FEEDBACK_THANKS_NO);
        return;
      }
      askForm.hidden = true;
      reasonForm.hidden = false;
      const firstChoice = reasonForm.querySelector("input:not([type=hidden]), textarea");
      if (firstChoice instanceof HTMLElement) firstChoice.focus();
    });
  });

  if (reasonForm instanceof HTMLFormElement) {
    reasonForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (reasonForm.getAttribute("aria-busy") === "true") return;
      const data = new FormData(reasonForm);
      const reason = data.get("reason");
      const comment = data.get("comment");
      const body = { helpful: false };
      if (typeof reason === "string" && reason !== "") body.reason = reason;
      if (typeof comment === "string" && comment.trim() !== "") body.comment = comment.trim();

      setBusy(reasonForm, true);
      postFeedback(url, body).then((ok) => {
        setBusy(reasonForm, false);
        if (!ok) {
          submitFormNormally(reasonForm, event.submitter);
          return;
        }
        showThanks(FEEDBACK_THANKS_NO);
      });
    });
  }
}

function enhanceFeedbackWidgets() {
  for (const section of document.querySelectorAll("[data-feedback]")) {
    runFeature(() => enhanceFeedbackWidget(section));
  }
}

// ---------------------------------------------------------------------------------------------------------
// 7. Double-submit guard
// ---------------------------------------------------------------------------------------------------------

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

function enableDoubleSubmitGuard() {
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

// ---------------------------------------------------------------------------------------------------------
// 8. "Did you mean …?" for a likely e-mail typo, next to the field, before anything is sent
// ---------------------------------------------------------------------------------------------------------

const SUGGEST_DEBOUNCE_MS = 700;

function enhanceEmailSuggestions() {
  for (const input of document.querySelectorAll("input[data-email-suggest]")) {
    if (!(input instanceof HTMLInputElement) || !input.form) continue;
    const form = input.form;
    const box = document.createElement("div");
    box.className = "field-suggestion";
    box.id = `${input.id}-suggestion`;
    box.setAttribute("role", "status");
    box.hidden = true;
    input.after(box);

    // The server asks again on submit unless it learns that the person saw the suggestion and kept the address.
    let confirmed = form.querySelector('input[name="identifier_confirmed"]');
    if (!confirmed) {
      confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "identifier_confirmed";
      form.append(confirmed);
    }

    let timer = 0;
    let latest = 0;
    let shownFor = "";

    const hide = () => {
      box.hidden = true;
      box.replaceChildren();
      shownFor = "";
      setIdInList(input, "aria-describedby", box.id, false);
    };

    const show = (typed, suggestion) => {
      const text = document.createElement("p");
      text.append("Did you mean ");
      const strong = document.createElement("strong");
      strong.textContent = suggestion;
      text.append(strong, "?");
      const actions = document.createElement("div");
      actions.className = "form-actions form-actions--tight";
      const use = document.createElement("button");
      use.type = "button";
      use.className = "button button--small";
      use.textContent = `Use ${suggestion}`;
      use.addEventListener("click", () => {
        input.value = suggestion;
        hide();
        input.focus();
      });
      const keep = document.createElement("button");
      keep.type = "button";
      keep.className = "button button--secondary button--small";
      keep.textContent = `Keep ${typed}`;
      keep.addEventListener("click", () => {
        confirmed.value = typed;
        hide();
        input.focus();
      });
      actions.append(use, keep);
      box.replaceChildren(text, actions);
      box.hidden = false;
      shownFor = typed;
      setIdInList(input, "aria-describedby", box.id, true);
    };

    const check = async () => {
      const typed = input.value.trim();
      latest += 1;
      const request = latest;
      if (!typed.includes("@") || typed === confirmed.value) {
        hide();
        return;
      }
      if (typed === shownFor) return;
      try {
        const response = await fetch("/api/v1/identifiers/suggestion", {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ identifier: typed }),
        });
        if (!response.ok || request !== latest) return;
        const result = await response.json();
        if (input.value.trim() !== typed) return;
        if (result && typeof result.suggestion === "string" && result.suggestion !== "") show(typed, result.suggestion);
        else hide();
      } catch {
        // Only a hint: on a network error the server's own check on submit still asks.
      }
    };

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, SUGGEST_DEBOUNCE_MS);
    });
    input.addEventListener("change", () => {
      window.clearTimeout(timer);
      check();
    });
    // Sending the form while the suggestion is on screen keeps the address as typed, deliberately.
    form.addEventListener("submit", () => {
      if (!box.hidden && shownFor === input.value.trim()) confirmed.value = shownFor;
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 9. Choices under a refused field (e.g. the countries a phone number could belong to)
// ---------------------------------------------------------------------------------------------------------

function enhanceFieldChoices() {
  for (const button of document.querySelectorAll("button[data-field-choice]")) {
    const input = document.getElementById(button.getAttribute("data-field-choice") ?? "");
    if (!(input instanceof HTMLInputElement)) continue;
    button.addEventListener("click", (event) => {
      // Fill the field in place, so a password typed meanwhile is not lost to a page load.
      event.preventDefault();
      input.value = button.value;
      const field = input.closest(".field");
      field?.classList.remove("field--invalid");
      input.removeAttribute("aria-invalid");
      field?.querySelector(".field-error")?.remove();
      const choices = button.closest(".field-choices");
      if (choices?.id) setIdInList(input, "aria-describedby", `${input.id}-error`, false);
      choices?.remove();
      const next = Array.from(input.form?.elements ?? []).find(
        (element) => element instanceof HTMLInputElement && element.type === "password" && element.value === "",
      );
      (next instanceof HTMLElement ? next : input).focus();
    });
  }
}

// ---------------------------------------------------------------------------------------------------------

runFeature(enhancePasswordToggles);
runFeature(enhanceCapsLockWarnings);
runFeature(enhanceStrengthMeters);
runFeature(enhanceErrorSummary);
runFeature(enhanceCaptchaAudio);
runFeature(enhanceFeedbackWidgets);
runFeature(enableDoubleSubmitGuard);
runFeature(enhanceEmailSuggestions);
runFeature(enhanceFieldChoices);
