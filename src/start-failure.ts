// What `latchkey serve` prints when it cannot start after its configuration was read: one message for the
// operator, with what caused it, instead of an uncaught error (which makes Node.js print the line of the
// compiled bundle it came from, a single line of many kilobytes, before the message).
import { dirname } from "node:path";

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  cause?: unknown;
  stack?: unknown;
}

function messageOf(error: unknown): string {
  const { message } = (error ?? {}) as ErrorLike;
  return typeof message === "string" && message !== "" ? message : String(error);
}

/** A listening address the system refused: which one, and what to change. */
function describeListenFailure(error: ErrorLike): string | null {
  if (error.syscall !== "listen" || typeof error.port !== "number") return null;
  const where = `${typeof error.address === "string" ? error.address : "*"}:${error.port}`;
  if (error.code === "EADDRINUSE") {
    return `${where} is already in use by another program. Stop that program, or choose another port with LATCHKEY_PORT (or another address with LATCHKEY_HOST).`;
  }
  if (error.code === "EACCES") {
    return `this user may not listen on ${where} (ports below 1024 need privileges). Choose LATCHKEY_PORT above 1023 and let a reverse proxy take the low port.`;
  }
  if (error.code === "EADDRNOTAVAIL") {
    return `${where} is not an address of this machine. Set LATCHKEY_HOST to one of its addresses (0.0.0.0 for all).`;
  }
  return null;
}

/** The first error along the `cause` chain whose code says the disk is full or failed to write. */
function findDiskFailure(error: unknown): ErrorLike | null {
  let current = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const { code } = current as ErrorLike;
    if (typeof code === "string" && (code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR"))) return current as ErrorLike;
    current = (current as ErrorLike).cause;
  }
  return null;
}

/**
 * SQLite could not write its file while opening or migrating it: SQLITE_FULL, or SQLITE_IOERR ("disk I/O
 * error"), which is what a full disk usually gives when the database or its journal is being created.
 * Says where, and what to do, as the runtime's log does for the same error (src/stores/outage.ts).
 */
function describeDiskFailure(error: unknown, sqliteFile: string | undefined): string | null {
  const failure = findDiskFailure(error);
  if (!failure) return null;
  const folder = sqliteFile ? dirname(sqliteFile) : "Latchkey's data directory (LATCHKEY_DATA_DIR)";
  const check = sqliteFile ? ` (df -h ${folder})` : "";
  return (
    `The disk holding ${folder} is full or cannot be written (${String(failure.code)}). ` +
    `Free space there${check}, or if it has space check the disk and how it is mounted; then start Latchkey again.`
  );
}

/**
 * The text for an error that stopped the start: "Latchkey cannot start: …", then each underlying cause that
 * adds something, what to do when it is one we know (a full disk under `sqliteFile`), and with `withStack`
 * (debug logging) where it was thrown.
 */
export function describeStartFailure(error: unknown, options: { withStack?: boolean; sqliteFile?: string } = {}): string {
  const top = (error ?? {}) as ErrorLike;
  const lines = [`Latchkey cannot start: ${describeListenFailure(top) ?? messageOf(error)}`];
  let cause = top.cause;
  for (let depth = 0; depth < 4 && cause !== undefined && cause !== null; depth++) {
    const text = messageOf(cause);
    if (!lines.some((line) => line.includes(text))) lines.push(`  because: ${text}`);
    cause = (cause as ErrorLike).cause;
  }
  const diskFailure = describeDiskFailure(error, options.sqliteFile);
  if (diskFailure) lines.push(`  ${diskFailure}`);
  if (options.withStack && typeof top.stack === "string") lines.push(...top.stack.split("\n").filter((line) => /^\s+at /.test(line)));
  return lines.join("\n");
}
