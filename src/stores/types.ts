// Store interfaces: what the services may ask of storage, in the domain's words. Each method states its
// atomicity; implementations live in sql/ (durable data) and kv/ (short-lived state).
import type { Locale } from "../i18n/locales.ts";
import type { IdentifierKind } from "../lib/identifier-parsing.ts";

export interface AccountRecord {
  id: string;
  name: string | null;
  passwordHash: string;
  isAdmin: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** The language the person chose in the language menu while signed in; null until they choose. */
  locale: Locale | null;
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

/** A registration code stored with its pending account: the scope and the account come from the account. */
export interface NewRegistrationCode {
  id: string;
  codeHash: string;
  attemptsLeft: number;
  expiresAt: Date;
  createdAt: Date;
}

/** What createPendingAccountWithCode did: created the account and its code, or found the value taken. */
export type PendingAccountWithCode =
  | { outcome: "created"; account: AccountRecord; identifier: IdentifierRecord }
  | { outcome: "taken"; holder: IdentifierRecord };

export type RemoveIdentifierResult = "removed" | "last" | "not_found";

/**
 * What an admin change to an account did: "changed"; "unchanged" when the account already was that way;
 * "not_found"; "last_admin" when it would leave the installation without an enabled admin (nothing changed).
 */
export type AccountChangeResult = "changed" | "unchanged" | "not_found" | "last_admin";

export type DeleteAccountResult = "deleted" | "not_found" | "last_admin";

/** What disabling an account ended, in the same transaction. */
export interface DisabledAccountEnded {
  sessions: number;
  /** Pending password resets (links and codes), revoked. */
  resets: number;
  /** Verification codes not yet redeemed (adding an identifier, confirming one), deleted. */
  codes: number;
}

/** Where a page of the account list ends: the last account shown (accounts are listed newest first). */
export interface AccountCursor {
  createdAt: Date;
  id: string;
}

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
  /**
   * Registration: creates the pending account as createPendingAccount does (replacing an abandoned
   * registration of the value), with its first registration code (earlier registration codes of the value
   * go), in one transaction: one statement in PostgreSQL. When a verified identifier holds the value, writes
   * neither and returns that identifier ("taken"). Both outcomes run the same statements in one transaction,
   * the taken one rewriting the holder's row as it is, so storage does not tell them apart by its work.
   */
  createPendingAccountWithCode(account: NewAccount, code: NewRegistrationCode): Promise<PendingAccountWithCode>;
  /** Creates an account whose identifier is verified at `createdAt`. Returns null when the value is taken by a verified identifier. */
  createVerifiedAccount(
    account: NewAccount,
    events?: WebhookEventsFor<{ account: AccountRecord; identifier: IdentifierRecord }>,
  ): Promise<{ account: AccountRecord; identifier: IdentifierRecord } | null>;
  getAccountById(accountId: string): Promise<AccountRecord | null>;
  /**
   * The identifier with this normalised value (verified or not), its account and all of the account's
   * identifiers (oldest first, this one among them), in one query; or null.
   */
  getAccountByIdentifier(value: string): Promise<{ account: AccountRecord; identifier: IdentifierRecord; identifiers: IdentifierRecord[] } | null>;
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
  /**
   * Sets or clears the disabled flag and nothing else: no check for the last admin, and it changes the flag
   * again (with its events) when it is already so. Not the way to disable an account: that is
   * disableAccountAndAccess (src/admin/account-actions.ts), over disableAccount. False when there is no
   * such account.
   */
  setAccountDisabled(accountId: string, disabledAt: Date | null, events?: WebhookEventsFor<true>): Promise<boolean>;
  /**
   * Sets or clears the admin flag and nothing else: no check for the last admin, no record. Only for an
   * account being created (`latchkey accounts create --admin`); otherwise grantAdmin and revokeAdmin, through
   * grantAdminAccess and revokeAdminAccess (src/admin/account-actions.ts). False when there is no such account.
   */
  setAccountAdmin(accountId: string, isAdmin: boolean, at: Date): Promise<boolean>;
  /** Accounts with their identifiers, newest first. */
  listAccounts(options: { limit: number; offset: number }): Promise<Array<{ account: AccountRecord; identifiers: IdentifierRecord[] }>>;
  /**
   * Accounts with their identifiers, newest first (created_at, then id, both descending), starting after
   * `after` when given. Keyset paging on an index: every page costs the same however deep it is.
   */
  listAccountsPage(options: { limit: number; after?: AccountCursor }): Promise<Array<{ account: AccountRecord; identifiers: IdentifierRecord[] }>>;
  /**
   * Disables the account at `at`, and in the same transaction ends all its sessions, revokes its pending
   * password resets, deletes its unredeemed verification codes, and writes `events` (given what ended) and
   * the audit event `options.audit` makes. "unchanged" (nothing written) when it is already disabled: of
   * concurrent calls exactly one changes it. "last_admin" (nothing changed) when it is the only enabled
   * admin, unless `options.allowLastAdmin`; the check and the change are one transaction that locks the
   * admin rows, so two admins disabling each other at once cannot both succeed.
   */
  disableAccount(
    accountId: string,
    at: Date,
    events?: WebhookEventsFor<DisabledAccountEnded>,
    options?: { audit?: (ended: DisabledAccountEnded) => AuditEventRecord; allowLastAdmin?: boolean },
  ): Promise<AccountChangeResult>;
  /**
   * Enables a disabled account, and in the same transaction writes `events` and `options.audit`. Never
   * "last_admin"; "unchanged" (nothing written) when it is not disabled: of concurrent calls exactly one
   * changes it.
   */
  enableAccount(accountId: string, at: Date, events?: WebhookEventsFor<true>, options?: { audit?: AuditEventRecord }): Promise<AccountChangeResult>;
  /**
   * Gives the account admin access, and in the same transaction writes `options.audit`. Never "last_admin";
   * "unchanged" (nothing written) when it already is an admin: of concurrent calls exactly one changes it.
   */
  grantAdmin(accountId: string, at: Date, options?: { audit?: AuditEventRecord }): Promise<AccountChangeResult>;
  /**
   * Takes admin access away, and in the same transaction writes `options.audit`. "unchanged" (nothing
   * written) when it is not an admin: of concurrent calls exactly one changes it. "last_admin" (nothing
   * changed) when it is the only enabled admin, unless `options.allowLastAdmin`: the check and the change are
   * one transaction that locks the admin rows (as disableAccount), so two admins demoting each other at once
   * cannot both succeed.
   */
  revokeAdmin(accountId: string, at: Date, options?: { audit?: AuditEventRecord; allowLastAdmin?: boolean }): Promise<AccountChangeResult>;
  /**
   * Deletes an account and everything that belongs to it (identifiers, which are then free for anyone,
   * sessions, verification codes, password resets, passkeys, second factors and recovery codes, and every
   * OpenID Connect artifact in the database that names it or one of its grants) in one transaction.
   * "last_admin" (nothing deleted) when it is the only enabled admin (atomic check, as disableAccount).
   * Artifacts in Redis are not reached: deleteAccountAndAppAccess (src/oidc/grant-removal.ts) removes those.
   */
  deleteAccount(accountId: string, events?: WebhookEventsFor<true>): Promise<DeleteAccountResult>;
  /** Sets the display name (null clears it). False when there is no such account. */
  setAccountName(accountId: string, name: string | null, at: Date, events?: WebhookEventsFor<true>): Promise<boolean>;
  /** Saves the language chosen in the language menu (null forgets it). False when there is no such account. */
  setAccountLocale(accountId: string, locale: Locale | null): Promise<boolean>;
}

