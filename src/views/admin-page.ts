// The admin page: how readers rate the help articles, with charts drawn on the server.
import type { HelpFeedbackReport } from "../admin/report.ts";
import { helpfulPercent } from "../admin/report.ts";
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import { LOCALE_NAMES, type Locale, SHIPPED_LOCALES } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import type { HelpFeedbackReason } from "../stores/types.ts";
import { utcDay } from "./admin-nav.ts";
import { horizontalBarChart, yesNoTrendChart } from "./svg-charts.ts";

/** The periods offered above the table: days, or null for all time. */
export const ADMIN_PERIODS: ReadonlyArray<{ days: number | null }> = [{ days: null }, { days: 90 }, { days: 30 }, { days: 7 }];

function periodLabel(t: Translate, days: number | null): string {
  return days === null ? t("admin.periodAll") : t("admin.periodDays", { days });
}

/** A feedback reason in the page's language. */
export function reasonLabel(t: Translate, reason: HelpFeedbackReason): string {
  return t(`helpPages.reason_${reason}` as MessageId);
}

/** Numbers, percentages and moments in the page's language. */
export function adminFormats(locale: Locale) {
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  const dateTime = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
  return {
    n: (value: number): string => number.format(value),
    pct: (value: number | null): string => (value === null ? "–" : percent.format(value / 100)),
    at: (value: Date): string => dateTime.format(value),
  };
}

/** The language filter: a plain GET form, so it works without JavaScript and keeps the period. */
function languageFilter(t: Translate, report: HelpFeedbackReport, days: number | null): SafeHtml {
  return html`<form class="search-form" method="get" action="/admin/help-feedback"><label for="feedback-lang">${t("admin.languageLabel")}</label>
<select class="input" id="feedback-lang" name="lang"><option value="">${t("admin.allLanguages")}</option>${SHIPPED_LOCALES.map(
    (l) => html`<option value="${l}"${report.locale === l ? html` selected` : ""}>${LOCALE_NAMES[l]}</option>`,
  )}</select>${days ? html`<input type="hidden" name="days" value="${days}">` : ""}
<button class="button button--secondary" type="submit">${t("admin.show")}</button></form>`;
}

/** A count as data: its value, and the number written the page's way. */
function count(value: number, f: { n: (value: number) => string }): SafeHtml {
  return html`<data value="${String(value)}">${f.n(value)}</data>`;
}

/** "de 3/1 · en 5/0": yes and no answers per language the article was shown in. */
function answersByLanguage(locales: HelpFeedbackReport["articles"][number]["locales"], f: { n: (value: number) => string }): SafeHtml | string {
  const answered = locales.filter((l) => l.yes + l.no > 0);
  return answered.length === 0
    ? "–"
    : html`${answered.map((l, i) => html`${i > 0 ? " · " : ""}<code>${l.locale}</code> ${count(l.yes, f)}/${count(l.no, f)}`)}`;
}

function multiline(text: string): SafeHtml {
  return html`${text.split("\n").map((line, i) => html`${i > 0 ? html`<br>` : ""}${line}`)}`;
}

function periodHref(days: number | null, locale: string | null): string {
  const query = [days ? `days=${days}` : "", locale ? `lang=${locale}` : ""].filter((q) => q !== "").join("&");
  return query ? `/admin/help-feedback?${query}` : "/admin/help-feedback";
}

