// The admin console's view of the audit trail: filters read from the page's query string, keyset pages,
// the CSV export, and the per-hour sign-in picture for the charts.
import { isIP } from "node:net";
import { setImmediate } from "node:timers/promises";
import { AUDIT_EVENT_TYPES } from "../audit/audit.ts";
import { HOURLY_COUNTERS } from "../audit/hourly-counts.ts";
import type { Deps } from "../deps.ts";
import type { MessageId } from "../i18n/catalogue.ts";
import { unmapIPv4Address } from "../lib/ip-address.ts";
import type { AuditEventCursor, AuditEventFilter, AuditEventRecord } from "../stores/types.ts";
import { findAccount } from "./account-search.ts";
import { type CSVValue, toCSV } from "./csv.ts";

export const EVENTS_PAGE_SIZE = 50;
/** Most rows one CSV export holds; a narrower filter gets the rest. */
export const EVENTS_CSV_MAX_ROWS = 100_000;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The filters as typed on the page, kept to refill the form and build page links. */
export interface EventFilterInput {
  type: string;
  account: string;
  ip: string;
  /** YYYY-MM-DD (UTC), inclusive. */
  from: string;
  /** YYYY-MM-DD (UTC), inclusive. */
  to: string;
}

export interface ParsedEventFilter {
  input: EventFilterInput;
  /** What the store is asked for; null when the filter cannot match anything (an unknown account). */
  filter: AuditEventFilter | null;
  /** Field name → what is wrong with it; those filters are left out. */
  /** What could not be used, per field, as the message that says so. */
  problems: Record<string, MessageId>;
}

function text(query: Record<string, unknown>, name: string, max: number): string {
  const value = query[name];
  return typeof value === "string" ? value.trim().slice(0, max) : "";
}

function parseDay(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? null : date;
}

/**
 * Reads the filters of /admin/events from its query string. The account may be given by id or by any
 * e-mail address or number of it; the address must be an IPv4 or IPv6 address; days are UTC and both
 * ends inclusive. A bad value is reported and left out, never a 400: the page shows what it could not use.
 */
export async function parseEventFilter(deps: Pick<Deps, "stores">, query: Record<string, unknown>): Promise<ParsedEventFilter> {
  const input: EventFilterInput = {
    type: text(query, "type", 64),
    account: text(query, "account", 320),
    ip: text(query, "ip", 64),
    from: text(query, "from", 10),
    to: text(query, "to", 10),
  };
  const problems: Record<string, MessageId> = {};
  const filter: AuditEventFilter = {};
  if (input.type) {
    if ((AUDIT_EVENT_TYPES as readonly string[]).includes(input.type)) filter.types = [input.type];
    else problems.type = "admin.problemType";
  }
  if (input.ip) {
    // Addresses are stored with IPv4-mapped ones written as IPv4 (clientAddressOf), so `::ffff:203.0.113.5`
    // typed here finds what 203.0.113.5 did.
    if (isIP(input.ip)) filter.ip = unmapIPv4Address(input.ip);
    else problems.ip = "admin.problemIp";
  }
  if (input.from) {
    const from = parseDay(input.from);
    if (from) filter.from = from;
    else problems.from = "admin.problemDay";
  }
  if (input.to) {
    const to = parseDay(input.to);
    if (to) filter.until = new Date(to.getTime() + DAY_MS);
    else problems.to = "admin.problemDay";
  }
  if (input.account) {
    const found = await findAccount(deps, input.account);
    // An account that no longer exists still has its trail: an id that matches no account is used as is.
    const id = found?.account.id ?? (/^[A-Za-z0-9_-]{1,64}$/.test(input.account) ? input.account : null);
    if (!id) return { input, filter: null, problems };
    filter.accountId = id;
  }
  return { input, filter, problems };
}

export function formatEventCursor(cursor: AuditEventCursor): string {
  return `${cursor.at.getTime()}.${cursor.id}`;
}

export function parseEventCursor(raw: unknown): AuditEventCursor | undefined {
  if (typeof raw !== "string" || raw.length > 100) return undefined;
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(raw);
  return match ? { at: new Date(Number(match[1])), id: match[2] as string } : undefined;
}

/** One page of matching events, newest first, and the cursor of the next page (absent on the last). */
export async function searchSecurityEvents(
  deps: Pick<Deps, "stores">,
  filter: AuditEventFilter | null,
  before: AuditEventCursor | undefined,
  limit = EVENTS_PAGE_SIZE,
): Promise<{ events: AuditEventRecord[]; next?: AuditEventCursor }> {
  if (!filter) return { events: [] };
  const rows = await deps.stores.audit.searchEvents({ ...filter, limit: limit + 1, ...(before ? { before } : {}) });
  const events = rows.slice(0, limit);
  const last = events[events.length - 1];
  return rows.length > limit && last ? { events, next: { at: last.at, id: last.id } } : { events };
}

