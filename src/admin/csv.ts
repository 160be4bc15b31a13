// CSV export of help feedback (RFC 4180: comma-separated, CRLF line ends, quoted where needed).
import type { HelpLibrary } from "../help/articles.ts";
import { isLocale } from "../i18n/locales.ts";
import type { HelpFeedbackRecord } from "../stores/types.ts";

export type CSVValue = string | number | null;

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @, a tab or a carriage return)
 * gets an apostrophe in front, at the start of the cell and after every character some spreadsheet may
 * split cells on (comma, semicolon, tab, pipe, line break), so "a;=1+1" cannot run either when the reader
 * opens the file with ";" as separator. Cells with a comma, quote or line break are quoted, with quotes
 * doubled.
 */
export function csvCell(value: CSVValue): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = value.replace(/(^|[,;\t|\r\n])(?=[=+\-@\t\r])/g, "$1'");
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCSV(rows: ReadonlyArray<ReadonlyArray<CSVValue>>): string {
  return rows.map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}

export const FEEDBACK_CSV_HEADER = ["answered_at", "article", "article_version", "current_version", "helpful", "reason", "comment", "language"] as const;

/** The version the answer's article reads as now in the answer's language, if it is still published there. */
function currentVersion(library: HelpLibrary, record: HelpFeedbackRecord): string | null {
  if (!isLocale(record.locale)) return null;
  const article = library.get(record.slug, record.locale);
  return article?.locale === record.locale ? article.version : null;
}

/**
 * Every answer as CSV, oldest first. The anonymous visitor id is left out: each row already is one
 * visitor's answer for one article, and the export needs nothing more.
 */
export function helpFeedbackCSV(records: readonly HelpFeedbackRecord[], library: HelpLibrary): string {
  return toCSV([
    FEEDBACK_CSV_HEADER,
    ...records.map((r) => [
      r.answeredAt.toISOString(),
      r.slug,
      r.articleVersion,
      currentVersion(library, r) === r.articleVersion ? "yes" : "no",
      r.helpful ? "yes" : "no",
      r.reason,
      r.comment,
      r.locale,
    ]),
  ]);
}
