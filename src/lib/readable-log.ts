// Log records as lines for people (development): time, then method, path, status and duration for a
// request, or the level and message otherwise, with an error's stack below.
import { Writable } from "node:stream";

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** One log record (pino's JSON) as a line for a person; null for records that are not worth a line. */
export function formatLogLine(record: Record<string, unknown>): string {
  const time = new Date(typeof record.time === "number" ? record.time : Date.now()).toISOString().slice(11, 23);
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const request = record.request as { method?: string; path?: string; status?: number; ms?: number } | undefined;
  let line: string;
  if (request) {
    line = `${time} ${request.method} ${request.path} ${request.status} ${request.ms?.toFixed(1)} ms`;
  } else {
    line = `${time} ${level} ${String(record.msg ?? "")}`;
  }
  const err = record.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err) line += `\n  ${err.stack ?? `${err.type ?? "Error"}: ${err.message ?? ""}`}`;
  return `${line}\n`;
}

/** A pino destination that turns each JSON record into a readable line on `out`. */
export function createReadableLogStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString("utf8").split("\n")) {
        if (!text) continue;
        try {
          out.write(formatLogLine(JSON.parse(text) as Record<string, unknown>));
        } catch {
          out.write(`${text}\n`);
        }
      }
      done();
    },
  });
}
