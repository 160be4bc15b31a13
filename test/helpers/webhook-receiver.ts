// A real webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request (headers, raw
// body, the sender's port) and answers as the test tells it to.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The sender's local port (to tell which process sent it). */
  remotePort: number;
  id: string;
  type: string;
  accountId: string | null;
}

/** What to do with a request: a status code, or a function that answers (or never does). */
export type WebhookResponder = (request: ReceivedWebhook, res: ServerResponse) => number | undefined | Promise<number | undefined>;

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  respond: WebhookResponder;
  /** Resolves when `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const receiver: WebhookReceiver = {
    url: "",
    port: 0,
    received,
    respond: () => 200,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} of ${count} webhooks arrived`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received.slice(0, count);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let parsed: { id?: string; type?: string; data?: { accountId?: string } } = {};
      try {
        parsed = JSON.parse(body);
      } catch {}
      const entry: ReceivedWebhook = {
        path: req.url ?? "/",
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")])),
        body,
        remotePort: req.socket.remotePort ?? 0,
        id: parsed.id ?? "",
        type: parsed.type ?? "",
        accountId: parsed.data?.accountId ?? null,
      };
      received.push(entry);
      for (const w of waiters.splice(0)) w();
      const status = await receiver.respond(entry, res);
      if (status !== undefined && !res.headersSent) res.writeHead(status).end(status >= 400 ? "no" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
  return receiver;
}

/**
 * Verifies a received webhook with the `standardwebhooks` package (an implementation of the scheme
 * independent of ours) and returns the parsed envelope; throws when the signature does not match.
 * The package also refuses a timestamp more than five minutes from the real time.
 */
export function verifyWithStandardWebhooks(secret: string, webhook: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(webhook.body, {
    "webhook-id": webhook.headers["webhook-id"] ?? "",
    "webhook-timestamp": webhook.headers["webhook-timestamp"] ?? "",
    "webhook-signature": webhook.headers["webhook-signature"] ?? "",
  });
}
