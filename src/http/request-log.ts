// Request logs. Production (and tests) keep Fastify's JSON lines for log collectors; development prints one
// line per answered request (see src/lib/readable-log.ts).
import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/** The path of a request URL with every query value hidden: tokens and codes travel in query strings. */
export function pathForLog(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  const names = url
    .slice(query + 1)
    .split("&")
    .filter(Boolean)
    .map((pair) => `${pair.split("=")[0]}=…`);
  return `${url.slice(0, query)}?${names.join("&")}`;
}

/** Fastify's request logging with one line per answered request instead of "incoming" and "completed". */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { request: { method: request.method, path: pathForLog(request.url), status: reply.statusCode, ms: reply.elapsedTime } };
    if (error) reply.log.error({ ...line, err: error }, "request");
    else reply.log.info(line, "request");
  }
}
