// Tells a storage outage (PostgreSQL or Redis unreachable, a connection cut, a database that cannot be
// written) from a programming error, so that requests answer 503 SERVICE_UNAVAILABLE instead of 500, and
// the log says what the operator can do about it.

export type StorageOutageKind = "unreachable" | "unwritable" | "busy";

export interface StorageOutage {
  kind: StorageOutageKind;
  /** For the log only: what failed and, where we know it, how to fix it. */
  detail: string;
}

// Node.js socket errors met when a server is down, restarting or out of reach. (The HTTP server's "aborted"
// error for a client that went away mid-request has the code ECONNRESET too: src/http/errors.ts takes it
// apart before it gets here.)
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ECONNABORTED"]);

// PostgreSQL SQLSTATEs: class 08 (connection), 57P01–57P03 (shut down, crashed, starting), 53xxx (out of
// disk, memory or connections), 25006 (read-only transaction: a standby or default_transaction_read_only),
// 57014 (statement timeout).
const POSTGRES_UNREACHABLE = /^(08...|57P0[123]|53300)$/;
const POSTGRES_UNWRITABLE = /^(53100|53200|25006)$/;

// pg's own messages for a connection that went away or never came.
const POSTGRES_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "is not queryable",
  "Connection terminated due to connection timeout",
];

// ioredis: a closed connection, an exhausted retry, a command timeout, the offline queue refused.
const REDIS_MESSAGES = ["Connection is closed", "Command timed out", "Stream isn't writeable", "Reached the max retries per request limit"];
// Redis replies that mean "cannot take writes now": failed snapshot, out of memory, replica, loading.
const REDIS_UNWRITABLE_REPLIES = /^(MISCONF|OOM|READONLY|NOREPLICAS)\b/;
const REDIS_UNREACHABLE_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

interface DriverError {
  code?: unknown;
  errors?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

function classifyOne(error: DriverError): StorageOutageKind | null {
  const code = typeof error.code === "string" ? error.code : "";
  const message = typeof error.message === "string" ? error.message : "";
  const name = typeof error.name === "string" ? error.name : "";
  if (NETWORK_CODES.has(code)) return "unreachable";
  if (POSTGRES_UNREACHABLE.test(code) || code === "57014") return "unreachable";
  if (POSTGRES_UNWRITABLE.test(code)) return "unwritable";
  if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN"))
    return "unwritable";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "busy";
  if (name === "MaxRetriesPerRequestError") return "unreachable";
  if (REDIS_UNWRITABLE_REPLIES.test(message)) return "unwritable";
  if (REDIS_UNREACHABLE_REPLIES.test(message)) return "unreachable";
  if (POSTGRES_MESSAGES.some((m) => message.includes(m)) || REDIS_MESSAGES.some((m) => message.includes(m))) return "unreachable";
  return null;
}

/**
 * Returns the outage an error stands for, or null when it is not one (then it is a bug, answered 500).
 * Follows `cause` a few levels, since migrations and wrappers nest the driver's error, and the first of an
 * AggregateError's `errors` (Node.js reports a connection to a name with several addresses that all failed so).
 */
export function classifyStorageOutage(error: unknown, sqliteFile?: string): StorageOutage | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const driverError = current as DriverError;
    const kind = classifyOne(driverError);
    if (kind) return { kind, detail: describeOutage(kind, driverError, sqliteFile) };
    current = driverError.cause ?? (Array.isArray(driverError.errors) ? driverError.errors[0] : undefined);
  }
  return null;
}

function describeOutage(kind: StorageOutageKind, error: DriverError, sqliteFile: string | undefined): string {
  const code = typeof error.code === "string" ? error.code : "";
  const message = typeof error.message === "string" ? error.message : String(error);
  if (code.startsWith("SQLITE_") && sqliteFile) {
    if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN")) return describeReadOnlySqlite(sqliteFile, message);
    if (code === "SQLITE_FULL") return `${message}: the disk holding ${sqliteFile} is full. Free space there; Latchkey recovers by itself.`;
  }
  return `${kind}: ${code ? `${code} ` : ""}${message}`;
}

/** The operator's message for a SQLite file that cannot be written: which file and what to do. */
export function describeReadOnlySqlite(file: string, message: string): string {
  return (
    `${message}: the SQLite database ${file} cannot be written. Latchkey needs to write that file, its ` +
    `${file}-wal and ${file}-shm companions and create files in their directory. Make all of them writable ` +
    `by the user that runs Latchkey (for example chown that user, chmod u+rw), and make sure the volume is ` +
    "not mounted read-only; then start Latchkey again."
  );
}

/** Seconds a client should wait before retrying during an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
