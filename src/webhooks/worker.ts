// The webhook delivery worker. Every instance runs one; a delivery is sent by the instance that took its
// lease (one atomic UPDATE … RETURNING), so each event goes to each endpoint from one instance at a time.
// A lease whose holder died expires and is taken again, so delivery is at least once; receivers dedupe by
// the event id (webhook-id).
//
// The rules, in order:
// | rule                         | value                                                           |
// |------------------------------|-----------------------------------------------------------------|
// | order                        | per endpoint and account, oldest event first; a later event     |
// |                              | waits while an earlier one is pending                           |
// | success                      | a 2xx answer within LATCHKEY_WEBHOOKS_TIMEOUT                   |
// | retry delay                  | 5 s, doubling per attempt, at most 1 h, ±20 % jitter            |
// | give up                      | a failed attempt more than 24 h after the event occurred        |
// | on giving up                 | the delivery is marked failed, the endpoint paused, admins told |
// | lease                        | 2 × timeout + 5 s; an expired lease is taken by any worker      |
// | per endpoint                 | at most 5 deliveries under lease at once, across all workers    |
// | per worker                   | at most 50 requests in flight; each finished one makes room at  |
// |                              | once, so a slow receiver never holds up the others' deliveries  |

import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { generateId } from "../lib/crypto.ts";
import { composeEmail } from "../messages/compose.ts";
import { webhookEndpointPausedEmail } from "../messages/notifications.ts";
import type { ClaimedWebhookDelivery } from "../stores/types.ts";
import { sendWebhookRequest } from "./send.ts";
import { signWebhook, unsealWebhookSecret } from "./signing.ts";

export const WEBHOOK_DELIVERY_RULES = {
  firstRetryDelaySeconds: 5,
  maxRetryDelaySeconds: 3600,
  /** Deliveries are retried for at least this long after the event. */
  retryWindowSeconds: 24 * 3600,
  jitter: 0.2,
  /** Deliveries one worker takes per round. */
  batchSize: 10,
  /**
   * Deliveries of one endpoint under lease at once. A receiver that never answers holds this many
   * requests until the timeout, not the whole worker.
   */
  perEndpoint: 5,
  /** Requests one running worker has in flight at most. */
  maxInFlight: 50,
} as const;

type WorkerDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "logger" | "mailer">;

/** How long a worker holds a delivery: long enough for the request and the write after it. */
export function webhookLeaseMs(config: Pick<Deps["config"], "webhooks">): number {
  return 2 * config.webhooks.timeoutMs + 5000;
}

/** The wait before attempt number `attempts + 1`, after `attempts` failed ones. */
export function webhookRetryDelayMs(attempts: number, random: Deps["random"]): number {
  const { firstRetryDelaySeconds, maxRetryDelaySeconds, jitter } = WEBHOOK_DELIVERY_RULES;
  const base = Math.min(firstRetryDelaySeconds * 2 ** Math.max(0, attempts - 1), maxRetryDelaySeconds) * 1000;
  // Jitter spreads the retries of many deliveries that failed together (a receiver coming back up).
  return Math.round(base * (1 - jitter + 2 * jitter * random.float()));
}

export type WebhookAttemptResult = {
  deliveryId: string;
  eventId: string;
  outcome: "delivered" | "retry" | "failed";
  statusCode: number | null;
  error: string | null;
};

/**
 * The secrets that sign a request sent at `sentAt`: the endpoint's own, then the one it replaced while that
 * one's grace period lasts (receivers not yet given the new secret still accept the request). Empty when the
 * current secret cannot be read.
 */
function signingSecretsOf(deps: Pick<WorkerDeps, "config">, delivery: ClaimedWebhookDelivery, sentAt: Date): string[] {
  const secret = unsealWebhookSecret(deps.config.secret, delivery.secretSealed);
  if (!secret) return [];
  const { previousSecretSealed, previousSecretExpiresAt } = delivery;
  if (previousSecretSealed === null || previousSecretExpiresAt === null || previousSecretExpiresAt.getTime() <= sentAt.getTime()) return [secret];
  const previous = unsealWebhookSecret(deps.config.secret, previousSecretSealed);
  return previous ? [secret, previous] : [secret];
}

async function attemptDelivery(deps: WorkerDeps, delivery: ClaimedWebhookDelivery): Promise<WebhookAttemptResult> {
  const sentAt = deps.clock.now();
  const secrets = signingSecretsOf(deps, delivery, sentAt);
  const response =
    secrets.length > 0
      ? await sendWebhookRequest({
          url: delivery.url,
          body: delivery.payload,
          headers: { ...signWebhook(secrets, delivery.eventId, sentAt, delivery.payload) },
          timeoutMs: deps.config.webhooks.timeoutMs,
          allowPrivate: deps.config.webhooks.allowPrivate,
        })
      : { ok: false, statusCode: null, error: "the signing secret cannot be read (was LATCHKEY_SECRET changed?)" };
  const at = deps.clock.now();
  const base = { deliveryId: delivery.id, eventId: delivery.eventId, statusCode: response.statusCode, error: response.error };
  if (response.ok) {
    await deps.stores.webhooks.completeDelivery(delivery.id, { at, statusCode: response.statusCode, error: null });
    return { ...base, outcome: "delivered" };
  }
  const giveUp = at.getTime() - delivery.occurredAt.getTime() >= WEBHOOK_DELIVERY_RULES.retryWindowSeconds * 1000;
  const retryAt = giveUp ? null : new Date(at.getTime() + webhookRetryDelayMs(delivery.attempts, deps.random));
  const reason = response.error ?? "failed";
  const { paused } = await deps.stores.webhooks.failDelivery(delivery.id, delivery.leaseToken, {
    at,
    statusCode: response.statusCode,
    error: reason,
    retryAt,
    pauseReason: reason,
  });
  if (paused) await tellAdminsAboutPause(deps, delivery, reason);
  return { ...base, outcome: giveUp ? "failed" : "retry" };
}

