// The help center: /help (list and search), /help/:slug (article and feedback widget), the feedback form
// post, and the same under /api/v1/help.
//
// Feedback steps and their state diagram: feedback-flow.ts. Each route reads its input, calls a service
// and hands the result to the flow adapter.
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { consumeClientAllowance } from "../http/client-limits.ts";
import { answerPage, readFlow } from "../http/flow-adapter.ts";
import { feedbackPage, feedbackPageFlow } from "../http/flow-pages.ts";
import { fieldErrorOf } from "../http/flows.ts";
import { formField, isRecord, ownValue } from "../http/forms.ts";
import { csrfTokenFor, sendPage } from "../http/render.ts";
import { clientAddressOf } from "../http/request-context.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { translate } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { pageTitles } from "../messages/pages.ts";
import { type FeedbackStep, type HelpLanguageOptions, helpArticlePage, helpIndexPage } from "../views/help-pages.ts";
import type { HelpArticle, HelpLibrary } from "./articles.ts";
import { helpVisitorId, MAX_FEEDBACK_COMMENT_LENGTH, recordHelpArticleView, requireHelpArticle, saveHelpFeedback } from "./feedback.ts";
import { runFeedbackStep } from "./feedback-flow.ts";
import { MAX_QUERY_LENGTH } from "./search-index.ts";

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });

/** Characters of a posted comment that are read; anything longer is refused by the length check anyway. */
const COMMENT_READ_LIMIT = 4 * MAX_FEEDBACK_COMMENT_LENGTH;

// The schema only bounds what is read, as the page form does: the reason and the comment's length are
// checked by validateFeedback, so the API answers FEEDBACK_REASON_INVALID and FEEDBACK_COMMENT_TOO_LONG like
// the page, and counts the comment's characters after clean-up (a trailing line break does not count).
export const HelpFeedbackBody = Type.Object(
  {
    helpful: Type.Boolean(),
    reason: Type.Optional(Type.String({ maxLength: 64 })),
    comment: Type.Optional(Type.String({ maxLength: COMMENT_READ_LIMIT })),
  },
  { additionalProperties: false },
);

function articleSummaryJson(a: HelpArticle): { slug: string; locale: Locale; title: string; summary: string; reviewed: string; version: string; url: string } {
  return { slug: a.slug, locale: a.locale, title: a.title, summary: a.summary, reviewed: a.reviewed, version: a.version, url: `/help/${a.slug}` };
}

function relatedArticles(library: HelpLibrary, article: HelpArticle, locale: Locale): HelpArticle[] {
  return article.related.map((slug) => library.get(slug, locale)).filter((a): a is HelpArticle => a !== null);
}

/** The language's own name, as its speakers write it in running text ("Deutsch", "français"). */
function languageName(locale: Locale): string {
  return new Intl.DisplayNames([locale], { type: "language" }).of(locale) ?? locale;
}

/** The words a help page of this language needs for articles shown in English instead. */
function helpLanguageOptions(locale: Locale): HelpLanguageOptions {
  return {
    locale,
    fallbackNote: translate(locale, "helpArticles.fallbackNote", { language: languageName(locale) }),
    inEnglish: translate(locale, "helpArticles.inEnglish"),
  };
}

function queryString(request: FastifyRequest, name: string, max: number): string {
  const value = ownValue(request.query, name);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first.slice(0, max) : "";
}

