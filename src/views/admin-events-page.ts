// /admin/events: the audit trail, filtered and paged, with its CSV export, and the sign-in picture per hour.

import { ACTIVITY_PERIODS, ACTIVITY_SERIES, type EventFilterInput, type HourlyActivity } from "../admin/security-events.ts";
import { AUDIT_EVENT_TYPES, describeAuditEvent } from "../audit/audit.ts";
import { withQuery } from "../http/forms.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { describeUserAgent } from "../lib/user-agent.ts";
import type { AuditEventRecord } from "../stores/types.ts";
import { adminNav, adminTime } from "./admin-nav.ts";
import { hourlyBarChart } from "./hourly-chart.ts";

export interface AdminEventsPageOptions {
  input: EventFilterInput;
  problems: Record<string, string>;
  events: AuditEventRecord[];
  nextHref?: string;
  paged: boolean;
  csvHref: string;
  activity: HourlyActivity;
  days: number;
}

function filterField(o: { id: keyof EventFilterInput; label: string; value: string; problem?: string; type?: string; hint?: string }): SafeHtml {
  const described = [o.hint ? `${o.id}-hint` : "", o.problem ? `${o.id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="${o.problem ? "field field--invalid" : "field"}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : ""}
${o.problem ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">Error: </span>${o.problem}</p>` : ""}
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
  const filtered = Object.values(f).some((v) => v !== "");
  return html`${adminNav("events")}
<h1>Security events</h1>
<section aria-labelledby="activity-title">
<h2 id="activity-title">Sign-in activity per hour</h2>
<nav aria-label="Period of the charts"><p>${ACTIVITY_PERIODS.map(
    (d, i) =>
      html`${i > 0 ? " · " : ""}${d === o.days ? html`<strong aria-current="page">Last ${d === 1 ? "24 hours" : `${d} days`}</strong>` : html`<a href="${withQuery("/admin/events", { ...f, days: String(d) })}">Last ${d === 1 ? "24 hours" : `${d} days`}</a>`}`,
  )}</p></nav>
<div class="chart-grid">
${ACTIVITY_SERIES.map(
  (s) => html`<figure class="chart" data-series="${s.key}">
<figcaption><strong>${s.label}</strong>: ${o.activity.series[s.key].reduce((a, b) => a + b, 0)}</figcaption>
<div class="chart-scroll" role="group" aria-label="Chart: ${s.label} per hour" tabindex="0">${hourlyBarChart({ id: `chart-${s.key.replace(".", "-")}`, title: `${s.label} per hour (UTC)`, from: o.activity.from, values: o.activity.series[s.key] })}</div>
</figure>\n`,
)}</div>
<table class="table table--cards">
<caption>Per day (UTC)</caption>
<thead><tr><th scope="col">Day</th>${ACTIVITY_SERIES.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr></thead>
<tbody>
${dailyTotals(o.activity).map(
  (d) =>
    html`<tr><th scope="row" data-label="Day">${d.day}</th>${d.totals.map((t, n) => html`<td class="num" data-label="${ACTIVITY_SERIES[n]?.label ?? ""}">${t}</td>`)}</tr>\n`,
)}</tbody></table>
</section>

<section aria-labelledby="trail-title">
<h2 id="trail-title">Audit trail</h2>
<form class="form filter-form" method="get" action="/admin/events" novalidate>
<div class="${o.problems.type ? "field field--invalid" : "field"}">
<label for="type">Type</label>
${o.problems.type ? html`<p class="field-error" id="type-error"><span class="visually-hidden">Error: </span>${o.problems.type}</p>` : ""}
<select class="input" id="type" name="type"${o.problems.type ? html` aria-describedby="type-error" aria-invalid="true"` : ""}>
<option value="">Every type</option>
${AUDIT_EVENT_TYPES.map((t) => html`<option value="${t}"${t === f.type ? " selected" : ""}>${describeAuditEvent(t)} (${t})</option>`)}
</select>
</div>
${filterField({ id: "account", label: "Account", value: f.account, hint: "Its id, or an e-mail address or number of it." })}
${filterField({ id: "ip", label: "Network address", value: f.ip, ...(o.problems.ip ? { problem: o.problems.ip } : {}) })}
${filterField({ id: "from", label: "From (day, UTC)", value: f.from, type: "date", ...(o.problems.from ? { problem: o.problems.from } : {}) })}
${filterField({ id: "to", label: "To (day, UTC, included)", value: f.to, type: "date", ...(o.problems.to ? { problem: o.problems.to } : {}) })}
<input type="hidden" name="days" value="${String(o.days)}">
<div class="form-actions"><button class="button" type="submit">Show events</button>${filtered ? html`<a href="/admin/events">Clear the filters</a>` : ""}</div>
</form>
<p><a class="button button--secondary" href="${o.csvHref}" download>Download these events (CSV)</a></p>
${
  o.events.length === 0
    ? html`<p role="status">No events match${o.paged ? " on this page" : ""}.</p>`
    : html`<table class="table table--cards"><caption class="visually-hidden">Events, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Account</th><th scope="col">Address</th><th scope="col">Browser</th></tr></thead>
<tbody>
${o.events.map(
  (e) =>
    html`<tr data-event-type="${e.type}"><td data-label="When">${adminTime(e.at)}</td><td data-label="What">${describeAuditEvent(e.type)}${e.detail?.admin ? html` (by <a href="/admin/accounts/${String(e.detail.admin)}">an admin</a>)` : ""}</td><td data-label="Account">${e.accountId ? html`<a href="/admin/accounts/${e.accountId}"><code>${e.accountId}</code></a>` : "–"}</td><td data-label="Address">${e.ip ? html`<a href="${withQuery("/admin/events", { ip: e.ip })}">${e.ip}</a>` : "–"}</td><td data-label="Browser">${e.userAgent ? describeUserAgent(e.userAgent) : "–"}</td></tr>\n`,
)}</tbody></table>`
}
<nav class="pager" aria-label="Event pages">${o.paged ? html`<a href="${withQuery("/admin/events", { ...f, days: String(o.days) })}">Newest events</a>` : ""}${o.nextHref ? html`<a href="${o.nextHref}" rel="next">Older events</a>` : ""}</nav>
</section>`;
}
