// The help center's pages: the article list with search, one article, and the "Was this helpful?" widget.
// The widget's class names and data attributes are the contract with public/style.css and
// public/enhancements/help-feedback.js.
import type { HelpArticle, HelpSearchResult } from "../help/articles.ts";
import { FEEDBACK_REASONS, MAX_FEEDBACK_COMMENT_LENGTH } from "../help/feedback.ts";
import type { FieldError } from "../http/flows.ts";
import { type Translate, translator } from "../i18n/catalogue.ts";
import { type Locale, textDirection } from "../i18n/locales.ts";
import { html, type SafeHtml, trustedHtml } from "../lib/html.ts";
import { reasonLabel } from "./admin-page.ts";
import { csrfField, errorFor } from "./layout.ts";
import { around } from "./message-markup.ts";

/** "2026-11-26" → "26 November 2026" (in English), in the page's language. */
export function formatReviewedDate(isoDate: string, locale: Locale = "en"): string {
  const format = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  return format.format(new Date(`${isoDate}T00:00:00Z`));
}

/**
 * How the page tells apart articles shown in English because they are not translated yet: the page's
 * language, and the words (in that language) for the note above such an article and beside it in lists.
 */
export interface HelpLanguageOptions {
  locale: Locale;
  /** "This article is not yet available in …; here it is in English." */
  fallbackNote: string;
  /** "in English", beside an English article in a list of another language. */
  inEnglish: string;
}

/** ` lang="…" dir="…"` for text in another language than the page's, else nothing. */
function languageAttributes(textLocale: Locale, language: HelpLanguageOptions | undefined): SafeHtml | "" {
  if (!language || textLocale === language.locale) return "";
  return html` lang="${textLocale}" dir="${textDirection(textLocale)}"`;
}

/** " (in English)" beside a list entry in another language than the page's. */
function otherLanguageMark(textLocale: Locale, language: HelpLanguageOptions | undefined): SafeHtml | "" {
  if (!language || textLocale === language.locale) return "";
  return html` <span class="field-hint">(${language.inEnglish})</span>`;
}

function articleList(articles: readonly HelpArticle[], language?: HelpLanguageOptions): SafeHtml {
  return html`<ul class="article-list">
${articles.map(
  (a) =>
    html`<li><a href="/help/${a.slug}"${languageAttributes(a.locale, language)}>${a.title}</a>${otherLanguageMark(a.locale, language)}<p${languageAttributes(a.locale, language)}>${a.summary}</p></li>\n`,
)}</ul>`;
}

export interface HelpIndexPageOptions {
  articles: readonly HelpArticle[];
  /** The search as typed, or "" when there is none. */
  query: string;
  results: readonly HelpSearchResult[];
  language?: HelpLanguageOptions;
  /** The page's language. */
  locale?: Locale;
}

export function helpIndexPage(o: HelpIndexPageOptions): SafeHtml {
  const t = translator(o.locale ?? "en");
  const searched = o.query.trim() !== "";
  const count = o.results.length;
  const results = searched
    ? html`<section aria-labelledby="results-title">
<h2 id="results-title">${t("helpPages.resultsFor", { query: o.query })}</h2>
<p role="status">${count === 0 ? t("helpPages.noResults") : t("helpPages.resultCount", { count })}</p>
${
  count > 0
    ? html`<ul class="article-list">
${o.results.map(
  (r) =>
    html`<li><a href="/help/${r.slug}"${languageAttributes(r.locale, o.language)}>${r.title}</a>${otherLanguageMark(r.locale, o.language)}<p${languageAttributes(r.locale, o.language)}>${trustedHtml(r.snippetHtml)}</p></li>\n`,
)}</ul>`
    : ""
}
</section>`
    : "";
  return html`<h1>${t("helpPages.title")}</h1>
<p class="lead">${t("helpPages.lead")}</p>
<form class="search-form" method="get" action="/help" role="search">
<label for="help-search">${t("helpPages.searchLabel")}</label>
<input class="input" type="search" id="help-search" name="q" value="${o.query}" maxlength="200" spellcheck="false">
<button class="button" type="submit">${t("helpPages.searchButton")}</button>
</form>
${results}
<section aria-labelledby="all-articles-title">
<h2 id="all-articles-title">${t("helpPages.allArticles")}</h2>
${articleList(o.articles, o.language)}
</section>`;
}

/** Which part of the feedback widget the page shows (without JavaScript, the server decides). */
export type FeedbackStep = "ask" | "reason" | "thanks";

export interface FeedbackWidgetOptions {
  slug: string;
  csrfToken: string;
  step: FeedbackStep;
  /** The visitor's stored answer, if any: chooses the thank-you text and is mentioned when asking again. */
  previous: { helpful: boolean } | null;
  errors: FieldError[];
  /** What the reason form held when it was refused. */
  reason?: string;
  comment?: string;
  /** The page's language. */
  t?: Translate;
}