/** One passkey (WebAuthn credential) of an account. */
export interface PasskeyRecord {
  id: string;
  accountId: string;
  /** The credential id the authenticator gave, base64url. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (0 for authenticators that do not count). */
  counter: number;
  transports: string[];
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** An authenticator app's shared secret (TOTP), sealed under LATCHKEY_SECRET. */
export interface TOTPFactorRecord {
  accountId: string;
  secretSealed: string;
  /** Null while being set up: it protects nothing until a first code confirmed it. */
  confirmedAt: Date | null;
  /** The last time step whose code was accepted (0: none yet). */
  lastStep: number;
  createdAt: Date;
}

/**
 * Second factors and passkeys: passkeys, the authenticator app and recovery codes. Every single-use rule
 * is one statement (`UPDATE … WHERE … RETURNING`), so of concurrent callers exactly one wins. Webhook
 * `events` given to a change are written in its transaction, only when it took effect (the outbox).
 */
export interface FactorStore {
  /** Adds a passkey. False, changing nothing, when its credential id is already registered (to anyone). */
  addPasskey(passkey: PasskeyRecord, events?: readonly NewWebhookEvent[]): Promise<boolean>;
  /** The account's passkeys, oldest first. */
  listPasskeys(accountId: string): Promise<PasskeyRecord[]>;
  /** The passkey with this credential id, or null. */
  getPasskeyByCredentialId(credentialId: string): Promise<PasskeyRecord | null>;
  /** Renames one passkey of the account. False when the account has no such passkey. */
  renamePasskey(accountId: string, passkeyId: string, name: string): Promise<boolean>;
  /** Removes one passkey of the account. False when the account has no such passkey. */
  removePasskey(accountId: string, passkeyId: string, events?: readonly NewWebhookEvent[]): Promise<boolean>;
  /**
   * Records a use: the counter becomes `counter` and last-used `at`, only while the stored counter is still
   * `expectedCounter` (one compare-and-set statement). False when another use got there first, so one
   * signed assertion is accepted once.
   */
  recordPasskeyUse(passkeyId: string, expectedCounter: number, counter: number, at: Date): Promise<boolean>;

