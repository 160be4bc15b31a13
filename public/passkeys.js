// Passkeys in the browser: adding one on the security page, "Sign in with a passkey" and the browser's
// autofill offer (conditional mediation) on the sign-in page, and "Confirm with a passkey". Uses the
// WebAuthn library loaded before this file (window.SimpleWebAuthnBrowser). Text is set with textContent only.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) return;

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    return { status: response.status, data };
  }

  function showError(container, message) {
    const box = container.querySelector("[data-passkey-error]");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  // The page's own words for these messages (the layout's JSON block, see enhancements/texts.js), else English.
  let texts;
  function pageText(key, fallback) {
    if (!texts) {
      try {
        texts = JSON.parse(document.getElementById("page-texts")?.textContent ?? "{}") ?? {};
      } catch {
        texts = {};
      }
    }
    return typeof texts[key] === "string" ? texts[key] : fallback;
  }

  function errorMessage(data, fallback) {
    return data?.error?.message || fallback;
  }

  function confirmFirst(returnTo) {
    window.location.assign(`/account/confirm?return_to=${encodeURIComponent(returnTo)}`);
  }

  // Adding a passkey (security page).
  for (const form of document.querySelectorAll("form[data-passkey-register]")) {
    const unsupported = form.querySelector("[data-passkey-unsupported]");
    if (unsupported) unsupported.hidden = true;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = form.querySelector("input[name=passkey_name]")?.value ?? "";
      const started = await postJSON("/api/v1/account/passkeys/options");
      if (started.status === 403 && started.data?.error?.code === "STEP_UP_REQUIRED") return confirmFirst("/account/security");
      if (started.status !== 200) return showError(form, errorMessage(started.data, "The passkey could not be added. Try again."));
      let response;
      try {
        response = await lib.startRegistration({ optionsJSON: started.data.options });
      } catch {
        return showError(form, "The passkey was not created. It may have been cancelled, or this device already has one for your account.");
      }
      const finished = await postJSON("/api/v1/account/passkeys", { challengeId: started.data.challengeId, response, name: name || "Passkey" });
      if (finished.status === 403 && finished.data?.error?.code === "STEP_UP_REQUIRED") return confirmFirst("/account/security");
      if (finished.status !== 201) return showError(form, errorMessage(finished.data, "The passkey could not be added. Try again."));
      if (Array.isArray(finished.data.recoveryCodes)) return showRecoveryCodes(finished.data.recoveryCodes);
      window.location.assign("/account/security?done=passkey-added");
    });
  }

  function showRecoveryCodes(codes) {
    const slot = document.querySelector("[data-recovery-codes-slot]");
    if (!slot) return window.location.assign("/account/security?done=passkey-added");
    const section = document.createElement("section");
    section.className = "card";
    const heading = document.createElement("h2");
    heading.textContent = "Passkey added. Your recovery codes";
    heading.tabIndex = -1;
    const warning = document.createElement("p");
    warning.className = "notice notice--warning";
    warning.textContent = "Save these now: this is the only time they are shown. Each code works once.";
    const list = document.createElement("ul");
    list.className = "recovery-codes";
    for (const code of codes) {
      const item = document.createElement("li");
      const text = document.createElement("code");
      text.textContent = code;
      item.append(text);
      list.append(item);
    }
    const next = document.createElement("a");
    next.href = "/account/security?done=passkey-added";
    next.textContent = "I have saved them";
    section.append(heading, warning, list, next);
    slot.replaceChildren(section);
    heading.focus();
  }

  // Signing in with a passkey: the button and the browser's autofill offer.
  async function finishSignin(container, assertion, challengeId) {
    const returnTo = document.querySelector("form#signin-form input[name=return_to]")?.value || "/account";
    const remember = document.querySelector("form#signin-form input[name=remember]")?.checked === true;
    const finished = await postJSON("/api/v1/session/passkey", { challengeId, response: assertion, remember, returnTo });
    if (finished.status !== 200)
      return showError(container, errorMessage(finished.data, pageText("signin.passkeyFailed", "Signing in with the passkey did not work. Try again.")));
    window.location.assign(finished.data.redirectTo || "/account");
  }

  const signin = document.querySelector("[data-passkey-signin]");
  if (signin) {
    const button = signin.querySelector("[data-passkey-button]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", async () => {
        const started = await postJSON("/api/v1/session/passkey/options");
        if (started.status !== 200)
          return showError(
            signin,
            errorMessage(started.data, pageText("signin.passkeyUnavailable", "Signing in with a passkey is not available now. Try again.")),
          );
        let assertion;
        try {
          assertion = await lib.startAuthentication({ optionsJSON: started.data.options });
        } catch {
          return showError(
            signin,
            pageText("signin.passkeyNotUsed", "No passkey was used. It may have been cancelled, or this device has none for this site."),
          );
        }
        await finishSignin(signin, assertion, started.data.challengeId);
      });
    }
    const field = document.querySelector("input[autocomplete~=webauthn]");
    if (field) {
      lib.browserSupportsWebAuthnAutofill().then(async (supported) => {
        if (!supported) return;
        const started = await postJSON("/api/v1/session/passkey/options");
        if (started.status !== 200) return;
        try {
          const assertion = await lib.startAuthentication({ optionsJSON: started.data.options, useBrowserAutofill: true });
          await finishSignin(signin, assertion, started.data.challengeId);
        } catch {
          // Cancelled, or replaced by the button's own request: nothing to show.
        }
      });
    }
  }

  // A passkey as the second step after a password: only the account's own passkeys are offered.
  const second = document.querySelector("[data-passkey-second-factor]");
  if (second) {
    const button = second.querySelector("[data-passkey-button]");
    button.hidden = false;
    button.addEventListener("click", async () => {
      const flow = second.dataset.flow;
      const started = await postJSON("/api/v1/session/second-factor/passkey/options", { flow });
      if (started.status !== 200)
        return showError(
          second,
          errorMessage(started.data, pageText("signin.secondFactorPasskeyUnavailable", "Using a passkey is not available now. Try again.")),
        );
      let assertion;
      try {
        assertion = await lib.startAuthentication({ optionsJSON: started.data.options });
      } catch {
        return showError(second, pageText("signin.secondFactorPasskeyNotUsed", "No passkey was used. Try again, or use a code."));
      }
      const finished = await postJSON("/api/v1/session/second-factor", { flow, method: "passkey", challengeId: started.data.challengeId, response: assertion });
      if (finished.status === 200) return window.location.assign(finished.data.redirectTo || "/account");
      if (finished.data?.error?.code === "SIGNIN_FLOW_EXPIRED") return window.location.assign("/signin");
      // The step stays open under the same flow for another try.
      showError(second, errorMessage(finished.data, pageText("signin.secondFactorPasskeyFailed", "The passkey did not work. Try again, or use a code.")));
    });
  }

  // Confirming it's you with a passkey.
  const confirm = document.querySelector("[data-passkey-confirm]");
  if (confirm) {
    const button = confirm.querySelector("[data-passkey-button]");
    button.hidden = false;
    button.addEventListener("click", async () => {
      const started = await postJSON("/api/v1/account/confirm/passkey/options");
      if (started.status !== 200) return showError(confirm, errorMessage(started.data, "Confirming with a passkey is not available now."));
      let assertion;
      try {
        assertion = await lib.startAuthentication({ optionsJSON: started.data.options });
      } catch {
        return showError(confirm, "No passkey was used. Try again, or confirm with your password.");
      }
      const finished = await postJSON("/api/v1/account/confirm/passkey", {
        challengeId: started.data.challengeId,
        response: assertion,
        returnTo: confirm.dataset.returnTo,
      });
      if (finished.status !== 200)
        return showError(confirm, errorMessage(finished.data, "The passkey did not work. Try again, or confirm with your password."));
      window.location.assign(finished.data.redirectTo || "/account/security");
    });
  }
})();
