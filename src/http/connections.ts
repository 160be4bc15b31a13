// Connection-level answers in the public error shape: a request that arrives too slowly (408), whose
// request line and headers are too large (431) or that cannot be parsed (400), and requests that reach an instance that is shutting down (503, Connection: close).
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors/app-error.ts";
import { type ErrorCode, errorCatalogue } from "../errors/catalogue.ts";
import { messageForError } from "../messages/errors.ts";

/** Seconds a client should wait before sending again to an instance that is shutting down. */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

/**
 * For Fastify's `clientErrorHandler`: Node.js reports here a request that missed the headers or body
 * timeout, and one it could not parse. Nothing reached a route, so the answer is written to the socket.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // Node.js counts the request line with the headers (--max-http-header-size, 16 KiB): an address too long
  // for it overflows the same limit, so it too is 431, never 414 (no other limit on the address comes first).
  const code: ErrorCode =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "REQUEST_TIMEOUT" : error.code === "HPE_HEADER_OVERFLOW" ? "HEADERS_TOO_LARGE" : "VALIDATION_FAILED";
  const statusCode = errorCatalogue[code].status;
  const status = `${statusCode} ${STATUS_CODES[statusCode] ?? ""}`;
  const body = JSON.stringify({ error: { code, message: messageForError(code) } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * From the moment the instance starts to close, requests that still arrive (on connections that were
 * already open) are refused with 503 SERVICE_UNAVAILABLE and `Connection: close`, so the client or load
 * balancer retries on another instance.
 */
/** The detail of a request refused because the instance is stopping: a deploy, not an outage. */
export const SHUTTING_DOWN = "shutting down";

export function registerShutdownAnswers(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // A callback hook, not an async one: it runs on every request and almost always has nothing to do.
  app.addHook("onRequest", (_request, reply, done) => {
    if (!closing) return done();
    reply.header("connection", "close");
    done(new AppError("SERVICE_UNAVAILABLE", { retryAfter: SHUTDOWN_RETRY_AFTER_SECONDS, detail: SHUTTING_DOWN }));
  });
}
