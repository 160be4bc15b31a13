// Password strength meter: asks the server how strong the typed password is and shows its answer under the
// field. A hint only: the server decides when the form is sent.

const STRENGTH_LABELS = ["Too weak", "Weak", "Fair", "Good", "Strong"];
const STRENGTH_DEBOUNCE_MS = 300;

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

export function enhanceStrengthMeters() {
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
