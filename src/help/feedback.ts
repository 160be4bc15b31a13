// Readers' answers to "Was this information helpful?": validation, the anonymous visitor id, storage with
// the article's version, and article view counting.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import { hmacHex } from "../lib/crypto.ts";
import type { HelpFeedbackReason } from "../stores/types.ts";
import type { HelpArticle, HelpLibrary } from "./articles.ts";

/** Every reason a reader can give after "No", in the order they are offered. */
export const FEEDBACK_REASONS: readonly HelpFeedbackReason[] = ["confusing", "didnt_answer", "inaccurate", "too_long", "other"];

/** Characters (Unicode code points) a comment may have after clean-up. */
export const MAX_FEEDBACK_COMMENT_LENGTH = 1000;

export function isFeedbackReason(value: unknown): value is HelpFeedbackReason {
  return typeof value === "string" && (FEEDBACK_REASONS as readonly string[]).includes(value);
}

export interface FeedbackInput {
  helpful: boolean;
  /** Absent, null or "" for none. */
  reason?: string | null | undefined;
  comment?: string | null | undefined;
}

export interface ValidFeedback {
  helpful: boolean;
  reason: HelpFeedbackReason | null;
  comment: string | null;
}

/**
 * A comment as it is stored: line breaks made "\n", tabs made spaces, every other control character and
 * every bidirectional override removed, then trimmed. Returns null when nothing is left.
 */
export function cleanFeedbackComment(comment: string): string | null {
  const cleaned = comment
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, " ")
    // Control characters could corrupt terminals and exports; direction overrides could make a comment
    // read differently on the admin page than what was typed.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "")
    .trim();
  return cleaned === "" ? null : cleaned;
}

/**
 * Checks an answer: a reason must be one of FEEDBACK_REASONS and only comes with "No"; the comment is
 * cleaned (see cleanFeedbackComment) and may then have at most MAX_FEEDBACK_COMMENT_LENGTH characters.
 *
 * @throws AppError FEEDBACK_REASON_INVALID (field "reason") or FEEDBACK_COMMENT_TOO_LONG (field "comment").
 */
export function validateFeedback(input: FeedbackInput): ValidFeedback {
  let reason: HelpFeedbackReason | null = null;
  if (input.reason !== undefined && input.reason !== null && input.reason !== "") {
    if (!isFeedbackReason(input.reason)) throw new AppError("FEEDBACK_REASON_INVALID", { field: "reason", detail: "unknown reason" });
    if (input.helpful) throw new AppError("FEEDBACK_REASON_INVALID", { field: "reason", detail: "a reason with a yes answer" });
    reason = input.reason;
  }
  const comment = typeof input.comment === "string" ? cleanFeedbackComment(input.comment) : null;
  if (comment !== null && [...comment].length > MAX_FEEDBACK_COMMENT_LENGTH) {
    throw new AppError("FEEDBACK_COMMENT_TOO_LONG", { field: "comment", detail: `${[...comment].length} characters` });
  }
  return { helpful: input.helpful, reason, comment };
}

/**
 * The id under which a browser's answers are stored: a keyed hash of its anonymous browser cookie. The
 * cookie value itself is never stored, so a copy of the database cannot be used to act as that browser,
 * and no account is ever linked to an answer.
 */
export function helpVisitorId(deps: Pick<Deps, "config">, browserId: string): string {
  return hmacHex(deps.config.secret, "help-visitor", browserId).slice(0, 32);
}

/** The UTC day of a moment, as YYYY-MM-DD. */
export function utcDayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The article as a reader of `locale` sees it (English where it is not translated), or NOT_FOUND. */
export function requireHelpArticle(library: HelpLibrary, slug: string, locale: Locale = "en"): HelpArticle {
  const article = library.get(slug, locale);
  if (!article) throw new AppError("NOT_FOUND", { detail: `help article ${slug}` });
  return article;
}

/** Counts one view of the article today (UTC), in the language it was shown in. */
export async function recordHelpArticleView(deps: Pick<Deps, "stores" | "clock">, article: HelpArticle): Promise<void> {
  await deps.stores.helpFeedback.recordArticleView(article.slug, utcDayOf(deps.clock.now()), article.locale);
}

/**
 * Validates and stores a visitor's answer for an article as a reader of `locale` is shown it, with that
 * article's language (English when it is not translated) and version. A later answer of the same visitor
 * for the same article replaces the earlier one, in whichever language. Returns what was stored.
 *
 * @throws AppError NOT_FOUND for an unknown slug, or a validation error (see validateFeedback).
 */
export async function saveHelpFeedback(
  deps: Pick<Deps, "stores" | "clock">,
  library: HelpLibrary,
  input: FeedbackInput & { slug: string; visitorId: string; locale?: Locale },
): Promise<ValidFeedback> {
  const article = requireHelpArticle(library, input.slug, input.locale);
  const valid = validateFeedback(input);
  await deps.stores.helpFeedback.saveFeedback({
    slug: article.slug,
    locale: article.locale,
    articleVersion: article.version,
    visitorId: input.visitorId,
    ...valid,
    at: deps.clock.now(),
  });
  return valid;
}
