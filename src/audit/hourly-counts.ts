// Per-hour counters for the admin console's charts of things the audit trail does not hold one row for
// (security checks shown and solved). Counting never fails the request it counts.
import type { Deps } from "../deps.ts";

export const HOURLY_COUNTERS = ["check.shown", "check.solved"] as const;
export type HourlyCounter = (typeof HOURLY_COUNTERS)[number];

export async function countThisHour(deps: Pick<Deps, "stores" | "clock">, name: HourlyCounter): Promise<void> {
  try {
    await deps.stores.audit.incrementHourlyCount(name, deps.clock.now());
  } catch {
    // A missed count only makes a chart a little low; the challenge itself must still work.
  }
}
