// Passkeys (WebAuthn, with @simplewebauthn/server): registration from the account page and
// authentication for sign-in, the second step and "confirm it's you". Every ceremony's challenge is
// random, stored under its own id bound to the browser or session that asked, expires after 5 minutes
// and is taken (deleted) by the one verification that may use it. User verification is always required.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { recordAuditEvent } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { generateId, hmacHex } from "../lib/crypto.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { NewWebhookEvent, PasskeyRecord } from "../stores/types.ts";

// The WebAuthn library (and its certificate parsers) loads with the first passkey ceremony, not at start-up.
let webAuthnLibrary: Promise<typeof import("@simplewebauthn/server")> | undefined;
const webAuthn = () => {
  webAuthnLibrary ??= import("@simplewebauthn/server");
  return webAuthnLibrary;
};

export const PASSKEY_CHALLENGE_TTL_SECONDS = 5 * 60;
export const PASSKEY_NAME_MAX_LENGTH = 64;
/**
 * What a passkey use proves, as OpenID Connect amr values: a key held in hardware (hwk) or a synced,
 * software-held one (swk), unlocked by the person (user verification is required), so two factors (mfa).
 */
export function passkeyAMR(passkey: Pick<PasskeyRecord, "deviceType">): string[] {
  return [passkey.deviceType === "singleDevice" ? "hwk" : "swk", "mfa"];
}

type PasskeyDeps = Pick<Deps, "config" | "stores" | "clock" | "random" | "logger">;

export type PasskeyCeremony = "register" | "authenticate";

interface StoredChallenge {
  challenge: string;
  binding: string;
  /** The account the ceremony is for (registration, second step, confirmation); absent for passkey sign-in. */
  accountId?: string;
}

function relyingParty(deps: Pick<Deps, "config">): { id: string; origin: string } {
  return { id: new URL(deps.config.baseUrl).hostname, origin: deps.config.baseOrigin };
}

function challengeKey(ceremony: PasskeyCeremony, challengeId: string): string {
  return `webauthn:${ceremony}:${challengeId}`;
}

async function storeChallenge(deps: PasskeyDeps, ceremony: PasskeyCeremony, stored: StoredChallenge): Promise<string> {
  const challengeId = generateId(deps.random);
  await deps.stores.shortLived.set(challengeKey(ceremony, challengeId), JSON.stringify(stored), PASSKEY_CHALLENGE_TTL_SECONDS);
  return challengeId;
}

/**
 * Takes the challenge (deleting it: one verification per challenge, whatever its outcome). Null when it is
 * missing, expired, used, or was issued to another browser, session or account.
 */
async function takeChallenge(
  deps: PasskeyDeps,
  ceremony: PasskeyCeremony,
  challengeId: string,
  binding: string,
  accountId?: string,
): Promise<StoredChallenge | null> {
  if (!/^[A-Za-z0-9_-]{20}$/.test(challengeId)) return null;
  const raw = await deps.stores.shortLived.getAndDelete(challengeKey(ceremony, challengeId));
  if (!raw) return null;
  const stored = JSON.parse(raw) as StoredChallenge;
  if (stored.binding !== binding || stored.accountId !== accountId) return null;
  return stored;
}

/** The stable WebAuthn user handle of an account: a keyed hash, so it reveals neither the id nor anything else. */
function userHandleOf(deps: Pick<Deps, "config">, accountId: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(hmacHex(deps.config.secret, "webauthn-user", accountId).slice(0, 64), "hex"));
}

/** Trims and checks a passkey's name; null when it is empty or too long. */
export function normalizePasskeyName(input: string): string | null {
  const name = input.normalize("NFC").replace(/\s+/g, " ").trim();
  if (name.length === 0 || [...name].length > PASSKEY_NAME_MAX_LENGTH) return null;
  return name;
}

export interface PasskeyChallenge<T> {
  challengeId: string;
  options: T;
}

