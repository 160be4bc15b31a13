// Store interfaces: what the services may ask of storage, in the domain's words. Each method states its
// atomicity; implementations live in sql/ (durable data) and kv/ (short-lived state).
import type { IdentifierKind } from "../lib/identifiers.ts";

export interface AccountRecord {
  id: string;
  name: string | null;
  passwordHash: string;
  isAdmin: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdentifierRecord {
  id: string;
  accountId: string;
  kind: IdentifierKind;
  /** Normalised form used for matching: lower-case e-mail with ASCII domain, or E.164. */
  value: string;
  /** Form shown to people. */
  display: string;
  verifiedAt: Date | null;
  createdAt: Date;
}

export interface NewIdentifier {
  id: string;
  kind: IdentifierKind;
  value: string;
  display: string;
}

export interface NewAccount {
  id: string;
  name: string | null;
  passwordHash: string;
  createdAt: Date;
  identifier: NewIdentifier;
}

export type RemoveIdentifierResult = "removed" | "last" | "not_found";

/**
 * Webhook events to record with a change, in the change's own transaction (the outbox): recorded only
 * when the change takes effect, rolled back with it. A function receives what the change returned.
 */
export type WebhookEventsFor<T> = readonly NewWebhookEvent[] | ((result: T) => readonly NewWebhookEvent[]);

export interface AccountStore {
  /**
   * Creates an account whose one identifier is not yet verified, in one transaction. An unverified
   * identifier with the same value (an abandoned registration) is replaced together with its account when
   * that account has no verified identifier. Returns null, changing nothing, when a verified identifier
   * already holds the value.
   */
  createPendingAccount(account: NewAccount): Promise<{ account: AccountRecord; identifier: IdentifierRecord } | null>;
  /** Creates an account whose identifier is verified at `createdAt`. Returns null when the value is taken by a verified identifier. */
  createVerifiedAccount(
    account: NewAccount,
    events?: WebhookEventsFor<{ account: AccountRecord; identifier: IdentifierRecord }>,
  ): Promise<{ account: AccountRecord; identifier: IdentifierRecord } | null>;
  getAccountById(accountId: string): Promise<AccountRecord | null>;
  /** The identifier with this normalised value (verified or not) and its account, or null. */
  getAccountByIdentifier(value: string): Promise<{ account: AccountRecord; identifier: IdentifierRecord } | null>;
  listIdentifiers(accountId: string): Promise<IdentifierRecord[]>;
  /** Sets verified_at when it is still null. Returns true for the one caller that changed it. */
  markIdentifierVerified(identifierId: string, at: Date, events?: WebhookEventsFor<true>): Promise<boolean>;
  /**
   * Adds an already verified identifier to an account. An unverified identifier with the same value
   * (an abandoned registration) is replaced. Returns null when a verified identifier holds the value.
   */
  addVerifiedIdentifier(accountId: string, identifier: NewIdentifier, at: Date, events?: WebhookEventsFor<IdentifierRecord>): Promise<IdentifierRecord | null>;
  /** Removes one identifier of the account unless it is the account's last verified one (checked in the same transaction). */
  removeIdentifier(accountId: string, identifierId: string, events?: WebhookEventsFor<IdentifierRecord>): Promise<RemoveIdentifierResult>;
  updatePasswordHash(accountId: string, passwordHash: string, at: Date, events?: WebhookEventsFor<true>): Promise<void>;
  /** Replaces the hash only if it is still `expectedHash` (a concurrent password change wins). */
  replacePasswordHash(accountId: string, expectedHash: string, passwordHash: string, at: Date, events?: WebhookEventsFor<true>): Promise<boolean>;
  setAccountDisabled(accountId: string, disabledAt: Date | null, events?: WebhookEventsFor<true>): Promise<boolean>;
  setAccountAdmin(accountId: string, isAdmin: boolean, at: Date): Promise<boolean>;
  /** Accounts with their identifiers, newest first. */
  listAccounts(options: { limit: number; offset: number }): Promise<Array<{ account: AccountRecord; identifiers: IdentifierRecord[] }>>;
  /** Deletes an account and everything that belongs to it. Returns false when it did not exist. */
  deleteAccount(accountId: string, events?: WebhookEventsFor<true>): Promise<boolean>;
}

export interface SessionRecord {
  id: string;
  accountId: string;
  secretHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  remember: boolean;
  userAgent: string | null;
  ip: string | null;
}

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  /** The session with this id, expired or not, or null. */
  getSession(sessionId: string): Promise<SessionRecord | null>;
  /** Slides the idle expiry. */
  touchSession(sessionId: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void>;
  /** Deletes one session; when `accountId` is given, only if it belongs to that account. Returns true when a row was deleted. */
  deleteSession(sessionId: string, accountId?: string): Promise<boolean>;
  /** Deletes every session of the account except `exceptSessionId`. Returns how many ended. */
  deleteSessionsOfAccount(accountId: string, exceptSessionId?: string, events?: WebhookEventsFor<number>): Promise<number>;
  /** Unexpired sessions of the account, most recently used first. */
  listSessionsOfAccount(accountId: string, now: Date): Promise<SessionRecord[]>;
  deleteExpiredSessions(now: Date): Promise<number>;
}

export type VerificationPurpose = "registration" | "add_identifier";

export interface VerificationRecord {
  id: string;
  accountId: string;
  purpose: VerificationPurpose;
  kind: IdentifierKind;
  value: string;
  display: string;
  codeHash: string;
  attemptsLeft: number;
  expiresAt: Date;
  createdAt: Date;
}

export interface VerificationScope {
  purpose: VerificationPurpose;
  value: string;
  /** Required for add_identifier: the account that asked. */
  accountId?: string;
}

export type FailedVerificationResult = "invalid" | "exhausted" | "none";

export interface VerificationStore {
  /** Stores a new code for the scope, replacing any earlier one for the same scope (only the newest works). */
  createVerification(verification: VerificationRecord): Promise<void>;
  /**
   * Consumes the unexpired verification of the scope whose code hash matches: deletes it and returns it.
   * Atomic: of concurrent callers with the right code, exactly one receives the record.
   */
  consumeVerification(scope: VerificationScope, codeHash: string, now: Date): Promise<VerificationRecord | null>;
  /**
   * Counts a wrong code against the scope's verification: "invalid" while tries remain, "exhausted" when
   * this was the last try or it had expired (the verification is deleted), "none" when there is none.
   */
  recordFailedVerification(scope: VerificationScope, now: Date): Promise<FailedVerificationResult>;
  deleteExpiredVerifications(now: Date): Promise<number>;
}

export type PasswordResetKind = "link" | "code";

export interface PasswordResetRecord {
  id: string;
  /** Null for a decoy: the request named an identifier no account uses. */
  accountId: string | null;
  kind: PasswordResetKind;
  /** The normalised identifier the reset was requested for. */
  value: string;
  /** SHA-256 of the link token, or HMAC of the SMS code. */
  secretHash: string;
  attemptsLeft: number;
  expiresAt: Date;
  createdAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface PasswordResetStore {
  /** Stores a new reset after revoking every pending one for the same identifier value (only the newest works). */
  createPasswordReset(reset: PasswordResetRecord): Promise<void>;
  /** The reset with this secret hash in any state (pending, used, revoked, expired), or null. */
  getPasswordResetBySecret(secretHash: string): Promise<PasswordResetRecord | null>;
  /** The newest pending code reset for the identifier value, or null. */
  getPendingResetCode(value: string, now: Date): Promise<PasswordResetRecord | null>;
  /**
   * Marks the pending, unexpired reset with this secret hash (and kind; for codes also this value) as used
   * and returns it. Atomic: of concurrent callers exactly one receives the record.
   */
  consumePasswordReset(kind: PasswordResetKind, secretHash: string, now: Date, value?: string): Promise<PasswordResetRecord | null>;
  /**
   * Counts a wrong code against the pending code reset of the value: "invalid" while tries remain,
   * "exhausted" when this used the last try (the reset is revoked), "none" when there is none.
   */
  recordFailedResetCode(value: string, now: Date): Promise<FailedVerificationResult>;
  /** Revokes every pending reset of the account. Returns how many. */
  revokePasswordResetsOfAccount(accountId: string, now: Date): Promise<number>;
  /** Deletes resets created before `before`. */
  deleteOldPasswordResets(before: Date): Promise<number>;
}

export interface AuditEventRecord {
  id: string;
  at: Date;
  type: string;
  accountId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Small JSON-able facts about the event; never a secret. */
  detail: Record<string, string | number | boolean> | null;
}

export interface AuditStore {
  recordEvent(event: AuditEventRecord): Promise<void>;
  /** Events newest first, optionally only one account's and only since a time. */
  listEvents(query: { accountId?: string; since?: Date; types?: string[]; limit: number }): Promise<AuditEventRecord[]>;
  /** Deletes events older than `before` (retention). Returns how many. */
  deleteEventsBefore(before: Date): Promise<number>;
}

/** Short-lived state with expiry: challenges, flows, counters. SQLite in single mode, Redis in cluster mode. */
export interface ShortLivedStore {
  /** Stores `value` under `key` for `ttlSeconds`, replacing any earlier value. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** The unexpired value, or null. */
  get(key: string): Promise<string | null>;
  /** Returns and deletes the unexpired value in one step: of concurrent callers exactly one receives it. */
  getAndDelete(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
  /**
   * Adds one to the counter under `key` and returns the new count. A missing or expired counter starts at 1
   * and expires `ttlSeconds` later; further increments keep that expiry (a fixed window). Atomic.
   */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /**
   * Like increment, but every increment moves the expiry to `ttlSeconds` from now (a count that is
   * forgotten after that long without a new increment). Atomic.
   */
  incrementSliding(key: string, ttlSeconds: number): Promise<number>;
  /** Subtracts one from an unexpired counter (not below zero), keeping its expiry. Returns the new count, 0 when missing. Atomic. */
  decrement(key: string): Promise<number>;
  /** Seconds until `key` expires, or 0 when it does not exist. */
  ttl(key: string): Promise<number>;
  deleteExpired(): Promise<number>;
}

/** Why an article did not help, as chosen by the reader after answering "No". */
export type HelpFeedbackReason = "confusing" | "didnt_answer" | "inaccurate" | "too_long" | "other";

/** One reader's answer to "Was this information helpful?" for one article. */
export interface HelpFeedbackRecord {
  slug: string;
  /** The article's version when the answer was given, so answers before and after an edit can be compared. */
  articleVersion: string;
  /** An anonymous random id of the browser (a keyed hash of its cookie), never an account. */
  visitorId: string;
  helpful: boolean;
  reason: HelpFeedbackReason | null;
  comment: string | null;
  /** When this answer was given (the latest change). */
  answeredAt: Date;
  /** When this visitor first answered for this article. */
  firstAnsweredAt: Date;
}

export interface NewHelpFeedback {
  slug: string;
  articleVersion: string;
  visitorId: string;
  helpful: boolean;
  reason: HelpFeedbackReason | null;
  comment: string | null;
  at: Date;
}

/** Everything counted for one article; answers are counted once per visitor (their latest answer). */
export interface HelpArticleFeedbackSummary {
  slug: string;
  views: number;
  yes: number;
  no: number;
  /** "No" answers per reason; reasons nobody chose are absent. */
  reasons: Partial<Record<HelpFeedbackReason, number>>;
  /** Yes and no per article version, the most recently answered version first. */
  versions: Array<{ version: string; yes: number; no: number }>;
}

/** One UTC day of the trend. */
export interface HelpFeedbackDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  views: number;
  yes: number;
  no: number;
}

export interface HelpFeedbackStore {
  /** Adds one view of the article on `day` (YYYY-MM-DD, UTC). One atomic upsert: concurrent views are all counted. */
  recordArticleView(slug: string, day: string): Promise<void>;
  /**
   * Stores the visitor's answer for the article, replacing their earlier one (one answer per visitor and
   * article). One atomic upsert: concurrent answers from one visitor leave exactly one row, the last written.
   */
  saveFeedback(feedback: NewHelpFeedback): Promise<void>;
  /** The visitor's current answer for the article, or null when they have not answered. */
  getFeedback(slug: string, visitorId: string): Promise<HelpFeedbackRecord | null>;
  /**
   * Views and answers per article, for articles with any view or answer (in no particular order). With
   * `since`, only views on or after its UTC day and answers given at or after it count.
   */
  summarizeFeedback(options?: { since?: Date }): Promise<HelpArticleFeedbackSummary[]>;
  /**
   * Views and answers per UTC day from the day of `since` on, oldest first, for one article or (without
   * `slug`) all. Days with neither are absent. An answer counts on the day it was last changed.
   */
  feedbackTrend(options: { since: Date; slug?: string }): Promise<HelpFeedbackDay[]>;
  /** The newest answers that carry a comment, newest first, at most `limit`; for one article with `slug`. */
  latestComments(options: { limit: number; slug?: string }): Promise<HelpFeedbackRecord[]>;
  /** Every answer, oldest first (for export). */
  listFeedback(): Promise<HelpFeedbackRecord[]>;
}

/** One account event for webhook receivers, as a change records it (see docs/webhooks.md). */
export interface NewWebhookEvent {
  id: string;
  type: string;
  /** The account it concerns; deliveries for one account go out in order. Null for a test event. */
  accountId: string | null;
  occurredAt: Date;
  /** What the receiver needs; never a secret. */
  data: Record<string, unknown>;
}

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  /** Event types the endpoint receives. */
  events: string[];
  /** The signing secret, encrypted under LATCHKEY_SECRET. */
  secretSealed: string;
  createdAt: Date;
  /** Set when deliveries kept failing; nothing is sent until it is resumed. */
  pausedAt: Date | null;
  pauseReason: string | null;
  consecutiveFailures: number;
}

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

/** One event for one endpoint: the delivery log's line. */
export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** The account id, or the event id for an event of no account. */
  orderingKey: string;
  occurredAt: Date;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A delivery this worker holds the lease of, with what it needs to send it. */
export interface ClaimedWebhookDelivery extends WebhookDeliveryRecord {
  leaseToken: string;
  url: string;
  secretSealed: string;
  /** The exact body to sign and send. */
  payload: string;
}

export interface WebhookAttemptOutcome {
  at: Date;
  statusCode: number | null;
  error: string | null;
}

export interface WebhookStore {
  createEndpoint(endpoint: Omit<WebhookEndpointRecord, "pausedAt" | "pauseReason" | "consecutiveFailures">): Promise<WebhookEndpointRecord>;
  listEndpoints(): Promise<WebhookEndpointRecord[]>;
  getEndpoint(endpointId: string): Promise<WebhookEndpointRecord | null>;
  /** Deletes the endpoint and its deliveries. False when it did not exist. */
  deleteEndpoint(endpointId: string): Promise<boolean>;
  /** Clears the pause and the failure count. False when it did not exist or was not paused. */
  resumeEndpoint(endpointId: string): Promise<boolean>;
  /**
   * Records events in one transaction of their own, with a delivery for every endpoint subscribed to the
   * type (or, with `endpointId`, for that endpoint only, whatever it subscribed to). Returns how many
   * deliveries were created.
   */
  recordEvents(events: readonly NewWebhookEvent[], options?: { endpointId?: string }): Promise<number>;
  /**
   * Takes the lease of up to `limit` deliveries that are due, in one atomic UPDATE … RETURNING: of
   * concurrent workers (processes, instances) each delivery goes to exactly one until the lease expires.
   * Only the oldest pending delivery per endpoint and account is due (order per account), none of a
   * paused endpoint. With `deliveryId`, only that one (when due and free).
   */
  claimDeliveries(claim: { leaseToken: string; now: Date; leaseUntil: Date; limit: number; deliveryId?: string }): Promise<ClaimedWebhookDelivery[]>;
  /** Marks a delivery delivered and resets the endpoint's failure count, in one transaction. */
  completeDelivery(deliveryId: string, outcome: WebhookAttemptOutcome): Promise<void>;
  /**
   * Records a failed attempt, if `leaseToken` still holds the lease: the next attempt at `retryAt`, or
   * with `retryAt` null the delivery gives up and the endpoint is paused. Returns `paused` true for the
   * one caller that paused the endpoint (so admins are told once).
   */
  failDelivery(deliveryId: string, leaseToken: string, outcome: WebhookAttemptOutcome & { retryAt: Date | null; pauseReason: string }): Promise<{ paused: boolean }>;
  /** The delivery log, newest first; of one endpoint with `endpointId`. */
  listDeliveries(query: { endpointId?: string; limit: number }): Promise<WebhookDeliveryRecord[]>;
  getDelivery(deliveryId: string): Promise<WebhookDeliveryRecord | null>;
  /** Verified e-mail addresses of admin accounts (to tell them about a paused endpoint). */
  listAdminEmailAddresses(): Promise<string[]>;
  /** Deletes finished (delivered or failed) deliveries created before `before`, and events left without deliveries. */
  deleteFinishedDeliveries(before: Date): Promise<number>;
}

export interface Stores {
  webhooks: WebhookStore;
  accounts: AccountStore;
  sessions: SessionStore;
  verifications: VerificationStore;
  passwordResets: PasswordResetStore;
  audit: AuditStore;
  shortLived: ShortLivedStore;
  helpFeedback: HelpFeedbackStore;
  /** Connection pool figures, where there is a pool (PostgreSQL). */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** Checks that storage answers (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
