// Proof of work for page forms: asks the server for a puzzle and lets a Web Worker (public/pow-worker.js)
// find the nonce, then fills the form's hidden powId / powNonce fields. Progressive enhancement only: a
// form sent before the proof is ready, or without JavaScript, is answered with the security check instead.
//
// The puzzle names the identifier typed in the form, when there is one: an identifier with recent failed
// sign-ins gets a harder puzzle, and a proof is accepted only for the identifier it was asked for. So a new
// puzzle is asked for whenever the identifier changes, and a form sent while one is being solved waits
// for it (a few seconds at most) before it goes.
(() => {
  const idField = document.querySelector("input[name=powId][data-pow-purpose]");
  const nonceField = document.querySelector("input[name=powNonce]");
  if (!idField || !nonceField || typeof Worker === "undefined" || !window.crypto?.subtle) return;
  const form = idField.form;
  const identifierField = form?.elements.namedItem("identifier");
  const identifierOf = () => (identifierField && "value" in identifierField ? identifierField.value.trim() : "");
  const MAX_WAIT_MS = 15000;
  let round = 0;
  let worker = null;
  let pending = null;
  let solvedFor = null;

  function solve() {
    const identifier = identifierOf();
    const mine = ++round;
    worker?.terminate();
    idField.value = "";
    nonceField.value = "";
    if (form) delete form.dataset.powReady;
    let finish;
    pending = new Promise((resolve) => {
      finish = resolve;
    });
    fetch("/api/v1/pow", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(identifier ? { purpose: idField.dataset.powPurpose, identifier } : { purpose: idField.dataset.powPurpose }),
    })
      .then((response) => (response.status === 201 ? response.json() : null))
      .then((puzzle) => {
        if (!puzzle || mine !== round) return finish();
        worker = new Worker("/assets/pow-worker.js");
        worker.onmessage = (event) => {
          worker.terminate();
          worker = null;
          if (mine !== round) return;
          idField.value = puzzle.id;
          nonceField.value = String(event.data.nonce);
          solvedFor = identifier;
          if (form) form.dataset.powReady = "1";
          pending = null;
          finish();
        };
        worker.postMessage({ prefix: puzzle.prefix, difficulty: puzzle.difficulty });
      })
      .catch(() => finish());
  }

  solve();
  if (!form) return;
  identifierField?.addEventListener?.("change", () => {
    if (identifierOf() !== solvedFor) solve();
  });
  form.addEventListener("submit", (event) => {
    if (form.dataset.powSending === "1") return;
    // Typed and sent without leaving the field (Enter): the proof must name what is sent.
    if (identifierOf() !== solvedFor && pending === null) solve();
    if (pending === null) return;
    event.preventDefault();
    const submitter = event.submitter;
    const send = () => {
      form.dataset.powSending = "1";
      if (typeof form.requestSubmit === "function") form.requestSubmit(submitter ?? undefined);
      else form.submit();
    };
    Promise.race([pending, new Promise((resolve) => setTimeout(resolve, MAX_WAIT_MS))]).then(send);
  });
})();
