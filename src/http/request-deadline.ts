// LATCHKEY_REQUEST_TIMEOUT: an answer not ready in time (storage that hangs) becomes 503. Fastify's own
// handlerTimeout does this with a timer, an AbortController and a close listener per request, and aborts
// that controller when every request ends (a DOMException each time): a large share of a session check's
// CPU. Here each request only enters a set (and leaves it when answered), and one timer sweeps the set a few
// times per timeout; an answer comes at most a quarter of the timeout (at most a second) late, with the same
// error Fastify raises.
import { errorCodes, type FastifyInstance, type FastifyReply } from "fastify";

interface InFlight {
  reply: FastifyReply;
  deadline: number;
}

const entryOf = Symbol("request deadline");

function finished(reply: FastifyReply): boolean {
  return reply.sent || reply.raw.writableEnded || reply.raw.destroyed;
}

/** Registers the deadline on every request (call it before other onRequest hooks, so it covers them). */
export function registerRequestDeadline(app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  const inFlight = new Set<InFlight>();
  const expire = (entry: InFlight): void => {
    const { reply } = entry;
    const error = new errorCodes.FST_ERR_HANDLER_TIMEOUT(timeoutMs, reply.request.routeOptions.url ?? reply.request.url);
    // The answer has started (a stream): it cannot become an error any more, only be cut off.
    if (reply.raw.headersSent) reply.raw.destroy(error);
    else reply.send(error);
  };
  const sweep = (): void => {
    const now = performance.now();
    for (const entry of inFlight) {
      // Answered without onResponse (the client went away): nothing to do but forget it.
      if (finished(entry.reply)) inFlight.delete(entry);
      else if (entry.deadline <= now) {
        inFlight.delete(entry);
        expire(entry);
      }
    }
  };
  const timer = setInterval(sweep, Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4))));
  timer.unref();
  app.addHook("onClose", (_instance, done) => {
    clearInterval(timer);
    done();
  });
  app.addHook("onRequest", (_request, reply, done) => {
    const entry: InFlight = { reply, deadline: performance.now() + timeoutMs };
    (reply as FastifyReply & { [entryOf]?: InFlight })[entryOf] = entry;
    inFlight.add(entry);
    done();
  });
  app.addHook("onResponse", (_request, reply, done) => {
    const entry = (reply as FastifyReply & { [entryOf]?: InFlight })[entryOf];
    if (entry) inFlight.delete(entry);
    done();
  });
}
