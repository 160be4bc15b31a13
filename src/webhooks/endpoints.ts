// Managing webhook endpoints (the CLI and the admin console call these): add with a new signing secret
// shown once, list, remove, resume after a pause, rotate the signing secret, send a test event, read the
// delivery log.
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { generateId } from "../lib/crypto.ts";
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from "../stores/types.ts";
import { isWebhookEventType, testEvent, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./events.ts";
import { isForbiddenLiteralHost } from "./send.ts";
import { generateWebhookSecret, sealWebhookSecret } from "./signing.ts";
import { runWebhookDeliveryRound, type WebhookAttemptResult } from "./worker.ts";

export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DELIVERY_LOG_MAX = 1000;
/** How long the secret a rotation replaces keeps signing, unless the operator says otherwise. */
export const WEBHOOK_SECRET_GRACE_DEFAULT_SECONDS = 24 * 3600;
/** The longest grace period: an old secret that signs for longer would make the rotation pointless. */
export const WEBHOOK_SECRET_GRACE_MAX_SECONDS = 7 * 24 * 3600;

/** A refused input, with a message for the operator. */
export class WebhookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookInputError";
  }
}

/** Checks an endpoint URL: http(s), no credentials, no fragment, and no forbidden address literal. */
export function parseWebhookURL(input: string, allowPrivate: boolean): string {
  if (input.length === 0 || input.length > WEBHOOK_URL_MAX_LENGTH) throw new WebhookInputError(`the URL must be 1–${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new WebhookInputError(`${input} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookInputError("the URL must start with https:// (or http://)");
  // Credentials in the URL would be stored and shown in plain text; receivers verify the signature instead.
  if (url.username || url.password) throw new WebhookInputError("the URL must not contain a user name or password");
  if (url.hash) throw new WebhookInputError("the URL must not contain a #fragment");
  if (isForbiddenLiteralHost(url, allowPrivate)) {
    throw new WebhookInputError(`${url.hostname} is a loopback, private or reserved address (set LATCHKEY_WEBHOOKS_ALLOW_PRIVATE=1 to allow)`);
  }
  return url.href;
}

/** Parses "account.created,password.changed": every name must be a known event type. */
export function parseWebhookEventList(input: string): WebhookEventType[] {
  const names = [
    ...new Set(
      input
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0) throw new WebhookInputError(`name at least one event: ${WEBHOOK_EVENT_TYPES.join(", ")}`);
  const unknown = names.filter((n) => !isWebhookEventType(n));
  if (unknown.length > 0) throw new WebhookInputError(`unknown event ${unknown.join(", ")}; the events are ${WEBHOOK_EVENT_TYPES.join(", ")}`);
  return names as WebhookEventType[];
}

type EndpointDeps = Pick<Deps, "stores" | "clock" | "random" | "config" | "logger">;

const OPERATOR = { ip: null, userAgent: "latchkey CLI" };

/** Adds an endpoint. Returns it with its signing secret, which is shown this once and stored only encrypted. */
export async function addWebhookEndpoint(
  deps: EndpointDeps,
  input: { url: string; events: string },
): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
  const url = parseWebhookURL(input.url, deps.config.webhooks.allowPrivate);
  const events = parseWebhookEventList(input.events);
  const secret = generateWebhookSecret(deps.random);
  const endpoint = await deps.stores.webhooks.createEndpoint({
    id: `ep_${generateId(deps.random)}`,
    url,
    events,
    secretSealed: sealWebhookSecret(deps.config.secret, secret, deps.random),
    createdAt: deps.clock.now(),
  });
  await recordAuditEvent(deps, {
    type: "webhook.endpoint_added",
    accountId: null,
    context: OPERATOR,
    detail: { endpointId: endpoint.id, events: events.join(",") },
  });
  return { endpoint, secret };
}

export async function listWebhookEndpoints(deps: Pick<Deps, "stores">): Promise<WebhookEndpointRecord[]> {
  return deps.stores.webhooks.listEndpoints();
}

/** Removes an endpoint with its pending deliveries. False when there is none with this id. */
export async function removeWebhookEndpoint(deps: EndpointDeps, endpointId: string): Promise<boolean> {
  const removed = await deps.stores.webhooks.deleteEndpoint(endpointId);
  if (removed) await recordAuditEvent(deps, { type: "webhook.endpoint_removed", accountId: null, context: OPERATOR, detail: { endpointId } });
  return removed;
}

/** Resumes a paused endpoint: its waiting deliveries go out again. False when it was not paused. */
export async function resumeWebhookEndpoint(deps: EndpointDeps, endpointId: string): Promise<boolean> {
  const resumed = await deps.stores.webhooks.resumeEndpoint(endpointId);
  if (resumed) await recordAuditEvent(deps, { type: "webhook.endpoint_resumed", accountId: null, context: OPERATOR, detail: { endpointId } });
  return resumed;
}

/**
 * Gives the endpoint a new signing secret, returned this once and stored only encrypted. For `graceSeconds`
 * (0 to 7 days, 24 h unless given) every request is signed with the new and with the replaced secret, so
 * receivers keep accepting requests until they are given the new one; after it, with the new one only. The
 * endpoint keeps its id, subscriptions and waiting deliveries (each is signed when it is sent). A secret
 * replaced earlier, still in its grace period, stops signing now. Throws WebhookInputError for an unknown
 * endpoint or a grace period out of range.
 */
export async function rotateWebhookSecret(
  deps: EndpointDeps,
  endpointId: string,
  options: { graceSeconds?: number } = {},
): Promise<{ endpoint: WebhookEndpointRecord; secret: string; previousSecretValidUntil: Date | null }> {
  const graceSeconds = options.graceSeconds ?? WEBHOOK_SECRET_GRACE_DEFAULT_SECONDS;
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > WEBHOOK_SECRET_GRACE_MAX_SECONDS) {
    throw new WebhookInputError(`the grace period must be 0 to ${WEBHOOK_SECRET_GRACE_MAX_SECONDS / 86400} days`);
  }
  const secret = generateWebhookSecret(deps.random);
  const previousSecretValidUntil = graceSeconds === 0 ? null : new Date(deps.clock.now().getTime() + graceSeconds * 1000);
  const endpoint = await deps.stores.webhooks.rotateEndpointSecret(endpointId, {
    secretSealed: sealWebhookSecret(deps.config.secret, secret, deps.random),
    previousExpiresAt: previousSecretValidUntil,
  });
  if (!endpoint) throw new WebhookInputError(`no webhook endpoint ${endpointId}`);
  await recordAuditEvent(deps, {
    type: "webhook.endpoint_secret_rotated",
    accountId: null,
    context: OPERATOR,
    detail: { endpointId, graceSeconds },
  });
  return { endpoint, secret, previousSecretValidUntil };
}

