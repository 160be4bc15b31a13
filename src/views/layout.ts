// The page frame and the form parts every page shares. Markup follows public/style.css's contract.
import type { Branding } from "../config/branding.ts";
import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { LOCALE_NAMES, type Locale, textDirection } from "../i18n/locales.ts";
import { type HtmlValue, html, type SafeHtml, trustedHtml } from "../lib/html.ts";
import { phoneChoicesPrompt } from "../messages/identifiers.ts";

const english = translator("en");

export interface PageUser {
  name: string | null;
  isAdmin: boolean;
}

export interface LayoutOptions {
  title: string;
  /** The language the page is in. */
  locale: Locale;
  /** The site's name, logo, colours and footer links. */
  branding: Branding;
  body: SafeHtml;
  narrow?: boolean;
  user?: PageUser | null;
  csrfToken?: string;
  testMode?: boolean;
  /** The path of the page (without its query), so the navigation can mark where the person is. */
  currentPath?: string;
  /** The language menu: the offered languages and where to come back to. Shown with two or more languages and a CSRF token. */
  languageMenu?: LanguageMenu;
}

export interface LanguageMenu {
  offered: readonly Locale[];
  /** This page's path and query, already checked as a safe return path. */
  returnTo: string;
}

/** A navigation link, marked with aria-current="page" on its own page and on the pages under it. */
function navLink(href: string, label: string, currentPath: string | undefined): SafeHtml {
  const current = currentPath !== undefined && (currentPath === href || (href !== "/" && currentPath.startsWith(`${href}/`)));
  return html`<a href="${href}"${current ? html` aria-current="page"` : ""}>${label}</a>`;
}

export function renderLayout(options: LayoutOptions): string {
  const at = options.currentPath;
  const t = translator(options.locale);
  const nav = options.user
    ? html`${navLink("/help", t("layout.navHelp"), at)} ${navLink("/account", t("layout.navAccount"), at)}${options.user.isAdmin ? html` ${navLink("/admin", t("layout.navAdmin"), at)}` : ""}
      <form class="inline-form" method="post" action="/signout"><input type="hidden" name="_csrf" value="${options.csrfToken ?? ""}"><button class="link-button" type="submit">${t("layout.signOut")}</button></form>`
    : html`${navLink("/help", t("layout.navHelp"), at)} ${navLink("/signin", t("layout.navSignIn"), at)} ${navLink("/register", t("layout.navCreateAccount"), at)}`;
  const brand = options.branding;
  const favicon = brand.favicon ? { href: brand.favicon.url, type: brand.favicon.contentType } : { href: "/assets/favicon.svg", type: "image/svg+xml" };
  return html`<!doctype html>
<html lang="${options.locale}" dir="${textDirection(options.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} \u00B7 ${brand.siteName}</title>
<link rel="icon" href="${favicon.href}" type="${favicon.type}">
<link rel="stylesheet" href="/assets/style.css">
${brand.theme ? html`<link rel="stylesheet" href="${brand.theme.url}">\n` : ""}${brand.stylesheet ? html`<link rel="stylesheet" href="${brand.stylesheet.url}">\n` : ""}<script src="/assets/app.js" defer type="module"></script>
</head>
<body>
<a class="skip-link" href="#main">${t("layout.skipToContent")}</a>
${options.testMode ? html`<aside class="test-mode-banner" aria-label="${t("layout.testModeLabel")}">${t("layout.testModeBanner")}</aside>` : ""}
<header class="site-header"><a class="brand" href="/"${at === "/" ? html` aria-current="page"` : ""}>${brand.logo ? html`<img class="brand-logo" src="${brand.logo.url}" alt="">` : html`<img src="${favicon.href}" alt="" width="24" height="24">`} ${brand.siteName}</a>
<nav class="site-nav" aria-label="${t("layout.navMain")}">${nav}</nav></header>
<main id="main" class="${options.narrow ? "page page--narrow" : "page"}">
${options.body}
</main>
${clientTexts(t)}
${siteFooter(brand, t, options.languageMenu && options.csrfToken ? languageMenu(options.languageMenu, options.locale, options.csrfToken, t) : "")}
</body>
</html>`.value;
}

/** Where a value goes in a client text: the page script puts it there ("Did you mean \u0000?"). */
const CLIENT_VALUE = "\u0000";

/**
 * The texts the page scripts show (the audio player, the e-mail typo hint), in the page's language, as a
 * JSON data block the scripts read (public/enhancements/texts.js). Never executed; "<" is escaped so the
 * block cannot be closed early.
 */
