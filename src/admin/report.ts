// The help feedback report: per article views, yes, no, helpful share and reasons, a daily trend and the
// latest comments. One service feeds /admin, its CSV export and `latchkey help report`.
import type { Deps } from "../deps.ts";
import type { HelpLibrary } from "../help/articles.ts";
import { FEEDBACK_REASONS, utcDayOf } from "../help/feedback.ts";
import { type Locale, SHIPPED_LOCALES } from "../i18n/locales.ts";
import { feedbackReasonLabels } from "../messages/help.ts";
import type { HelpArticleFeedbackSummary, HelpFeedbackDay, HelpFeedbackReason, HelpFeedbackRecord } from "../stores/types.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReasonCount {
  reason: HelpFeedbackReason;
  label: string;
  count: number;
}

export interface YesNo {
  yes: number;
  no: number;
}

export interface ArticleFeedbackReport {
  slug: string;
  /** The article's title, or its slug when the article no longer exists. */
  title: string;
  /** False for answers about an article that has since been removed from content/help. */
  published: boolean;
  views: number;
  yes: number;
  no: number;
  /** Yes as a whole percentage of all answers, or null when there are none. */
  helpfulPercent: number | null;
  /** Every reason in the order they are offered, with zero for those nobody chose. */
  reasons: ReasonCount[];
  /** The most chosen reason (the first offered on a tie), or null when no reason was given. */
  topReason: HelpFeedbackReason | null;
  /** Answers given for the article as it reads now, and for earlier versions (before an edit). */
  currentVersion: YesNo;
  earlierVersions: YesNo;
  /** Views, yes and no per language the article was shown in, by language code. */
  locales: LanguageFeedback[];
}

export interface LanguageFeedback {
  locale: string;
  views: number;
  yes: number;
  no: number;
}

export interface HelpFeedbackReport {
  generatedAt: Date;
  /** Only views and answers from this moment on count; null for all time. */
  since: Date | null;
  /** Only views and answers in this language count; null for every language. */
  locale: Locale | null;
  /** The totals per language articles were shown in, by language code (only languages with a view or answer). */
  languages: Array<LanguageFeedback & { helpfulPercent: number | null }>;
  articles: ArticleFeedbackReport[];
  totals: { views: number; yes: number; no: number; helpfulPercent: number | null };
  /** One entry per UTC day for the last `trendDays` days, oldest first, including days without answers. */
  trend: HelpFeedbackDay[];
  /** The newest comments, newest first, with the article's title. */
  comments: Array<HelpFeedbackRecord & { title: string }>;
}

export interface HelpFeedbackReportOptions {
  /** Count only the last N days (by UTC day for views); all time when absent. */
  sinceDays?: number;
  trendDays?: number;
  commentLimit?: number;
  /** Count only views and answers in this language (of the article as shown); every language when absent. */
  locale?: Locale;
}

/** Yes as a whole percentage of all answers, or null when there are none. */
export function helpfulPercent(yes: number, no: number): number | null {
  return yes + no === 0 ? null : Math.round((100 * yes) / (yes + no));
}

/** The start (00:00 UTC) of the day `days - 1` days before `now`, so that the window holds `days` days. */
export function startOfWindow(now: Date, days: number): Date {
  const today = Date.parse(`${utcDayOf(now)}T00:00:00Z`);
  return new Date(today - (days - 1) * DAY_MS);
}

function reportArticle(summary: HelpArticleFeedbackSummary, title: string, published: boolean, currentVersions: ReadonlySet<string>): ArticleFeedbackReport {
  const reasons = FEEDBACK_REASONS.map((reason) => ({ reason, label: feedbackReasonLabels[reason], count: summary.reasons[reason] ?? 0 }));
  let topReason: ReasonCount | null = null;
  for (const r of reasons) if (r.count > 0 && (!topReason || r.count > topReason.count)) topReason = r;
  const currentVersion: YesNo = { yes: 0, no: 0 };
  const earlierVersions: YesNo = { yes: 0, no: 0 };
  for (const v of summary.versions) {
    const target = currentVersions.has(v.version) ? currentVersion : earlierVersions;
    target.yes += v.yes;
    target.no += v.no;
  }
  return {
    slug: summary.slug,
    title,
    published,
    views: summary.views,
    yes: summary.yes,
    no: summary.no,
    helpfulPercent: helpfulPercent(summary.yes, summary.no),
    reasons,
    topReason: topReason?.reason ?? null,
    currentVersion,
    earlierVersions,
    locales: summary.locales,
  };
}

/** The versions an article reads as now, in `locale` or (without it) in every language. */
function currentVersionsOf(library: HelpLibrary, slug: string, locale: Locale | undefined): Set<string> {
  const versions = new Set<string>();
  for (const l of locale ? [locale] : SHIPPED_LOCALES) {
    const article = library.get(slug, l);
    // A language without a translation shows the English article, whose answers are stored as English.
    if (article && article.locale === l) versions.add(article.version);
  }
  return versions;
}

