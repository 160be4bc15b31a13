// How views show a flow's error (FieldError), and page state between POST → 303 → GET for the single
// forms that are not processes (the admin console; see docs/architecture.md): errors per field, the values
// typed except passwords, and a little page data, kept in the FlowStore as kind "form", bound to the
// browser that posted.
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { AppError } from "../errors/app-error.ts";
import type { ErrorCode } from "../errors/catalogue.ts";
import type { FlowError } from "../flows/refusal.ts";
import { generateId } from "../lib/crypto.ts";
import { messageForError } from "../messages/errors.ts";
import { flowOwnerOf, isFlowId } from "./flow-adapter.ts";

export const FLOW_TTL_SECONDS = 30 * 60;
const FORM_KIND = "form";

/** An error as a view shows it: the code's message text, looked up when the page is drawn. */
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

/** A flow's kept error as the view shows it, with its message text. */
export function fieldErrorOf(error: FlowError): FieldError {
  const base: FieldError = { field: error.field, code: error.code, message: messageForError(error.code, error.params) };
  return error.choices ? { ...base, choices: error.choices } : base;
}

/** Stores the state and returns its id, for `?flow=<id>` in the redirect. */
export async function saveFlow(deps: Pick<Deps, "stores" | "random">, request: FastifyRequest, state: FlowState): Promise<string> {
  const id = generateId(deps.random);
  await deps.stores.flows.createFlow({ id, kind: FORM_KIND, owner: flowOwnerOf(request), state: JSON.stringify(state), ttlSeconds: FLOW_TTL_SECONDS });
  return id;
}

/** The state saved under `id` by this browser, or null. */
export async function loadFlow(deps: Pick<Deps, "stores">, request: FastifyRequest, id: unknown): Promise<FlowState | null> {
  if (!isFlowId(id)) return null;
  // Another browser holding the link sees a clean form, not someone else's typed address.
  const found = await deps.stores.flows.getFlow(id, FORM_KIND, flowOwnerOf(request));
  return found ? (JSON.parse(found.state) as FlowState | null) : null;
}
