// The password reset flow: its typed state, what a step may answer, and the services both the pages and
// the API call. Routes only read the input and hand the result to src/http/flow-adapter.ts.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> request
//     request --> request: refused (format, security check, send limit) / "Try another" / number chosen
//     request --> link_sent: link-sent (an e-mail address)
//     request --> code: code-sent (a mobile number)
//     link_sent --> link: the link is opened (its token leaves the address bar)
//     [*] --> link: a link opened in a new browser
//     code --> code: refused (wrong code, weak password, passwords differ)
//     link --> link: refused (weak password, passwords differ)
//     link --> [*]: link-problem (expired, used, invalid: the step is claimed once)
//     code --> done: password-changed
//     link --> done: password-changed
//     done --> [*]
// ```
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import { AppError } from "../errors/app-error.ts";
import { type FlowError, flowErrorOf, type Refusal, refusalOrValue } from "../flows/refusal.ts";
import type { Locale } from "../i18n/locales.ts";
import { sealJSON, unsealJSON } from "../lib/crypto.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import { checkResetLink, completePasswordResetWithCode, completePasswordResetWithToken, findResetLinkIdentifier, requestPasswordReset } from "./reset.ts";

export const RESET_FLOW_KIND = "password_reset";
export const RESET_FLOW_TTL_SECONDS = 30 * 60;
const TOKEN_SEAL_PURPOSE = "reset-token";

/** Where a reset stands. `done` is never stored: a finished reset leaves the flow. */
export type ResetStep = "request" | "link-sent" | "code" | "link" | "done";

export interface ResetState {
  step: ResetStep;
  /** As typed, or as shown once a message went out. Empty in the link step. */
  identifier: string;
  /** Where the link or code went (link-sent, code), as shown to people. */
  sentTo?: string;
  /** The link's token, sealed under the server secret (link step only): never stored readable. */
  sealedToken?: string;
  /** The account's identifier for a hidden username field, so password managers update the right entry. */
  username?: string;
  focus: "captcha" | null;
  error: FlowError | null;
}

export type ResetLinkProblem = "expired" | "used" | "invalid";

export type ResetResult =
  | { kind: "link-sent"; to: string; state: ResetState }
  | { kind: "code-sent"; to: string; state: ResetState }
  | { kind: "needs-captcha"; state: ResetState; refusal: null }
  | { kind: "refused"; state: ResetState; refusal: Refusal }
  | { kind: "link-opened"; state: ResetState }
  | { kind: "link-problem"; problem: ResetLinkProblem; refusal: Refusal }
  | { kind: "password-changed" };

type ResetDeps = Parameters<typeof requestPasswordReset>[0];

/** The state of a reset that has just begun, with what was typed on the sign-in page. */
export function newResetState(identifier = ""): ResetState {
  return { step: "request", identifier, focus: null, error: null };
}

export type ResetRequestAction =
  | { action: "submit"; identifier: string; captcha: CAPTCHASubmission | undefined }
  /** "Try another", or a number picked from the choices: the security check is still to be answered. */
  | { action: "new-captcha"; identifier: string };

/** The request step: the security check, then a link (e-mail) or a code (SMS), the same answer for everyone. */
export async function runResetRequest(
  deps: ResetDeps,
  input: { binding: string; context: SessionContext; locale?: Locale | undefined },
  action: ResetRequestAction,
): Promise<ResetResult> {
  if (action.action === "new-captcha") return { kind: "needs-captcha", state: { ...newResetState(action.identifier), focus: "captcha" }, refusal: null };
  const sent = await refusalOrValue(() =>
    requestPasswordReset(deps, {
      identifier: action.identifier,
      captcha: action.captcha,
      binding: input.binding,
      context: input.context,
      locale: input.locale,
    }),
  );
  if ("refusal" in sent) return { kind: "refused", state: { ...newResetState(action.identifier), error: flowErrorOf(sent.refusal) }, refusal: sent.refusal };
  const { identifier } = sent.value;
  const state: ResetState = {
    step: identifier.kind === "email" ? "link-sent" : "code",
    identifier: identifier.display,
    sentTo: identifier.display,
    focus: null,
    error: null,
  };
  return identifier.kind === "email" ? { kind: "link-sent", to: identifier.display, state } : { kind: "code-sent", to: identifier.display, state };
}