function clientTexts(t: Translate): SafeHtml {
  const texts = {
    "captcha.audioLabel": t("captcha.audioLabel"),
    "captcha.audioPlaying": t("captcha.audioPlaying"),
    "captcha.audioPress": t("captcha.audioPress"),
    "captcha.audioFailed": t("captcha.audioFailed"),
    "captcha.audioAgain": t("captcha.audioAgain"),
    "signin.suggestionQuestion": t("signin.suggestionQuestion", { suggestion: CLIENT_VALUE }),
    "signin.suggestionUse": t("signin.suggestionUse", { suggestion: CLIENT_VALUE }),
    "signin.suggestionKeep": t("signin.suggestionKeep", { typed: CLIENT_VALUE }),
    "signin.passkeyFailed": t("signin.passkeyFailed"),
    "signin.passkeyUnavailable": t("signin.passkeyUnavailable"),
    "signin.passkeyNotUsed": t("signin.passkeyNotUsed"),
    "signin.secondFactorPasskeyUnavailable": t("signin.secondFactorPasskeyUnavailable"),
    "signin.secondFactorPasskeyNotUsed": t("signin.secondFactorPasskeyNotUsed"),
    "signin.secondFactorPasskeyFailed": t("signin.secondFactorPasskeyFailed"),
  };
  return trustedHtml(`<script type="application/json" id="page-texts">${JSON.stringify(texts).replace(/</g, "\\u003c")}</script>`);
}

/** Help links, the owner's privacy and terms links, and how to reach a person. */
function siteFooter(brand: Branding, t: Translate, menu: SafeHtml | ""): SafeHtml {
  const links: SafeHtml[] = [
    html`<a href="/help">${t("layout.navHelp")}</a>`,
    html`<a href="/help/problems-signing-in">${t("layout.footerProblemsSigningIn")}</a>`,
  ];
  if (brand.privacyUrl) links.push(html`<a href="${brand.privacyUrl}">${t("layout.footerPrivacy")}</a>`);
  if (brand.termsUrl) links.push(html`<a href="${brand.termsUrl}">${t("layout.footerTerms")}</a>`);
  return html`<footer class="site-footer">${menu}${links.map((link, i) => html`${i > 0 ? " · " : ""}${link}`)}${brand.supportContact ? html`<p class="site-footer-support">${supportContactText(brand, t)}</p>` : ""}</footer>`;
}

/**
 * The language menu: a plain form (a select and a button, no script needed) that posts the choice and
 * comes back to this page. Each language is named in its own language and marked with its `lang`.
 */
function languageMenu(menu: LanguageMenu, current: Locale, csrfToken: string, t: Translate): SafeHtml | "" {
  if (menu.offered.length < 2) return "";
  return html`<form class="language-menu" method="post" action="/language">${csrfField(csrfToken)}<input type="hidden" name="return_to" value="${menu.returnTo}">
<label for="language-menu-locale">${t("layout.languageMenuLabel")}</label>
<select class="input language-menu-select" id="language-menu-locale" name="locale" autocomplete="off">${menu.offered.map(
    (locale) =>
      html`<option value="${locale}" lang="${locale}" dir="${textDirection(locale)}"${locale === current ? html` selected` : ""}>${LOCALE_NAMES[locale]}</option>`,
  )}</select>
<button class="button button--secondary button--small" type="submit">${t("layout.languageMenuButton")}</button>
</form>`;
}

