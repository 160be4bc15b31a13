// Sends a message to an identifier by the channel its kind calls for.
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { Locale } from "../i18n/locales.ts";
import type { Identifier } from "../lib/identifier-parsing.ts";
import { composeEmail, composeSMS } from "../messages/compose.ts";
import type { EmailDraft, SMSDraft } from "../messages/notifications.ts";
import { canTextIdentifier } from "./sms-countries.ts";

export interface Notification {
  email: () => EmailDraft;
  sms: () => SMSDraft;
  /**
   * The language to write in: the request's when the person is acting, the account's saved language for a
   * notice about an account. Without one, or when it is no longer offered, the site's default language.
   */
  locale?: Locale | null;
}

/** The language a message goes out in: the one asked for when the site still offers it, else the default. */
export function messageLocale(config: Pick<Deps["config"], "locales">, wanted: Locale | null | undefined): Locale {
  return wanted && config.locales.offered.includes(wanted) ? wanted : config.locales.fallback;
}

/** How long a person is asked to wait after a message could not be sent (the Retry-After of DELIVERY_FAILED). */
const DELIVERY_RETRY_AFTER_SECONDS = 60;

/** Sends by e-mail or SMS, in the site's words when its owner rewrote the message; nothing to a number of a country not in LATCHKEY_SMS_COUNTRIES. A failure is logged and becomes DELIVERY_FAILED (503), never a 500. */
export async function deliverToIdentifier(
  deps: Pick<Deps, "config" | "mailer" | "sms" | "logger">,
  identifier: Identifier,
  notification: Notification,
): Promise<void> {
  // Security: a number of a country the site does not text (LATCHKEY_SMS_COUNTRIES) is sent nothing, whatever
  // asks for it: one already on an account before the list was set (a reset, a sign-in code, a notice) would
  // otherwise still cost the site per text. Nothing is said to the asker, so a reset request answers the same.
  if (!canTextIdentifier(deps.config, identifier)) {
    deps.logger.info({ channel: identifier.kind }, "text message not sent: the number's country is not in LATCHKEY_SMS_COUNTRIES");
    return;
  }
  const locale = messageLocale(deps.config, notification.locale);
  try {
    if (identifier.kind === "email") {
      await deps.mailer.sendEmail({ to: identifier.display, ...composeEmail(deps.config, notification.email(), locale) });
    } else {
      await deps.sms.sendSMS({ to: identifier.value, body: composeSMS(deps.config, notification.sms(), locale) });
    }
  } catch (cause) {
    deps.logger.error({ err: cause, channel: identifier.kind }, "message delivery failed");
    // The allowance of the message is given back (sendCountedMessage), so trying again soon costs nothing.
    throw new AppError("DELIVERY_FAILED", { cause, detail: identifier.kind, retryAfter: DELIVERY_RETRY_AFTER_SECONDS });
  }
}
