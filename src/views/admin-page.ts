// The admin page: how readers rate the help articles, with charts drawn on the server.
import type { HelpFeedbackReport } from "../admin/report.ts";
import { formatPercent, helpfulPercent } from "../admin/report.ts";
import { LOCALE_NAMES, SHIPPED_LOCALES } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { feedbackReasonLabels } from "../messages/help.ts";
import { horizontalBarChart, yesNoTrendChart } from "./svg-charts.ts";

/** The periods offered above the table: days, or null for all time. */
export const ADMIN_PERIODS: ReadonlyArray<{ days: number | null; label: string }> = [
  { days: null, label: "All time" },
  { days: 90, label: "Last 90 days" },
  { days: 30, label: "Last 30 days" },
  { days: 7, label: "Last 7 days" },
];

const DATE_TIME = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/** The language filter: a plain GET form, so it works without JavaScript and keeps the period. */
function languageFilter(report: HelpFeedbackReport, days: number | null): SafeHtml {
  return html`<form class="search-form" method="get" action="/admin/help-feedback"><label for="feedback-lang">Language</label>
<select class="input" id="feedback-lang" name="lang"><option value="">All languages</option>${SHIPPED_LOCALES.map(
    (l) => html`<option value="${l}"${report.locale === l ? html` selected` : ""}>${LOCALE_NAMES[l]}</option>`,
  )}</select>${days ? html`<input type="hidden" name="days" value="${days}">` : ""}
<button class="button button--secondary" type="submit">Show</button></form>`;
}

/** "de 3/1 · en 5/0": yes and no answers per language the article was shown in. */
function answersByLanguage(locales: HelpFeedbackReport["articles"][number]["locales"]): string {
  const answered = locales.filter((l) => l.yes + l.no > 0);
  return answered.length === 0 ? "–" : answered.map((l) => `${l.locale} ${l.yes}/${l.no}`).join(" · ");
}

function multiline(text: string): SafeHtml {
  return html`${text.split("\n").map((line, i) => html`${i > 0 ? html`<br>` : ""}${line}`)}`;
}

function periodHref(days: number | null, locale: string | null): string {
  const query = [days ? `days=${days}` : "", locale ? `lang=${locale}` : ""].filter((q) => q !== "").join("&");
  return query ? `/admin/help-feedback?${query}` : "/admin/help-feedback";
}

