// The "Sign-in and security" pages as a flow: each form (passkeys, the authenticator app, recovery codes,
// the name, "confirm it's you", deletion) is one action whose result says what changed or, as a value,
// why not. Pages and API call the same function; src/http/flow-adapter.ts turns results into HTTP.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> overview
//     overview --> overview: refused (name too long, passkey gone, no JavaScript for passkeys)
//     overview --> totp_setup: totp-started
//     totp_setup --> totp_setup: refused (wrong code)
//     totp_setup --> done: changed (app on; recovery codes shown once when new)
//     overview --> done: changed (renamed, removed, new recovery codes, name saved)
//     [*] --> confirm: a change needs a recent confirmation
//     confirm --> confirm: refused (wrong password or code, security check, pause)
//     confirm --> [*]: confirmed (back to the change)
//     [*] --> delete
//     delete --> delete: refused (box not ticked, the only admin)
//     delete --> [*]: deleted
//     done --> [*]
// ```
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { SessionContext, ValidatedSession } from "../sessions/sessions.ts";
import { describeWait } from "../signin/throttle.ts";
import type { PasskeyRecord } from "../stores/types.ts";
import {
  addPasskey,
  changeDisplayName,
  confirmTOTPSetup,
  deleteOwnAccount,
  removePasskey,
  removeTOTP,
  renamePasskey,
  replaceRecoveryCodes,
  startTOTPSetup,
  type TOTPSetup,
} from "./account-security.ts";
import { type ConfirmationInput, type ConfirmationResult, confirmIdentity } from "./step-up.ts";

export const SECURITY_FLOW_KIND = "account_security";
export const SECURITY_FLOW_TTL_SECONDS = 30 * 60;

/** Which page a refused action goes back to. `done` is never stored. */
export type SecurityStep = "overview" | "totp-setup" | "confirm" | "delete" | "done";

export interface SecurityState {
  step: SecurityStep;
  error: FlowError | null;
  /** overview: the name as typed when it was refused. */
  name: string;
  /** confirm: where to go back to once confirmed (already checked by safeReturnPath). */
  returnTo: string;
  /** confirm: the security check is due before the next guess. */
  captcha: boolean;
}

/** The one-line notice the security page shows after a change (texts in src/messages/pages.ts). */
export type SecurityNotice = "passkey-added" | "passkey-renamed" | "passkey-removed" | "totp-on" | "totp-off" | "name-saved" | "recovery-codes";

export type SecurityAction =
  | { action: "rename-passkey"; passkeyId: string; name: string }
  | { action: "remove-passkey"; passkeyId: string }
  | { action: "add-passkey"; challengeId: string; response: unknown; name: string }
  | { action: "passkey-unavailable" }
  | { action: "start-totp"; label: string }
  | { action: "confirm-totp"; code: string }
  | { action: "remove-totp" }
  | { action: "replace-recovery-codes" }
  | { action: "change-name"; name: string }
  | { action: "confirm"; input: ConfirmationInput; returnTo: string; captcha: CAPTCHASubmission | undefined }
  | { action: "delete-account"; confirmed: boolean };

export type SecurityResult =
  | { kind: "changed"; notice: SecurityNotice; recoveryCodes: string[] | null }
  | { kind: "passkey-added"; passkey: PasskeyRecord; recoveryCodes: string[] | null }
  | { kind: "totp-started"; setup: TOTPSetup }
  | { kind: "name-changed"; name: string | null }
  | { kind: "confirmed"; returnTo: string }
  | { kind: "deleted" }
  | { kind: "refused"; state: SecurityState; refusal: Refusal };

export interface SecurityRequest {
  auth: ValidatedSession;
  context: SessionContext;
  /** Who a passkey challenge and the security check belong to (session or browser). */
  binding: string;
}

type SecurityDeps = Parameters<typeof confirmIdentity>[0];

export function newSecurityState(step: SecurityStep = "overview"): SecurityState {
  return { step, error: null, name: "", returnTo: "/account/security", captcha: false };
}

function refusedAt(step: SecurityStep, refusal: Refusal, more: Partial<SecurityState> = {}): SecurityResult {
  return { kind: "refused", state: { ...newSecurityState(step), ...more, error: flowErrorOf(refusal) }, refusal };
}

