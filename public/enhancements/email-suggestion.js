// "Did you mean …?": offers the correction of a likely e-mail typo next to the field, before anything is
// sent, and tells the server when the person kept the address as typed.
import { setIdInList } from "./dom.js";
import { pageTextAround, pageTextWith } from "./texts.js";

const SUGGEST_DEBOUNCE_MS = 700;

export function enhanceEmailSuggestions() {
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
      const [before, after] = pageTextAround("signin.suggestionQuestion", "Did you mean \u0000?");
      const strong = document.createElement("strong");
      strong.textContent = suggestion;
      text.append(before, strong, after);
      const actions = document.createElement("div");
      actions.className = "form-actions form-actions--tight";
      const use = document.createElement("button");
      use.type = "button";
      use.className = "button button--small";
      use.textContent = pageTextWith("signin.suggestionUse", "Use \u0000", suggestion);
      use.addEventListener("click", () => {
        input.value = suggestion;
        hide();
        input.focus();
      });
      const keep = document.createElement("button");
      keep.type = "button";
      keep.className = "button button--secondary button--small";
      keep.textContent = pageTextWith("signin.suggestionKeep", "Keep \u0000", typed);
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
