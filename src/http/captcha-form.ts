// Reads the security check's answer from a page form, for every page that can show the check.
import type { FastifyRequest } from "fastify";
import type { CAPTCHASubmission } from "../captcha/gate.ts";
import { formField } from "./forms.ts";

/** The CAPTCHA answer posted by a page form (hidden captchaId + captchaAnswer), or undefined when none was. */
export function captchaFromForm(request: FastifyRequest): CAPTCHASubmission | undefined {
  const id = formField(request, "captchaId", 64);
  return id ? { id, answer: formField(request, "captchaAnswer", 64) } : undefined;
}
