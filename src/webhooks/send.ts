// Sends one signed webhook request: POST to the configured URL only, no redirects followed, a deadline for
// the whole exchange, and (unless private addresses are allowed) no connection to a forbidden address.
// The address is checked where the connection is made, after DNS resolution, so a name that resolves to a
// public address when the endpoint is added and to 127.0.0.1 later (DNS rebinding) is still refused.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isForbiddenWebhookAddress } from "./address-policy.ts";

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface WebhookResponse {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed, for the delivery log (never the body the receiver sent). */
  error: string | null;
}

const USER_AGENT = "Latchkey-Webhooks/1";
/** How much of a receiver's answer is read before the connection is dropped. */
const RESPONSE_READ_LIMIT = 64 * 1024;

export class ForbiddenAddressError extends Error {
  readonly code = "WEBHOOK_ADDRESS_FORBIDDEN";
  constructor(host: string) {
    super(`${host} resolves only to loopback, private or reserved addresses (set LATCHKEY_WEBHOOKS_ALLOW_PRIVATE=1 to allow)`);
  }
}

/** A DNS lookup that drops forbidden addresses, and fails when none is left. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 4);
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isForbiddenWebhookAddress(a.address));
      const first = usable[0];
      if (!first) return callback(new ForbiddenAddressError(hostname), "", 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      return callback(null, first.address, first.family);
    });
  };
}

/** True when the URL's host is an address literal that the policy forbids (checked before connecting too). */
export function isForbiddenLiteralHost(url: URL, allowPrivate: boolean): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return !allowPrivate && isIP(host) !== 0 && isForbiddenWebhookAddress(host);
}

export async function sendWebhookRequest(request: WebhookRequest): Promise<WebhookResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, statusCode: null, error: "invalid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, statusCode: null, error: "only http and https URLs" };
  // Address literals skip DNS, so the lookup guard never sees them: check them here.
  if (isForbiddenLiteralHost(url, request.allowPrivate)) return { ok: false, statusCode: null, error: new ForbiddenAddressError(url.hostname).message };
  const client = url.protocol === "https:" ? https : http;
  const body = Buffer.from(request.body, "utf8");
  return new Promise<WebhookResponse>((resolve) => {
    let settled = false;
    const finish = (response: WebhookResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(response);
    };
    const req = client.request(url, {
      method: "POST",
      headers: { ...request.headers, "content-type": "application/json", "content-length": String(body.length), "user-agent": USER_AGENT },
      lookup: guardedLookup(request.allowPrivate),
      // A fresh connection per request: no pooled socket outlives the address check.
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, statusCode: null, error: `no answer within ${request.timeoutMs} ms` });
    }, request.timeoutMs);
    req.on("socket", (socket) => {
      socket.once("connect", () => {
        // Second line of defence: whatever resolved, the connected peer must be allowed.
        const peer = socket.remoteAddress ?? "";
        if (!request.allowPrivate && isForbiddenWebhookAddress(peer)) {
          req.destroy();
          finish({ ok: false, statusCode: null, error: new ForbiddenAddressError(url.hostname).message });
        }
      });
    });
    req.on("error", (error: Error) =>
      finish({
        ok: false,
        statusCode: null,
        error: error instanceof ForbiddenAddressError ? error.message : `request failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
      }),
    );
    req.on("response", (res) => {
      const statusCode = res.statusCode ?? 0;
      let read = 0;
      const done = (): void => {
        const ok = statusCode >= 200 && statusCode < 300;
        // Redirects are not followed: a webhook goes to the configured URL or nowhere.
        const error = ok ? null : statusCode >= 300 && statusCode < 400 ? `answered ${statusCode} (redirects are not followed)` : `answered ${statusCode}`;
        finish({ ok, statusCode, error });
      };
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > RESPONSE_READ_LIMIT) {
          res.destroy();
          done();
        }
      });
      res.on("end", done);
      res.on("error", done);
      res.on("close", done);
    });
    req.end(body);
  });
}
