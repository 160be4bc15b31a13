// What a log line may say about a request. Query strings carry secrets (reset tokens, confirmation codes)
// and identifiers (e-mail addresses, phone numbers), so every query value is replaced before logging; the
// names stay, which is enough to follow what happened.
import type { FastifyRequest } from "fastify";
import { clientAddressOf } from "./request-context.ts";

export const REDACTED = "[redacted]";

/** The URL with every query value replaced by "[redacted]": "/verify?identifier=[redacted]&code=[redacted]". */
export function redactURL(url: string): string {
  const mark = url.indexOf("?");
  if (mark === -1) return url;
  const query = url.slice(mark + 1);
  if (query === "") return url;
  const names = query.split("&").map((pair) => {
    const equals = pair.indexOf("=");
    const name = equals === -1 ? pair : pair.slice(0, equals);
    // A name longer than a normal parameter could itself be a pasted secret.
    return name.length > 40 ? REDACTED : `${name}=${REDACTED}`;
  });
  return `${url.slice(0, mark)}?${names.join("&")}`;
}

/** The request as the log shows it (replaces pino's default serializer, which logs the raw URL). */
export function serializeRequestForLog(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactURL(request.url),
    host: request.host,
    remoteAddress: clientAddressOf(request),
    remotePort: request.socket?.remotePort,
  };
}
