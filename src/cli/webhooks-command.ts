// `latchkey webhooks add|list|remove|resume|rotate-secret|test|deliveries`: the operator's tools for webhook
// endpoints.
import { parseArgs } from "node:util";
import { type Config, parseDuration } from "../config/load.ts";
import { createMailer } from "../delivery/mailer.ts";
import { createSystemClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import { openStores } from "../stores/index.ts";
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from "../stores/types.ts";
import {
  addWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  removeWebhookEndpoint,
  resumeWebhookEndpoint,
  rotateWebhookSecret,
  sendTestWebhook,
  WEBHOOK_DELIVERY_LOG_MAX,
  WebhookInputError,
} from "../webhooks/endpoints.ts";
import { UsageError } from "./usage-error.ts";

const out = (text: string): void => {
  process.stdout.write(text);
};

/** Until when the secret replaced by the last rotation still signs, or null (none, or its time is over). */
function previousSecretValidUntil(e: WebhookEndpointRecord, now: Date): Date | null {
  return e.previousSecretSealed !== null && e.previousSecretExpiresAt !== null && e.previousSecretExpiresAt > now ? e.previousSecretExpiresAt : null;
}

// Never a secret, current or previous, sealed or not: only when the previous one stops signing.
function endpointJSON(e: WebhookEndpointRecord, now: Date): Record<string, unknown> {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    status: e.pausedAt ? "paused" : "active",
    createdAt: e.createdAt.toISOString(),
    pausedAt: e.pausedAt?.toISOString() ?? null,
    pauseReason: e.pauseReason,
    consecutiveFailures: e.consecutiveFailures,
    previousSecretValidUntil: previousSecretValidUntil(e, now)?.toISOString() ?? null,
  };
}