/**
 * Builds the report from storage. Every published article appears (in the help center's order), then any
 * removed article that still has views or answers. Answers count once per visitor and article: their latest.
 */
export async function buildHelpFeedbackReport(
  deps: Pick<Deps, "stores" | "clock">,
  library: HelpLibrary,
  options: HelpFeedbackReportOptions = {},
): Promise<HelpFeedbackReport> {
  const now = deps.clock.now();
  const trendDays = options.trendDays ?? 30;
  const since = options.sinceDays ? startOfWindow(now, options.sinceDays) : null;
  const trendSince = startOfWindow(now, trendDays);
  const locale = options.locale;
  const inLocale = locale ? { locale } : {};
  const [summaries, trendRows, latest] = await Promise.all([
    deps.stores.helpFeedback.summarizeFeedback({ ...(since ? { since } : {}), ...inLocale }),
    deps.stores.helpFeedback.feedbackTrend({ since: trendSince, ...inLocale }),
    deps.stores.helpFeedback.latestComments({ limit: options.commentLimit ?? 20, ...inLocale }),
  ]);

  const bySlug = new Map(summaries.map((s) => [s.slug, s]));
  const empty = (slug: string): HelpArticleFeedbackSummary => ({ slug, views: 0, yes: 0, no: 0, reasons: {}, versions: [], locales: [] });
  const published = library.list();
  const articles = published.map((a) => reportArticle(bySlug.get(a.slug) ?? empty(a.slug), a.title, true, currentVersionsOf(library, a.slug, locale)));
  const retired = summaries.filter((s) => !library.get(s.slug)).sort((a, b) => (a.slug < b.slug ? -1 : 1));
  for (const s of retired) articles.push(reportArticle(s, s.slug, false, new Set()));

  const byLanguage = new Map<string, LanguageFeedback>();
  for (const a of articles) {
    for (const l of a.locales) {
      const total = byLanguage.get(l.locale) ?? { locale: l.locale, views: 0, yes: 0, no: 0 };
      byLanguage.set(l.locale, { locale: l.locale, views: total.views + l.views, yes: total.yes + l.yes, no: total.no + l.no });
    }
  }
  const languages = [...byLanguage.values()]
    .sort((a, b) => (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0))
    .map((l) => ({ ...l, helpfulPercent: helpfulPercent(l.yes, l.no) }));

  const totals = articles.reduce((t, a) => ({ views: t.views + a.views, yes: t.yes + a.yes, no: t.no + a.no }), { views: 0, yes: 0, no: 0 });
  const trendByDay = new Map(trendRows.map((d) => [d.day, d]));
  const trend: HelpFeedbackDay[] = [];
  for (let i = 0; i < trendDays; i++) {
    const day = utcDayOf(new Date(trendSince.getTime() + i * DAY_MS));
    trend.push(trendByDay.get(day) ?? { day, views: 0, yes: 0, no: 0 });
  }
  return {
    generatedAt: now,
    since,
    locale: locale ?? null,
    languages,
    articles,
    totals: { ...totals, helpfulPercent: helpfulPercent(totals.yes, totals.no) },
    trend,
    comments: latest.map((c) => ({ ...c, title: library.get(c.slug)?.title ?? c.slug })),
  };
}

/** "75%", or "–" when there are no answers. */
export function formatPercent(percent: number | null): string {
  return percent === null ? "–" : `${percent}%`;
}

/**
 * The report's article table as aligned plain text (for the terminal): article, views, yes, no, helpful
 * and top reason, then a total line.
 */
export function formatHelpReportText(report: HelpFeedbackReport): string {
  const header = ["Article", "Views", "Yes", "No", "Helpful", "Top reason"];
  const rows = report.articles.map((a) => [
    a.published ? a.slug : `${a.slug} (removed)`,
    String(a.views),
    String(a.yes),
    String(a.no),
    formatPercent(a.helpfulPercent),
    a.topReason ? feedbackReasonLabels[a.topReason] : "–",
  ]);
  const total = ["Total", String(report.totals.views), String(report.totals.yes), String(report.totals.no), formatPercent(report.totals.helpfulPercent), ""];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? "")].length)));
  // Text columns are left-aligned, numbers right-aligned; the last column is not padded.
  const numeric = [false, true, true, true, true, false];
  const line = (row: string[]): string =>
    row
      .map((cell, i) => {
        if (i === row.length - 1) return cell;
        const pad = " ".repeat((widths[i] ?? 0) - [...cell].length);
        return numeric[i] ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  const period = report.since ? `since ${utcDayOf(report.since)}` : "all time";
  const language = report.locale ? `, in ${report.locale}` : "";
  return `Help feedback, ${period}${language} (generated ${report.generatedAt.toISOString()})\n\n${[line(header), ...rows.map(line), line(total)].join("\n")}\n`;
}
