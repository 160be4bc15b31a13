// Authorization and sign-out requests sent by form POST: the parameters are passed on, unchanged, as the
// query of a GET to the same endpoint (see routes.ts for why).
import { AUTHORIZATION_PARAM_LIMITS, describeOversizedParam, END_SESSION_PARAM_LIMITS, findOversizedParam } from "./request-limits.ts";

/**
 * The longest query passed on. Node.js refuses a request line and headers past 16 KiB together (431), and
 * the browser's cookies and other headers need room beside the address.
 */
export const FORWARDED_QUERY_LIMIT_BYTES = 12 * 1024;

/** The largest form body read; anything longer cannot become an address either. */
export const FORM_POST_BODY_LIMIT_BYTES = 16 * 1024;

export type FormPostQuery = { ok: true; query: string } | { ok: false; description: string };

/**
 * The form body (application/x-www-form-urlencoded) as a query string: every parameter in the order sent,
 * repeated ones repeated (the provider refuses those as it does in a GET), re-encoded so the address holds
 * no byte a Location header may not. Too long for an address: what to tell the person instead.
 */
export function queryOfFormPost(body: string, endpoint: "authorization" | "end_session"): FormPostQuery {
  const params = new URLSearchParams(body);
  const query = params.toString();
  if (Buffer.byteLength(query, "utf8") <= FORWARDED_QUERY_LIMIT_BYTES) return { ok: true, query };
  const limits = endpoint === "authorization" ? AUTHORIZATION_PARAM_LIMITS : END_SESSION_PARAM_LIMITS;
  const values: Record<string, string[]> = {};
  for (const name of new Set(params.keys())) values[name] = params.getAll(name);
  const oversized = findOversizedParam(values, limits);
  return {
    ok: false,
    description: oversized ? describeOversizedParam(oversized) : `the request's parameters must be at most ${FORWARDED_QUERY_LIMIT_BYTES} bytes together`,
  };
}
