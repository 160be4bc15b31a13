// Standard output and standard error of the server: its log and its own lines. When their reader goes away
// (a closed pipe, a log collector that stopped) or they cannot be written (a full disk under a redirected
// file), those lines are lost, and the server keeps answering: a write error there used to end the process.
import type { Writable } from "node:stream";
import pino from "pino";
import { createReadableLogStream } from "./readable-log.ts";

/** Log lines kept while standard output cannot be written; beyond this they are dropped. */
const MAX_WAITING_LOG_BYTES = 4 * 1024 * 1024;

let tolerating = false;

/** Ignores write errors on standard output and standard error from now on (once per process). */
export function tolerateLostOutput(): void {
  if (tolerating) return;
  tolerating = true;
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
}

let jsonDestination: pino.DestinationStream | undefined;

/**
 * The destination of the JSON log (production): pino's own on standard output, one for every logger of the
 * process. Its write errors are ignored; lines written meanwhile wait, up to 4 MiB, and go out once it can
 * write again (a disk that had filled up), or are dropped when its reader is gone.
 */
export function jsonLogDestination(): pino.DestinationStream {
  if (!jsonDestination) {
    const destination = pino.destination({ dest: 1, minLength: 0, maxLength: MAX_WAITING_LOG_BYTES });
    // At exit pino writes what is still waiting, synchronously, and retries a failed write until it works:
    // on a full disk that kept the process from ever ending. While the last write failed, nothing waits for it.
    let failing = false;
    destination.on("error", () => {
      failing = true;
    });
    destination.on("write", () => {
      failing = false;
    });
    const flushSync = destination.flushSync.bind(destination);
    destination.flushSync = () => {
      if (!failing) flushSync();
    };
    jsonDestination = destination;
  }
  return jsonDestination;
}

/** Where a logger writes: readable lines for people (development), or the JSON log. */
export function logStream(readable: boolean): Writable | pino.DestinationStream {
  return readable ? createReadableLogStream() : jsonLogDestination();
}
