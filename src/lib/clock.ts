// Time as an injected dependency, so tests move time forward instead of sleeping.

export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export function createSystemClock(): Clock {
  return { now: () => new Date() };
}

/** A clock that stands still until a test moves it. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(date: Date): void;
}

export function createManualClock(start: Date = new Date("2026-01-01T00:00:00Z")): ManualClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (date) => {
      current = date.getTime();
    },
  };
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
