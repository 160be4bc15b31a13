// Sends a message to an identifier by the channel its kind calls for.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { composeEmail, composeSMS } from "../messages/compose.ts";
import type { EmailDraft, SMSDraft } from "../messages/notifications.ts";

export interface Notification {
  email: () => EmailDraft;
  sms: () => SMSDraft;
}

/** Sends by e-mail or SMS, in the site's words when its owner rewrote the message. A failure is logged and becomes DELIVERY_FAILED (503), never a 500. */
export async function deliverToIdentifier(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger">,
  identifier: Identifier,
  notification: Notification,
): Promise<void> {
  try {
    if (identifier.kind === "email") {
      await deps.mailer.sendEmail({ to: identifier.display, ...composeEmail(deps.config, notification.email()) });
    } else {
      await deps.sms.sendSMS({ to: identifier.value, body: composeSMS(deps.config, notification.sms()) });
    }
  } catch (cause) {
    deps.logger.error({ err: cause, channel: identifier.kind }, "message delivery failed");
    throw new AppError("DELIVERY_FAILED", { cause, detail: identifier.kind });
  }
}
