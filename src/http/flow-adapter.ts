// The one place where flow results become HTTP. Pages: POST → 303 → GET, the result's typed state saved
// in the FlowStore under `?flow=<id>`, bound to this browser. API: a refusal becomes the error answer
// (status, code, Retry-After, extra members) through the error handler like every other error; anything
// else is the route's success answer. A result that carries a `state` stays in the flow; one without
// leaves it (signed in, handed to another flow).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { type Refusal, refusalError } from "../flows/refusal.ts";
import { generateId, sha256Hex } from "../lib/crypto.ts";
import { redirectSeeOther, withQuery } from "./forms.ts";

/** A flow as pages see it: its kind in the FlowStore, how long a state lives, and the page of each state. */
export interface PageFlow<S> {
  kind: string;
  ttlSeconds: number;
  pathOf(state: S): string;
  /** Query parameters the page needs besides `flow` (they come first), and the fragment to scroll to. */
  queryOf?(state: S): Record<string, string>;
  fragmentOf?(state: S): string;
  /** The state a flow is left in when a result leaves it, so the step that finished it cannot run again. */
  finished: S;
}

/** A flow read back from the store: its id and version (for claimFlowStep) and its typed state. */
export interface StoredFlow<S> {
  id: string;
  version: number;
  state: S;
}

/** What every flow result has: its kind, the state to show next when it stays in the flow, a refusal. */
export interface FlowOutcome<S> {
  kind: string;
  state?: S;
  refusal?: Refusal | null;
}

/** The browser a flow belongs to: a hash of its anonymous id (see browser-id.ts), never the id itself. */
export function flowOwnerOf(request: FastifyRequest): string {
  return sha256Hex(`flow:${request.browserId || "none"}`);
}

export function isFlowId(id: unknown): id is string {
  return typeof id === "string" && /^[A-Za-z0-9_-]{20}$/.test(id);
}

/** This browser's unexpired flow of this kind under `id`, or null. */
export async function readFlow<S>(deps: Pick<Deps, "stores">, request: FastifyRequest, flow: PageFlow<S>, id: unknown): Promise<StoredFlow<S> | null> {
  if (!isFlowId(id)) return null;
  const found = await deps.stores.flows.getFlow(id, flow.kind, flowOwnerOf(request));
  return found ? { id, version: found.version, state: JSON.parse(found.state) as S } : null;
}

/** Starts a flow of this browser at `state`; returns its id. */
export async function startFlow<S>(deps: Pick<Deps, "stores" | "random">, request: FastifyRequest, flow: PageFlow<S>, state: S): Promise<string> {
  const id = generateId(deps.random);
  await deps.stores.flows.createFlow({ id, kind: flow.kind, owner: flowOwnerOf(request), state: JSON.stringify(state), ttlSeconds: flow.ttlSeconds });
  return id;
}

/**
 * Claims the step a stored flow is at, before its work runs: a compare-and-set on the version that leaves
 * the flow in its `finished` state while the step runs. Exactly one of concurrent requests receives the
 * claimed flow (with the state it had); the others receive null, and a request that arrives later reads
 * the finished state until the step's result replaces it (answerPage with `continues`).
 */
export async function claimFlowStep<S>(
  deps: Pick<Deps, "stores">,
  request: FastifyRequest,
  flow: PageFlow<S>,
  stored: StoredFlow<S>,
): Promise<StoredFlow<S> | null> {
  const claimed = await deps.stores.flows.advanceFlow(
    stored.id,
    flow.kind,
    flowOwnerOf(request),
    stored.version,
    JSON.stringify(flow.finished),
    flow.ttlSeconds,
  );
  return claimed ? { ...stored, version: claimed.version } : null;
}

/** The step of the flow a form posted (its hidden `flow` field), claimed for this request. */
export interface PostedStep<S> {
  /** The flow's state, or null when it is gone (expired, another browser's, never existed). */
  state: S | null;
  /** The claimed flow, or null when another request completed or claimed the step first. */
  claimed: StoredFlow<S> | null;
}

