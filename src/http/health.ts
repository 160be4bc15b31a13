// Liveness and readiness for load balancers and orchestrators.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../deps.ts";

/** Prometheus text of every metric. */
export function registerMetricsRoute(app: FastifyInstance, deps: Pick<Deps, "metrics">): void {
  app.get("/metrics", async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}

/** How long /readyz waits for each backend's write probe: a load balancer needs an answer, not a hang. */
export const READINESS_TIMEOUT_MS = 400;

export function registerHealthRoutes(app: FastifyInstance, deps: Pick<Deps, "stores">): void {
  app.get("/healthz", async (_request, reply) => reply.send({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const { ready, ...checks } = await deps.stores.checkReadiness(READINESS_TIMEOUT_MS);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", checks });
  });
}