/** A confirmation that did not pass, as the refusal both the page and the API answer with. */
export function confirmationRefusal(result: Exclude<ConfirmationResult, { ok: true }>, method: ConfirmationInput["method"]): Refusal {
  if (method === "passkey") return { code: "PASSKEY_FAILED", detail: `confirmation: ${result.reason}` };
  switch (result.reason) {
    case "locked":
      return { code: "SECOND_FACTOR_LOCKED", retryAfter: result.retryAfter, params: { wait: describeWait(result.retryAfter) } };
    case "captcha_required":
      return { code: "CAPTCHA_REQUIRED", field: "captcha" };
    default:
      return { code: "SECOND_FACTOR_INVALID", field: method === "code" ? "code" : "password" };
  }
}

/** Runs one action of the security pages or their API. Expected refusals are values; only outages and bugs throw. */
export async function runSecurityAction(deps: SecurityDeps, request: SecurityRequest, action: SecurityAction): Promise<SecurityResult> {
  const accountId = request.auth.account.id;
  const { context } = request;
  switch (action.action) {
    case "rename-passkey": {
      const done = await refusalOrValue(() => renamePasskey(deps, { accountId, passkeyId: action.passkeyId, name: action.name, context }));
      return "refusal" in done ? refusedAt("overview", done.refusal) : { kind: "changed", notice: "passkey-renamed", recoveryCodes: null };
    }
    case "remove-passkey": {
      const done = await refusalOrValue(() => removePasskey(deps, { accountId, passkeyId: action.passkeyId, context }));
      return "refusal" in done ? refusedAt("overview", done.refusal) : { kind: "changed", notice: "passkey-removed", recoveryCodes: null };
    }
    case "add-passkey": {
      const added = await refusalOrValue(() =>
        addPasskey(deps, {
          accountId,
          session: request.auth.session,
          binding: request.binding,
          challengeId: action.challengeId,
          response: action.response,
          name: action.name,
          context,
        }),
      );
      return "refusal" in added ? refusedAt("overview", added.refusal) : { kind: "passkey-added", ...added.value };
    }
    case "passkey-unavailable":
      // Without JavaScript there is no WebAuthn: the page says so instead of failing silently.
      return refusedAt("overview", { code: "PASSKEY_FAILED", detail: "form posted without JavaScript" });
    case "start-totp": {
      const started = await refusalOrValue(() => startTOTPSetup(deps, { accountId, label: action.label }));
      return "refusal" in started ? refusedAt("overview", started.refusal) : { kind: "totp-started", setup: started.value };
    }
    case "confirm-totp": {
      const confirmed = await refusalOrValue(() => confirmTOTPSetup(deps, { accountId, session: request.auth.session, code: action.code, context }));
      if ("refusal" in confirmed) return refusedAt(confirmed.refusal.code === "TOTP_NOT_SET_UP" ? "overview" : "totp-setup", confirmed.refusal);
      return { kind: "changed", notice: "totp-on", recoveryCodes: confirmed.value.recoveryCodes };
    }
    case "remove-totp": {
      const done = await refusalOrValue(() => removeTOTP(deps, { accountId, context }));
      return "refusal" in done ? refusedAt("overview", done.refusal) : { kind: "changed", notice: "totp-off", recoveryCodes: null };
    }
    case "replace-recovery-codes":
      return { kind: "changed", notice: "recovery-codes", recoveryCodes: await replaceRecoveryCodes(deps, { accountId, context }) };
    case "change-name": {
      const changed = await refusalOrValue(() => changeDisplayName(deps, { accountId, name: action.name, context }));
      return "refusal" in changed ? refusedAt("overview", changed.refusal, { name: action.name }) : { kind: "name-changed", name: changed.value };
    }
    case "confirm": {
      const result = await confirmIdentity(deps, request.auth, { ...action.input, binding: request.binding, captcha: action.captcha, context });
      if (result.ok) return { kind: "confirmed", returnTo: action.returnTo };
      const refusal = confirmationRefusal(result, action.input.method);
      return refusedAt("confirm", refusal, { returnTo: action.returnTo, captcha: result.reason === "captcha_required" });
    }
    case "delete-account": {
      if (!action.confirmed) return refusedAt("delete", { code: "VALIDATION_FAILED", field: "confirm" });
      const deleted = await refusalOrValue(() => deleteOwnAccount(deps, { accountId, context }));
      return "refusal" in deleted ? refusedAt("delete", deleted.refusal) : { kind: "deleted" };
    }
  }
}
