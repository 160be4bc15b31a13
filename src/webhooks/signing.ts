// Standard Webhooks signing: each endpoint has its own secret `whsec_<base64>`; a request carries
// webhook-id, webhook-timestamp and webhook-signature `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
// keyed with the base64-decoded part after `whsec_`, so receivers can verify with any library of the scheme.
// While a rotated secret's grace period lasts, the header holds one such value per secret, space-separated,
// and a receiver that knows either secret accepts the request.
import { createHmac } from "node:crypto";
import { sealJSON, unsealJSON } from "../lib/crypto.ts";
import type { Random } from "../lib/random.ts";

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;
const SEAL_PURPOSE = "webhook-signing-secret";

/** A new signing secret: 256 random bits, base64, with the scheme's prefix. */
export function generateWebhookSecret(random: Random): string {
  return `${SECRET_PREFIX}${random.bytes(SECRET_BYTES).toString("base64")}`;
}

// The secret is encrypted, not hashed: signing needs the secret itself, so it must be recoverable. Sealed
// under LATCHKEY_SECRET (AES-256-GCM), a copy of the database alone does not let anyone forge events.
export function sealWebhookSecret(appSecret: string, webhookSecret: string, random: Random): string {
  return sealJSON(appSecret, SEAL_PURPOSE, webhookSecret, random);
}

/** The endpoint's secret, or null when it was sealed under another LATCHKEY_SECRET. */
export function unsealWebhookSecret(appSecret: string, sealed: string): string | null {
  const secret = unsealJSON<string>(appSecret, SEAL_PURPOSE, sealed);
  return typeof secret === "string" && secret.startsWith(SECRET_PREFIX) ? secret : null;
}

export interface WebhookSignatureHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The three headers for sending `body` as event `eventId` at `at`, signed with each of `webhookSecrets` in
 * that order (the current secret first, then the one it replaced while that is still in its grace period).
 */
export function signWebhook(webhookSecrets: readonly string[], eventId: string, at: Date, body: string): WebhookSignatureHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signatures = webhookSecrets.map((secret) => {
    const key = Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
    return `v1,${createHmac("sha256", key).update(`${eventId}.${timestamp}.${body}`).digest("base64")}`;
  });
  return { "webhook-id": eventId, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}