export function adminPage(report: HelpFeedbackReport, days: number | null, locale: Locale = "en"): SafeHtml {
  const t = translator(locale);
  const f = adminFormats(locale);
  const totals = report.totals;
  const period = periodLabel(t, ADMIN_PERIODS.some((p) => p.days === days) ? days : null);
  const withNo = report.articles.filter((a) => a.no > 0);
  const answeredDays = report.trend.filter((d) => d.yes + d.no + d.views > 0);
  return html`<h1>${t("admin.feedbackTitle")}</h1>
<p class="lead">${t("admin.feedbackLead")}</p>
<nav aria-label="${t("admin.period")}"><p>${ADMIN_PERIODS.map((p, i) => {
    const label = periodLabel(t, p.days);
    return html`${i > 0 ? " · " : ""}${p.days === days ? html`<strong aria-current="page">${label}</strong>` : html`<a href="${periodHref(p.days, report.locale)}">${label}</a>`}`;
  })}</p></nav>
${languageFilter(t, report, days)}
<dl class="stats">
<div><dt>${t("admin.views")}</dt><dd>${count(totals.views, f)}</dd></div>
<div><dt>${t("admin.yes")}</dt><dd>${count(totals.yes, f)}</dd></div>
<div><dt>${t("admin.no")}</dt><dd>${count(totals.no, f)}</dd></div>
<div><dt>${t("admin.helpful")}</dt><dd>${totals.helpfulPercent === null ? "–" : html`<data value="${String(totals.helpfulPercent)}">${f.pct(totals.helpfulPercent)}</data>`}</dd></div>
</dl>
<p class="table-scroll-hint" id="articles-scroll-hint">${t("admin.scrollHint")}</p>
<div class="table-scroll" role="region" aria-labelledby="articles-caption" aria-describedby="articles-scroll-hint" tabindex="0">
<table class="table">
<caption id="articles-caption">${t("admin.articlesCaption", { period: period.toLocaleLowerCase(locale) })}</caption>
<thead><tr><th scope="col">${t("admin.article")}</th><th scope="col" class="num">${t("admin.views")}</th><th scope="col" class="num">${t("admin.yes")}</th><th scope="col" class="num">${t("admin.no")}</th><th scope="col" class="num">${t("admin.helpful")}</th><th scope="col">${t("admin.topReason")}</th><th scope="col">${t("admin.byLanguage")}</th></tr></thead>
<tbody>
${report.articles.map(
  (a) =>
    html`<tr data-slug="${a.slug}"><th scope="row">${a.published ? html`<a href="/help/${a.slug}">${a.title}</a>` : html`${a.title} <span class="badge">${t("admin.removed")}</span>`}</th><td class="num">${count(a.views, f)}</td><td class="num">${count(a.yes, f)}</td><td class="num">${count(a.no, f)}</td><td class="num">${a.helpfulPercent === null ? "–" : html`<data value="${String(a.helpfulPercent)}">${f.pct(a.helpfulPercent)}</data>`}</td><td>${a.topReason ? reasonLabel(t, a.topReason) : "–"}</td><td>${answersByLanguage(a.locales, f)}</td></tr>\n`,
)}</tbody>
</table>
</div>
<p><a class="button button--secondary" href="/admin/feedback.csv" download>${t("admin.downloadCsv")}</a></p>

<h2>${t("admin.perDayTitle")}</h2>
<figure class="chart">
<div class="chart-scroll" role="group" aria-label="${t("admin.perDayChartLabel")}" tabindex="0">${yesNoTrendChart({ id: "trend", title: t("admin.perDayChartTitle", { days: report.trend.length }), days: report.trend, t })}</div>
<figcaption class="field-hint">${t("admin.perDayCaption", { days: report.trend.length })}</figcaption>
</figure>
<table class="table visually-hidden">
<caption>${t("admin.perDayTableCaption")}</caption>
<thead><tr><th scope="col">${t("admin.day")}</th><th scope="col" class="num">${t("admin.views")}</th><th scope="col" class="num">${t("admin.yes")}</th><th scope="col" class="num">${t("admin.no")}</th></tr></thead>
<tbody>${answeredDays.map((d) => html`<tr><th scope="row">${utcDay(d.day, locale)}</th><td class="num">${count(d.views, f)}</td><td class="num">${count(d.yes, f)}</td><td class="num">${count(d.no, f)}</td></tr>`)}</tbody>
</table>

<h2>${t("admin.whyTitle")}</h2>
${
  withNo.length === 0
    ? html`<p>${t(days ? "admin.nobodyNoPeriod" : "admin.nobodyNoYet")}</p>`
    : withNo.map(
        (a) => html`<figure class="chart" data-slug="${a.slug}">
<figcaption><strong>${a.title}</strong>: ${t("admin.noAnswers", { count: a.no })}${
          a.earlierVersions.yes + a.earlierVersions.no > 0
            ? html` ${t("admin.versions", {
                yes: a.currentVersion.yes,
                no: a.currentVersion.no,
                percent: f.pct(helpfulPercent(a.currentVersion.yes, a.currentVersion.no)),
                earlierYes: a.earlierVersions.yes,
                earlierNo: a.earlierVersions.no,
                earlierPercent: f.pct(helpfulPercent(a.earlierVersions.yes, a.earlierVersions.no)),
              })}`
            : ""
        }</figcaption>
<div class="chart-scroll" role="group" aria-label="${t("admin.reasonsChartLabel", { title: a.title })}" tabindex="0">${horizontalBarChart({ id: `reasons-${a.slug}`, title: t("admin.reasonsChartTitle", { title: a.title }), data: a.reasons.map((r) => ({ label: reasonLabel(t, r.reason), value: r.count })) })}</div>
</figure>\n`,
      )
}
<h2>${t("admin.commentsTitle")}</h2>
${
  report.comments.length === 0
    ? html`<p>${t("admin.noComments")}</p>`
    : html`<ul class="activity-list">
${report.comments.map(
  (c) => html`<li><time datetime="${c.answeredAt.toISOString()}">${t("admin.timeUtc", { time: f.at(c.answeredAt) })}</time>
<p><strong>${c.title}</strong> \u00B7 ${c.helpful ? t("admin.yes") : t("admin.no")}${c.reason ? html` \u00B7 ${reasonLabel(t, c.reason)}` : ""}</p>
<blockquote><p><bdi>${multiline(c.comment ?? "")}</bdi></p></blockquote></li>\n`,
)}</ul>`
}`;
}
