// Sessions: created at sign-in with a new token, validated on every request, slid forward at most once
// per interval, ended one by one or all at once.
import type { Deps } from "../deps.ts";
import type { Locale } from "../i18n/locales.ts";
import { addSeconds } from "../lib/clock.ts";
import type { AccountRecord, IdentifierRecord, SessionRecord, SessionWithAccount } from "../stores/types.ts";
import { sessionsRevokedEvent } from "../webhooks/events.ts";
import { generateSessionToken, parseSessionToken, sessionSecretMatches } from "./session-token.ts";

export interface SessionContext {
  userAgent: string | null;
  ip: string | null;
  /** The language the request is answered in, for the messages it sends. */
  locale?: Locale;
}

export interface ValidatedSession {
  session: SessionRecord;
  account: AccountRecord;
  /** The account's identifiers, oldest first, as read with the session. */
  identifiers: IdentifierRecord[];
}

type SessionDeps = Pick<Deps, "stores" | "clock" | "random" | "config">;

function timeouts(config: Deps["config"], remember: boolean): { idle: number; absolute: number } {
  return remember
    ? { idle: config.sessions.rememberIdleSeconds, absolute: config.sessions.rememberAbsoluteSeconds }
    : { idle: config.sessions.idleSeconds, absolute: config.sessions.absoluteSeconds };
}

/** Creates a session with a fresh token (never reusing one the browser brought along). */
export async function createSession(
  deps: SessionDeps,
  input: {
    accountId: string;
    remember: boolean;
    context: SessionContext;
    /** How the person signed in (OpenID Connect amr values); a password by default. */
    amr?: string[];
  },
): Promise<{ token: string; session: SessionRecord }> {
  const now = deps.clock.now();
  const { token, id, secretHash } = generateSessionToken(deps.random);
  const limits = timeouts(deps.config, input.remember);
  const session: SessionRecord = {
    id,
    accountId: input.accountId,
    secretHash,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: addSeconds(now, limits.idle),
    absoluteExpiresAt: addSeconds(now, limits.absolute),
    remember: input.remember,
    userAgent: input.context.userAgent?.slice(0, 512) ?? null,
    ip: input.context.ip,
    // Signing in is a confirmation: changes that need a recent one are allowed for a while after it.
    confirmedAt: now,
    amr: input.amr ?? ["pwd"],
  };
  await deps.stores.sessions.createSession(session);
  return { token, session };
}

/** What a session read from storage means now: valid (perhaps with its idle expiry to slide), or not. */
type Verdict = { kind: "valid"; validated: ValidatedSession; now: Date; slideTo: Date | null } | { kind: "invalid" } | { kind: "expired"; sessionId: string };

function judgeSession(deps: SessionDeps, secret: string, found: SessionWithAccount | null): Verdict {
  if (!found || !sessionSecretMatches(secret, found.session.secretHash)) return { kind: "invalid" };
  const { session, account } = found;
  const now = deps.clock.now();
  if (session.idleExpiresAt <= now || session.absoluteExpiresAt <= now) return { kind: "expired", sessionId: session.id };
  if (account.disabledAt !== null) return { kind: "invalid" };
  const limits = timeouts(deps.config, session.remember);
  // Slide the idle expiry, writing at most once per interval so that reads stay reads.
  const interval = Math.min(3600, Math.floor(limits.idle / 4)) * 1000;
  const slideTo =
    now.getTime() - session.lastSeenAt.getTime() >= interval
      ? new Date(Math.min(addSeconds(now, limits.idle).getTime(), session.absoluteExpiresAt.getTime()))
      : null;
  return { kind: "valid", validated: found, now, slideTo };
}

/**
 * Returns the session, its account and the account's identifiers (one query) when the token is valid,
 * unexpired and the account enabled; otherwise null (and an expired session is deleted).
 */
export async function validateSessionToken(deps: SessionDeps, token: string): Promise<ValidatedSession | null> {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const verdict = judgeSession(deps, parsed.secret, await deps.stores.sessions.getSessionWithAccount(parsed.id));
  if (verdict.kind === "expired") {
    await deps.stores.sessions.deleteSession(verdict.sessionId);
    return null;
  }
  if (verdict.kind === "invalid") return null;
  const { validated, now, slideTo } = verdict;
  if (slideTo) {
    await deps.stores.sessions.touchSession(validated.session.id, now, slideTo);
    validated.session.lastSeenAt = now;
    validated.session.idleExpiresAt = slideTo;
  }
  return validated;
}

/**
 * validateSessionToken's answer when it needs no waiting: a malformed token, or a session whose rows
 * storage still holds (SessionStore.peekSessionWithAccount) and that needs no write. Undefined when only
 * validateSessionToken can tell.
 */
export function validateSessionTokenAtOnce(deps: SessionDeps, token: string): ValidatedSession | null | undefined {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const found = deps.stores.sessions.peekSessionWithAccount?.(parsed.id);
  if (found === undefined) return undefined;
  const verdict = judgeSession(deps, parsed.secret, found);
  if (verdict.kind === "invalid") return null;
  return verdict.kind === "valid" && verdict.slideTo === null ? verdict.validated : undefined;
}

export async function invalidateSession(deps: Pick<Deps, "stores">, sessionId: string): Promise<void> {
  await deps.stores.sessions.deleteSession(sessionId);
}

/** Ends one session of the account; false when there is no such session on this account. */
export async function invalidateAccountSession(deps: Pick<Deps, "stores">, accountId: string, sessionId: string): Promise<boolean> {
  return deps.stores.sessions.deleteSession(sessionId, accountId);
}

/** Ends every session of the account except `keepSessionId` (a session.revoked event goes with it when any ended). */
export async function invalidateOtherSessions(deps: Pick<Deps, "stores" | "clock" | "random">, accountId: string, keepSessionId?: string): Promise<number> {
  return deps.stores.sessions.deleteSessionsOfAccount(accountId, keepSessionId, (count) =>
    count > 0 ? [sessionsRevokedEvent(deps, accountId, "signed_out_other_sessions", count, keepSessionId !== undefined)] : [],
  );
}

export async function listAccountSessions(deps: Pick<Deps, "stores" | "clock">, accountId: string): Promise<SessionRecord[]> {
  return deps.stores.sessions.listSessionsOfAccount(accountId, deps.clock.now());
}