  /**
   * Stores a new, unconfirmed authenticator-app secret, replacing an unconfirmed one. False, changing
   * nothing, when the account already has a confirmed one (it must be turned off first).
   */
  startTOTPSetup(accountId: string, secretSealed: string, at: Date): Promise<boolean>;
  /** The account's authenticator-app factor (confirmed or not), or null. */
  getTOTPFactor(accountId: string): Promise<TOTPFactorRecord | null>;
  /**
   * Confirms the unconfirmed factor with the code of `step`, in one statement that also records the step.
   * Returns the factor, or null when there is none to confirm (missing, already confirmed, or the step is
   * not newer than the last one accepted, or `secretSealed` is given and the pending secret is no longer
   * that one: a set-up started again meanwhile). Of concurrent callers exactly one receives it.
   */
  confirmTOTPFactor(accountId: string, step: number, at: Date, events?: readonly NewWebhookEvent[], secretSealed?: string): Promise<TOTPFactorRecord | null>;
  /**
   * Accepts the code of `step` for the confirmed factor: sets last_step only when `step` is newer than it
   * (`UPDATE … WHERE last_step < step`). True for exactly one of any number of concurrent callers with the
   * same step, and for none once a later step was accepted.
   */
  acceptTOTPStep(accountId: string, step: number): Promise<boolean>;
  /** Removes the authenticator app (confirmed or not). False when there was none. */
  removeTOTPFactor(accountId: string, events?: readonly NewWebhookEvent[]): Promise<boolean>;

