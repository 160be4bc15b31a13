// SMS senders: the outbox (.sms.json files) for development, and a webhook that POSTs signed JSON to a
// gateway of the operator's choice.
import type { Config } from "../config/load.ts";
import type { Clock } from "../lib/clock.ts";
import { hmacHex } from "../lib/crypto.ts";
import type { Random } from "../lib/random.ts";
import { outboxFileName, writeOutboxFile } from "./mailer.ts";
import { DeliveryError, type SMSMessage, type SMSSender } from "./types.ts";

export const SMS_SIGNATURE_HEADER = "x-latchkey-signature";
export const SMS_TIMESTAMP_HEADER = "x-latchkey-timestamp";

/** The signature a webhook receiver recomputes: HMAC-SHA256 over "<timestamp>.<body>". */
export function signSMSWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${hmacHex(secret, timestamp, body)}`;
}

export function createSMSSender(config: Pick<Config, "sms" | "outboxDir">, clock: Clock, random: Random): SMSSender {
  const sms = config.sms;
  if (sms.provider === "webhook") {
    return {
      async sendSMS(message: SMSMessage) {
        const timestamp = String(Math.floor(clock.now().getTime() / 1000));
        const body = JSON.stringify({ to: message.to, body: message.body, createdAt: clock.now().toISOString() });
        let response: Response;
        try {
          response = await fetch(sms.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              [SMS_TIMESTAMP_HEADER]: timestamp,
              [SMS_SIGNATURE_HEADER]: signSMSWebhookBody(sms.secret, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(10_000),
          });
        } catch (cause) {
          throw new DeliveryError("SMS webhook unreachable", { cause });
        }
        if (!response.ok) throw new DeliveryError(`SMS webhook answered ${response.status}`);
      },
    };
  }
  return {
    async sendSMS(message: SMSMessage) {
      try {
        const content = JSON.stringify({ to: message.to, body: message.body, createdAt: clock.now().toISOString() }, null, 2);
        await writeOutboxFile(config.outboxDir, outboxFileName(clock, random, ".sms.json"), `${content}\n`);
      } catch (cause) {
        throw new DeliveryError("writing to the outbox failed", { cause });
      }
    },
  };
}
