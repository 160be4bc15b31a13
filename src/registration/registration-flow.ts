// The registration flow: its typed state, what a step may answer, and the services both the pages and the
// API call. Routes only read the input and hand the result to src/http/flow-adapter.ts.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> details
//     details --> details: refused (format, weak password, passwords differ, security check, delivery) / "Try another"
//     details --> check_address: the e-mail domain looks like a typo (password and answer kept sealed)
//     check_address --> check_address: corrected by hand to another likely typo
//     check_address --> code: code-sent (the suggestion or the address as typed)
//     check_address --> details: refused
//     details --> code: code-sent
//     [*] --> code: a sign-in stopped at an unconfirmed identifier
//     code --> code: refused (wrong or expired code, password needed or not right) / code resent
//     code --> done: confirmed and signed in (by the browser that chose the password, or with it typed)
//     done --> [*]
// ```
import type { PublicAccount } from "../accounts/public-account.ts";
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import { sealJSON, unsealJSON } from "../lib/crypto.ts";
import { parseIdentifier, suggestEmailCorrection } from "../lib/identifier-parsing.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { SessionRecord } from "../stores/types.ts";
import { confirmRegistration, registerAccount, resendRegistrationCode, signInAfterConfirmation } from "./registration.ts";

export const REGISTRATION_FLOW_KIND = "registration";
export const REGISTRATION_FLOW_TTL_SECONDS = 30 * 60;
const PENDING_SEAL_PURPOSE = "registration-pending";

/** Where a registration stands. `done` is never stored: a finished registration leaves the flow. */
export type RegistrationStep = "details" | "check-address" | "code" | "done";

export interface RegistrationState {
  step: RegistrationStep;
  /** As typed. */
  identifier: string;
  name: string;
  /** details: which field the page focuses. */
  focus: "captcha" | null;
  /** check-address: the likely intended address. */
  suggestion?: string;
  /** check-address: the passwords and the security check answer, sealed under the server secret. */
  pending?: string;
  /** code: where the code went, as shown to people, and by which channel. */
  sentTo?: string;
  channel?: "email" | "phone";
  /** code: the identifier whose confirmation also signs in this browser (it chose the password). */
  signInAs?: string;
  /**
   * code: the account whose password this browser chose. Only its confirmation signs in here: a later
   * registration of the same identifier replaces it, and its code must not sign this browser into an
   * account whose password someone else chose.
   */
  signInAccountId?: string;
  /** code: a new code was just sent. */
  resent?: boolean;
  error: FlowError | null;
}

/** What the registration form held when it stopped to ask about the address: sealed, never stored readable. */
interface PendingRegistration {
  password: string;
  passwordConfirm: string;
  captcha: CAPTCHASubmission | null;
}

export type RegistrationResult =
  | { kind: "code-sent"; to: string; suggestion?: string; state: RegistrationState }
  | { kind: "check-address"; state: RegistrationState }
  | { kind: "needs-captcha"; state: RegistrationState; refusal: null }
  | { kind: "continue"; state: RegistrationState }
  | { kind: "refused"; state: RegistrationState; refusal: Refusal }
  | { kind: "signed-in"; account: PublicAccount; session: SessionRecord; token: string }
  | { kind: "abandoned" };

type RegistrationDeps = Parameters<typeof registerAccount>[0] & Pick<Deps, "tasks">;

export function newRegistrationState(): RegistrationState {
  return { step: "details", identifier: "", name: "", focus: null, error: null };
}

/** The code step of a registration that a sign-in found unconfirmed (the correct password was typed). */
export function registrationCodeState(input: {
  identifier: string;
  sentTo?: string;
  channel?: "email" | "phone";
  signInAs?: string;
  signInAccountId?: string;
  error?: FlowError;
}): RegistrationState {
  const { error, ...rest } = input;
  return { ...rest, step: "code", name: "", focus: null, error: error ?? null };
}

