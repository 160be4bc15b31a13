// Reading page form posts and redirects safely.
import type { FastifyReply, FastifyRequest } from "fastify";

/** Whether `value` is an object whose properties can be read by name (a parsed body, query string or route parameters). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `record[name]` when `record` is an object with that property of its own, else undefined. Reads request
 * parts whose shape no route schema fixes (a form read field by field, a query string) without trusting it.
 */
export function ownValue(record: unknown, name: string): unknown {
  return isRecord(record) && Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A string field of a form post (first value if repeated), trimmed to `max` characters. */
export function formField(request: FastifyRequest, name: string, max = 1024): string {
  const value = ownValue(request.body, name);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first.slice(0, max) : "";
}

export function formCheckbox(request: FastifyRequest, name: string): boolean {
  const value = formField(request, name, 8);
  return value === "1" || value === "on" || value === "true";
}

/**
 * Only paths on our own origin may be a return target: "/account" yes; "//evil.example", "/\\evil",
 * "https://evil.example" no. Anything else becomes the fallback, so sign-in is never an open redirect.
 */
export function safeReturnPath(candidate: unknown, fallback = "/account"): string {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > 512) return fallback;
  if (!candidate.startsWith("/") || candidate.startsWith("//") || candidate.includes("\\")) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(candidate)) return fallback;
  try {
    const url = new URL(candidate, "http://latchkey.invalid");
    if (url.origin !== "http://latchkey.invalid") return fallback;
    // Dot segments can collapse into a leading "//" ("/..//evil.example"), which browsers read as another host.
    if (url.pathname.startsWith("//")) return fallback;
    return `${url.pathname}${url.search}`;
  } catch {
    return fallback;
  }
}

export function redirectSeeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header("location", location).send();
}

export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") search.set(k, v);
  const q = search.toString();
  return q ? `${path}?${q}` : path;
}
