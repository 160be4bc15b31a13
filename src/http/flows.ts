// Page forms follow POST → 303 → GET. What the next GET must show (errors per field, the values typed
// except passwords, a notice) is kept briefly under a random flow id, bound to the browser that posted.
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { AppError } from "../errors/app-error.ts";
import type { ErrorCode } from "../errors/catalogue.ts";
import { generateId, sha256Hex } from "../lib/crypto.ts";
import { messageForError } from "../messages/errors.ts";

export const FLOW_TTL_SECONDS = 30 * 60;

export interface FieldError {
  field: string | null;
  code: ErrorCode;
  message: string;
  /** Values the person can pick instead of retyping (e.g. the readings of a phone number without `+`). */
  choices?: { value: string; label: string }[];
}

export interface FlowState {
  values: Record<string, string>;
  errors: FieldError[];
  /** Extra state a page needs (e.g. which identifier a code was sent to). */
  data?: Record<string, string>;
}

export function fieldErrorFrom(error: AppError): FieldError {
  const base: FieldError = { field: error.field ?? null, code: error.code, message: messageForError(error.code, error.params) };
  const choices = error.extra?.choices;
  return Array.isArray(choices) && choices.length > 0 ? { ...base, choices: choices as { value: string; label: string }[] } : base;
}

function ownerOf(request: FastifyRequest): string {
  return sha256Hex(`flow:${request.browserId || "none"}`);
}

/** Stores the state and returns its id, for `?flow=<id>` in the redirect. */
export async function saveFlow(deps: Pick<Deps, "stores" | "random" | "config">, request: FastifyRequest, state: FlowState): Promise<string> {
  const id = generateId(deps.random);
  await deps.stores.shortLived.set(`flow:${id}`, JSON.stringify({ owner: ownerOf(request), state }), FLOW_TTL_SECONDS);
  return id;
}

/**
 * The state saved under `id` by this browser, removed in the same step, or null: exactly one request can
 * take it (for state that must be used once, such as a sealed password waiting for a confirmation).
 */
export async function takeFlow(deps: Pick<Deps, "stores" | "config">, request: FastifyRequest, id: unknown): Promise<FlowState | null> {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{20}$/.test(id)) return null;
  const raw = await deps.stores.shortLived.getAndDelete(`flow:${id}`);
  if (!raw) return null;
  const parsed = JSON.parse(raw) as { owner: string; state: FlowState };
  if (parsed.owner !== ownerOf(request)) return null;
  return parsed.state;
}

/** The state saved under `id` by this browser, or null. */
export async function loadFlow(deps: Pick<Deps, "stores" | "config">, request: FastifyRequest, id: unknown): Promise<FlowState | null> {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{20}$/.test(id)) return null;
  const raw = await deps.stores.shortLived.get(`flow:${id}`);
  if (!raw) return null;
  const parsed = JSON.parse(raw) as { owner: string; state: FlowState };
  // Another browser holding the link sees a clean form, not someone else's typed address.
  if (parsed.owner !== ownerOf(request)) return null;
  return parsed.state;
}
