// Error summary: takes the focus when a form comes back with problems, and its links move to the field
// with its label in view.

export function enhanceErrorSummary() {
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
      (target.id && document.querySelector(`label[for="${CSS.escape(target.id)}"]`)) || target.closest("fieldset")?.querySelector("legend") || target;
    label.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
}
