// `latchkey accounts import FILE`: reads the file, imports its rows with a progress bar on stderr, prints
// a summary of what was imported and which rows were rejected and why, and records one audit event.
import { closeSync, openSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ImportProgress, type ImportRejection, importAccounts } from "../accounts/import.ts";
import { detectImportFileFormat, type ImportFile, ImportFileError, type ImportFileFormat, openImportFile } from "../accounts/import-file.ts";
import { csvCell } from "../admin/csv.ts";
import { recordAuditEvent } from "../audit/audit.ts";
import type { Config } from "../config/load.ts";
import { createSystemClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import { openStores } from "../stores/index.ts";
import { createProgressReporter, type ProgressSnapshot } from "./progress.ts";
import { UsageError } from "./usage-error.ts";

/** Rejected rows shown on screen; `--rejects FILE` writes all of them. */
const SHOWN_REJECTIONS = 50;

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function chooseFormat(path: string, option: string | undefined): ImportFileFormat {
  if (option !== undefined) {
    if (option !== "csv" && option !== "jsonl") throw new UsageError("--format takes csv or jsonl");
    return option;
  }
  const detected = detectImportFileFormat(path);
  if (detected === null) throw new UsageError(`cannot tell the format of ${path} from its name (.csv, .jsonl or .ndjson): add --format csv or --format jsonl`);
  return detected;
}

/** Writes every rejected row as CSV (line, identifier, reason) to the open file, and closes it. */
function writeRejects(fd: number, rejected: readonly ImportRejection[]): void {
  try {
    writeSync(fd, "line,identifier,reason\r\n");
    let batch = "";
    for (const [i, r] of rejected.entries()) {
      batch += `${r.line},${csvCell(r.identifier ?? null)},${csvCell(r.reason)}\r\n`;
      if (i % 1000 === 999) {
        writeSync(fd, batch);
        batch = "";
      }
    }
    writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}

/** Runs the import; returns 0 when every row was imported, 1 when some were rejected or the file is unusable. */
export async function runAccountsImport(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: "string" }, "dry-run": { type: "boolean" }, rejects: { type: "string" } },
  });
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) throw new UsageError("accounts import needs exactly one FILE");
  const format = chooseFormat(path, values.format);
  const dryRun = values["dry-run"] === true;

  let file: ImportFile;
  try {
    file = await openImportFile(path, format);
  } catch (error) {
    process.stderr.write(`latchkey: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  let rejectsFd: number | null = null;
  if (values.rejects !== undefined) {
    // Opened before the import, so a path that cannot be written fails before any row is stored. Readable
    // only by its owner: it holds identifiers.
    try {
      rejectsFd = openSync(values.rejects, "w", 0o600);
    } catch (error) {
      process.stderr.write(`latchkey: cannot write ${values.rejects}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }
  const clock = createSystemClock();
  const random = createCryptoRandom();
  const stores = await openStores(config, clock);
  const deps = { stores, clock, random, logger: { info() {}, warn() {}, error() {} } };
  const progress = createProgressReporter(process.stderr);
  let last: ImportProgress = { rows: 0, imported: 0, rejected: 0 };
  const snapshot = (): ProgressSnapshot => ({ fraction: file.size === 0 ? 1 : file.bytesRead() / file.size, rows: last.rows, rejected: last.rejected });
  // One event for the whole import (one per account would flood the trail), also when it stops half-way
  // through; none when no row was read.
  const recordImport = async (completed: boolean): Promise<void> => {
    if (dryRun || last.rows === 0) return;
    const detail = { imported: last.imported, rejected: last.rejected, ...(completed ? {} : { completed: false }) };
    await recordAuditEvent(deps, { type: "admin.accounts_imported", context: { ip: null, userAgent: "latchkey CLI" }, detail });
  };
  try {
    let result: Awaited<ReturnType<typeof importAccounts>>;
    try {
      result = await importAccounts(
        deps,
        file.rows,
        (p) => {
          last = p;
          progress.update(snapshot());
        },
        { dryRun },
      );
    } catch (error) {
      progress.finish(snapshot());
      await recordImport(false);
      if (!(error instanceof ImportFileError)) throw error;
      process.stderr.write(`latchkey: ${path}: ${error.message}\n`);
      return 1;
    }
    progress.finish(snapshot());
    await recordImport(true);
    if (rejectsFd !== null) {
      const fd = rejectsFd;
      rejectsFd = null;
      writeRejects(fd, result.rejected);
    }

    const out: string[] = [];
    const rejectedRows = plural(result.rejected.length, "row", "rows");
    if (dryRun) out.push(`Dry run: ${plural(result.imported, "account", "accounts")} would be imported; ${rejectedRows} rejected. Nothing was stored.`);
    else out.push(`Imported ${plural(result.imported, "account", "accounts")}; rejected ${rejectedRows}.`);
    const ignored = file.ignoredColumns();
    if (ignored.length > 0) {
      const admin = ignored.some((name) => /admin/i.test(name)) ? "; administrator access is never imported: grant it with accounts grant-admin" : "";
      out.push(`Ignored columns: ${ignored.join(", ")} (only identifier, password_hash, name and verified are read${admin}).`);
    }
    if (result.rejected.length > 0) {
      out.push("Rejected rows:");
      for (const r of result.rejected.slice(0, SHOWN_REJECTIONS)) out.push(`  line ${r.line}: ${r.reason}`);
      const hidden = result.rejected.length - SHOWN_REJECTIONS;
      if (hidden > 0) out.push(`  … and ${plural(hidden, "more row", "more rows")}${values.rejects === undefined ? " (--rejects FILE writes them all)" : ""}`);
    }
    if (values.rejects !== undefined) out.push(`Rejected rows written to ${values.rejects}.`);
    process.stdout.write(`${out.join("\n")}\n`);
    return result.rejected.length === 0 ? 0 : 1;
  } finally {
    if (rejectsFd !== null) closeSync(rejectsFd);
    await stores.close();
  }
}
