// Show password: a button next to a password field switches it between hidden and plain text, keeping the
// caret where it was, and hides the password again before the form is sent.

function setPasswordToggleLabel(button, visible) {
  // The page gives the words in its language: a short one to see ("Show") and a full name ("Show password").
  const data = button.dataset;
  button.textContent = visible ? (data.labelHide ?? "Hide") : (data.labelShow ?? "Show");
  button.setAttribute("aria-label", visible ? (data.nameHide ?? "Hide password") : (data.nameShow ?? "Show password"));
  button.setAttribute("aria-pressed", String(visible));
}

export function enhancePasswordToggles() {
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
      if (selectionStart !== null && selectionEnd !== null && (input.selectionStart !== selectionStart || input.selectionEnd !== selectionEnd)) {
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
