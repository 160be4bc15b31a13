// Proof-of-work puzzles for clients, and the check in front of the routes that need a solved one.
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import { formField, ownValue } from "../http/forms.ts";
import { clientAddressOf } from "../http/request-context.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { normalizePowIdentifier, powDifficultyFor } from "./difficulty.ts";
import { createPowPuzzle, POW_PURPOSES, type PowPurpose, requirePowProof, verifyPowProof } from "./puzzles.ts";

const PowProof = Type.Object({ id: Type.String({ maxLength: 64 }), nonce: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** The `pow` field of a request body: a puzzle id and the nonce that solves it. */
export const PowProofField = Type.Optional(PowProof);

const CreateBody = Type.Object(
  {
    purpose: Type.Union(POW_PURPOSES.map((p) => Type.Literal(p))),
    /** The identifier the guarded request will name, when known: its recent failures raise the difficulty. */
    identifier: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/**
 * A preHandler that lets the request through only with a solved puzzle of `purpose` (when proof of work is
 * on), made at the difficulty the body's `identifier`, if it names one, requires.
 */
export function requirePow(deps: Pick<Deps, "stores" | "clock" | "config">, purpose: PowPurpose) {
  return async (request: FastifyRequest): Promise<void> => {
    // The route's schema has already checked the fields; the checks here only give them their types.
    const proof = ownValue(request.body, "pow");
    const named = ownValue(request.body, "identifier");
    const identifier = normalizePowIdentifier(deps.config, typeof named === "string" ? named : undefined);
    await requirePowProof(deps, { proof: Value.Check(PowProof, proof) ? proof : undefined, purpose, binding: requesterBinding(request), identifier });
  };
}

/**
 * The hidden fields a page form carries for a proof of work, and the static script whose worker fills
 * them. A page sent without them (no JavaScript) is not refused: its action asks for the security check.
 */
export function powFields(purpose: PowPurpose): SafeHtml {
  return html`<input type="hidden" name="powId" value="" data-pow-purpose="${purpose}"><input type="hidden" name="powNonce" value=""><script src="/assets/pow.js" defer></script>`;
}

/**
 * True when the posted form carries a valid proof of work for `purpose`, made at the difficulty the form's
 * `identifier` field requires (the puzzle is spent either way).
 */
export async function powFromFormIsValid(deps: Pick<Deps, "stores" | "clock" | "config">, request: FastifyRequest, purpose: PowPurpose): Promise<boolean> {
  const id = formField(request, "powId", 64);
  const nonce = formField(request, "powNonce", 64);
  if (!id || !nonce) return false;
  const identifier = normalizePowIdentifier(deps.config, formField(request, "identifier", 1024) || undefined);
  return (await verifyPowProof(deps, { proof: { id, nonce }, purpose, binding: requesterBinding(request), identifier })) === "valid";
}

export function registerPowRoutes(app: TypedApp, deps: Deps): void {
  app.post("/api/v1/pow", { schema: { body: CreateBody }, preHandler: limitClient(deps, "captcha") }, async (request, reply) => {
    const { purpose } = request.body;
    const identifier = normalizePowIdentifier(deps.config, request.body.identifier);
    const difficulty = await powDifficultyFor(deps, { ip: clientAddressOf(request), identifier });
    const puzzle = await createPowPuzzle(deps, { purpose, binding: requesterBinding(request), difficulty, identifier });
    return reply.code(201).send(puzzle);
  });
}
