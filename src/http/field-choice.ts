// A value picked from the choices offered under a refused field (see fieldChoices in src/views/layout.ts).
import type { FastifyRequest } from "fastify";
import { formField } from "./forms.ts";

/**
 * The phone number the person picked with the `identifier_choice` button, or undefined. Only an E.164
 * number is taken: the buttons carry nothing else, and anything else is ignored rather than trusted.
 */
export function chosenIdentifier(request: FastifyRequest): string | undefined {
  const choice = formField(request, "identifier_choice", 20);
  return /^\+[1-9][0-9]{5,14}$/.test(choice) ? choice : undefined;
}
