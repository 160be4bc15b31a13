// Changing the password while signed in, as a flow: its typed state, what the step may answer, and the
// service both the page and the API call.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> form
//     form --> form: refused (security check, wrong current password, weak password, passwords differ) / "Try another"
//     form --> done: password-changed (a new session here; other devices signed out unless kept)
//     done --> [*]
// ```
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import { AppError } from "../errors/app-error.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { SessionRecord } from "../stores/types.ts";
import { changePassword } from "./password-change.ts";

export const PASSWORD_CHANGE_FLOW_KIND = "password_change";
export const PASSWORD_CHANGE_FLOW_TTL_SECONDS = 30 * 60;

/** Where a password change stands. `done` is never stored: a finished change leaves the flow. */
export type PasswordChangeStep = "form" | "done";

export interface PasswordChangeState {
  step: PasswordChangeStep;
  /** The "sign out other devices" box as it was ticked. */
  signOutOthers: boolean;
  focus: "captcha" | null;
  error: FlowError | null;
}

export type PasswordChangeResult =
  | { kind: "password-changed"; session: SessionRecord; token: string }
  | { kind: "needs-captcha"; state: PasswordChangeState; refusal: null }
  | { kind: "refused"; state: PasswordChangeState; refusal: Refusal };

export function newPasswordChangeState(): PasswordChangeState {
  return { step: "form", signOutOthers: true, focus: null, error: null };
}

export type PasswordChangeAction =
  | {
      action: "submit";
      currentPassword: string;
      newPassword: string;
      /** The page's second field for the new password; the API has none. */
      newPasswordConfirm?: string;
      captcha: CAPTCHASubmission | undefined;
    }
  | { action: "new-captcha" };

/** Runs the one step of a password change. Expected refusals are values; an outage or a bug throws. */
export async function runPasswordChange(
  deps: Parameters<typeof changePassword>[0],
  input: { accountId: string; session: SessionRecord; binding: string; locale?: Locale | undefined; signOutOthers: boolean; context: SessionContext },
  action: PasswordChangeAction,
): Promise<PasswordChangeResult> {
  const kept = { ...newPasswordChangeState(), signOutOthers: input.signOutOthers };
  if (action.action === "new-captcha") return { kind: "needs-captcha", state: { ...kept, focus: "captcha" }, refusal: null };
  const changed = await refusalOrValue(async () => {
    if (action.newPasswordConfirm !== undefined && action.newPassword !== action.newPasswordConfirm)
      throw new AppError("PASSWORD_MISMATCH", { field: "newPassword_confirm" });
    return changePassword(deps, { ...input, currentPassword: action.currentPassword, newPassword: action.newPassword, captcha: action.captcha });
  });
  if ("refusal" in changed) return { kind: "refused", state: { ...kept, error: flowErrorOf(changed.refusal) }, refusal: changed.refusal };
  return { kind: "password-changed", ...changed.value };
}
