// Markup inside a translated sentence: the message keeps a placeholder where a link, a time or an address
// goes, so each language places it; the sentence is formatted with a marker there and split around it.
import type { MessageId, MessageValues, Translate } from "../i18n/catalogue.ts";
import { html, type SafeHtml } from "../lib/html.ts";

/** The message `id` with `piece` (escaped markup) in place of its placeholder `name`. */
export function around(t: Translate, id: MessageId, values: MessageValues, name: string, piece: SafeHtml): SafeHtml {
  const marker = "\u0000piece\u0000";
  const [before = "", after = ""] = t(id, { ...values, [name]: marker }).split(marker);
  return html`${before}${piece}${after}`;
}
