// The page frame and the form parts every page shares. Markup follows public/style.css's contract.
import { html, type HtmlValue, type SafeHtml } from "../lib/html.ts";
import type { FieldError } from "../http/flows.ts";

export interface PageUser {
  name: string | null;
  isAdmin: boolean;
}

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  narrow?: boolean;
  user?: PageUser | null;
  csrfToken?: string;
  testMode?: boolean;
}

export function renderLayout(options: LayoutOptions): string {
  const nav = options.user
    ? html`<a href="/help">Help</a> <a href="/account">Account</a>${options.user.isAdmin ? html` <a href="/admin">Admin</a>` : ""}
      <form class="inline-form" method="post" action="/signout"><input type="hidden" name="_csrf" value="${options.csrfToken ?? ""}"><button class="link-button" type="submit">Sign out</button></form>`
    : html`<a href="/help">Help</a> <a href="/signin">Sign in</a> <a href="/register">Create an account</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Latchkey</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer type="module"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
${options.testMode ? html`<aside class="test-mode-banner" aria-label="Test mode">Test mode: every security check reads TESTME (audio 1234567). Never use this setting with real accounts.</aside>` : ""}
<header class="site-header"><a class="brand" href="/"><img src="/assets/favicon.svg" alt="" width="24" height="24"> Latchkey</a>
<nav class="site-nav" aria-label="Main">${nav}</nav></header>
<main id="main" class="${options.narrow ? "page page--narrow" : "page"}">
${options.body}
</main>
<footer class="site-footer"><a href="/help">Help</a> · <a href="/help/problems-signing-in">Problems signing in?</a></footer>
</body>
</html>`.value;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** The summary at the top of a form that failed, linking each message to its field. */
export function errorSummary(errors: FieldError[], extra?: HtmlValue): SafeHtml | string {
  if (errors.length === 0) return "";
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">There is a problem</h2>
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
}

function describedBy(id: string, hint: boolean, error: boolean, extra?: string): string | null {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : "", extra ?? ""].filter(Boolean);
  return ids.length ? ids.join(" ") : null;
}

export function textField(o: TextFieldOptions): SafeHtml {
  const error = errorFor(o.errors, o.id);
  const described = describedBy(o.id, Boolean(o.hint), Boolean(error));
  return html`<div class="${error ? "field field--invalid" : "field"}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : ""}
${error ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">Error: </span>${error.message}</p>` : ""}
<input class="${o.className ?? "input"}" id="${o.id}" name="${o.id}" type="${o.type ?? "text"}" value="${o.value ?? ""}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ""}${o.inputmode ? html` inputmode="${o.inputmode}"` : ""}${o.maxlength ? html` maxlength="${o.maxlength}"` : ""}${described ? html` aria-describedby="${described}"` : ""}${error ? html` aria-invalid="true"` : ""}${o.autofocus ? html` autofocus` : ""}${o.required ? html` required` : ""} spellcheck="false" autocapitalize="off">
${o.extra ?? ""}
</div>`;
}

export interface PasswordFieldOptions {
  id: string;
  label: string;
  autocomplete: "current-password" | "new-password";
  errors: FieldError[];
  hint?: string;
  autofocus?: boolean;
  /** Show the strength meter, passing these fields' values as user inputs. */
  strengthInputs?: string[];
}

export function passwordField(o: PasswordFieldOptions): SafeHtml {
  const error = errorFor(o.errors, o.id);
  // The Caps Lock warning is linked by the script only while it shows: hidden text referenced here would be read out.
  const described = describedBy(o.id, Boolean(o.hint), Boolean(error));
  return html`<div class="${error ? "field field--invalid" : "field"}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : ""}
${error ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">Error: </span>${error.message}</p>` : ""}
<div class="password-input">
<input class="input" id="${o.id}" name="${o.id}" type="password" autocomplete="${o.autocomplete}" data-password${o.strengthInputs ? html` data-strength-meter data-strength-inputs="${o.strengthInputs.join(" ")}"` : ""}${described ? html` aria-describedby="${described}"` : ""}${error ? html` aria-invalid="true"` : ""}${o.autofocus ? html` autofocus` : ""} maxlength="1024">
<button class="password-toggle" type="button" data-password-toggle="${o.id}" hidden>Show</button>
</div>
<p class="capslock-warning" id="${o.id}-capslock" data-capslock-for="${o.id}" hidden>Caps Lock is on. Passwords are case-sensitive.</p>
</div>`;
}

/** Which field gets autofocus: the first one named in the errors, in form order. */
export function firstInvalid(errors: FieldError[], order: string[]): string | undefined {
  return order.find((f) => errors.some((e) => e.field === f));
}

export function notice(kind: "success" | "info" | "warning" | "error", text: HtmlValue): SafeHtml {
  return html`<div class="notice notice--${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</div>`;
}