export type RegistrationAction =
  | {
      action: "submit";
      identifier: string;
      name: string;
      password: string;
      passwordConfirm: string;
      captcha: CAPTCHASubmission | undefined;
      /** The page script already showed a suggestion for this value and it was kept. */
      confirmedIdentifier: string;
    }
  /** "Try another" (`captcha`), or a number picked from the choices: the form again with what was typed. */
  | { action: "show-again"; identifier: string; name: string; focus: "captcha" | null }
  /** The answer to "check your address": the field as it is now, and whether the suggestion was taken. */
  | { action: "answer-address"; identifier: string; useSuggestion: boolean };

/**
 * The details step and the address check. `current` is the claimed check-address step a page posted
 * (null when it is gone or was answered already).
 */
export async function runRegistrationStep(
  deps: RegistrationDeps,
  input: { binding: string; locale?: Locale | undefined },
  action: RegistrationAction,
  current?: RegistrationState | null,
): Promise<RegistrationResult> {
  if (action.action === "show-again") {
    const state: RegistrationState = { ...newRegistrationState(), identifier: action.identifier, name: action.name, focus: action.focus };
    return action.focus === "captcha" ? { kind: "needs-captcha", state, refusal: null } : { kind: "continue", state };
  }
  if (action.action === "answer-address") {
    const sealed = current?.step === "check-address" ? current.pending : undefined;
    const pending = sealed ? unsealJSON<PendingRegistration>(deps.config.secret, PENDING_SEAL_PURPOSE, sealed) : null;
    if (!current || !sealed || !pending) return { kind: "abandoned" };
    const typed = current.identifier;
    if (action.identifier.trim() !== typed.trim()) {
      // Corrected by hand: that address gets the same check.
      const corrected = suggestEmailCorrection(action.identifier);
      if (corrected) return askAboutAddress({ identifier: action.identifier, name: current.name, suggestion: corrected, sealed });
      return completeRegistration(deps, input, { identifier: action.identifier, name: current.name, pending });
    }
    return completeRegistration(deps, input, { identifier: action.useSuggestion ? (current.suggestion ?? typed) : typed, name: current.name, pending });
  }
  const pending: PendingRegistration = { password: action.password, passwordConfirm: action.passwordConfirm, captcha: action.captcha ?? null };
  // With the page script, a suggestion already shown next to the field and kept counts as the answer.
  const suggestion = action.confirmedIdentifier === action.identifier ? undefined : suggestEmailCorrection(action.identifier);
  if (suggestion) {
    return askAboutAddress({
      identifier: action.identifier,
      name: action.name,
      suggestion,
      sealed: sealJSON(deps.config.secret, PENDING_SEAL_PURPOSE, pending, deps.random),
    });
  }
  return completeRegistration(deps, input, { identifier: action.identifier, name: action.name, pending });
}

/**
 * Stops before anything is sent when the address looks like a typo, keeping the rest of the form. The
 * passwords and the security check answer wait sealed (AES-GCM under the server secret) in this browser's
 * flow, whose step the answer claims exactly once.
 */
function askAboutAddress(input: { identifier: string; name: string; suggestion: string; sealed: string }): RegistrationResult {
  return {
    kind: "check-address",
    state: {
      ...newRegistrationState(),
      step: "check-address",
      identifier: input.identifier,
      name: input.name,
      suggestion: input.suggestion,
      pending: input.sealed,
    },
  };
}

async function completeRegistration(
  deps: RegistrationDeps,
  input: { binding: string; locale?: Locale | undefined },
  form: { identifier: string; name: string; pending: PendingRegistration },
): Promise<RegistrationResult> {
  const { identifier, name, pending } = form;
  const registered = await refusalOrValue(async () => {
    if (pending.password !== pending.passwordConfirm) throw new AppError("PASSWORD_MISMATCH", { field: "password_confirm" });
    return registerAccount(deps, {
      identifier,
      password: pending.password,
      name,
      captcha: pending.captcha ?? undefined,
      binding: input.binding,
      locale: input.locale,
    });
  }, ["DELIVERY_FAILED"]);
  if ("refusal" in registered)
    return { kind: "refused", state: { ...newRegistrationState(), identifier, name, error: flowErrorOf(registered.refusal) }, refusal: registered.refusal };
  const { identifier: sent, accountId } = registered.value;
  // signInAccountId binds the confirmation to this browser: here a correct code alone confirms and signs in,
  // and only into the account this registration created (for a taken identifier an id that names no
  // account, so the code page looks the same either way).
  const state = registrationCodeState({
    identifier,
    sentTo: sent.display,
    channel: sent.kind,
    signInAs: sent.value,
    ...(accountId ? { signInAccountId: accountId } : {}),
  });
  return { kind: "code-sent", to: sent.display, state };
}

