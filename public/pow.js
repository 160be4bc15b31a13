// Proof of work for page forms: asks the server for a puzzle and lets a Web Worker (public/pow-worker.js)
// find the nonce, then fills the form's hidden powId / powNonce fields. Progressive enhancement only: a
// form sent before the proof is ready, or without JavaScript, is answered with the security check instead.
(() => {
  const idField = document.querySelector("input[name=powId][data-pow-purpose]");
  const nonceField = document.querySelector("input[name=powNonce]");
  if (!idField || !nonceField || typeof Worker === "undefined" || !window.crypto?.subtle) return;
  const form = idField.form;
  fetch("/api/v1/pow", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ purpose: idField.dataset.powPurpose }),
  })
    .then((response) => (response.status === 201 ? response.json() : null))
    .then((puzzle) => {
      if (!puzzle) return;
      const worker = new Worker("/assets/pow-worker.js");
      worker.onmessage = (event) => {
        idField.value = puzzle.id;
        nonceField.value = String(event.data.nonce);
        if (form) form.dataset.powReady = "1";
        worker.terminate();
      };
      worker.postMessage({ prefix: puzzle.prefix, difficulty: puzzle.difficulty });
    })
    .catch(() => {});
})();