/** Reads and claims the flow a form posted; undefined when the form named none. */
export async function claimPostedStep<S>(
  deps: Pick<Deps, "stores">,
  request: FastifyRequest,
  flow: PageFlow<S>,
  id: string,
): Promise<PostedStep<S> | undefined> {
  if (id === "") return undefined;
  const stored = await readFlow(deps, request, flow, id);
  return { state: stored?.state ?? null, claimed: stored ? await claimFlowStep(deps, request, flow, stored) : null };
}

/**
 * Answers a page's POST with a 303. A result with a state is saved (as the next step of `continues` when
 * given and still current, else as a new flow) and shown at its page; a refusal's Retry-After is sent
 * along. A result without a state leaves the flow: `leave` names where to go, or sends a page itself.
 */
export async function answerPage<S, R extends FlowOutcome<S>>(
  deps: Pick<Deps, "stores" | "random">,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: PageFlow<S>,
  result: R,
  leave: (result: R) => string | FastifyReply | Promise<string | FastifyReply>,
  continues?: StoredFlow<S> | null,
): Promise<FastifyReply> {
  if (result.state === undefined) {
    // Leaving the flow finishes it; a claimed step already left it finished.
    const target = await leave(result);
    return typeof target === "string" ? redirectSeeOther(reply, target) : target;
  }
  if (result.refusal?.retryAfter !== undefined) reply.header("retry-after", String(result.refusal.retryAfter));
  const state = result.state;
  const advanced = continues
    ? await deps.stores.flows.advanceFlow(continues.id, flow.kind, flowOwnerOf(request), continues.version, JSON.stringify(state), flow.ttlSeconds)
    : null;
  const id = advanced ? advanced.id : await startFlow(deps, request, flow, state);
  const fragment = flow.fragmentOf?.(state);
  return redirectSeeOther(reply, `${withQuery(flow.pathOf(state), { ...flow.queryOf?.(state), flow: id })}${fragment ? `#${fragment}` : ""}`);
}

/**
 * Answers an API call: a refusal is thrown as its AppError, so the error handler answers it exactly as
 * every other error (status, `{"error":…}`, Retry-After, extra members, the log line); anything else is
 * the route's `succeed`.
 */
export async function answerJson<R extends FlowOutcome<unknown>>(
  result: R,
  succeed: (result: R) => FastifyReply | Promise<FastifyReply>,
): Promise<FastifyReply> {
  if (result.refusal) throw refusalError(result.refusal);
  return succeed(result);
}

/**
 * Answers a page action that has no form to go back to (a button on a list): a refusal is thrown to the
 * error handler, which shows the error page; anything else redirects (303) to `target(result)`.
 */
export async function answerPageOrError<R extends FlowOutcome<unknown>>(reply: FastifyReply, result: R, target: (result: R) => string): Promise<FastifyReply> {
  if (result.refusal) throw refusalError(result.refusal);
  return redirectSeeOther(reply, target(result));
}

/**
 * Answers an API call of a flow the client continues in later calls (a second factor after the password).
 * A refusal whose result is `resumable` keeps the state in the FlowStore, as the next step of `continues`
 * when given and still current, else as a new flow of this browser, and names it as `"flow"` in the error
 * answer; anything else is answered as answerJson does.
 */
export async function answerJsonStep<S, R extends FlowOutcome<S> & { resumable?: boolean }>(
  deps: Pick<Deps, "stores" | "random">,
  request: FastifyRequest,
  flow: PageFlow<S>,
  result: R,
  succeed: (result: R) => FastifyReply | Promise<FastifyReply>,
  continues?: StoredFlow<S> | null,
): Promise<FastifyReply> {
  if (result.refusal && result.resumable && result.state !== undefined) {
    const state = result.state;
    const advanced = continues
      ? await deps.stores.flows.advanceFlow(continues.id, flow.kind, flowOwnerOf(request), continues.version, JSON.stringify(state), flow.ttlSeconds)
      : null;
    const id = advanced ? advanced.id : await startFlow(deps, request, flow, state);
    throw refusalError({ ...result.refusal, extra: { ...result.refusal.extra, flow: id } });
  }
  return answerJson(result, succeed);
}