/** Options for creating a passkey for the account; existing passkeys are excluded (no double registration). */
export async function startPasskeyRegistration(
  deps: PasskeyDeps,
  input: { accountId: string; userName: string; displayName: string; binding: string },
): Promise<PasskeyChallenge<PublicKeyCredentialCreationOptionsJSON>> {
  const existing = await deps.stores.factors.listPasskeys(input.accountId);
  const rp = relyingParty(deps);
  const options = await (await webAuthn()).generateRegistrationOptions({
    rpName: deps.config.branding.siteName,
    rpID: rp.id,
    userName: input.userName,
    userDisplayName: input.displayName,
    userID: userHandleOf(deps, input.accountId),
    challenge: Uint8Array.from(deps.random.bytes(32)),
    attestationType: "none",
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    // A discoverable credential, so that "Sign in with a passkey" needs no identifier typed first.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  const challengeId = await storeChallenge(deps, "register", { challenge: options.challenge, binding: input.binding, accountId: input.accountId });
  return { challengeId, options };
}

export type PasskeyRegistrationResult = { ok: true; passkey: PasskeyRecord } | { ok: false; reason: "challenge" | "invalid" | "duplicate" };

/** Verifies the browser's answer and stores the passkey under `name`. */
export async function finishPasskeyRegistration(
  deps: PasskeyDeps,
  input: {
    accountId: string;
    binding: string;
    challengeId: string;
    response: unknown;
    name: string;
    events?: (passkey: PasskeyRecord) => readonly NewWebhookEvent[];
  },
): Promise<PasskeyRegistrationResult> {
  const stored = await takeChallenge(deps, "register", input.challengeId, input.binding, input.accountId);
  if (!stored) return { ok: false, reason: "challenge" };
  const rp = relyingParty(deps);
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await (await webAuthn()).verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: stored.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    deps.logger.warn({ err: error }, "passkey registration refused");
    return { ok: false, reason: "invalid" };
  }
  if (!verification.verified) return { ok: false, reason: "invalid" };
  const info = verification.registrationInfo;
  const passkey: PasskeyRecord = {
    id: generateId(deps.random),
    accountId: input.accountId,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString("base64url"),
    counter: info.credential.counter,
    transports: (info.credential.transports ?? []).filter((t) => /^[a-z-]{1,16}$/.test(t)),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name: input.name,
    createdAt: deps.clock.now(),
    lastUsedAt: null,
  };
  if (!(await deps.stores.factors.addPasskey(passkey, input.events?.(passkey)))) return { ok: false, reason: "duplicate" };
  return { ok: true, passkey };
}

/**
 * Options for using a passkey. With `accountId` (second step, confirmation) only that account's passkeys
 * are offered; without it (passkey sign-in, conditional mediation) the browser offers any it holds.
 */
export async function startPasskeyAuthentication(
  deps: PasskeyDeps,
  input: { binding: string; accountId?: string },
): Promise<PasskeyChallenge<PublicKeyCredentialRequestOptionsJSON>> {
  const allow = input.accountId ? await deps.stores.factors.listPasskeys(input.accountId) : [];
  const options = await (await webAuthn()).generateAuthenticationOptions({
    rpID: relyingParty(deps).id,
    challenge: Uint8Array.from(deps.random.bytes(32)),
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    userVerification: "required",
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
  });
  const challengeId = await storeChallenge(deps, "authenticate", {
    challenge: options.challenge,
    binding: input.binding,
    ...(input.accountId ? { accountId: input.accountId } : {}),
  });
  return { challengeId, options };
}

export type PasskeyAuthenticationResult =
  | { ok: true; accountId: string; passkey: PasskeyRecord }
  | { ok: false; reason: "challenge" | "unknown" | "invalid" | "counter_regression" | "replayed" };

/**
 * Verifies an assertion. The passkey must belong to `accountId` when given. A signature counter that did
 * not move forward (a cloned authenticator) is refused and, once the signature is verified, recorded in the
 * audit trail (an assertion that is not signed by the key says nothing about the key); the counter moves
 * by compare-and-set, so one assertion is accepted once however many requests carry it.
 */
export async function finishPasskeyAuthentication(
  deps: PasskeyDeps,
  input: { binding: string; challengeId: string; response: unknown; accountId?: string; context?: SessionContext },
): Promise<PasskeyAuthenticationResult> {
  const stored = await takeChallenge(deps, "authenticate", input.challengeId, input.binding, input.accountId);
  if (!stored) return { ok: false, reason: "challenge" };
  const response = input.response as AuthenticationResponseJSON;
  const credentialId = typeof response?.id === "string" ? response.id.slice(0, 1024) : "";
  const passkey = credentialId ? await deps.stores.factors.getPasskeyByCredentialId(credentialId) : null;
  if (!passkey || (input.accountId !== undefined && passkey.accountId !== input.accountId)) return { ok: false, reason: "unknown" };
  const rp = relyingParty(deps);
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await (await webAuthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: stored.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: Uint8Array.from(Buffer.from(passkey.publicKey, "base64url")),
        // The library compares the counters before it checks the signature, so its refusal would come from
        // anyone who knows a credential id: given 0 it skips that comparison, which is made below instead,
        // once the signature proves the assertion came from the key.
        counter: 0,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
  } catch (error) {
    deps.logger.warn({ err: error }, "passkey assertion refused");
    return { ok: false, reason: "invalid" };
  }
  if (!verification.verified) return { ok: false, reason: "invalid" };
  const { newCounter } = verification.authenticationInfo;
  // A signed counter that did not go up (authenticators that count never repeat a value) is a sign that the
  // key was copied: refused and recorded. Authenticators that do not count send 0 every time.
  if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) {
    await recordAuditEvent(deps, {
      type: "passkey.counter_regression",
      accountId: passkey.accountId,
      context: input.context ?? null,
      detail: { passkey: passkey.id, stored: passkey.counter, received: newCounter },
    });
    return { ok: false, reason: "counter_regression" };
  }
  const used = await deps.stores.factors.recordPasskeyUse(passkey.id, passkey.counter, newCounter, deps.clock.now());
  if (!used) return { ok: false, reason: "replayed" };
  return { ok: true, accountId: passkey.accountId, passkey };
}