export function registerHelpRoutes(app: TypedApp, deps: Deps, library: HelpLibrary): void {
  // The visitor behind an answer is the browser's anonymous cookie id (hashed), never the account, so
  // answers stay anonymous even for people who are signed in.
  const visitorOf = (request: FastifyRequest): string => helpVisitorId(deps, request.browserId);

  app.get("/help", async (request, reply) => {
    const query = queryString(request, "q", MAX_QUERY_LENGTH);
    const locale = request.locale;
    const body = helpIndexPage({
      articles: library.list(locale),
      query,
      results: query.trim() ? library.search(query, undefined, locale) : [],
      language: helpLanguageOptions(locale),
      locale,
    });
    return sendPage(request, reply, deps, { title: query.trim() ? pageTitles.helpSearch(query) : pageTitles.help, body, narrow: false });
  });

  app.get("/help/:slug", { schema: { params: SlugParams } }, async (request, reply) => {
    const locale = request.locale;
    const article = requireHelpArticle(library, request.params.slug, locale);
    const state = queryString(request, "feedback", 16);
    const previous = await deps.stores.helpFeedback.getFeedback(article.slug, visitorOf(request));
    let step: FeedbackStep = "ask";
    if (state === "reason") step = "reason";
    else if (state === "thanks" && previous) step = "thanks";
    const flow = step === "reason" ? await readFlow(deps, request, feedbackPageFlow, ownValue(request.query, "flow")) : null;
    const kept = flow?.state.slug === article.slug ? flow.state : null;
    // The pages a feedback post redirects to are the same article again, not another reading of it.
    if (state === "") await recordHelpArticleView(deps, article, { browserId: request.browserId, address: clientAddressOf(request) });
    const body = helpArticlePage({
      locale: request.locale,
      article,
      related: relatedArticles(library, article, locale),
      language: helpLanguageOptions(locale),
      feedback: {
        slug: article.slug,
        csrfToken: csrfTokenFor(reply),
        step,
        previous: previous ? { helpful: previous.helpful } : null,
        errors: kept?.error ? [fieldErrorOf(kept.error)] : [],
        ...(kept?.reason ? { reason: kept.reason } : {}),
        ...(kept?.comment ? { comment: kept.comment } : {}),
      },
    });
    return sendPage(request, reply, deps, { title: article.title, body, narrow: false });
  });

  app.post("/help/:slug/feedback", { preHandler: app.csrfProtection, schema: { params: SlugParams } }, async (request, reply) => {
    const article = requireHelpArticle(library, request.params.slug, request.locale);
    await consumeClientAllowance(deps, "feedback", clientAddressOf(request));
    const result = await runFeedbackStep(deps, library, {
      slug: article.slug,
      locale: request.locale,
      visitorId: visitorOf(request),
      helpful: formField(request, "helpful", 8),
      reason: formField(request, "reason", 32),
      comment: formField(request, "comment", COMMENT_READ_LIMIT),
      fromReasonStep: isRecord(request.body) && Object.hasOwn(request.body, "comment"),
    });
    return answerPage(deps, request, reply, feedbackPageFlow, result, (saved) =>
      saved.kind === "saved" ? feedbackPage(saved.slug, saved.next) : feedbackPage(article.slug, "ask"),
    );
  });

  // JSON API
  app.get("/api/v1/help/articles", async (request, reply) => {
    const query = queryString(request, "q", MAX_QUERY_LENGTH);
    const locale = request.locale;
    if (query.trim() === "") return reply.send({ articles: library.list(locale).map(articleSummaryJson) });
    const results = library.search(query, undefined, locale);
    return reply.send({
      query,
      articles: results.map((r) => {
        const article = library.get(r.slug, locale);
        return {
          ...(article ? articleSummaryJson(article) : { slug: r.slug, locale: r.locale, title: r.title, summary: r.summary, url: `/help/${r.slug}` }),
          snippetHtml: r.snippetHtml,
        };
      }),
    });
  });

  app.get("/api/v1/help/articles/:slug", { schema: { params: SlugParams } }, async (request, reply) => {
    const locale = request.locale;
    const article = requireHelpArticle(library, request.params.slug, locale);
    return reply.send({
      article: {
        ...articleSummaryJson(article),
        html: article.html,
        related: relatedArticles(library, article, locale).map((a) => ({ slug: a.slug, locale: a.locale, title: a.title, url: `/help/${a.slug}` })),
      },
    });
  });

  app.post("/api/v1/help/articles/:slug/feedback", { schema: { params: SlugParams, body: HelpFeedbackBody } }, async (request, reply) => {
    const article = requireHelpArticle(library, request.params.slug, request.locale);
    await consumeClientAllowance(deps, "feedback", clientAddressOf(request));
    const body = request.body;
    await saveHelpFeedback(deps, library, {
      slug: article.slug,
      locale: request.locale,
      visitorId: visitorOf(request),
      helpful: body.helpful,
      reason: body.reason,
      comment: body.comment,
    });
    return reply.code(201).send({ feedback: "saved" });
  });
}
