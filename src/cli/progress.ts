// Progress of a long CLI job on stderr: a bar redrawn in place on a terminal (at most ten times a second),
// or a plain line every few seconds when stderr is a file or a pipe, so logs stay readable.

export interface ProgressSnapshot {
  /** How much of the work is done, 0–1. */
  fraction: number;
  rows: number;
  rejected: number;
}

export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  /** Draws the final state (on a terminal) and ends the bar's line. */
  finish(snapshot: ProgressSnapshot): void;
}

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 30;
const TTY_REDRAW_MS = 100;
const PLAIN_LINE_MS = 5000;

const formatCount = (n: number): string => n.toLocaleString("en-US");

/** `[#####     ] 52% 52,000 rows, 3 rejected` with a bar of `width` characters. */
export function formatProgressBar(snapshot: ProgressSnapshot, width = BAR_WIDTH): string {
  const fraction = Math.min(1, Math.max(0, Number.isFinite(snapshot.fraction) ? snapshot.fraction : 1));
  const filled = Math.floor(fraction * width);
  return `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${formatCount(snapshot.rows)} rows, ${formatCount(snapshot.rejected)} rejected`;
}

/** A reporter for `output`; `now` gives milliseconds (injected so tests need not wait). */
export function createProgressReporter(output: ProgressOutput, now: () => number = Date.now): ProgressReporter {
  const tty = output.isTTY === true;
  let last = now();
  return {
    update(snapshot) {
      const time = now();
      if (time - last < (tty ? TTY_REDRAW_MS : PLAIN_LINE_MS)) return;
      last = time;
      if (tty) {
        // Carriage return and "erase to end of line": the bar replaces itself.
        output.write(`\r${formatProgressBar(snapshot)}\x1b[K`);
      } else {
        output.write(`progress: ${formatProgressBar(snapshot, 20)}\n`);
      }
    },
    finish(snapshot) {
      if (tty) output.write(`\r${formatProgressBar(snapshot)}\x1b[K\n`);
    },
  };
}
