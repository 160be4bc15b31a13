// What services may depend on. Each service takes only the part it needs: Pick<Deps, "stores" | "clock">.
import type { PasswordHasher } from "./accounts/password-hash.ts";
import type { Config } from "./config/load.ts";
import type { Mailer, SMSSender } from "./delivery/types.ts";
import type { BackgroundTasks } from "./lib/background.ts";
import type { Clock } from "./lib/clock.ts";
import type { Random } from "./lib/random.ts";
import type { Metrics } from "./metrics.ts";
import type { Stores } from "./stores/types.ts";

/** The subset of pino's logger that services use. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Deps {
  config: Config;
  stores: Stores;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  mailer: Mailer;
  sms: SMSSender;
  logger: Logger;
  tasks: BackgroundTasks;
  metrics: Metrics;
}
