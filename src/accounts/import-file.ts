// Reads an import file as a stream of rows: CSV (RFC 4180, header row required) or JSON lines. The file is
// never held in memory at once; a record over 64 KiB becomes an unreadable row, not a crash.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { IMPORT_COLUMNS, type ImportRow } from "./import.ts";

export type ImportFileFormat = "csv" | "jsonl";

/** Longest record (a line, or a CSV record across lines) in bytes. */
export const MAX_IMPORT_RECORD_BYTES = 64 * 1024;

/** Most ignored column or key names remembered for the report. */
const MAX_IGNORED_NAMES = 20;

/** The file cannot be imported at all (no header, a required column missing, unreadable header). */
export class ImportFileError extends Error {}

export interface ImportFile {
  rows: AsyncIterable<ImportRow>;
  /** Size of the file in bytes, for progress. */
  size: number;
  /** Bytes read and split into rows so far. */
  bytesRead(): number;
  /** Columns (CSV) or keys (JSON lines) that were present but are not imported. */
  ignoredColumns(): string[];
}

/** The format an extension stands for: `.csv`, `.jsonl` or `.ndjson`; null for anything else. */
export function detectImportFileFormat(path: string): ImportFileFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === ".csv") return "csv";
  if (extension === ".jsonl" || extension === ".ndjson") return "jsonl";
  return null;
}

/** Opens the file (failing now when it cannot be read) and returns its rows as a lazy stream. */
export async function openImportFile(path: string, format: ImportFileFormat): Promise<ImportFile> {
  const info = await stat(path);
  if (!info.isFile()) throw new ImportFileError(`${path} is not a file`);
  let position = 0;
  const ignored = new Set<string>();
  const noteIgnored = (name: string): void => {
    if (ignored.size < MAX_IGNORED_NAMES) ignored.add(name);
  };
  const lines = readLines(path, (bytes) => {
    position = bytes;
  });
  return {
    rows: format === "csv" ? parseCSV(lines, noteIgnored) : parseJSONLines(lines, noteIgnored),
    size: info.size,
    bytesRead: () => position,
    ignoredColumns: () => [...ignored],
  };
}

interface PhysicalLine {
  number: number;
  /** The line without its line break; null when it was over MAX_IMPORT_RECORD_BYTES or not UTF-8. */
  text: string | null;
  problem?: string;
}

/**
 * Splits the file into lines on LF (a CR before it is dropped). Bytes of an over-long line are skipped as
 * they arrive instead of being collected, so one huge line costs no memory.
 */
async function* readLines(path: string, onPosition: (bytes: number) => void): AsyncGenerator<PhysicalLine> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let number = 0;
  let chunkStart = 0;

  const finish = (): PhysicalLine => {
    number++;
    if (tooLong) return { number, text: null, problem: `the line is longer than ${MAX_IMPORT_RECORD_BYTES / 1024} KiB` };
    let bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    try {
      return { number, text: decoder.decode(bytes) };
    } catch {
      return { number, text: null, problem: "the line is not valid UTF-8" };
    }
  };

  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!tooLong) {
        if (length + end - start > MAX_IMPORT_RECORD_BYTES) {
          tooLong = true;
          parts = [];
          length = 0;
        } else {
          parts.push(chunk.subarray(start, end));
          length += end - start;
        }
      }
      if (newline === -1) break;
      const line = finish();
      parts = [];
      length = 0;
      tooLong = false;
      start = newline + 1;
      onPosition(chunkStart + start);
      yield line;
    }
    chunkStart += chunk.length;
    onPosition(chunkStart);
  }
  if (length > 0 || tooLong) yield finish();
}

/** A CSV record being read, possibly across lines (a quoted field may hold line breaks). */
class CSVRecordReader {
  fields: string[] = [];
  private field = "";
  private inQuotes = false;
  private afterQuote = false;

  /** Reads one more line: "complete", "open" (inside a quoted field), or why the record is malformed. */
  feed(line: string): "complete" | "open" | { error: string } {
    for (let i = 0; i < line.length; i++) {
      const char = line[i];
      if (this.inQuotes) {
        if (char !== '"') this.field += char;
        else if (line[i + 1] === '"') {
          this.field += '"';
          i++;
        } else {
          this.inQuotes = false;
          this.afterQuote = true;
        }
      } else if (char === ",") {
        this.fields.push(this.field);
        this.field = "";
        this.afterQuote = false;
      } else if (this.afterQuote) {
        return { error: `field ${this.fields.length + 1} has text after its closing quote` };
      } else if (char === '"' && this.field === "") {
        this.inQuotes = true;
      } else {
        this.field += char;
      }
    }
    if (this.inQuotes) {
      this.field += "\n";
      return "open";
    }
    this.fields.push(this.field);
    return "complete";
  }
}

