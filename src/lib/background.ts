// Work that must not hold up the answer (and must not change its timing), such as sending a reset
// message. Failures are logged; shutdown and tests wait for what is in flight.
import type { Logger } from "../deps.ts";

export interface BackgroundTasks {
  run(name: string, task: () => Promise<void>): void;
  /** Resolves when every task started so far has finished. */
  settle(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(name, task) {
      // Started on a later turn of the event loop, never inside the request that asked for it: no part
      // of the task (building a message, opening a connection) can change how long that answer takes.
      const promise = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .catch((err: unknown) => logger.error({ err, task: name }, "background task failed"))
        .finally(() => pending.delete(promise));
      pending.add(promise);
    },
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