/** An audit event, a log line and an e-mail to every admin: once, by the worker that paused it. */
async function tellAdminsAboutPause(deps: WorkerDeps, delivery: ClaimedWebhookDelivery, reason: string): Promise<void> {
  deps.logger.warn({ endpointId: delivery.endpointId, reason }, "webhook endpoint paused after failing deliveries");
  await recordAuditEvent(deps, { type: "webhook.endpoint_paused", accountId: null, detail: { endpointId: delivery.endpointId, reason: reason.slice(0, 200) } });
  const message = webhookEndpointPausedEmail({ id: delivery.endpointId, url: delivery.url }, reason);
  for (const to of await deps.stores.webhooks.listAdminEmailAddresses()) {
    await deps.mailer
      .sendEmail({ to, ...composeEmail(deps.config, message, deps.config.locales.fallback) })
      .catch((err: unknown) => deps.logger.error({ err }, "could not tell an admin about a paused webhook endpoint"));
  }
}

/** Takes the lease of up to `limit` due deliveries (or only `deliveryId`, whatever the endpoint's share). */
function claimDueDeliveries(deps: WorkerDeps, limit: number, deliveryId?: string): Promise<ClaimedWebhookDelivery[]> {
  const now = deps.clock.now();
  return deps.stores.webhooks.claimDeliveries({
    leaseToken: generateId(deps.random),
    now,
    leaseUntil: new Date(now.getTime() + webhookLeaseMs(deps.config)),
    limit,
    ...(deliveryId !== undefined ? { deliveryId } : { perEndpoint: WEBHOOK_DELIVERY_RULES.perEndpoint }),
  });
}

/**
 * Takes the due deliveries (up to a batch, or only `deliveryId`) and sends them, concurrently: the claim
 * never hands out two deliveries of one endpoint and account at once, so order holds. Returns one result
 * per delivery taken, once every one of them has been tried.
 */
export async function runWebhookDeliveryRound(deps: WorkerDeps, options: { deliveryId?: string } = {}): Promise<WebhookAttemptResult[]> {
  const claimed = await claimDueDeliveries(deps, WEBHOOK_DELIVERY_RULES.batchSize, options.deliveryId);
  return Promise.all(claimed.map((delivery) => attemptDelivery(deps, delivery)));
}

export interface WebhookWorker {
  /** Stops polling and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * Polls for due deliveries every LATCHKEY_WEBHOOKS_POLL_INTERVAL, and at once again when a delivery ends or
 * a claim came back full. Each delivery is sent on its own: the worker never waits for a batch to finish,
 * so a receiver that answers only at the timeout delays its own deliveries and nobody else's.
 */
export function startWebhookWorker(deps: WorkerDeps): WebhookWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let timerIsImmediate = false;
  let claiming: Promise<void> | null = null;
  let claimAgain = false;
  const inFlight = new Set<Promise<void>>();

  /** Runs a claim at once, or after the poll interval; a claim already set to run at once stays. */
  const schedule = (immediate: boolean): void => {
    if (stopped || (timer !== undefined && (timerIsImmediate || !immediate))) return;
    clearTimeout(timer);
    timerIsImmediate = immediate;
    timer = setTimeout(claim, immediate ? 0 : deps.config.webhooks.pollIntervalMs);
    timer.unref();
  };

  const send = (delivery: ClaimedWebhookDelivery): void => {
    const attempt: Promise<void> = attemptDelivery(deps, delivery)
      .then(
        () => undefined,
        (err: unknown) => {
          // Storage unreachable while recording the outcome: the lease runs out and the delivery is tried again.
          deps.logger.error({ err, deliveryId: delivery.id }, "webhook delivery could not be recorded");
        },
      )
      .finally(() => {
        inFlight.delete(attempt);
        // Room for another delivery, and maybe the next event of the same account is due now.
        schedule(true);
      });
    inFlight.add(attempt);
  };

  function claim(): void {
    timer = undefined;
    if (stopped) return;
    // One claim at a time per worker; a wake-up during one runs another right after it.
    if (claiming) {
      claimAgain = true;
      return;
    }
    const room = Math.min(WEBHOOK_DELIVERY_RULES.batchSize, WEBHOOK_DELIVERY_RULES.maxInFlight - inFlight.size);
    if (room <= 0) return; // The next delivery that ends wakes the worker.
    claiming = claimDueDeliveries(deps, room)
      .then((claimed) => {
        for (const delivery of claimed) send(delivery);
        return claimed.length >= room;
      })
      .catch((err: unknown) => {
        // Storage unreachable: try again at the next tick, never crash.
        deps.logger.error({ err }, "webhook delivery round failed");
        return false;
      })
      .then((full) => {
        claiming = null;
        const again = claimAgain;
        claimAgain = false;
        schedule(full || again);
      });
  }

  schedule(false);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await claiming;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