/** `--grace 24h`: 0, or a number with s, m, h or d. */
function parseGrace(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === "0") return 0;
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--grace takes a duration such as 24h, 90m or 0 (not ${JSON.stringify(text)})`);
  }
}

function deliveryJSON(d: WebhookDeliveryRecord): Record<string, unknown> {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    occurredAt: d.occurredAt.toISOString(),
    status: d.status,
    attempts: d.attempts,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

export async function runWebhooksCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { url: { type: "string" }, events: { type: "string" }, json: { type: "boolean" }, limit: { type: "string" }, grace: { type: "string" } },
  });
  const clock = createSystemClock();
  const random = createCryptoRandom();
  const stores = await openStores(config, clock);
  const logger = { info() {}, warn() {}, error() {} };
  const deps = { stores, clock, random, config, logger, mailer: createMailer(config, clock, random) };
  if (values.grace !== undefined && action !== "rotate-secret") throw new UsageError("--grace is only for webhooks rotate-secret");
  const needId = (): string => {
    const id = positionals[0];
    if (!id) throw new UsageError(`webhooks ${action} needs the endpoint id (see latchkey webhooks list)`);
    return id;
  };
  try {
    switch (action) {
      case "add": {
        if (!values.url || !values.events) throw new UsageError("webhooks add needs --url URL and --events a,b");
        const { endpoint, secret } = await addWebhookEndpoint(deps, { url: values.url, events: values.events });
        if (values.json) out(`${JSON.stringify({ ...endpointJSON(endpoint, clock.now()), secret })}\n`);
        else {
          out(`Added webhook endpoint ${endpoint.id} for ${endpoint.url}\nEvents: ${endpoint.events.join(", ")}\n`);
          out(`Signing secret (shown only now; keep it in the receiver's configuration):\n${secret}\n`);
        }
        return 0;
      }
      case "list": {
        const endpoints = await listWebhookEndpoints(deps);
        const now = clock.now();
        if (values.json) {
          out(`${JSON.stringify(endpoints.map((e) => endpointJSON(e, now)))}\n`);
          return 0;
        }
        out(`${["id", "url", "events", "status", "created"].join("\t")}\n`);
        for (const e of endpoints) {
          const status = e.pausedAt
            ? `paused since ${e.pausedAt.toISOString()} (${e.pauseReason ?? ""})`
            : e.consecutiveFailures > 0
              ? `active, ${e.consecutiveFailures} failure(s) in a row`
              : "active";
          const previousUntil = previousSecretValidUntil(e, now);
          const rotation = previousUntil ? `; previous secret signs too until ${previousUntil.toISOString()}` : "";
          out(`${[e.id, e.url, e.events.join(","), `${status}${rotation}`, e.createdAt.toISOString()].join("\t")}\n`);
        }
        out(`${endpoints.length} endpoint(s)\n`);
        return 0;
      }
      case "remove": {
        const id = needId();
        if (!(await removeWebhookEndpoint(deps, id))) throw new WebhookInputError(`no webhook endpoint ${id}`);
        out(values.json ? `${JSON.stringify({ id, removed: true })}\n` : `Removed webhook endpoint ${id}\n`);
        return 0;
      }
      case "resume": {
        const id = needId();
        if (!(await resumeWebhookEndpoint(deps, id))) throw new WebhookInputError(`${id} is not a paused webhook endpoint`);
        out(values.json ? `${JSON.stringify({ id, resumed: true })}\n` : `Resumed webhook endpoint ${id}: waiting deliveries go out again\n`);
        return 0;
      }
      case "rotate-secret": {
        const id = needId();
        const graceSeconds = parseGrace(values.grace);
        const { endpoint, secret, previousSecretValidUntil: until } = await rotateWebhookSecret(deps, id, graceSeconds === undefined ? {} : { graceSeconds });
        if (values.json) {
          out(`${JSON.stringify({ ...endpointJSON(endpoint, clock.now()), secret })}\n`);
          return 0;
        }
        out(`New signing secret of webhook endpoint ${endpoint.id} (shown only now; put it in the receiver's configuration):\n${secret}\n`);
        out(
          until
            ? `Until ${until.toISOString()} each request carries a signature with the new and one with the previous secret; after that, with the new one only.\n`
            : "From now on requests are signed with the new secret only.\n",
        );
        return 0;
      }
      case "test": {
        const id = needId();
        const { eventId, paused, attempt } = await sendTestWebhook(deps, id);
        if (values.json)
          out(
            `${JSON.stringify({ eventId, outcome: attempt?.outcome ?? "queued", statusCode: attempt?.statusCode ?? null, error: attempt?.error ?? null })}\n`,
          );
        else if (!attempt && paused) out(`Test event ${eventId} queued: the endpoint is paused (resume it to send)\n`);
        else if (!attempt) out(`Test event ${eventId} queued: a running server is sending it (see latchkey webhooks deliveries ${id})\n`);
        else if (attempt.outcome === "delivered") out(`Delivered test event ${eventId} (answered ${attempt.statusCode})\n`);
        else out(`Test event ${eventId} failed: ${attempt.error ?? "unknown error"}; it will be retried\n`);
        return attempt?.outcome === "delivered" ? 0 : 1;
      }
      case "deliveries": {
        const limit = Number(values.limit ?? "50");
        if (!Number.isInteger(limit) || limit < 1 || limit > WEBHOOK_DELIVERY_LOG_MAX) throw new UsageError(`--limit takes 1–${WEBHOOK_DELIVERY_LOG_MAX}`);
        const endpointId = positionals[0];
        if (endpointId && !(await stores.webhooks.getEndpoint(endpointId))) throw new WebhookInputError(`no webhook endpoint ${endpointId}`);
        const deliveries = await listWebhookDeliveries(deps, { limit, ...(endpointId ? { endpointId } : {}) });
        if (values.json) {
          out(`${JSON.stringify(deliveries.map(deliveryJSON))}\n`);
          return 0;
        }
        out(`${["occurred", "endpoint", "event", "event id", "status", "attempts", "last result", "next attempt"].join("\t")}\n`);
        for (const d of deliveries) {
          const last = d.lastAttemptAt ? (d.lastError ?? `answered ${d.lastStatusCode}`) : "-";
          const next = d.status === "pending" ? d.nextAttemptAt.toISOString() : "-";
          out(`${[d.occurredAt.toISOString(), d.endpointId, d.eventType, d.eventId, d.status, d.attempts, last, next].join("\t")}\n`);
        }
        out(`${deliveries.length} deliver${deliveries.length === 1 ? "y" : "ies"}\n`);
        return 0;
      }
      default:
        throw new UsageError(
          action ? `unknown webhooks command: ${action}` : "webhooks needs a command: add, list, remove, resume, rotate-secret, test, deliveries",
        );
    }
  } finally {
    await stores.close();
    deps.mailer.close?.();
  }
}
