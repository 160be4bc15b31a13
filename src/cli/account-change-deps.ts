// What `latchkey accounts disable|enable|grant-admin|revoke-admin` hand to the functions they share with the
// admin console: the stores, and the senders that tell the owner, as the console does.
import type { AccountChangeDeps } from "../admin/account-actions.ts";
import type { Config } from "../config/load.ts";
import { createMailer } from "../delivery/mailer.ts";
import { createSMSSender } from "../delivery/sms.ts";
import type { Logger } from "../deps.ts";
import { createBackgroundTasks } from "../lib/background.ts";
import { createSystemClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import type { Stores } from "../stores/types.ts";

/** Problems (a notice that could not be sent) go to standard error; the change itself stands. */
const cliLogger: Logger = {
  info() {},
  warn(obj, msg) {
    writeProblem("warning", obj, msg);
  },
  error(obj, msg) {
    writeProblem("error", obj, msg);
  },
};

function writeProblem(level: string, obj: object, msg: string | undefined): void {
  const err = (obj as { err?: unknown }).err;
  const cause = err instanceof Error ? `: ${err.message}` : "";
  process.stderr.write(`latchkey: ${level}: ${msg ?? "problem"}${cause}\n`);
}

/**
 * Runs `run` with the deps of an account change on `stores`, then waits for the notices to the owner (they
 * are sent in the background, as in the console) before the process may end.
 */
export async function withAccountChangeDeps<T>(config: Config, stores: Stores, run: (deps: AccountChangeDeps) => Promise<T>): Promise<T> {
  const clock = createSystemClock();
  const random = createCryptoRandom();
  const tasks = createBackgroundTasks(cliLogger);
  const mailer = createMailer(config, clock, random);
  const deps: AccountChangeDeps = { stores, clock, random, config, mailer, sms: createSMSSender(config, clock, random), logger: cliLogger, tasks };
  try {
    return await run(deps);
  } finally {
    await tasks.settle();
    mailer.close?.();
  }
}