/**
 * Queues a `webhook.test` event for one endpoint and tries it at once. Returns the attempt, or null when
 * it could not be tried here (the endpoint is paused, or a server's worker took it first); a failed test
 * is retried like any delivery. Throws WebhookInputError for an unknown endpoint.
 */
export async function sendTestWebhook(
  deps: EndpointDeps & Pick<Deps, "mailer">,
  endpointId: string,
): Promise<{ eventId: string; paused: boolean; attempt: WebhookAttemptResult | null }> {
  const endpoint = await deps.stores.webhooks.getEndpoint(endpointId);
  if (!endpoint) throw new WebhookInputError(`no webhook endpoint ${endpointId}`);
  const event = testEvent(deps, endpoint.id);
  await deps.stores.webhooks.recordEvents([event], { endpointId: endpoint.id });
  const [attempt] = await runWebhookDeliveryRound(deps, { deliveryId: `${event.id}.${endpoint.id}` });
  return { eventId: event.id, paused: endpoint.pausedAt !== null, attempt: attempt ?? null };
}

/** The delivery log, newest first: of one endpoint, or of all. For `latchkey webhooks deliveries` and the admin console. */
export async function listWebhookDeliveries(deps: Pick<Deps, "stores">, query: { endpointId?: string; limit?: number } = {}): Promise<WebhookDeliveryRecord[]> {
  const limit = Math.min(Math.max(1, query.limit ?? 100), WEBHOOK_DELIVERY_LOG_MAX);
  return deps.stores.webhooks.listDeliveries({ limit, ...(query.endpointId !== undefined ? { endpointId: query.endpointId } : {}) });
}
