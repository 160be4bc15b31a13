// /admin/events: the audit trail, filtered and paged, with its CSV export, and the sign-in picture per hour.

import { ACTIVITY_PERIODS, ACTIVITY_SERIES, type EventFilterInput, type HourlyActivity } from "../admin/security-events.ts";
import { AUDIT_EVENT_TYPES, describeAuditEvent } from "../audit/audit.ts";
import { withQuery } from "../http/forms.ts";
import { type MessageId, type Translate, translator } from "../i18n/catalogue.ts";
import type { Locale } from "../i18n/locales.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { describeUserAgent } from "../lib/user-agent.ts";
import type { AuditEventRecord } from "../stores/types.ts";
import { adminNav, adminTime, utcDay } from "./admin-nav.ts";
import { hourlyBarChart } from "./hourly-chart.ts";
import { around } from "./message-markup.ts";

export interface AdminEventsPageOptions {
  input: EventFilterInput;
  /** What could not be used, per field, as the message that says so. */
  problems: Record<string, MessageId>;
  events: AuditEventRecord[];
  nextHref?: string;
  paged: boolean;
  csvHref: string;
  activity: HourlyActivity;
  days: number;
  locale?: Locale;
}

function filterField(
  t: Translate,
  o: { id: keyof EventFilterInput; label: string; value: string; problem?: MessageId | undefined; type?: string; hint?: string },
): SafeHtml {
  const described = [o.hint ? `${o.id}-hint` : "", o.problem ? `${o.id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="${o.problem ? "field field--invalid" : "field"}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : ""}
${o.problem ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">${t("layout.errorPrefix")} </span>${t(o.problem)}</p>` : ""}
<input class="input" id="${o.id}" name="${o.id}" type="${o.type ?? "text"}" value="${o.value}" maxlength="320" spellcheck="false" autocapitalize="off"${described ? html` aria-describedby="${described}"` : ""}${o.problem ? html` aria-invalid="true"` : ""}>
</div>`;
}

/** Per UTC day and series, the sums of the hourly counts: the charts' numbers as a table. */
function dailyTotals(activity: HourlyActivity): Array<{ day: string; totals: number[] }> {
  const days = new Map<string, number[]>();
  for (let i = 0; i < activity.hours; i++) {
    const day = new Date(activity.from.getTime() + i * 3600_000).toISOString().slice(0, 10);
    const totals = days.get(day) ?? ACTIVITY_SERIES.map(() => 0);
    ACTIVITY_SERIES.forEach((s, n) => {
      totals[n] = (totals[n] ?? 0) + (activity.series[s.key][i] ?? 0);
    });
    days.set(day, totals);
  }
  return [...days].map(([day, totals]) => ({ day, totals })).reverse();
}

export function adminEventsPage(o: AdminEventsPageOptions): SafeHtml {
  const f = o.input;
  const locale = o.locale ?? "en";
  const t = translator(locale);
  const number = new Intl.NumberFormat(locale);
  const count = (n: number) => html`<data value="${String(n)}">${number.format(n)}</data>`;
  const filtered = Object.values(f).some((v) => v !== "");
  const period = (d: number) => t("admin.activityPeriod", { days: d });
  return html`${adminNav("events", t)}
<h1>${t("admin.eventsPageTitle")}</h1>
<section aria-labelledby="activity-title">
<h2 id="activity-title">${t("admin.activityTitle")}</h2>
<nav aria-label="${t("admin.activityPeriods")}"><p>${ACTIVITY_PERIODS.map(
    (d, i) =>
      html`${i > 0 ? " · " : ""}${d === o.days ? html`<strong aria-current="page">${period(d)}</strong>` : html`<a href="${withQuery("/admin/events", { ...f, days: String(d) })}">${period(d)}</a>`}`,
  )}</p></nav>
<div class="chart-grid">
${ACTIVITY_SERIES.map((s) => {
  const series = t(s.label);
  return html`<figure class="chart" data-series="${s.key}">
<figcaption>${around(t, "admin.seriesTotal", { series }, "total", count(o.activity.series[s.key].reduce((a, b) => a + b, 0)))}</figcaption>
<div class="chart-scroll" role="group" aria-label="${t("admin.seriesChartLabel", { series })}" tabindex="0">${hourlyBarChart({ id: `chart-${s.key.replace(".", "-")}`, title: t("admin.seriesChartTitle", { series }), from: o.activity.from, values: o.activity.series[s.key], t })}</div>
</figure>\n`;
})}</div>
<table class="table table--cards">
<caption>${t("admin.perDayUtc")}</caption>
<thead><tr><th scope="col">${t("admin.day")}</th>${ACTIVITY_SERIES.map((s) => html`<th scope="col" class="num">${t(s.label)}</th>`)}</tr></thead>
<tbody>
${dailyTotals(o.activity).map(
  (d) =>
    html`<tr><th scope="row" data-label="${t("admin.day")}">${utcDay(d.day, locale)}</th>${d.totals.map((n, i) => html`<td class="num" data-label="${t(ACTIVITY_SERIES[i]?.label ?? "admin.day")}">${count(n)}</td>`)}</tr>\n`,
)}</tbody></table>
</section>

<section aria-labelledby="trail-title">
<h2 id="trail-title">${t("admin.auditTrail")}</h2>
<form class="form filter-form" method="get" action="/admin/events" novalidate>
<div class="${o.problems.type ? "field field--invalid" : "field"}">
<label for="type">${t("admin.filterType")}</label>
${o.problems.type ? html`<p class="field-error" id="type-error"><span class="visually-hidden">${t("layout.errorPrefix")} </span>${t(o.problems.type)}</p>` : ""}
<select class="input" id="type" name="type"${o.problems.type ? html` aria-describedby="type-error" aria-invalid="true"` : ""}>
<option value="">${t("admin.everyType")}</option>
${AUDIT_EVENT_TYPES.map((type) => html`<option value="${type}"${type === f.type ? " selected" : ""}>${t("admin.eventTypeOption", { description: describeAuditEvent(type, t), type })}</option>`)}
</select>
</div>
${filterField(t, { id: "account", label: t("admin.colAccount"), value: f.account, hint: t("admin.filterAccountHint") })}
${filterField(t, { id: "ip", label: t("admin.filterIp"), value: f.ip, problem: o.problems.ip })}
${filterField(t, { id: "from", label: t("admin.filterFrom"), value: f.from, type: "date", problem: o.problems.from })}
${filterField(t, { id: "to", label: t("admin.filterTo"), value: f.to, type: "date", problem: o.problems.to })}
<input type="hidden" name="days" value="${String(o.days)}">
<div class="form-actions"><button class="button" type="submit">${t("admin.showEvents")}</button>${filtered ? html`<a href="/admin/events">${t("admin.clearFilters")}</a>` : ""}</div>
</form>
<p><a class="button button--secondary" href="${o.csvHref}" download>${t("admin.downloadEvents")}</a></p>
${
  o.events.length === 0
    ? html`<p role="status">${t(o.paged ? "admin.noEventsMatchPage" : "admin.noEventsMatch")}</p>`
    : html`<table class="table table--cards"><caption class="visually-hidden">${t("admin.eventsCaption")}</caption>
<thead><tr><th scope="col">${t("admin.colWhen")}</th><th scope="col">${t("admin.colWhat")}</th><th scope="col">${t("admin.colAccount")}</th><th scope="col">${t("admin.colAddress")}</th><th scope="col">${t("admin.colBrowser")}</th></tr></thead>
<tbody>
${o.events.map(
  (e) =>
    html`<tr data-event-type="${e.type}"><td data-label="${t("admin.colWhen")}">${adminTime(e.at, locale)}</td><td data-label="${t("admin.colWhat")}">${describeAuditEvent(e.type, t)}${e.detail?.admin ? html` ${around(t, "admin.byAdmin", {}, "admin", html`<a href="/admin/accounts/${String(e.detail.admin)}">${t("admin.anAdmin")}</a>`)}` : ""}</td><td data-label="${t("admin.colAccount")}">${e.accountId ? html`<a href="/admin/accounts/${e.accountId}"><code>${e.accountId}</code></a>` : "–"}</td><td data-label="${t("admin.colAddress")}">${e.ip ? html`<a href="${withQuery("/admin/events", { ip: e.ip })}"><bdi>${e.ip}</bdi></a>` : "–"}</td><td data-label="${t("admin.colBrowser")}">${e.userAgent ? html`<bdi>${describeUserAgent(e.userAgent, t)}</bdi>` : "–"}</td></tr>\n`,
)}</tbody></table>`
}
<nav class="pager" aria-label="${t("admin.eventPages")}">${o.paged ? html`<a href="${withQuery("/admin/events", { ...f, days: String(o.days) })}">${t("admin.newestEvents")}</a>` : ""}${o.nextHref ? html`<a href="${o.nextHref}" rel="next">${t("admin.olderEvents")}</a>` : ""}</nav>
</section>`;
}