export const EVENTS_CSV_HEADER = ["at", "type", "account_id", "ip", "user_agent", "detail"] as const;

/** Events read from storage at a time by the export. */
const EVENTS_CSV_PAGE_SIZE = 1000;

function eventRow(e: AuditEventRecord): CSVValue[] {
  return [e.at.toISOString(), e.type, e.accountId, e.ip, e.userAgent, e.detail ? JSON.stringify(e.detail) : null];
}

/**
 * Every matching event as CSV (newest first, at most EVENTS_CSV_MAX_ROWS), in pieces: the header with the
 * first page, then one piece per page of EVENTS_CSV_PAGE_SIZE, read by keyset as the answer is sent, so
 * memory stays small. The first page is read before this returns, so a storage outage is still answered as
 * one. Cells go through the same formula neutralisation as the feedback export: a user agent or detail is
 * text someone outside chose.
 */
export async function securityEventsCSV(deps: Pick<Deps, "stores">, filter: AuditEventFilter | null): Promise<AsyncIterable<string>> {
  const readPage = async (before: AuditEventCursor | undefined, room: number): Promise<AuditEventRecord[]> =>
    filter ? deps.stores.audit.searchEvents({ ...filter, limit: Math.min(EVENTS_CSV_PAGE_SIZE, room), ...(before ? { before } : {}) }) : [];
  const first = await readPage(undefined, EVENTS_CSV_MAX_ROWS);
  return (async function* pages(): AsyncGenerator<string> {
    let page = first;
    let sent = page.length;
    yield toCSV([[...EVENTS_CSV_HEADER], ...page.map(eventRow)]);
    while (page.length === EVENTS_CSV_PAGE_SIZE && sent < EVENTS_CSV_MAX_ROWS) {
      // Other requests go first between two pages. A SQLite read never waits for anything, so without this
      // pause the whole export (up to 100,000 rows, seconds of work) ran in one go while every other
      // request to the instance waited.
      await setImmediate();
      const last = page[page.length - 1] as AuditEventRecord;
      page = await readPage({ at: last.at, id: last.id }, EVENTS_CSV_MAX_ROWS - sent);
      sent += page.length;
      if (page.length > 0) yield toCSV(page.map(eventRow));
    }
  })();
}

/** The series drawn per hour, in the order shown. */
export const ACTIVITY_SERIES = [
  { key: "signin.succeeded", label: "admin.seriesSignins", source: "audit" },
  { key: "signin.failed", label: "admin.seriesFailed", source: "audit" },
  { key: "signin.locked", label: "admin.seriesLocked", source: "audit" },
  { key: "check.shown", label: "admin.seriesChecksShown", source: "counter" },
  { key: "check.solved", label: "admin.seriesChecksSolved", source: "counter" },
] as const;

export type ActivitySeriesKey = (typeof ACTIVITY_SERIES)[number]["key"];

export const ACTIVITY_PERIODS = [1, 3, 7, 14] as const;

export interface HourlyActivity {
  /** The first hour shown (UTC) and how many. */
  from: Date;
  hours: number;
  /** Per series, one count per hour, oldest first. */
  series: Record<ActivitySeriesKey, number[]>;
}

/** Counts per hour for the last `days` days, up to and including the current hour. */
export async function buildHourlyActivity(deps: Pick<Deps, "stores" | "clock">, days: number): Promise<HourlyActivity> {
  const now = deps.clock.now();
  const until = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  const hours = days * 24;
  const from = new Date(until.getTime() - hours * HOUR_MS);
  const auditTypes = ACTIVITY_SERIES.filter((s) => s.source === "audit").map((s) => s.key);
  const [events, counters] = await Promise.all([
    deps.stores.audit.countEventsPerHour({ types: auditTypes, from, until }),
    deps.stores.audit.listHourlyCounts({ names: [...HOURLY_COUNTERS], from, until }),
  ]);
  const series = Object.fromEntries(ACTIVITY_SERIES.map((s) => [s.key, new Array<number>(hours).fill(0)])) as Record<ActivitySeriesKey, number[]>;
  for (const c of [...events, ...counters]) {
    const slot = Math.floor((c.hour.getTime() - from.getTime()) / HOUR_MS);
    const values = series[c.name as ActivitySeriesKey];
    if (values && slot >= 0 && slot < hours) values[slot] = (values[slot] ?? 0) + c.count;
  }
  return { from, hours, series };
}
