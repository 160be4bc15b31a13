// An admin action on an account as a flow: the confirm page (with the step-up password where needed),
// then the change. Routes only read the input and hand the result to src/http/flow-adapter.ts.
//
// ```mermaid
// stateDiagram-v2
//     [*] --> confirm
//     confirm --> confirm: refused (wrong password, step-up limit, last admin, delivery)
//     confirm --> done: changed or unchanged (back to the account, the list, or signed out)
//     done --> [*]
// ```
import { type FlowError, flowErrorOf, type Refusal, refusalError, refusalOrValue } from "../flows/refusal.ts";
import { type AdminAction, type AdminActionInput, performAdminAction } from "./account-actions.ts";

export const ADMIN_ACTION_FLOW_KIND = "admin_action";
export const ADMIN_ACTION_FLOW_TTL_SECONDS = 30 * 60;

export interface AdminActionState {
  step: "confirm" | "done";
  accountId: string;
  action: AdminAction;
  /** For reset-password: the identifier that was picked. */
  identifierId: string;
  error: FlowError | null;
}

export type AdminActionFlowResult =
  | { kind: "done"; location: string; signedOut: boolean; changed: boolean }
  | { kind: "refused"; state: AdminActionState; refusal: Refusal };

/** Where the admin goes after an action: back to the account, to the list after a deletion, or out. */
function afterAction(action: AdminAction, accountId: string, self: boolean, changed: boolean): { location: string; signedOut: boolean } {
  if (self && (action === "sign-out" || action === "disable" || action === "delete")) return { location: "/signin?done=signed-out", signedOut: true };
  if (self && action === "revoke-admin") return { location: "/account", signedOut: false };
  if (action === "delete") return { location: "/admin/accounts?done=deleted", signedOut: false };
  return { location: `/admin/accounts/${accountId}?done=${changed ? action : "unchanged"}`, signedOut: false };
}

/** Runs the action. A missing account stays exceptional (NOT_FOUND, the page does not exist). */
export async function runAdminAction(deps: Parameters<typeof performAdminAction>[0], input: AdminActionInput): Promise<AdminActionFlowResult> {
  const performed = await refusalOrValue(() => performAdminAction(deps, input), ["DELIVERY_FAILED"]);
  if ("refusal" in performed) {
    if (performed.refusal.code === "NOT_FOUND") throw refusalError(performed.refusal);
    const state: AdminActionState = {
      step: "confirm",
      accountId: input.accountId,
      action: input.action,
      identifierId: input.identifierId ?? "",
      error: flowErrorOf(performed.refusal),
    };
    return { kind: "refused", state, refusal: performed.refusal };
  }
  const changed = performed.value.changed;
  return { kind: "done", changed, ...afterAction(input.action, input.accountId, input.admin.id === input.accountId, changed) };
}
