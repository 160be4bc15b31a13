// Sends a message to an identifier by the channel its kind calls for.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import type { EmailContent } from "../messages/notifications.ts";

export interface Notification {
  email: () => EmailContent;
  sms: () => string;
}

/** Sends by e-mail or SMS. A failure is logged and becomes DELIVERY_FAILED (503), never a 500. */
export async function deliverToIdentifier(deps: Pick<Deps, "mailer" | "sms" | "logger">, identifier: Identifier, notification: Notification): Promise<void> {
  try {
    if (identifier.kind === "email") {
      await deps.mailer.sendEmail({ to: identifier.display, ...notification.email() });
    } else {
      await deps.sms.sendSMS({ to: identifier.value, body: notification.sms() });
    }
  } catch (cause) {
    deps.logger.error({ err: cause, channel: identifier.kind }, "message delivery failed");
    throw new AppError("DELIVERY_FAILED", { cause, detail: identifier.kind });
  }
}