export function adminPage(report: HelpFeedbackReport, days: number | null): SafeHtml {
  const t = report.totals;
  const periodLabel = ADMIN_PERIODS.find((p) => p.days === days)?.label ?? "All time";
  const withNo = report.articles.filter((a) => a.no > 0);
  const answeredDays = report.trend.filter((d) => d.yes + d.no + d.views > 0);
  return html`<h1>Help feedback</h1>
<p class="lead">How readers rate the help articles. Each visitor's latest answer per article counts once.</p>
<nav aria-label="Period"><p>${ADMIN_PERIODS.map(
    (p, i) =>
      html`${i > 0 ? " · " : ""}${p.days === days ? html`<strong aria-current="page">${p.label}</strong>` : html`<a href="${periodHref(p.days, report.locale)}">${p.label}</a>`}`,
  )}</p></nav>
${languageFilter(report, days)}
<dl class="stats">
<div><dt>Views</dt><dd>${t.views}</dd></div>
<div><dt>Yes</dt><dd>${t.yes}</dd></div>
<div><dt>No</dt><dd>${t.no}</dd></div>
<div><dt>Helpful</dt><dd>${formatPercent(t.helpfulPercent)}</dd></div>
</dl>
<p class="table-scroll-hint" id="articles-scroll-hint">Scroll the table sideways to see every column.</p>
<div class="table-scroll" role="region" aria-labelledby="articles-caption" aria-describedby="articles-scroll-hint" tabindex="0">
<table class="table">
<caption id="articles-caption">Articles (${periodLabel.toLowerCase()})</caption>
<thead><tr><th scope="col">Article</th><th scope="col" class="num">Views</th><th scope="col" class="num">Yes</th><th scope="col" class="num">No</th><th scope="col" class="num">Helpful</th><th scope="col">Top reason</th><th scope="col">Yes/no by language</th></tr></thead>
<tbody>
${report.articles.map(
  (a) =>
    html`<tr data-slug="${a.slug}"><th scope="row">${a.published ? html`<a href="/help/${a.slug}">${a.title}</a>` : html`${a.title} <span class="badge">Removed</span>`}</th><td class="num">${a.views}</td><td class="num">${a.yes}</td><td class="num">${a.no}</td><td class="num">${formatPercent(a.helpfulPercent)}</td><td>${a.topReason ? feedbackReasonLabels[a.topReason] : "–"}</td><td>${answersByLanguage(a.locales)}</td></tr>\n`,
)}</tbody>
</table>
</div>
<p><a class="button button--secondary" href="/admin/feedback.csv" download>Download every answer (CSV)</a></p>

<h2>Answers per day</h2>
<figure class="chart">
<div class="chart-scroll" role="group" aria-label="Chart: answers per day" tabindex="0">${yesNoTrendChart({ id: "trend", title: `Yes and no answers per day, last ${report.trend.length} days`, days: report.trend })}</div>
<figcaption class="field-hint">Yes and no answers per day over the last ${report.trend.length} days (UTC). An answer counts on the day it was last changed.</figcaption>
</figure>
<table class="table visually-hidden">
<caption>Views and answers per day</caption>
<thead><tr><th scope="col">Day</th><th scope="col" class="num">Views</th><th scope="col" class="num">Yes</th><th scope="col" class="num">No</th></tr></thead>
<tbody>${answeredDays.map((d) => html`<tr><th scope="row">${d.day}</th><td class="num">${d.views}</td><td class="num">${d.yes}</td><td class="num">${d.no}</td></tr>`)}</tbody>
</table>

<h2>Why articles did not help</h2>
${
  withNo.length === 0
    ? html`<p>Nobody has answered “No” ${days ? "in this period" : "yet"}.</p>`
    : withNo.map(
        (a) => html`<figure class="chart" data-slug="${a.slug}">
<figcaption><strong>${a.title}</strong>: ${a.no} “No” ${a.no === 1 ? "answer" : "answers"}.${
          a.earlierVersions.yes + a.earlierVersions.no > 0
            ? html` This version: ${a.currentVersion.yes} yes, ${a.currentVersion.no} no (${formatPercent(helpfulPercent(a.currentVersion.yes, a.currentVersion.no))} helpful). Before the last edit: ${a.earlierVersions.yes} yes, ${a.earlierVersions.no} no (${formatPercent(helpfulPercent(a.earlierVersions.yes, a.earlierVersions.no))} helpful).`
            : ""
        }</figcaption>
<div class="chart-scroll" role="group" aria-label="Chart: reasons for ${a.title}" tabindex="0">${horizontalBarChart({ id: `reasons-${a.slug}`, title: `Reasons given for “${a.title}”`, data: a.reasons.map((r) => ({ label: r.label, value: r.count })) })}</div>
</figure>\n`,
      )
}
<h2>Latest comments</h2>
${
  report.comments.length === 0
    ? html`<p>No comments yet.</p>`
    : html`<ul class="activity-list">
${report.comments.map(
  (c) => html`<li><time datetime="${c.answeredAt.toISOString()}">${DATE_TIME.format(c.answeredAt)} UTC</time>
<p><strong>${c.title}</strong> · ${c.helpful ? "Yes" : "No"}${c.reason ? html` · ${feedbackReasonLabels[c.reason]}` : ""}</p>
<blockquote><p>${multiline(c.comment ?? "")}</p></blockquote></li>\n`,
)}</ul>`
}`;
}
