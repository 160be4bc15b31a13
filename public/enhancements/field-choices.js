// Choices under a refused field (such as the countries a phone number could belong to): picking one fills
// the field in place instead of sending the form.
import { setIdInList } from "./dom.js";

export function enhanceFieldChoices() {
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