/** The first few header names, shortened: a data row read as a header must not print whole password hashes. */
function describeNames(names: string[]): string {
  if (names.every((name) => name === "")) return "nothing";
  const shown = names.slice(0, 5).map((name) => (name.length > 24 ? `${name.slice(0, 24)}…` : name));
  return `${shown.join(", ")}${names.length > 5 ? ", …" : ""}`;
}

async function* parseCSV(lines: AsyncIterable<PhysicalLine>, noteIgnored: (name: string) => void): AsyncGenerator<ImportRow> {
  let header: string[] | null = null;
  let record: { reader: CSVRecordReader; start: number; bytes: number } | null = null;

  const readHeader = (fields: string[]): string[] => {
    const names = fields.map((name) => name.trim().toLowerCase());
    const missing = ["identifier", "password_hash"].filter((name) => !names.includes(name));
    if (missing.length > 0) {
      throw new ImportFileError(
        `the CSV header (line 1) needs the columns identifier and password_hash; missing: ${missing.join(", ")} (found: ${describeNames(names)})`,
      );
    }
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw new ImportFileError(`the CSV header names the column ${repeated} twice`);
    for (const name of names) if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) noteIgnored(name);
    return names;
  };

  for await (const line of lines) {
    if (line.text === null) {
      if (header === null) throw new ImportFileError(`the CSV header (line ${line.number}): ${line.problem}`);
      // The record ends here; reading goes on with the next line.
      yield {
        line: record?.start ?? line.number,
        unreadable: record ? `the record is longer than ${MAX_IMPORT_RECORD_BYTES / 1024} KiB (an unclosed quote?)` : (line.problem ?? "unreadable"),
      };
      record = null;
      continue;
    }
    if (record === null) {
      if (line.text.trim() === "") continue;
      record = { reader: new CSVRecordReader(), start: line.number, bytes: 0 };
    }
    record.bytes += Buffer.byteLength(line.text) + 1;
    if (record.bytes > MAX_IMPORT_RECORD_BYTES) {
      if (header === null) throw new ImportFileError("the CSV header is longer than 64 KiB");
      yield { line: record.start, unreadable: `the record is longer than ${MAX_IMPORT_RECORD_BYTES / 1024} KiB (an unclosed quote?)` };
      record = null;
      continue;
    }
    const state = record.reader.feed(line.text);
    if (state === "open") continue;
    const { start, reader } = record;
    record = null;
    if (typeof state === "object") {
      if (header === null) throw new ImportFileError(`the CSV header (line ${start}): ${state.error}`);
      yield { line: start, unreadable: `malformed CSV: ${state.error}` };
      continue;
    }
    if (header === null) {
      header = readHeader(reader.fields);
      continue;
    }
    if (reader.fields.length !== header.length) {
      yield { line: start, unreadable: `the row has ${reader.fields.length} field(s); the header has ${header.length}` };
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => {
      if ((IMPORT_COLUMNS as readonly string[]).includes(name)) values[name] = reader.fields[i] ?? "";
    });
    yield { line: start, values };
  }
  if (record !== null) yield { line: record.start, unreadable: "the file ends inside a quoted field (an unclosed quote)" };
  if (header === null) throw new ImportFileError("the file is empty: a CSV import needs a header row (identifier,password_hash,name)");
}

async function* parseJSONLines(lines: AsyncIterable<PhysicalLine>, noteIgnored: (name: string) => void): AsyncGenerator<ImportRow> {
  for await (const line of lines) {
    if (line.text === null) {
      yield { line: line.number, unreadable: line.problem ?? "unreadable" };
      continue;
    }
    if (line.text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      yield { line: line.number, unreadable: "the line is not valid JSON" };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      yield { line: line.number, unreadable: "the line is not a JSON object" };
      continue;
    }
    for (const key of Object.keys(value)) if (!(IMPORT_COLUMNS as readonly string[]).includes(key)) noteIgnored(key);
    yield { line: line.number, values: value as Record<string, unknown> };
  }
}