export function feedbackWidget(o: FeedbackWidgetOptions): SafeHtml {
  const t = o.t ?? translator("en");
  const action = `/help/${o.slug}/feedback`;
  const reasonError = errorFor(o.errors, "reason");
  const commentError = errorFor(o.errors, "comment");
  const thanksYes = t("helpPages.thanksYes");
  const thanksNo = t("helpPages.thanksNo");
  const thanks = o.step === "thanks" ? (o.previous?.helpful === false ? thanksNo : thanksYes) : "";
  const previous =
    o.step === "ask" && o.previous
      ? html`<p class="field-hint">${t("helpPages.answeredBefore", { answer: o.previous.helpful ? t("helpPages.yes") : t("helpPages.no") })}</p> `
      : "";
  return html`<section class="feedback" id="feedback" data-feedback data-slug="${o.slug}" data-thanks-yes="${thanksYes}" data-thanks-no="${thanksNo}" aria-labelledby="feedback-title">
<h2 id="feedback-title">${t("helpPages.question")}</h2>
<form class="feedback-form" method="post" action="${action}" data-feedback-step="ask"${o.step === "ask" ? "" : html` hidden`}>${csrfField(o.csrfToken)}
${previous}<button class="button button--secondary" type="submit" name="helpful" value="yes">${t("helpPages.yes")}</button> <button class="button button--secondary" type="submit" name="helpful" value="no">${t("helpPages.no")}</button></form>
<form class="feedback-form" method="post" action="${action}" data-feedback-step="reason"${o.step === "reason" ? "" : html` hidden`}>${csrfField(o.csrfToken)}<input type="hidden" name="helpful" value="no">
<fieldset${reasonError ? html` aria-describedby="reason-error"` : ""}><legend>${t("helpPages.reasonLegend")}</legend>
${reasonError ? html`<p class="field-error" id="reason-error"><span class="visually-hidden">${t("helpPages.errorPrefix")}</span>${reasonError.message}</p>` : ""}
${FEEDBACK_REASONS.map(
  (reason) =>
    html`<div class="radio"><input type="radio" id="reason-${reason}" name="reason" value="${reason}"${o.reason === reason ? html` checked` : ""}><label for="reason-${reason}">${reasonLabel(t, reason)}</label></div>\n`,
)}</fieldset>
<div class="${commentError ? "field field--invalid" : "field"}"><label for="feedback-comment">${t("helpPages.commentLabel")}</label>
${commentError ? html`<p class="field-error" id="feedback-comment-error"><span class="visually-hidden">${t("helpPages.errorPrefix")}</span>${commentError.message}</p>` : ""}<textarea class="input" id="feedback-comment" name="comment" maxlength="${MAX_FEEDBACK_COMMENT_LENGTH}" rows="4"${commentError ? html` aria-invalid="true" aria-describedby="feedback-comment-error"` : ""}>${o.comment ?? ""}</textarea></div>
<button class="button" type="submit">${t("helpPages.send")}</button></form>
<p class="feedback-thanks" data-feedback-step="thanks" tabindex="-1"${o.step === "thanks" ? "" : html` hidden`}>${thanks}</p>
${o.step === "thanks" ? html`<p><a href="/help/${o.slug}?feedback=change#feedback">${t("helpPages.changeAnswer")}</a></p>` : ""}
<div class="visually-hidden" aria-live="polite" data-feedback-live></div>
</section>`;
}

export interface HelpArticlePageOptions {
  article: HelpArticle;
  related: readonly HelpArticle[];
  feedback: FeedbackWidgetOptions;
  language?: HelpLanguageOptions;
  /** The page's language. */
  locale?: Locale;
}

export function helpArticlePage(o: HelpArticlePageOptions): SafeHtml {
  const a = o.article;
  const locale = o.locale ?? "en";
  const t = translator(locale);
  const reviewed = html`<time datetime="${a.reviewed}">${formatReviewedDate(a.reviewed, locale)}</time>`;
  // The article always says which language it is written in, so an English article inside a page of
  // another language is read (and spoken) as English.
  const fallback = o.language && a.locale !== o.language.locale;
  return html`<nav aria-label="${t("helpPages.breadcrumb")}"><p><a href="/help">${t("helpPages.title")}</a></p></nav>
${fallback ? html`<div class="notice notice--info" role="note"><p>${o.language?.fallbackNote}</p></div>\n` : ""}<article class="help-article" aria-labelledby="article-title" lang="${a.locale}" dir="${textDirection(a.locale)}">
<h1 id="article-title">${a.title}</h1>
${trustedHtml(a.html)}
<p class="field-hint">${around(t, "helpPages.lastReviewed", {}, "date", reviewed)}</p>
</article>
${feedbackWidget({ t, ...o.feedback })}
${
  o.related.length > 0
    ? html`<section aria-labelledby="related-title">
<h2 id="related-title">${t("helpPages.related")}</h2>
${articleList(o.related, o.language)}
</section>`
    : ""
}`;
}
