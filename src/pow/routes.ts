// Proof-of-work puzzles for clients, and the check in front of the routes that need a solved one.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { createPowPuzzle, POW_PURPOSES, type PowPurpose, powDifficultyFor, requirePowProof } from "./puzzles.ts";

/** The `pow` field of a request body: a puzzle id and the nonce that solves it. */
export const PowProofField = Type.Optional(
  Type.Object({ id: Type.String({ maxLength: 64 }), nonce: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
);

const CreateBody = Type.Object({ purpose: Type.Union(POW_PURPOSES.map((p) => Type.Literal(p))) }, { additionalProperties: false });

/** A preHandler that lets the request through only with a solved puzzle of `purpose` (when proof of work is on). */
export function requirePow(deps: Pick<Deps, "stores" | "clock" | "config">, purpose: PowPurpose) {
  return async (request: FastifyRequest): Promise<void> => {
    const body = request.body as { pow?: { id: string; nonce: string } } | undefined;
    await requirePowProof(deps, { proof: body?.pow, purpose, binding: requesterBinding(request) });
  };
}

export function registerPowRoutes(app: FastifyInstance, deps: Deps): void {
  app.post("/api/v1/pow", { schema: { body: CreateBody }, preHandler: limitClient(deps, "captcha") }, async (request, reply) => {
    const { purpose } = request.body as Static<typeof CreateBody>;
    const difficulty = await powDifficultyFor(deps, request.ip);
    const puzzle = await createPowPuzzle(deps, { purpose, binding: requesterBinding(request), difficulty });
    return reply.code(201).send(puzzle);
  });
}
