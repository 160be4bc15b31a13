// The security check inside a form: the picture, "Hear the challenge", "Try another", the answer field.
import type { CAPTCHAChallenge } from "../captcha/challenges.ts";
import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";

export function captchaFieldset(challenge: CAPTCHAChallenge, errors: FieldError[], options: { autofocus?: boolean; t?: Translate } = {}): SafeHtml {
  const t = options.t ?? translator("en");
  const error = errors.find((e) => e.field === "captcha");
  return html`<fieldset class="captcha" data-captcha>
<legend>${t("captcha.legend")}</legend>
<p class="field-hint">${t("captcha.why")}</p>
${error ? html`<p class="field-error" id="captcha-answer-error"><span class="visually-hidden">${t("layout.errorPrefix")} </span>${error.message}</p>` : ""}
<input type="hidden" name="captchaId" value="${challenge.id}">
<img class="captcha-image" src="${challenge.imageUrl}" width="240" height="80" alt="${t("captcha.imageAlt")}">
<div class="captcha-controls">
<a class="captcha-audio-link" href="${challenge.audioUrl}" data-captcha-audio>${t("captcha.hear")}</a>
<button class="link-button" type="submit" name="captchaAction" value="refresh" formnovalidate>${t("captcha.another")}</button>
</div>
<div class="${error ? "field field--invalid" : "field"}"><label for="captcha">${t("captcha.answerLabel")}</label>
<p class="field-hint" id="captcha-answer-hint">${t("captcha.answerHint")}</p>
<input class="input input--captcha input--ltr" id="captcha" name="captchaAnswer" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="32" aria-describedby="captcha-answer-hint${error ? " captcha-answer-error" : ""}"${error ? html` aria-invalid="true"` : ""}${options.autofocus ? html` autofocus` : ""}></div>
<p class="captcha-help"><a href="/help/security-check">${t("captcha.trouble")}</a></p>
</fieldset>`;
}
