// The security check inside a form: the picture, "Hear the challenge", "Try another", the answer field.
import type { CAPTCHAChallenge } from "../captcha/challenges.ts";
import type { FieldError } from "../http/flows.ts";
import { html, type SafeHtml } from "../lib/html.ts";

export function captchaFieldset(challenge: CAPTCHAChallenge, errors: FieldError[], options: { autofocus?: boolean } = {}): SafeHtml {
  const error = errors.find((e) => e.field === "captcha");
  return html`<fieldset class="captcha" data-captcha>
<legend>Security check</legend>
<p class="field-hint">To keep accounts safe from automated guessing, please show you're a person.</p>
${error ? html`<p class="field-error" id="captcha-answer-error"><span class="visually-hidden">Error: </span>${error.message}</p>` : ""}
<input type="hidden" name="captchaId" value="${challenge.id}">
<img class="captcha-image" src="${challenge.imageUrl}" width="240" height="80" alt="Security check picture: type the letters and digits it shows. If you can't read it, use Hear the challenge below for an audio version.">
<div class="captcha-controls">
<a class="captcha-audio-link" href="${challenge.audioUrl}" data-captcha-audio>Hear the challenge</a>
<button class="link-button" type="submit" name="captchaAction" value="refresh" formnovalidate>Try another</button>
</div>
<div class="${error ? "field field--invalid" : "field"}"><label for="captcha">Type the characters in the picture, or the 7 digits you hear</label>
<p class="field-hint" id="captcha-answer-hint">Not case-sensitive. Spaces don't matter.</p>
<input class="input input--captcha" id="captcha" name="captchaAnswer" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="32" aria-describedby="captcha-answer-hint${error ? " captcha-answer-error" : ""}"${error ? html` aria-invalid="true"` : ""}${options.autofocus ? html` autofocus` : ""}></div>
<p class="captcha-help"><a href="/help/security-check">Trouble with the security check?</a></p>
</fieldset>`;
}
