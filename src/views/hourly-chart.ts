// One count per hour drawn as inline SVG bars, with the day boundaries marked. Like the other charts: no
// style attributes or script (the Content-Security-Policy allows neither), colours from currentColor, and
// a title and description that state the numbers for screen readers.
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";

const CHART = { width: 600, height: 150, left: 40, right: 8, top: 10, bottom: 26, fontSize: 12 } as const;
const HOUR_MS = 3600 * 1000;

function hourLabel(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 13)}:00 UTC`;
}

export function hourlyBarChart(o: { id: string; title: string; from: Date; values: readonly number[]; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  const { width, height, left, right, top, bottom, fontSize } = CHART;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const baseline = top + plotHeight;
  const max = Math.max(1, ...o.values);
  const slot = plotWidth / Math.max(1, o.values.length);
  const barWidth = Math.max(1, slot * 0.8);
  const total = o.values.reduce((sum, v) => sum + v, 0);
  let busiest = -1;
  o.values.forEach((v, i) => {
    if (v > 0 && (busiest < 0 || v > (o.values[busiest] ?? 0))) busiest = i;
  });
  const hourAt = (i: number) => new Date(o.from.getTime() + i * HOUR_MS);
  const description =
    total === 0
      ? t("admin.chartNoneHourly", { from: hourLabel(o.from), to: hourLabel(hourAt(o.values.length - 1)) })
      : t("admin.chartTotalHourly", {
          total,
          from: hourLabel(o.from),
          to: hourLabel(hourAt(o.values.length - 1)),
          busiest: hourLabel(hourAt(busiest)),
          count: o.values[busiest] ?? 0,
        });
  // A tick and a day label at each midnight (UTC), every other one when the chart covers many days.
  const midnights: number[] = [];
  o.values.forEach((_, i) => {
    if (hourAt(i).getUTCHours() === 0) midnights.push(i);
  });
  const labelEvery = midnights.length > 8 ? 2 : 1;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${o.id}-title ${o.id}-desc" focusable="false">
<title id="${o.id}-title">${o.title}</title>
<desc id="${o.id}-desc">${description}</desc>
<line x1="${left}" y1="${baseline}" x2="${width - right}" y2="${baseline}" stroke="currentColor" stroke-opacity="0.4"/>
<line x1="${left}" y1="${top}" x2="${width - right}" y2="${top}" stroke="currentColor" stroke-opacity="0.15" stroke-dasharray="4 4"/>
<text x="${left - 6}" y="${top + 4}" font-size="${fontSize}" fill="currentColor" text-anchor="end" data-value="${max}">${max}</text>
<text x="${left - 6}" y="${baseline + 4}" font-size="${fontSize}" fill="currentColor" text-anchor="end" data-value="0">0</text>
${midnights.map((i, n) => {
  const x = (left + i * slot).toFixed(1);
  return html`<line x1="${x}" y1="${top}" x2="${x}" y2="${baseline + 4}" stroke="currentColor" stroke-opacity="0.2"/>${n % labelEvery === 0 ? html`<text x="${x}" y="${baseline + 17}" font-size="${fontSize}" fill="currentColor" data-value="${hourAt(i).toISOString().slice(0, 10)}">${hourAt(i).toISOString().slice(5, 10)}</text>` : ""}\n`;
})}${o.values.map((v, i) => {
  if (v === 0) return "";
  const h = Math.max(1, Math.round((v / max) * plotHeight));
  return html`<rect x="${(left + i * slot + (slot - barWidth) / 2).toFixed(1)}" y="${baseline - h}" width="${barWidth.toFixed(1)}" height="${h}" fill="currentColor" data-value="${v}"><title>${t("admin.chartHour", { hour: hourLabel(hourAt(i)), count: v })}</title></rect>\n`;
})}</svg>`;
}
