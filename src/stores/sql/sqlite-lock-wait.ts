// Waits for another process's SQLite write lock (the CLI, a backup, a manual `begin exclusive`) on timers,
// not inside SQLite. better-sqlite3 is synchronous: with a long busy_timeout every write that meets the lock
// held the event loop for up to that long, so health checks, pages and reads stopped answering too. The
// connection's busy_timeout is a couple of milliseconds instead, and a statement that still finds the lock
// taken waits here, in line with the others, until SQLITE_LOCK_DEADLINE_MS has passed; then its error goes
// back to the caller as it did with the long busy_timeout (the outage handling answers 503 with Retry-After).

/** How long SQLite itself waits for the lock before answering SQLITE_BUSY: short enough not to stall the process. */
export const SQLITE_BUSY_TIMEOUT_MS = 2;

/** How long a statement waits for the lock in all, as the former busy_timeout did. */
export const SQLITE_LOCK_DEADLINE_MS = 5000;

// Pauses between two tries of the first waiting statement: quick at first for a lock held for a moment,
// then at most ten tries a second, each costing the event loop at most SQLITE_BUSY_TIMEOUT_MS.
const PAUSES_MS = [1, 2, 5, 10, 20, 50, 100];

/** True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
export function isSqliteBusy(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/**
 * Tries `attempt` again once the lock looks free, until the deadline; `error` is the SQLITE_BUSY that the
 * first try met. Only for work that can simply run again after SQLITE_BUSY: one statement outside a
 * transaction, BEGIN IMMEDIATE, or a group of statements that wrote nothing before it failed. `attempt` runs
 * synchronously and either throws or answers (a promise is passed on as it is).
 */
export type SqliteLockWait = <T>(attempt: () => T | Promise<T>, error: unknown) => Promise<T>;

interface Waiter {
  attempt: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  deadline: number;
  error: unknown;
}

/**
 * One line of waiting statements per connection. Only the first tries the lock on each timer, so a
 * hundred waiting requests cost no more of the event loop than one; once it gets through, the others
 * follow at once, in the order they came.
 */
export function createSqliteLockWait(deadlineMs: number = SQLITE_LOCK_DEADLINE_MS): SqliteLockWait {
  const line: Waiter[] = [];
  let timer: NodeJS.Timeout | null = null;
  let pause = 0;

  const tryAgainLater = (): void => {
    timer = setTimeout(tryInOrder, PAUSES_MS[Math.min(pause, PAUSES_MS.length - 1)]);
    pause++;
  };

  function giveUpPastDeadline(): void {
    const now = performance.now();
    for (let i = line.length - 1; i >= 0; i--) {
      const waiter = line[i] as Waiter;
      if (waiter.deadline <= now) {
        line.splice(i, 1);
        waiter.reject(waiter.error);
      }
    }
  }

  function tryInOrder(): void {
    timer = null;
    while (line.length > 0) {
      const waiter = line[0] as Waiter;
      try {
        const value = waiter.attempt();
        line.shift();
        pause = 0;
        waiter.resolve(value);
      } catch (error) {
        if (!isSqliteBusy(error)) {
          line.shift();
          waiter.reject(error);
          continue;
        }
        waiter.error = error;
        giveUpPastDeadline();
        if (line.length > 0) tryAgainLater();
        return;
      }
    }
  }

  return <T>(attempt: () => T | Promise<T>, error: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      line.push({ attempt, resolve: resolve as (value: unknown) => void, reject, deadline: performance.now() + deadlineMs, error });
      if (timer === null) tryAgainLater();
    });
}
