// Checks every request's input shares, before any route reads it: a body is JSON or a form (anything else
// is 415), and all text in the body is well-formed Unicode.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors/app-error.ts";

// In a Unicode regular expression \p{Cs} matches only a surrogate that is not half of a pair.
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Whether `text` holds a UTF-16 surrogate that is not half of a pair (String.prototype.isWellFormed, ES2024). */
export function hasUnpairedSurrogate(text: string): boolean {
  return UNPAIRED_SURROGATE.test(text);
}

/**
 * The first place in a parsed body whose text (a value or a property name) has an unpaired
 * surrogate: the top-level field it is in, "" when the text is a top-level key or the body itself, or
 * undefined when all text is well-formed. Walks without recursion: a 64 KiB body can nest thousands deep.
 */
export function findIllFormedText(input: unknown): string | undefined {
  const pending: Array<{ value: unknown; field: string }> = [{ value: input, field: "" }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, field } = next;
    if (typeof value === "string") {
      if (hasUnpairedSurrogate(value)) return field;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, field });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (hasUnpairedSurrogate(key)) return field;
        pending.push({ value: item, field: field || key });
      }
    }
  }
  return undefined;
}

export function registerInputChecks(app: FastifyInstance): void {
  // Fastify reads text/plain bodies by itself. No route takes plain text (OIDC, webhooks and the pages all
  // read JSON or forms), and docs/errors.md promises 415 UNSUPPORTED_MEDIA_TYPE for it like any other type.
  app.removeContentTypeParser("text/plain");
  // A lone surrogate (JSON "\ud800") cannot be stored as UTF-8: drivers and hashes replace it with U+FFFD
  // or drop it, so two different passwords would match one hash and a name would be stored damaged. It is
  // refused here, once for every route and before any handler, so sign-in answers it the same whether or not
  // the account exists (no lookup has happened yet).
  app.addHook("preValidation", (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    // Only a JSON body can carry one ("\ud800"): forms and query strings are percent-encoded UTF-8, and
    // their parser keeps bytes that are not valid UTF-8 as they were typed ("%ED%A0%80").
    const body = request.body;
    // Most requests (every GET: session and forward-auth checks) have no body: nothing to walk.
    if (body === undefined || body === null) return done();
    const field = findIllFormedText(body);
    if (field === undefined) return done();
    done(new AppError("VALIDATION_FAILED", { ...(field ? { field } : {}), detail: "text with an unpaired UTF-16 surrogate" }));
  });
}