  /** Replaces every recovery code of the account with these hashes, in one transaction (the old ones die). */
  replaceRecoveryCodes(accountId: string, codes: Array<{ id: string; codeHash: string }>, at: Date, events?: readonly NewWebhookEvent[]): Promise<void>;
  /**
   * Marks the unused code with this hash as used at `at` and returns true, in one statement. Of concurrent
   * callers with the same code exactly one receives true; every later call false.
   */
  consumeRecoveryCode(accountId: string, codeHash: string, at: Date): Promise<boolean>;
  /** How many unused recovery codes the account has. */
  countUnusedRecoveryCodes(accountId: string): Promise<number>;
  /**
   * What a sign-in needs to know of the account's second factors, in one query: how many passkeys, whether
   * an authenticator app is confirmed, how many recovery codes are unused.
   */
  secondFactorSummary(accountId: string): Promise<SecondFactorSummary>;
  /** Deletes every recovery code of the account. Returns how many. */
  deleteRecoveryCodes(accountId: string): Promise<number>;
  /**
   * Removes every second factor of the account (passkeys, the authenticator app, confirmed or not, and
   * recovery codes) in one transaction, with the webhook events made from what was removed. Returns what was
   * removed; all zero and false when there was nothing.
   */
  removeAllSecondFactors(accountId: string, events?: WebhookEventsFor<RemovedSecondFactors>): Promise<RemovedSecondFactors>;
}

export interface SecondFactorSummary {
  passkeys: number;
  totpConfirmed: boolean;
  unusedRecoveryCodes: number;
}

/** What removeAllSecondFactors took away. */
export interface RemovedSecondFactors {
  /** Ids of the passkeys removed. */
  passkeys: string[];
  /** True when an authenticator app that was on was removed. */
  totp: boolean;
  /** Recovery codes removed, used or not. */
  recoveryCodes: number;
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
  /**
   * When the owner last proved it was them in this session (signing in, or "confirm it's you"), for changes
   * that need a recent confirmation. Absent from records made before it existed: treated as never.
   */
  confirmedAt?: Date | null;
  /** How the session signed in, as OpenID Connect `amr` values (pwd, otp, hwk, swk, mfa). */
  amr?: string[] | null;
}

export interface SessionWithAccount {
  session: SessionRecord;
  account: AccountRecord;
  identifiers: IdentifierRecord[];
}

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  /** The session with this id, expired or not, or null. */
  getSession(sessionId: string): Promise<SessionRecord | null>;
  /**
   * The session with this id (expired or not), its account and the account's identifiers (oldest first), read
   * in one indexed query; null when there is no such session or its account is gone. Never older than the
   * data: SQLite may answer from the rows it read last for this session while nothing at all has been written
   * since, by any connection.
   */
  getSessionWithAccount(sessionId: string): Promise<SessionWithAccount | null>;
  /**
   * getSessionWithAccount's answer when it is at hand without a query (SQLite: the rows it read last for this
   * session, with nothing written since); undefined otherwise. Stores without such rows leave it out.
   */
  peekSessionWithAccount?(sessionId: string): SessionWithAccount | undefined;
  /** Slides the idle expiry. */
  touchSession(sessionId: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void>;
  /** Deletes one session; when `accountId` is given, only if it belongs to that account. Returns true when a row was deleted. */
  deleteSession(sessionId: string, accountId?: string): Promise<boolean>;
  /** Deletes every session of the account except `exceptSessionId`. Returns how many ended. */
  deleteSessionsOfAccount(accountId: string, exceptSessionId?: string, events?: WebhookEventsFor<number>): Promise<number>;
  /** Unexpired sessions of the account, most recently used first. */
  listSessionsOfAccount(accountId: string, now: Date): Promise<SessionRecord[]>;
  deleteExpiredSessions(now: Date): Promise<number>;
  /** Records that the owner confirmed it was them in this session at `at`. False when there is no such session. */
  markSessionConfirmed(sessionId: string, at: Date): Promise<boolean>;
  /**
   * Records that this session proved a second factor at `at`: its amr becomes `amr` and its confirmation
   * time `at`, in one statement. False when there is no such session.
   */
  markSessionSecondFactor(sessionId: string, amr: readonly string[], at: Date): Promise<boolean>;
  /**
   * Deletes, in one statement, every session of the account that signed in with one factor only (its amr
   * lacks `mfa`, or none was recorded) except `exceptSessionId`. Returns how many ended; with `events`, the
   * webhook events are written in the same transaction.
   */
  deletePasswordOnlySessionsOfAccount(accountId: string, exceptSessionId: string | undefined, events?: WebhookEventsFor<number>): Promise<number>;
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

export interface VerificationStore {
  /** Stores a new code for the scope, replacing any earlier one for the same scope (only the newest works). */
  createVerification(verification: VerificationRecord): Promise<void>;
  /**
   * The scope's stored verification whatever its state (expired or out of tries included), or null; changes
   * nothing. Lets the right code of a dead verification be told apart from a wrong one.
   */
  findVerification(scope: VerificationScope): Promise<VerificationRecord | null>;
  /**
   * Takes one try from the scope's unexpired verification that has tries left, in one statement
   * (`UPDATE … SET attempts_left = attempts_left - 1 WHERE … AND attempts_left > 0 RETURNING …`), and
   * returns it with the tries left after this one; null when there is none (missing, expired or out of
   * tries). Of any number of concurrent callers, at most the remaining tries receive the record: only they
   * may compare a code against it.
   */
  takeVerificationAttempt(scope: VerificationScope, now: Date): Promise<VerificationRecord | null>;
  /**
   * Consumes the unexpired verification of the scope whose code hash matches: deletes it and returns it.
   * Atomic: of concurrent callers with the right code, exactly one receives the record. It does not count
   * a try: callers take one with takeVerificationAttempt first and compare the code against its record.
   */
  consumeVerification(scope: VerificationScope, codeHash: string, now: Date): Promise<VerificationRecord | null>;
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
  /**
   * Takes one try from the pending, unexpired code reset of the value that has tries left, in one
   * statement (`UPDATE … SET attempts_left = attempts_left - 1 WHERE … AND attempts_left > 0 RETURNING …`),
   * and returns it with the tries left after this one; null when there is none. Of any number of
   * concurrent callers, at most the remaining tries receive the record: only they may compare a code.
   */
  takeResetCodeAttempt(value: string, now: Date): Promise<PasswordResetRecord | null>;
  /**
   * Marks the pending, unexpired reset with this secret hash (and kind; for codes also this value) as used
   * and returns it. Atomic: of concurrent callers exactly one receives the record. It does not count a
   * try: for codes, callers take one with takeResetCodeAttempt first and compare the code against it.
   */
  consumePasswordReset(kind: PasswordResetKind, secretHash: string, now: Date, value?: string): Promise<PasswordResetRecord | null>;
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

/** Filters for the admin console's view of the audit trail; every one optional. */
export interface AuditEventFilter {
  types?: string[];
  accountId?: string;
  ip?: string;
  /** Events at or after this moment. */
  from?: Date;
  /** Events before this moment. */
  until?: Date;
}

/** Where a page of events ends: the last event shown (events are listed newest first). */
export interface AuditEventCursor {
  at: Date;
  id: string;
}

export interface HourlyCount {
  /** The start of the hour (UTC). */
  hour: Date;
  name: string;
  count: number;
}

export interface AuditStore {
  recordEvent(event: AuditEventRecord): Promise<void>;
  /**
   * Events matching every given filter, newest first (at, then id, descending), after `before` when given.
   * Keyset paging over indexes on (type, at), (ip, at), (account_id, at) and (at).
   */
  searchEvents(filter: AuditEventFilter & { before?: AuditEventCursor; limit: number }): Promise<AuditEventRecord[]>;
  /** How many events of each of `types` happened in each hour from `from` until `until`; hours without any are absent. */
  countEventsPerHour(query: { types: string[]; from: Date; until: Date }): Promise<HourlyCount[]>;
  /** Adds one to the counter `name` for the hour of `at`. One atomic upsert: concurrent calls are all counted. */
  incrementHourlyCount(name: string, at: Date): Promise<void>;
  /** The counters of `names` for the hours from `from` until `until`; hours never counted are absent. */
  listHourlyCounts(query: { names: string[]; from: Date; until: Date }): Promise<HourlyCount[]>;
  /** Events newest first, optionally only one account's and only since a time. */
  listEvents(query: { accountId?: string; since?: Date; types?: string[]; limit: number }): Promise<AuditEventRecord[]>;
  /** Deletes events (and hourly counters) older than `before` (retention). Returns how many events. */
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
  /** Deletes every key named, missing ones ignored, in one statement or command (a sign-in clears several at once). */
  delete(...keys: string[]): Promise<void>;
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
  /**
   * Takes a place for one attempt against a throttle, in one round trip (one statement on PostgreSQL, one
   * script on Redis; on SQLite its statements run back to back, each atomic, with nothing else of the
   * process in between): while `keys.lock` exists nothing changes ("locked", with its seconds left). Otherwise
   * `keys.window` counts up (as `increment`, over `windowSeconds`); past `windowLimit` the answer is
   * "ceiling" with the window's seconds left and nothing more changes. Otherwise `keys.failures` counts up
   * (as `incrementSliding`, over `failureSeconds`) and the answer is "reserved" with that count as the
   * attempt's place and the unexpired value under `keys.mark`.
   */
  reserveAttempt(keys: AttemptKeys, limits: AttemptLimits): Promise<AttemptReservation>;
  /** Subtracts one from `counter` as `decrement` does and deletes `keys` (not `counter`), in one round trip (as reserveAttempt). */
  decrementAndDelete(counter: string, keys: readonly string[]): Promise<void>;
  deleteExpired(): Promise<number>;
}

/** The keys of one subject of a throttle (see ShortLivedStore.reserveAttempt). */
export interface AttemptKeys {
  /** Exists while the subject is locked out. */
  lock: string;
  /** Attempts in a fixed window. */
  window: string;
  /** Consecutive failures, forgotten after a quiet while. */
  failures: string;
  /** A value read back with each reservation. */
  mark: string;
}

export interface AttemptLimits {
  windowSeconds: number;
  windowLimit: number;
  failureSeconds: number;
}

export type AttemptReservation =
  | { outcome: "locked"; seconds: number }
  | { outcome: "ceiling"; seconds: number }
  | { outcome: "reserved"; position: number; mark: string | null };

/**
 * One stored flow: a multi-step process (sign-in, password reset, …) between two requests of one browser.
 * `state` is the flow's typed state serialized as JSON; the store never looks inside it.
 */
export interface FlowRecord {
  id: string;
  /** Which process this is ("signin", "password_reset", …): a flow of one kind is never read as another. */
  kind: string;
  /** An opaque hash of the browser that started the flow; every read and write must name it. */
  owner: string;
  /** Starts at 1 and grows by one with every completed step: the compare-and-set token of `advanceFlow`. */
  version: number;
  state: string;
  expiresAt: Date;
}

export interface NewFlow {
  id: string;
  kind: string;
  owner: string;
  state: string;
  ttlSeconds: number;
}

/**
 * Flows between requests (POST → 303 → GET). SQLite or PostgreSQL in single mode, Redis in cluster mode.
 * Expiry is judged by the injected clock: an expired flow is invisible at once and removed later. A flow
 * is bound to the browser that started it: with another `owner` every method behaves as if it did not
 * exist. Completing a step is a compare-and-set on `version`, so a step that was completed once cannot be
 * completed again, however many requests try at the same moment.
 */
export interface FlowStore {
  /** Stores a new flow at version 1, expiring `ttlSeconds` from now. Ids are random and never reused. */
  createFlow(flow: NewFlow): Promise<FlowRecord>;
  /** The unexpired flow with this id, kind and owner, or null (missing, expired, another kind or browser). */
  getFlow(id: string, kind: string, owner: string): Promise<FlowRecord | null>;
  /**
   * Completes a step: replaces the state, adds one to the version and moves the expiry to `ttlSeconds` from
   * now, only while the flow is unexpired, of this kind and owner, and still at `expectedVersion`. Atomic:
   * of concurrent callers with the same expected version exactly one receives the new record; the others,
   * and every later replay of that step, receive null and change nothing.
   */
  advanceFlow(id: string, kind: string, owner: string, expectedVersion: number, state: string, ttlSeconds: number): Promise<FlowRecord | null>;
  /** Deletes expired flows; returns how many (Redis expires them itself and answers 0). */
  deleteExpiredFlows(): Promise<number>;
}

/** Why an article did not help, as chosen by the reader after answering "No". */
export type HelpFeedbackReason = "confusing" | "didnt_answer" | "inaccurate" | "too_long" | "other";

/** One reader's answer to "Was this information helpful?" for one article. */
export interface HelpFeedbackRecord {
  slug: string;
  /** The language of the article the answer was given for ("en" also for answers from before languages). */
  locale: string;
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
  /** The language of the article as it was shown (English when it was not translated). */
  locale: string;
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
  /** Views, yes and no per language the article was shown in, by language code. */
  locales: Array<{ locale: string; views: number; yes: number; no: number }>;
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
  /**
   * Adds one view of the article in `locale` on `day` (YYYY-MM-DD, UTC). One atomic upsert: concurrent
   * views are all counted.
   */
  recordArticleView(slug: string, day: string, locale: string): Promise<void>;
  /**
   * Stores the visitor's answer for the article, replacing their earlier one (one answer per visitor and
   * article). One atomic upsert: concurrent answers from one visitor leave exactly one row, the last written.
   */
  saveFeedback(feedback: NewHelpFeedback): Promise<void>;
  /** The visitor's current answer for the article, or null when they have not answered. */
  getFeedback(slug: string, visitorId: string): Promise<HelpFeedbackRecord | null>;
  /**
   * Views and answers per article, for articles with any view or answer (in no particular order). With
   * `since`, only views on or after its UTC day and answers given at or after it count; with `locale`,
   * only views and answers in that language.
   */
  summarizeFeedback(options?: { since?: Date; locale?: string }): Promise<HelpArticleFeedbackSummary[]>;
  /**
   * Views and answers per UTC day from the day of `since` on, oldest first, for one article or (without
   * `slug`) all, in one language or (without `locale`) all. Days with neither are absent. An answer counts
   * on the day it was last changed.
   */
  feedbackTrend(options: { since: Date; slug?: string; locale?: string }): Promise<HelpFeedbackDay[]>;
  /**
   * The newest answers that carry a comment, newest first, at most `limit`; for one article with `slug`,
   * in one language with `locale`.
   */
  latestComments(options: { limit: number; slug?: string; locale?: string }): Promise<HelpFeedbackRecord[]>;
  /**
   * Answers oldest first (by answer time, then article and visitor): every one, or with `limit` at most
   * that many, after `after` (the last answer of the previous page) when given. For the export, which
   * reads page by page: the table grows with every visitor.
   */
  listFeedback(options?: { limit?: number; after?: HelpFeedbackCursor }): Promise<HelpFeedbackRecord[]>;
}

/** Where a page of answers ends: the last answer's time, article and visitor. */
export interface HelpFeedbackCursor {
  answeredAt: Date;
  slug: string;
  visitorId: string;
}

export type BackendState = "ok" | "unreachable" | "unwritable" | "timeout";

/** What /readyz reports: one state per backend; `redis` only in cluster mode. */
export interface ReadinessReport {
  ready: boolean;
  database: BackendState;
  redis?: BackendState;
}

export type OIDCClientAuthMethod = "none" | "client_secret_basic" | "client_secret_post";

/** An application registered to sign people in through Latchkey's OpenID Connect provider. */
export interface OIDCClientRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the client secret; null for a public client (PKCE, no secret). */
  secretHash: string | null;
  authMethod: OIDCClientAuthMethod;
  /** Matched exactly. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** First-party applications skip the consent page. */
  firstParty: boolean;
  /** A resource server may introspect tokens issued to other clients; absent means false. */
  resourceServer?: boolean;
  createdAt: Date;
  /** Hash of the secret replaced by the last `clients rotate-secret`, accepted until previousSecretExpiresAt; absent means none. */
  previousSecretHash?: string | null;
  previousSecretExpiresAt?: Date | null;
}

/** What `latchkey clients update` may change; the id, the secret and public or confidential stay. */
export interface OIDCClientSettings {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  firstParty: boolean;
  resourceServer: boolean;
}

/**
 * The audit event an operator's change to a client writes in the change's own transaction, so the change is
 * never left unrecorded nor recorded without having happened. Never carries a secret or its hash.
 */
export interface OIDCClientAuditOption {
  audit?: AuditEventRecord;
}

export interface OIDCClientStore {
  /** Stores a new client, and `options.audit` in the same transaction. Throws (writing neither) when the id exists. */
  createClient(client: OIDCClientRecord, options?: OIDCClientAuditOption): Promise<void>;
  /** The client with this id, or null. */
  getClient(clientId: string): Promise<OIDCClientRecord | null>;
  /** Every client, oldest first. */
  listClients(): Promise<OIDCClientRecord[]>;
  /**
   * Deletes the client and every artifact issued to it, and in the same transaction writes the audit event
   * `options.audit` makes of the removed client. Returns false, writing nothing, when there was none (also
   * for the second of two concurrent removals).
   */
  deleteClient(clientId: string, options?: { audit?: (removed: OIDCClientRecord) => AuditEventRecord }): Promise<boolean>;
  /**
   * Writes `next` over the client's settings in one UPDATE, only while the stored settings are still those of
   * `current` (compare and set), so checks made on `current` hold for what is written even when two updates
   * run at once; `options.audit` is written in the same transaction, only when the settings were written.
   * Grants and tokens already issued are left as they are. Returns the updated client, or null when the client
   * is gone or was changed since `current` was read (read it again and retry).
   */
  updateClientSettings(current: OIDCClientRecord, next: OIDCClientSettings, options?: OIDCClientAuditOption): Promise<OIDCClientRecord | null>;
  /**
   * Gives a confidential client a new secret hash in one UPDATE … RETURNING: the hash it replaces becomes the
   * previous one, accepted until `previousExpiresAt` (null: dropped at once), so of concurrent rotations each
   * keeps the hash the other replaced; `options.audit` is written in the same transaction, only when a secret
   * was rotated. Returns the client, or null when no confidential client has that id.
   */
  rotateClientSecret(clientId: string, secretHash: string, previousExpiresAt: Date | null, options?: OIDCClientAuditOption): Promise<OIDCClientRecord | null>;
  /**
   * Clears the previous secret hash of every client whose grace period ended at or before `now` (it is no
   * longer accepted, so it is not kept). One UPDATE; idempotent. Returns how many clients had one cleared.
   */
  forgetExpiredPreviousSecrets(now: Date): Promise<number>;
}

/** One signing key of the provider, its private JWK sealed with LATCHKEY_SECRET. */
export interface SigningKeyRecord {
  generation: number;
  kid: string;
  sealedJwk: string;
  createdAt: Date;
}

export interface SigningKeyStore {
  /** Every key, newest generation first. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /**
   * Adds a key under its generation. Returns false, changing nothing, when that generation exists (another
   * instance or command got there first), so concurrent starts and rotations settle on one key.
   */
  addSigningKey(key: SigningKeyRecord): Promise<boolean>;
  /** Deletes keys of generations below `generation`. Returns how many. */
  deleteSigningKeysBefore(generation: number): Promise<number>;
}

/** A stored artifact of the OpenID Connect provider (grant, session, code, token, interaction…). */
export interface OIDCArtifactRecord {
  /** The provider's model name, e.g. "AuthorizationCode". */
  kind: string;
  id: string;
  /** The provider's payload as JSON. */
  payload: string;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  accountId: string | null;
  clientId: string | null;
  /** Null: kept until deleted. */
  expiresAt: Date | null;
  consumedAt: Date | null;
}

export type NewOIDCArtifact = Omit<OIDCArtifactRecord, "consumedAt">;

export interface OIDCArtifactStore {
  /** Stores or replaces the artifact; a replaced artifact keeps its consumed mark. */
  saveArtifact(artifact: NewOIDCArtifact): Promise<void>;
  /** The unexpired artifact, or null. */
  getArtifact(kind: string, id: string, now: Date): Promise<OIDCArtifactRecord | null>;
  /** The unexpired artifact of this kind with this uid (sessions), or null. */
  getArtifactByUid(kind: string, uid: string, now: Date): Promise<OIDCArtifactRecord | null>;
  /** The unexpired artifact of this kind with this user code, or null. */
  getArtifactByUserCode(kind: string, userCode: string, now: Date): Promise<OIDCArtifactRecord | null>;
  /**
   * Marks the unexpired, not yet consumed artifact as consumed at `now`. Atomic: of concurrent callers
   * exactly one receives true; everyone else (and every later caller) receives false.
   */
  consumeArtifact(kind: string, id: string, now: Date): Promise<boolean>;
  deleteArtifact(kind: string, id: string): Promise<void>;
  /** Deletes every artifact of the grant (codes, tokens), whatever its kind. Returns how many. */
  revokeGrantArtifacts(grantId: string): Promise<number>;
  /** Unexpired artifacts of this kind that belong to the account, e.g. its grants for "Apps with access". */
  listArtifactsOfAccount(kind: string, accountId: string, now: Date): Promise<OIDCArtifactRecord[]>;
  deleteExpiredArtifacts(now: Date): Promise<number>;
}

export interface Stores {
  oidcClients: OIDCClientStore;
  signingKeys: SigningKeyStore;
  /** The provider's durable artifacts (grants, sessions, tokens) in the database. */
  oidcArtifacts: OIDCArtifactStore;
  /** Its short-lived, single-use artifacts (codes, interactions): Redis when configured, else the database. */
  oidcShortLivedArtifacts: OIDCArtifactStore;
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
  /** The secret before the last rotation, encrypted like `secretSealed`; it signs too until `previousSecretExpiresAt`. */
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
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
  /** The endpoint's secret before its last rotation, and until when it signs too (the sender compares). */
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  /** The exact body to sign and send. */
  payload: string;
}

export interface WebhookAttemptOutcome {
  at: Date;
  statusCode: number | null;
  error: string | null;
}

export interface WebhookStore {
  createEndpoint(
    endpoint: Omit<WebhookEndpointRecord, "pausedAt" | "pauseReason" | "consecutiveFailures" | "previousSecretSealed" | "previousSecretExpiresAt">,
  ): Promise<WebhookEndpointRecord>;
  listEndpoints(): Promise<WebhookEndpointRecord[]>;
  getEndpoint(endpointId: string): Promise<WebhookEndpointRecord | null>;
  /** Deletes the endpoint and its deliveries. False when it did not exist. */
  deleteEndpoint(endpointId: string): Promise<boolean>;
  /** Clears the pause and the failure count. False when it did not exist or was not paused. */
  resumeEndpoint(endpointId: string): Promise<boolean>;
  /**
   * Replaces the endpoint's signing secret with `secretSealed` in one UPDATE … RETURNING: the secret it
   * replaces becomes the previous one until `previousExpiresAt` (with null, no previous secret is kept), and
   * an older previous secret is dropped. Concurrent rotations apply one after the other, each keeping the
   * secret the one before it set. Returns the endpoint as it is now, or null when there is none with this id.
   */
  rotateEndpointSecret(endpointId: string, rotation: { secretSealed: string; previousExpiresAt: Date | null }): Promise<WebhookEndpointRecord | null>;
  /** Forgets every previous secret whose grace period has ended by `now`. Returns how many. */
  forgetExpiredPreviousSecrets(now: Date): Promise<number>;
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
   * paused endpoint. With `perEndpoint`, no endpoint ends up with more than that many deliveries under an
   * unexpired lease (counting those other workers hold; concurrent claims on PostgreSQL may each take the
   * share left when they began). With `deliveryId`, only that one (when due and free), whatever the share.
   */
  claimDeliveries(claim: {
    leaseToken: string;
    now: Date;
    leaseUntil: Date;
    limit: number;
    perEndpoint?: number;
    deliveryId?: string;
  }): Promise<ClaimedWebhookDelivery[]>;
  /** Marks a delivery delivered and resets the endpoint's failure count, in one transaction. */
  completeDelivery(deliveryId: string, outcome: WebhookAttemptOutcome): Promise<void>;
  /**
   * Records a failed attempt, if `leaseToken` still holds the lease: the next attempt at `retryAt`, or
   * with `retryAt` null the delivery gives up and the endpoint is paused. Returns `paused` true for the
   * one caller that paused the endpoint (so admins are told once).
   */
  failDelivery(
    deliveryId: string,
    leaseToken: string,
    outcome: WebhookAttemptOutcome & { retryAt: Date | null; pauseReason: string },
  ): Promise<{ paused: boolean }>;
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
  /** Flows between requests: Redis when configured, else the database. */
  flows: FlowStore;
  helpFeedback: HelpFeedbackStore;
  factors: FactorStore;
  /** Connection pool figures, where there is a pool (PostgreSQL). */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** Checks that storage answers (for /readyz). */
  ping(): Promise<boolean>;
  /**
   * Writes a small probe to the database and, in cluster mode, to Redis, each given at most `timeoutMs`.
   * Never throws: a backend that cannot be reached or written within the time is reported as such.
   */
  checkReadiness(timeoutMs: number): Promise<ReadinessReport>;
  close(): Promise<void>;
}
