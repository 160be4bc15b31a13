// CSV export of help feedback (RFC 4180: comma-separated, CRLF line ends, quoted where needed).
import { setImmediate } from "node:timers/promises";
import type { Deps } from "../deps.ts";
import type { HelpLibrary } from "../help/articles.ts";
import { isLocale } from "../i18n/locales.ts";
import type { HelpFeedbackCursor, HelpFeedbackRecord } from "../stores/types.ts";

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

/** Answers read from storage at a time by the export. */
const FEEDBACK_CSV_PAGE_SIZE = 1000;

/**
 * One answer as a CSV row. The anonymous visitor id is left out: each row already is one visitor's answer
 * for one article, and the export needs nothing more.
 */
function feedbackRow(record: HelpFeedbackRecord, library: HelpLibrary): CSVValue[] {
  return [
    record.answeredAt.toISOString(),
    record.slug,
    record.articleVersion,
    currentVersion(library, record) === record.articleVersion ? "yes" : "no",
    record.helpful ? "yes" : "no",
    record.reason,
    record.comment,
    record.locale,
  ];
}

/**
 * Every answer as CSV, oldest first, in pieces: the header with the first page, then one piece per page.
 * Anyone can add answers (one per browser and article, up to 1,000 characters each), so the table has no
 * upper size: it is read page by page by keyset and sent as it is read, never held whole in memory. The
 * first page is read before this returns, so a storage outage is still answered as one.
 */
export async function helpFeedbackCSV(deps: Pick<Deps, "stores">, library: HelpLibrary): Promise<AsyncIterable<string>> {
  const readPage = (after: HelpFeedbackCursor | undefined): Promise<HelpFeedbackRecord[]> =>
    deps.stores.helpFeedback.listFeedback({ limit: FEEDBACK_CSV_PAGE_SIZE, ...(after ? { after } : {}) });
  const first = await readPage(undefined);
  return (async function* pages(): AsyncGenerator<string> {
    let page = first;
    yield toCSV([FEEDBACK_CSV_HEADER, ...page.map((r) => feedbackRow(r, library))]);
    while (page.length === FEEDBACK_CSV_PAGE_SIZE) {
      // Other requests go first between two pages. A SQLite read never waits for anything and a fast
      // reader never makes the answer wait either, so without this pause the whole export ran in one go
      // while every other request to the instance waited (about 5 s for 200,000 answers).
      await setImmediate();
      const last = page[page.length - 1] as HelpFeedbackRecord;
      page = await readPage({ answeredAt: last.answeredAt, slug: last.slug, visitorId: last.visitorId });
      if (page.length > 0) yield toCSV(page.map((r) => feedbackRow(r, library)));
    }
  })();
}