/** The API's registration: the same service, with the typo suggestion in the answer instead of a question. */
export async function runRegistrationRequest(
  deps: RegistrationDeps,
  input: { identifier: string; password: string; name: string | null; captcha: CAPTCHASubmission | undefined; binding: string; locale?: Locale | undefined },
): Promise<RegistrationResult> {
  const registered = await refusalOrValue(() => registerAccount(deps, input));
  if ("refusal" in registered) return { kind: "refused", state: newRegistrationState(), refusal: registered.refusal };
  const parsed = parseIdentifier(input.identifier, { defaultRegion: deps.config.defaultRegion });
  const sent = registered.value.identifier;
  return {
    kind: "code-sent",
    to: sent.display,
    ...(parsed.ok && parsed.suggestion ? { suggestion: parsed.suggestion } : {}),
    state: registrationCodeState({ identifier: input.identifier, sentTo: sent.display, channel: sent.kind }),
  };
}

/** The code step's state kept across a refusal or a resend: where the code went and whom to sign in. */
function keptCodeState(identifier: string, current: RegistrationState | null | undefined, extra: Partial<RegistrationState>): RegistrationState {
  return registrationCodeState({
    identifier,
    ...(current?.sentTo ? { sentTo: current.sentTo } : {}),
    ...(current?.channel ? { channel: current.channel } : {}),
    ...(current?.signInAs ? { signInAs: current.signInAs } : {}),
    ...(current?.signInAccountId ? { signInAccountId: current.signInAccountId } : {}),
    ...(extra.error ? { error: extra.error } : {}),
  });
}

/**
 * The code step. A correct code confirms the identifier and signs this browser in, but only when the browser
 * chose the account's password (`current` names the account in signInAccountId, or the registration
 * remembered this browser) or the password is typed with the code: see confirmRegistration.
 */
export async function runRegistrationConfirmation(
  deps: RegistrationDeps,
  input: { identifier: string; code: string; password: string; binding: string | undefined; context: SessionContext },
  current?: RegistrationState | null,
): Promise<RegistrationResult> {
  const confirmed = await refusalOrValue(() =>
    confirmRegistration(deps, { ...input, ...(current?.signInAccountId ? { provenAccountId: current.signInAccountId } : {}) }),
  );
  if ("refusal" in confirmed)
    return { kind: "refused", state: keptCodeState(input.identifier, current, { error: flowErrorOf(confirmed.refusal) }), refusal: confirmed.refusal };
  const account = confirmed.value;
  // The confirmation was shown to come from whoever chose the password: the same proof as a sign-in.
  const { token, session } = await signInAfterConfirmation(deps, { accountId: account.id, context: input.context });
  return { kind: "signed-in", account, session, token };
}

/** Sends the code again; the answer is the same whether or not the identifier waits for one. */
export async function runRegistrationResend(
  deps: RegistrationDeps,
  input: { identifier: string; locale?: Locale },
  current?: RegistrationState | null,
): Promise<RegistrationResult> {
  const resent = await refusalOrValue(() => resendRegistrationCode(deps, input), ["DELIVERY_FAILED"]);
  if ("refusal" in resent)
    return { kind: "refused", state: keptCodeState(input.identifier, current, { error: flowErrorOf(resent.refusal) }), refusal: resent.refusal };
  const sent = resent.value.identifier;
  return { kind: "code-sent", to: sent.display, state: { ...keptCodeState(input.identifier, current, {}), resent: true } };
}
