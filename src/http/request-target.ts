// Refuses the asterisk-form request target ("GET * HTTP/1.1"), which the router would otherwise treat as
// the start page. RFC 9110 (7.1) allows it only with OPTIONS, asking about the server as a whole.
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors/app-error.ts";
import type { MethodCheck } from "./method-check.ts";

export function registerRequestTargetCheck(app: FastifyInstance, methods: MethodCheck): void {
  // A callback hook, not an async one: it runs on every request and almost always has nothing to do.
  app.addHook("onRequest", (request, reply, done) => {
    const target = request.raw.url ?? "";
    if (!target.startsWith("*")) return done();
    // "OPTIONS *" is a question about the server: the methods that some address takes, no body.
    if (request.method === "OPTIONS" && target === "*") {
      reply.code(204).header("allow", methods.serverMethods().join(", ")).send();
      return;
    }
    done(new AppError("VALIDATION_FAILED", { detail: `${request.method} with an asterisk-form request target` }));
  });
}
