// Help article feedback: "Was this helpful?" answered in place through the JSON API; the form is sent the
// ordinary way when that fails. The thank-you texts come from the page (data-thanks-yes, data-thanks-no,
// in the page's language); the English ones below are only for a page without them.
import { announce } from "./dom.js";
import { runFeature } from "./run-feature.js";

const FEEDBACK_THANKS_YES = "Thank you for your feedback.";
const FEEDBACK_THANKS_NO = "Thank you. We can't reply to individual answers, but we read every one and use them to improve this help.";

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
    const value = submitter && submitter.name === "helpful" ? submitter.value : new FormData(askForm).get("helpful");
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
        showThanks(value === "yes" ? (section.dataset.thanksYes ?? FEEDBACK_THANKS_YES) : (section.dataset.thanksNo ?? FEEDBACK_THANKS_NO));
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

export function enhanceFeedbackWidgets() {
  for (const section of document.querySelectorAll("[data-feedback]")) {
    runFeature(() => enhanceFeedbackWidget(section));
  }
}