/** "Need a person? Contact <site> support: <address or page>", or nothing when no contact is configured. */
export function supportContactText(brand: Pick<Branding, "supportContact" | "siteName">, t: Translate): SafeHtml | "" {
  if (!brand.supportContact) return "";
  // The contact is a link inside the sentence.
  return withMarkup(
    t("layout.supportContact", { siteName: brand.siteName, contact: VALUE_MARK }),
    html`<a href="${brand.supportContact.href}">${brand.supportContact.label}</a>`,
  );
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** The summary at the top of a form that failed, linking each message to its field. */
export function errorSummary(errors: FieldError[], extra?: HtmlValue, t: Translate = english): SafeHtml | string {
  if (errors.length === 0) return "";
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t("layout.errorSummaryTitle")}</h2>
<ul>${errors.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}</ul>
${extra ?? ""}
</div>`;
}

export function errorFor(errors: FieldError[], field: string): FieldError | undefined {
  return errors.find((e) => e.field === field);
}

export interface TextFieldOptions {
  id: string;
  label: string;
  value?: string;
  type?: "text" | "email" | "tel";
  autocomplete?: string;
  hint?: string;
  errors: FieldError[];
  /** Put focus here on load (the first field with an error). */
  autofocus?: boolean;
  inputmode?: string;
  maxlength?: number;
  extra?: HtmlValue;
  required?: boolean;
  className?: string;
  /** Let the page script suggest a correction for a likely e-mail typo as the person types. */
  suggestEmail?: boolean;
  /** The page's language (English when not given). */
  t?: Translate;
}

function describedBy(id: string, hint: boolean, error: boolean, extra?: string): string | null {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : "", extra ?? ""].filter(Boolean);
  return ids.length ? ids.join(" ") : null;
}

export function textField(o: TextFieldOptions): SafeHtml {
  const t = o.t ?? english;
  const error = errorFor(o.errors, o.id);
  const described = describedBy(o.id, Boolean(o.hint), Boolean(error));
  return html`<div class="${error ? "field field--invalid" : "field"}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : ""}
${error ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">${t("layout.errorPrefix")} </span>${error.message}</p>` : ""}
${error?.choices ? fieldChoices(o.id, error, t) : ""}
<input class="${o.className ?? "input"}" id="${o.id}" name="${o.id}" type="${o.type ?? "text"}" value="${o.value ?? ""}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ""}${o.inputmode ? html` inputmode="${o.inputmode}"` : ""}${o.maxlength ? html` maxlength="${o.maxlength}"` : ""}${described ? html` aria-describedby="${described}"` : ""}${error ? html` aria-invalid="true"` : ""}${o.autofocus ? html` autofocus` : ""}${o.required ? html` required` : ""}${o.suggestEmail ? html` data-email-suggest` : ""} spellcheck="false" autocapitalize="off">
${o.extra ?? ""}
</div>`;
}

/**
 * The values offered for a refused field, as buttons that submit the form with `<id>_choice` (no script
 * needed); the page script fills the field in instead, so nothing else typed is lost.
 */
function fieldChoices(id: string, error: FieldError, t: Translate): SafeHtml {
  const prompt = phoneChoicesPrompt(error.code === "IDENTIFIER_PHONE_AMBIGUOUS" ? "IDENTIFIER_PHONE_AMBIGUOUS" : "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE", t);
  return html`<div class="field-choices" id="${id}-choices" role="group" aria-labelledby="${id}-choices-prompt">
<p class="field-hint" id="${id}-choices-prompt">${prompt}</p>
<ul class="choice-list">${(error.choices ?? []).map(
    (c) =>
      html`<li><button class="button button--secondary button--small" type="submit" name="${id}_choice" value="${c.value}" formnovalidate data-field-choice="${id}">${c.label}</button></li>`,
  )}</ul>
</div>`;
}

export interface PasswordFieldOptions {
  id: string;
  label: string;
  autocomplete: "current-password" | "new-password";
  errors: FieldError[];
  hint?: string;
  /** A notice about this field that is not an error (e.g. "type your password again"). */
  notice?: string;
  autofocus?: boolean;
  /** Show the strength meter, passing these fields' values as user inputs. */
  strengthInputs?: string[];
  /** The page's language (English when not given). */
  t?: Translate;
}

export function passwordField(o: PasswordFieldOptions): SafeHtml {
  const t = o.t ?? english;
  const error = errorFor(o.errors, o.id);
  // The Caps Lock warning is linked by the script only while it shows: hidden text referenced here would be read out.
  const described = describedBy(o.id, Boolean(o.hint), Boolean(error), o.notice ? `${o.id}-notice` : undefined);
  return html`<div class="${error ? "field field--invalid" : "field"}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : ""}
${error ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">${t("layout.errorPrefix")} </span>${error.message}</p>` : ""}
${o.notice ? html`<p class="field-notice" id="${o.id}-notice">${o.notice}</p>` : ""}
<div class="password-input">
<input class="input" id="${o.id}" name="${o.id}" type="password" autocomplete="${o.autocomplete}" data-password${o.strengthInputs ? html` data-strength-meter data-strength-inputs="${o.strengthInputs.join(" ")}"` : ""}${described ? html` aria-describedby="${described}"` : ""}${error ? html` aria-invalid="true"` : ""}${o.autofocus ? html` autofocus` : ""} maxlength="1024">
<button class="password-toggle" type="button" data-password-toggle="${o.id}" data-label-show="${t("layout.passwordShow")}" data-label-hide="${t("layout.passwordHide")}" data-name-show="${t("layout.passwordShowName")}" data-name-hide="${t("layout.passwordHideName")}" hidden>${t("layout.passwordShow")}</button>
</div>
<p class="capslock-warning" id="${o.id}-capslock" data-capslock-for="${o.id}" hidden>${t("layout.capsLock")}</p>
</div>`;
}

/** Which field gets autofocus: the first one named in the errors, in form order. */
export function firstInvalid(errors: FieldError[], order: string[]): string | undefined {
  return order.find((f) => errors.some((e) => e.field === f));
}

export function notice(kind: "success" | "info" | "warning" | "error", text: HtmlValue): SafeHtml {
  return html`<div class="notice notice--${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</div>`;
}

/** Where a value goes inside a translated sentence that shows it in bold or as a control. */
export const VALUE_MARK = "\u0000value\u0000";

/** A translated sentence formatted with VALUE_MARK for one value, with that value in <strong>. */
export function emphasised(sentence: string, value: string): SafeHtml {
  const [before = "", after = ""] = sentence.split(VALUE_MARK);
  return html`${before}<strong>${value}</strong>${after}`;
}

/** A translated sentence formatted with VALUE_MARK for a placeholder, with markup (a link, a button) there. */
export function withMarkup(sentence: string, markup: SafeHtml): SafeHtml {
  const [before = "", after = ""] = sentence.split(VALUE_MARK);
  return html`${before}${markup}${after}`;
}
