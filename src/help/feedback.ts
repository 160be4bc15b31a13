// Readers' answers to "Was this information helpful?": validation, the anonymous visitor id, storage with
// the article's version, and article view counting.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { isClientAllowanceSpent, takeClientAllowance } from "../http/client-limits.ts";
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

const DAY_SECONDS = 24 * 3600;

/** Who is reading: the browser's anonymous cookie id and the client address. */
export interface HelpReader {
  browserId: string;
  address: string;
}

/**
 * Counts a view of the article today (UTC), in the language it was shown in, at most once per browser and
 * article a day and, across browsers, at most LATCHKEY_RATE_HELP_VIEWS views per client address. A view that
 * is not counted still shows the article. Returns whether this view was counted.
 *
 * Why: the report's view counts are what the team reads, and a view is a database write. Counted for every
 * request, one script could inflate any article and write to the database as fast as it could ask. A
 * repeated view of a browser (and, once spent, any view from the address) is answered by reads alone. The
 * browser's mark and the address's counter each change in one atomic increment, so of concurrent requests
 * from one browser exactly one is counted.
 */
export async function recordHelpArticleView(deps: Pick<Deps, "stores" | "clock" | "config">, article: HelpArticle, reader: HelpReader): Promise<boolean> {
  const now = deps.clock.now();
  const day = utcDayOf(now);
  const store = deps.stores.shortLived;
  // A keyed hash of the browser's cookie, so a copy of the store cannot be used to act as that browser.
  const seenKey = `help-view:${hmacHex(deps.config.secret, "help-view", reader.browserId, article.slug, day).slice(0, 32)}`;
  if ((await store.get(seenKey)) !== null) return false;
  // Checked before anything is written: a client that sends no cookie is a new browser on every request.
  if (await isClientAllowanceSpent(deps, "helpViews", reader.address)) return false;
  // Kept until the end of the UTC day, when the browser's next view counts again.
  const secondsLeftToday = Math.max(1, DAY_SECONDS - (Math.floor(now.getTime() / 1000) % DAY_SECONDS));
  if ((await store.increment(seenKey, secondsLeftToday)) !== 1) return false;
  if (!(await takeClientAllowance(deps, "helpViews", reader.address))) return false;
  await deps.stores.helpFeedback.recordArticleView(article.slug, day, article.locale);
  return true;
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
