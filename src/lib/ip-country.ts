// An offline IP-address-to-country table read from a CSV file the owner provides (first address, last
// address, ISO country code per line). Nothing is ever looked up over the network.
import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";

/** Looks up the ISO 3166-1 country of an address; undefined when the table has no range for it. */
export interface IPCountryTable {
  readonly ranges: number;
  countryOf(ip: string): string | undefined;
}

interface FamilyRanges {
  starts: bigint[];
  ends: bigint[];
  countries: string[];
}

const COUNTRY = /^[A-Z]{2}$/;

/** The address as a number and its family, or undefined; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4. */
export function parseIPAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const ip = text.trim().replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return parseIPAddress(mapped[1]);
  if (isIPv4(ip)) return { family: 4, value: ip.split(".").reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n) };
  if (!isIPv6(ip)) return undefined;
  let text6 = ip.split("%")[0] ?? "";
  // A trailing dotted IPv4 part becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text6);
  if (dotted?.[1]) {
    const v4 = dotted[1].split(".").map(Number);
    text6 = `${text6.slice(0, -dotted[1].length)}${(((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)}:${(((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)}`;
  }
  const [head = "", tail] = text6.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  return { family: 6, value: groups.reduce((sum, group) => (sum << 16n) + BigInt(Number.parseInt(group || "0", 16)), 0n) };
}

function findIn(ranges: FamilyRanges, value: bigint): string | undefined {
  let low = 0;
  let high = ranges.starts.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const start = ranges.starts[middle] as bigint;
    if (value < start) high = middle - 1;
    else if (value > (ranges.ends[middle] as bigint)) low = middle + 1;
    else return ranges.countries[middle];
  }
  return undefined;
}

function sortRanges(rows: { start: bigint; end: bigint; country: string }[]): FamilyRanges {
  rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return { starts: rows.map((r) => r.start), ends: rows.map((r) => r.end), countries: rows.map((r) => r.country) };
}

/** Builds a table from CSV text; lines that are not `first,last,CC` (headers, comments, blanks) are skipped. */
export function parseIPCountryCSV(text: string): IPCountryTable {
  const rows: Record<4 | 6, { start: bigint; end: bigint; country: string }[]> = { 4: [], 6: [] };
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(",").map((cell) => cell.trim().replace(/^"|"$/g, ""));
    if (cells.length < 3) continue;
    const start = parseIPAddress(cells[0] ?? "");
    const end = parseIPAddress(cells[1] ?? "");
    const country = (cells[2] ?? "").toUpperCase();
    if (!start || !end || start.family !== end.family || end.value < start.value || !COUNTRY.test(country) || country === "ZZ") continue;
    rows[start.family].push({ start: start.value, end: end.value, country });
  }
  const v4 = sortRanges(rows[4]);
  const v6 = sortRanges(rows[6]);
  return {
    ranges: v4.starts.length + v6.starts.length,
    countryOf(ip) {
      const parsed = parseIPAddress(ip);
      if (!parsed) return undefined;
      return findIn(parsed.family === 4 ? v4 : v6, parsed.value);
    },
  };
}

/** Reads the CSV file at `path` (once, at start-up). */
export function loadIPCountryTable(path: string): IPCountryTable {
  return parseIPCountryCSV(readFileSync(path, "utf8"));
}

const REGION_NAMES = new Map<string, Intl.DisplayNames>();

/** "Germany" for "DE" ("Deutschland" in German); the code itself when the name is unknown. */
export function countryName(code: string, locale = "en"): string {
  try {
    let names = REGION_NAMES.get(locale);
    if (!names) {
      names = new Intl.DisplayNames([locale], { type: "region" });
      REGION_NAMES.set(locale, names);
    }
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
