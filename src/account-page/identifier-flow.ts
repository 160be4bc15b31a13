// Adding (and removing) an e-mail address or mobile number on the account page: the flow's typed state,
// what a step may answer, and the services both the pages and the API call. Starting to add one and
// removing one need a recent confirmation ("confirm it's you", CONFIRMED_ROUTES in
// src/factors/step-up-guard.ts), checked before the first step runs.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> identifier
//     identifier --> identifier: refused (format, already yours, send limit, delivery) / remove refused
//     identifier --> code: code-sent (to a free identifier; the owner of a taken one is told instead)
//     code --> code: refused (wrong or expired code) / code resent
//     code --> done: identifier-added
//     identifier --> done: identifier-removed
//     done --> [*]
// ```
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { IdentifierRecord } from "../stores/types.ts";
import { confirmAddingIdentifier, removeIdentifier, startAddingIdentifier } from "./identifiers.ts";

export const IDENTIFIER_FLOW_KIND = "add_identifier";
export const IDENTIFIER_FLOW_TTL_SECONDS = 30 * 60;

/** Where adding an identifier stands. `done` is never stored: a finished step leaves the flow. */
export type IdentifierStep = "identifier" | "code" | "done";

export interface IdentifierState {
  step: IdentifierStep;
  /** As typed. */
  identifier: string;
  /** code: where the code went, as shown to people, and by which channel. */
  sentTo?: string;
  channel?: "email" | "phone";
  /** code: a new code was just sent. */
  resent?: boolean;
  error: FlowError | null;
}

export type IdentifierResult =
  | { kind: "code-sent"; to: string; state: IdentifierState }
  | { kind: "refused"; state: IdentifierState; refusal: Refusal }
  | { kind: "identifier-added"; identifier: IdentifierRecord }
  | { kind: "identifier-removed" }
  | { kind: "not-removed"; refusal: Refusal; state: IdentifierState };

type IdentifierDeps = Parameters<typeof startAddingIdentifier>[0];

export function newIdentifierState(): IdentifierState {
  return { step: "identifier", identifier: "", error: null };
}

function refusedAt(step: IdentifierStep, identifier: string, refusal: Refusal): IdentifierResult {
  return { kind: "refused", state: { step, identifier, error: flowErrorOf(refusal) }, refusal };
}

/** Sends a code to the new identifier (or a notice to the owner of a taken one: the same answer). */
export async function runAddIdentifier(deps: IdentifierDeps, input: { accountId: string; identifier: string; locale?: Locale }): Promise<IdentifierResult> {
  const started = await refusalOrValue(() => startAddingIdentifier(deps, input.accountId, input.identifier, input.locale), ["DELIVERY_FAILED"]);
  if ("refusal" in started) return refusedAt("identifier", input.identifier, started.refusal);
  const sent = started.value;
  return { kind: "code-sent", to: sent.display, state: { step: "code", identifier: input.identifier, sentTo: sent.display, channel: sent.kind, error: null } };
}

/** Sends the code again. */
export async function runResendIdentifierCode(
  deps: IdentifierDeps,
  input: { accountId: string; identifier: string; locale?: Locale },
): Promise<IdentifierResult> {
  const started = await refusalOrValue(() => startAddingIdentifier(deps, input.accountId, input.identifier, input.locale), ["DELIVERY_FAILED"]);
  if ("refusal" in started) return refusedAt("code", input.identifier, started.refusal);
  return { kind: "code-sent", to: started.value.display, state: { step: "code", identifier: input.identifier, resent: true, error: null } };
}

/** Adds the identifier once its code checks out. */
export async function runConfirmIdentifier(
  deps: IdentifierDeps,
  input: { accountId: string; identifier: string; code: string; context: SessionContext },
): Promise<IdentifierResult> {
  const added = await refusalOrValue(() => confirmAddingIdentifier(deps, input.accountId, input));
  if ("refusal" in added) return refusedAt("code", input.identifier, added.refusal);
  return { kind: "identifier-added", identifier: added.value };
}

/** Removes one identifier unless it is the account's last confirmed one. */
export async function runRemoveIdentifier(
  deps: IdentifierDeps,
  input: { accountId: string; identifierId: string; context: SessionContext },
): Promise<IdentifierResult> {
  const removed = await refusalOrValue(() => removeIdentifier(deps, input.accountId, input.identifierId, input.context));
  if ("refusal" in removed) return { kind: "not-removed", refusal: removed.refusal, state: { ...newIdentifierState(), error: flowErrorOf(removed.refusal) } };
  return { kind: "identifier-removed" };
}
