// Starts the HTTP server: configuration, storage, application, graceful shutdown on SIGTERM/SIGINT.
import { describeHugePagesOff } from "./accounts/huge-pages.ts";
import { buildApp, buildMetricsApp } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config/load.ts";
import { describeReturnHostsWithoutSession } from "./config/single-sign-on.ts";
import { tolerateLostOutput } from "./lib/log-output.ts";
import { scheduleMaintenance } from "./maintenance.ts";
import { describeStartFailure } from "./start-failure.ts";
import { startWebhookWorker } from "./webhooks/worker.ts";
import { createDeps } from "./wiring.ts";

/** After the requests' deadline, how long closing the pools and background work may take before the process ends anyway. */
const SHUTDOWN_CLOSE_GRACE_MS = 5000;

export async function startServer(config: Config): Promise<() => Promise<void>> {
  const deps = await createDeps(config);
  const app = await buildApp(deps);
  const stopMaintenance = scheduleMaintenance(deps);
  // The OpenID Connect provider (its library, and its first signing key if none exists) starts on the first
  // request that needs it, not here: most instances serve sign-ins and session checks long before any.
  // Every instance delivers webhooks; the lease on each delivery keeps them from sending one twice.
  const webhookWorker = startWebhookWorker(deps);
  await app.listen({ host: config.host, port: config.port });
  const metricsApp = config.metrics ? await buildMetricsApp(deps) : null;
  if (metricsApp && config.metrics) {
    await metricsApp.listen({ host: config.metrics.host, port: config.metrics.port });
    const metricsAddress = metricsApp.server.address();
    const metricsPort = typeof metricsAddress === "object" && metricsAddress ? metricsAddress.port : config.metrics.port;
    process.stdout.write(`Serving /metrics, /healthz and /readyz for monitoring on ${config.metrics.host}:${metricsPort}\n`);
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const where = config.database.kind === "sqlite" ? config.database.file : "PostgreSQL";
  process.stdout.write(
    `Latchkey is running at ${config.baseUrl} (listening on ${config.host}:${port}, data in ${where}${config.redis ? ", short-lived state in Redis" : ""})\n`,
  );
  if (config.mail.transport === "outbox" || config.sms.provider === "outbox") {
    process.stdout.write(`Messages are written to ${config.outboxDir} instead of being sent.\n`);
  }
  const returnHostsWithoutSession = describeReturnHostsWithoutSession(config);
  if (returnHostsWithoutSession) process.stderr.write(`${returnHostsWithoutSession}\n`);
  const hugePagesOff = describeHugePagesOff(config.argon2.memoryCost);
  if (hugePagesOff) process.stderr.write(`${hugePagesOff}\n`);
  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    stopMaintenance();
    // Stop accepting at once, let requests in flight finish (and the webhook round under way), then close the
    // pools. A client that sends slowly, or never finishes its request, must not hold the shutdown: past the
    // deadline its connection is closed.
    const deadline = setTimeout(() => {
      process.stdout.write(`Shutdown: requests still open after ${config.timeouts.shutdownMs / 1000}s; closing their connections.\n`);
      app.server.closeAllConnections();
      metricsApp?.server.closeAllConnections();
    }, config.timeouts.shutdownMs);
    deadline.unref();
    try {
      await Promise.all([app.close(), metricsApp?.close(), webhookWorker.stop()]);
    } finally {
      clearTimeout(deadline);
    }
    await deps.tasks.settle();
    await deps.stores.close();
    deps.mailer.close?.();
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      process.stdout.write(`${signal}: shutting down (at most ${config.timeouts.shutdownMs / 1000}s for requests in flight).\n`);
      // A database or Redis that hangs keeps its pool from closing (and a webhook round from ending): the
      // process ends anyway, a little after the requests' deadline.
      const limitMs = config.timeouts.shutdownMs + SHUTDOWN_CLOSE_GRACE_MS;
      setTimeout(() => {
        process.stderr.write(`Shutdown: storage still not closed ${limitMs / 1000}s after ${signal}; exiting without waiting for it.\n`);
        process.exit(1);
      }, limitMs).unref();
      void close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
  return close;
}

export async function runServe(): Promise<number> {
  tolerateLostOutput();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78;
    }
    throw error;
  }
  try {
    await startServer(config);
  } catch (error) {
    const withStack = config.logLevel === "debug" || config.logLevel === "trace";
    const sqliteFile = config.database.kind === "sqlite" ? config.database.file : undefined;
    process.stderr.write(`${describeStartFailure(error, { withStack, ...(sqliteFile ? { sqliteFile } : {}) })}\n`);
    return 1;
  }
  return 0;
}
