// Charts drawn on the server as inline SVG. No style attributes and no script (the Content-Security-Policy
// allows neither): shapes use presentation attributes and currentColor, so the surrounding .chart sets
// the colour. Each chart is an image with a title and a text description of every number it shows.
import { type Translate, translator } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";

export interface BarDatum {
  label: string;
  value: number;
}

const BAR_CHART = { width: 600, labelWidth: 230, barWidth: 300, row: 30, bar: 18, fontSize: 14 } as const;

/** Horizontal bars, one row per datum, with the label on the left and the value after the bar. */
export function horizontalBarChart(o: { id: string; title: string; data: readonly BarDatum[] }): SafeHtml {
  const { width, labelWidth, barWidth, row, bar, fontSize } = BAR_CHART;
  const height = o.data.length * row + 4;
  const max = Math.max(1, ...o.data.map((d) => d.value));
  const description = o.data.map((d) => `${d.label}: ${d.value}`).join("; ");
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${o.id}-title ${o.id}-desc" focusable="false">
<title id="${o.id}-title">${o.title}</title>
<desc id="${o.id}-desc">${description}</desc>
${o.data.map((d, i) => {
  const y = i * row + 2;
  const length = Math.round((d.value / max) * barWidth);
  const textY = y + (row + fontSize) / 2 - 3;
  return html`<g><text x="0" y="${textY}" font-size="${fontSize}" fill="currentColor">${d.label}</text><rect x="${labelWidth}" y="${y + (row - bar) / 2}" width="${barWidth}" height="${bar}" rx="3" fill="currentColor" fill-opacity="0.12"/><rect x="${labelWidth}" y="${y + (row - bar) / 2}" width="${length}" height="${bar}" rx="3" fill="currentColor" data-value="${d.value}"/><text x="${labelWidth + length + 8}" y="${textY}" font-size="${fontSize}" fill="currentColor" data-value="${d.value}">${d.value}</text></g>\n`;
})}</svg>`;
}

export interface YesNoDay {
  day: string;
  yes: number;
  no: number;
}

const TREND = { width: 600, height: 200, left: 36, right: 8, top: 12, bottom: 44, fontSize: 13 } as const;

/**
 * Stacked daily bars: "yes" solid, "no" light on top of it, with the highest count marked on the axis and
 * a legend. Each day's bar has a tooltip with its numbers.
 */
export function yesNoTrendChart(o: { id: string; title: string; days: readonly YesNoDay[]; t?: Translate }): SafeHtml {
  const t = o.t ?? translator("en");
  const { width, height, left, right, top, bottom, fontSize } = TREND;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const baseline = top + plotHeight;
  const max = Math.max(1, ...o.days.map((d) => d.yes + d.no));
  const slot = plotWidth / Math.max(1, o.days.length);
  const barWidth = Math.max(2, Math.floor(slot * 0.7));
  const scale = (n: number): number => Math.round((n / max) * plotHeight);
  const totalYes = o.days.reduce((sum, d) => sum + d.yes, 0);
  const totalNo = o.days.reduce((sum, d) => sum + d.no, 0);
  const busiest = o.days.reduce<YesNoDay | null>((best, d) => (d.yes + d.no > (best ? best.yes + best.no : 0) ? d : best), null);
  const first = o.days[0]?.day ?? "";
  const last = o.days[o.days.length - 1]?.day ?? "";
  const description = `${t("admin.chartYesNo", { yes: totalYes, no: totalNo, first, last })}${busiest ? ` ${t("admin.chartBusiestDay", { day: busiest.day, yes: busiest.yes, no: busiest.no })}` : ""}`;
  const legendY = height - 8;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${o.id}-title ${o.id}-desc" focusable="false">
<title id="${o.id}-title">${o.title}</title>
<desc id="${o.id}-desc">${description}</desc>
<line x1="${left}" y1="${baseline}" x2="${width - right}" y2="${baseline}" stroke="currentColor" stroke-opacity="0.4"/>
<line x1="${left}" y1="${top}" x2="${width - right}" y2="${top}" stroke="currentColor" stroke-opacity="0.15" stroke-dasharray="4 4"/>
<text x="${left - 6}" y="${top + 4}" font-size="${fontSize}" fill="currentColor" text-anchor="end" data-value="${max}">${max}</text>
<text x="${left - 6}" y="${baseline + 4}" font-size="${fontSize}" fill="currentColor" text-anchor="end" data-value="0">0</text>
${o.days.map((d, i) => {
  const x = Math.round(left + i * slot + (slot - barWidth) / 2);
  const yesHeight = scale(d.yes);
  const noHeight = scale(d.no);
  return html`<g><title>${t("admin.chartDay", { day: d.day, yes: d.yes, no: d.no })}</title>${yesHeight > 0 ? html`<rect x="${x}" y="${baseline - yesHeight}" width="${barWidth}" height="${yesHeight}" fill="currentColor"/>` : ""}${noHeight > 0 ? html`<rect x="${x}" y="${baseline - yesHeight - noHeight}" width="${barWidth}" height="${noHeight}" fill="currentColor" fill-opacity="0.35"/>` : ""}</g>\n`;
})}<text x="${left}" y="${baseline + 16}" font-size="${fontSize}" fill="currentColor" data-value="${first}">${first}</text>
<text x="${width - right}" y="${baseline + 16}" font-size="${fontSize}" fill="currentColor" text-anchor="end" data-value="${last}">${last}</text>
<rect x="${left}" y="${legendY - 10}" width="12" height="12" fill="currentColor"/><text x="${left + 18}" y="${legendY}" font-size="${fontSize}" fill="currentColor">${t("admin.yes")}</text>
<rect x="${left + 60}" y="${legendY - 10}" width="12" height="12" fill="currentColor" fill-opacity="0.35"/><text x="${left + 78}" y="${legendY}" font-size="${fontSize}" fill="currentColor">${t("admin.no")}</text>
</svg>`;
}
