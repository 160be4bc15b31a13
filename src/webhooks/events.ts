// The account events that webhook receivers can subscribe to, and one builder per event that decides
// what its `data` holds: the account id and only what the event needs, never a secret or a hash.
import type { Deps } from "../deps.ts";
import { generateId } from "../lib/crypto.ts";
import type { IdentifierKind } from "../lib/identifier-parsing.ts";
import type { AccountRecord, IdentifierRecord, NewWebhookEvent } from "../stores/types.ts";

export const WEBHOOK_EVENT_TYPES = [
  "account.created",
  "account.verified",
  "account.updated",
  "account.disabled",
  "account.enabled",
  "account.deleted",
  "identifier.added",
  "identifier.removed",
  "password.changed",
  "password.reset",
  "session.revoked",
  "second_factor.added",
  "second_factor.removed",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by `latchkey webhooks test` to one endpoint, whatever it subscribed to. */
export const WEBHOOK_TEST_EVENT_TYPE = "webhook.test";

export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/** Who or what made a change: the account itself, an administrator, or the system. */
export type WebhookActor = { kind: "account" } | { kind: "admin"; accountId: string | null } | { kind: "system" };

type EventDeps = Pick<Deps, "clock" | "random">;

interface IdentifierData {
  id: string;
  kind: IdentifierKind;
  /** The normalised value (lower-case e-mail address, or E.164 number). */
  value: string;
}

function identifierData(identifier: Pick<IdentifierRecord, "id" | "kind" | "value">): IdentifierData {
  return { id: identifier.id, kind: identifier.kind, value: identifier.value };
}

function actorData(actor: WebhookActor): Record<string, unknown> {
  return actor.kind === "admin" ? { actor: { kind: "admin", ...(actor.accountId ? { accountId: actor.accountId } : {}) } } : { actor: { kind: actor.kind } };
}

function newEvent(
  deps: EventDeps,
  type: WebhookEventType | typeof WEBHOOK_TEST_EVENT_TYPE,
  accountId: string | null,
  data: Record<string, unknown>,
): NewWebhookEvent {
  // The event id is the receiver's deduplication key; `evt_` makes it recognisable in their logs.
  return { id: `evt_${generateId(deps.random)}`, type, accountId, occurredAt: deps.clock.now(), data };
}

/** An account became usable: its first identifier was confirmed (or an admin created it confirmed). */
export function accountCreatedEvent(
  deps: EventDeps,
  account: Pick<AccountRecord, "id" | "name">,
  identifiers: Array<Pick<IdentifierRecord, "id" | "kind" | "value">>,
  actor: WebhookActor,
): NewWebhookEvent {
  return newEvent(deps, "account.created", account.id, {
    accountId: account.id,
    name: account.name,
    identifiers: identifiers.map(identifierData),
    ...actorData(actor),
  });
}

/** An identifier of the account was confirmed by its owner with a code. */
export function accountVerifiedEvent(deps: EventDeps, accountId: string, identifier: Pick<IdentifierRecord, "id" | "kind" | "value">): NewWebhookEvent {
  return newEvent(deps, "account.verified", accountId, { accountId, identifier: identifierData(identifier) });
}

/** Profile fields changed; `changes` names the fields with their new values (e.g. name). */
export function accountUpdatedEvent(deps: EventDeps, accountId: string, changes: { name?: string | null }, actor: WebhookActor): NewWebhookEvent {
  return newEvent(deps, "account.updated", accountId, { accountId, changes, ...actorData(actor) });
}

export function accountDisabledEvent(deps: EventDeps, accountId: string, actor: WebhookActor): NewWebhookEvent {
  return newEvent(deps, "account.disabled", accountId, { accountId, ...actorData(actor) });
}

export function accountEnabledEvent(deps: EventDeps, accountId: string, actor: WebhookActor): NewWebhookEvent {
  return newEvent(deps, "account.enabled", accountId, { accountId, ...actorData(actor) });
}

export function accountDeletedEvent(deps: EventDeps, accountId: string, actor: WebhookActor): NewWebhookEvent {
  return newEvent(deps, "account.deleted", accountId, { accountId, ...actorData(actor) });
}

export function identifierAddedEvent(deps: EventDeps, accountId: string, identifier: Pick<IdentifierRecord, "id" | "kind" | "value">): NewWebhookEvent {
  return newEvent(deps, "identifier.added", accountId, { accountId, identifier: identifierData(identifier) });
}

export function identifierRemovedEvent(deps: EventDeps, accountId: string, identifier: Pick<IdentifierRecord, "id" | "kind" | "value">): NewWebhookEvent {
  return newEvent(deps, "identifier.removed", accountId, { accountId, identifier: identifierData(identifier) });
}

/** The owner changed the password while signed in. */
export function passwordChangedEvent(deps: EventDeps, accountId: string): NewWebhookEvent {
  return newEvent(deps, "password.changed", accountId, { accountId });
}

/** A password reset was completed (every session of the account ended with it). */
export function passwordResetEvent(deps: EventDeps, accountId: string, via: "link" | "code"): NewWebhookEvent {
  return newEvent(deps, "password.reset", accountId, { accountId, via });
}

export type SessionRevocationReason =
  | "signed_out_other_sessions"
  | "password_changed"
  | "password_reset"
  | "account_disabled"
  | "admin"
  | "second_factor_added";

/**
 * Sessions of the account were ended all at once. `exceptCurrent` is true when the session that asked
 * was kept (the owner's "sign out of other sessions").
 */
export function sessionsRevokedEvent(
  deps: EventDeps,
  accountId: string,
  reason: SessionRevocationReason,
  count: number,
  exceptCurrent: boolean,
): NewWebhookEvent {
  return newEvent(deps, "session.revoked", accountId, { accountId, reason, count, exceptCurrent });
}

export type SecondFactorKind = "totp" | "passkey" | "recovery_codes";

/** A passkey was added, the authenticator app turned on, or recovery codes made. */
export function secondFactorAddedEvent(deps: EventDeps, accountId: string, factor: { id: string; kind: SecondFactorKind }): NewWebhookEvent {
  return newEvent(deps, "second_factor.added", accountId, { accountId, secondFactor: factor });
}

/** A passkey was removed or the authenticator app turned off, by its owner (or an admin). */
export function secondFactorRemovedEvent(
  deps: EventDeps,
  accountId: string,
  factor: { id: string; kind: SecondFactorKind },
  actor: WebhookActor,
): NewWebhookEvent {
  return newEvent(deps, "second_factor.removed", accountId, { accountId, secondFactor: factor, ...actorData(actor) });
}

/** The event `latchkey webhooks test` sends. */
export function testEvent(deps: EventDeps, endpointId: string): NewWebhookEvent {
  return newEvent(deps, WEBHOOK_TEST_EVENT_TYPE, null, { endpointId, message: "A test event from Latchkey." });
}
