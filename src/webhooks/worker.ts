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

async function attemptDelivery(deps: WorkerDeps, delivery: ClaimedWebhookDelivery): Promise<WebhookAttemptResult> {
  const secret = unsealWebhookSecret(deps.config.secret, delivery.secretSealed);
  const sentAt = deps.clock.now();
  const response = secret
    ? await sendWebhookRequest({
        url: delivery.url,
        body: delivery.payload,
        headers: { ...signWebhook(secret, delivery.eventId, sentAt, delivery.payload) },
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

/**
 * Takes the due deliveries (up to a batch, or only `deliveryId`) and sends them, concurrently: the claim
 * never hands out two deliveries of one endpoint and account at once, so order holds. Returns one result
 * per delivery taken.
 */
export async function runWebhookDeliveryRound(deps: WorkerDeps, options: { deliveryId?: string } = {}): Promise<WebhookAttemptResult[]> {
  const now = deps.clock.now();
  const claimed = await deps.stores.webhooks.claimDeliveries({
    leaseToken: generateId(deps.random),
    now,
    leaseUntil: new Date(now.getTime() + webhookLeaseMs(deps.config)),
    limit: WEBHOOK_DELIVERY_RULES.batchSize,
    ...(options.deliveryId !== undefined ? { deliveryId: options.deliveryId } : {}),
  });
  return Promise.all(claimed.map((delivery) => attemptDelivery(deps, delivery)));
}

export interface WebhookWorker {
  /** Stops polling and waits for the round in flight. */
  stop(): Promise<void>;
}

/** Polls for due deliveries every LATCHKEY_WEBHOOKS_POLL_INTERVAL (at once again after a full batch). */
export function startWebhookWorker(deps: WorkerDeps): WebhookWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = runWebhookDeliveryRound(deps)
      .then((results) => results.length)
      .catch((err: unknown) => {
        // Storage unreachable: try again at the next tick, never crash.
        deps.logger.error({ err }, "webhook delivery round failed");
        return 0;
      })
      .then((count) => {
        if (stopped) return;
        timer = setTimeout(tick, count >= WEBHOOK_DELIVERY_RULES.batchSize ? 0 : deps.config.webhooks.pollIntervalMs);
        timer.unref();
      });
  };
  timer = setTimeout(tick, deps.config.webhooks.pollIntervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
