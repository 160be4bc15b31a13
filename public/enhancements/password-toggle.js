// Show password: a button next to a password field switches it between hidden and plain text, keeping the
// caret where it was, and hides the password again before the form is sent.

function setPasswordToggleLabel(button, visible) {
  const word = document.createTextNode(visible ? "Hide" : "Show");
  // The hidden word gives screen readers "Show password" while sighted users see "Show".
  const context = document.createElement("span");
  context.className = "visually-hidden";
  context.textContent = " password";
  button.replaceChildren(word, context);
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
