// Assembles the real dependencies from configuration: storage, hasher, senders, clock, randomness.
import pino from "pino";
import { createArgon2Hasher } from "./accounts/password-hash.ts";
import type { Config } from "./config/load.ts";
import { createMailer } from "./delivery/mailer.ts";
import { createSMSSender } from "./delivery/sms.ts";
import type { Deps, Logger } from "./deps.ts";
import { createBackgroundTasks } from "./lib/background.ts";
import { type Clock, createSystemClock } from "./lib/clock.ts";
import { logStream } from "./lib/log-output.ts";
import { createCryptoRandom, type Random } from "./lib/random.ts";
import { createMetrics, instrumentHasher } from "./metrics.ts";
import { openStores } from "./stores/index.ts";
import type { StatementObserver } from "./stores/sql/precompiled.ts";

export interface CreateDepsOptions {
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Sees every SQL statement the stores run (tests count storage work with it). */
  onStatement?: StatementObserver;
}

export async function createDeps(config: Config, options: CreateDepsOptions = {}): Promise<Deps> {
  const clock = options.clock ?? createSystemClock();
  const random = options.random ?? createCryptoRandom();
  const stores = await openStores(config, clock, { migrate: true, onStatement: options.onStatement });
  // Development logs are read by people: the same readable lines as the request log.
  const logger = options.logger ?? pino({ level: config.logLevel }, logStream(config.env === "development"));
  const metrics = createMetrics();
  metrics.watchPool(() => stores.poolStats?.() ?? null);
  return {
    config,
    stores,
    clock,
    random,
    hasher: instrumentHasher(createArgon2Hasher(config.argon2), metrics.registry),
    mailer: createMailer(config, clock, random),
    sms: createSMSSender(config, clock, random),
    logger,
    tasks: createBackgroundTasks(logger),
    metrics,
  };
}