const LINK_PROBLEM_CODES = { expired: "RESET_TOKEN_EXPIRED", used: "RESET_TOKEN_USED", invalid: "RESET_TOKEN_INVALID" } as const;

/** Opening the link from the message: a usable token moves into the flow (sealed), out of the address bar. */
export async function openResetLink(deps: ResetDeps, token: string): Promise<ResetResult> {
  const status = await checkResetLink(deps, token);
  if (status !== "valid") return { kind: "link-problem", problem: status, refusal: { code: LINK_PROBLEM_CODES[status], field: "token" } };
  const username = (await findResetLinkIdentifier(deps, token)) ?? "";
  const sealedToken = sealJSON(deps.config.secret, TOKEN_SEAL_PURPOSE, token, deps.random);
  return { kind: "link-opened", state: { step: "link", identifier: "", sealedToken, ...(username ? { username } : {}), focus: null, error: null } };
}

export interface ResetCompletion {
  password: string;
  /** The second password field of the page; the API has none. */
  passwordConfirm?: string;
  /** By code: the identifier and the code. By link: the token (API) or the link step's state (pages). */
  identifier?: string;
  code?: string;
  token?: string;
  context: SessionContext;
  /** The page's or request's language: the strength estimate knows its words too. */
  locale?: Locale | undefined;
}

/**
 * The last step: a new password by link or by code. `link` is the step of the flow a page posted, with
 * `state` null when that flow is gone and `claimed` false when another request completed the step first.
 */
export async function runResetCompletion(deps: ResetDeps, input: ResetCompletion, link?: { state: ResetState | null; claimed: boolean }): Promise<ResetResult> {
  const sealed = link?.state?.sealedToken;
  const token = input.token !== undefined ? input.token : sealed ? unsealJSON<string>(deps.config.secret, TOKEN_SEAL_PURPOSE, sealed) : null;
  const done = await refusalOrValue(async () => {
    // The link step is claimed before it runs: a step that was completed (or is being completed) by another
    // request answers as a used link, so a replayed form cannot reset the password twice.
    if (link?.state && (!link.claimed || link.state.step === "done"))
      throw new AppError("RESET_TOKEN_USED", { field: "token", detail: "step already completed" });
    if (link && !token) throw new AppError("RESET_TOKEN_EXPIRED", { field: "token", detail: "flow gone" });
    if (input.passwordConfirm !== undefined && input.password !== input.passwordConfirm) throw new AppError("PASSWORD_MISMATCH", { field: "password_confirm" });
    if (token !== null) await completePasswordResetWithToken(deps, { token, password: input.password, context: input.context, locale: input.locale });
    else
      await completePasswordResetWithCode(deps, {
        identifier: input.identifier ?? "",
        code: input.code ?? "",
        password: input.password,
        context: input.context,
        locale: input.locale,
      });
  });
  if (!("refusal" in done)) return { kind: "password-changed" };
  const { refusal } = done;
  const problem = linkProblemOf(refusal);
  if (problem) return { kind: "link-problem", problem, refusal };
  const kept: ResetState =
    token && sealed
      ? {
          step: "link",
          identifier: "",
          sealedToken: sealed,
          ...(link?.state?.username ? { username: link.state.username } : {}),
          focus: null,
          error: flowErrorOf(refusal),
        }
      : { step: "code", identifier: input.identifier ?? "", focus: null, error: flowErrorOf(refusal) };
  return { kind: "refused", state: kept, refusal };
}

function linkProblemOf(refusal: Refusal): ResetLinkProblem | null {
  if (refusal.code === "RESET_TOKEN_EXPIRED") return "expired";
  if (refusal.code === "RESET_TOKEN_USED") return "used";
  if (refusal.code === "RESET_TOKEN_INVALID") return "invalid";
  return null;
}
