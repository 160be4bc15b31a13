// Housekeeping that every instance may run (the deletes are idempotent): expired sessions, codes and
// short-lived state, old reset records, audit events past their retention, and webhook signing secrets and
// OpenID Connect client secret hashes whose grace period after a rotation has ended.
import type { Deps } from "./deps.ts";

export const RESET_RECORD_KEEP_SECONDS = 7 * 24 * 3600;
export const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
/** Finished webhook deliveries (delivered or given up) stay in the delivery log this long. */
export const WEBHOOK_DELIVERY_KEEP_SECONDS = 30 * 24 * 3600;

export interface MaintenanceReport {
  sessions: number;
  verifications: number;
  shortLived: number;
  flows: number;
  passwordResets: number;
  auditEvents: number;
  oidcArtifacts: number;
  webhookDeliveries: number;
  webhookSecrets: number;
  oidcClientSecrets: number;
}

export async function runMaintenance(deps: Pick<Deps, "stores" | "clock" | "config">): Promise<MaintenanceReport> {
  const now = deps.clock.now();
  return {
    sessions: await deps.stores.sessions.deleteExpiredSessions(now),
    verifications: await deps.stores.verifications.deleteExpiredVerifications(now),
    shortLived: await deps.stores.shortLived.deleteExpired(),
    flows: await deps.stores.flows.deleteExpiredFlows(),
    passwordResets: await deps.stores.passwordResets.deleteOldPasswordResets(new Date(now.getTime() - RESET_RECORD_KEEP_SECONDS * 1000)),
    auditEvents: await deps.stores.audit.deleteEventsBefore(new Date(now.getTime() - deps.config.auditRetentionSeconds * 1000)),
    oidcArtifacts: await deps.stores.oidcArtifacts.deleteExpiredArtifacts(now),
    webhookDeliveries: await deps.stores.webhooks.deleteFinishedDeliveries(new Date(now.getTime() - WEBHOOK_DELIVERY_KEEP_SECONDS * 1000)),
    // Past its grace period a replaced secret no longer signs; it is not kept, even encrypted.
    webhookSecrets: await deps.stores.webhooks.forgetExpiredPreviousSecrets(now),
    // Likewise a client's replaced secret: past its grace period the token endpoint no longer accepts it, so its hash goes.
    oidcClientSecrets: await deps.stores.oidcClients.forgetExpiredPreviousSecrets(now),
  };
}

/** Runs maintenance now and then every hour; returns a function that stops it. */
export function scheduleMaintenance(deps: Pick<Deps, "stores" | "clock" | "config" | "logger">): () => void {
  const run = () => {
    runMaintenance(deps)
      .then((report) => deps.logger.info({ report }, "maintenance done"))
      .catch((err: unknown) => deps.logger.error({ err }, "maintenance failed"));
  };
  run();
  const timer = setInterval(run, MAINTENANCE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
