// The language menu's choice: which offered language a request names, and remembering it on the account of
// a signed-in person so their pages, e-mails and text messages follow them to any browser.
import type { Deps } from "../deps.ts";
import type { Locale } from "./locales.ts";
import { offeredLocale } from "./negotiate.ts";

/** The offered language `requested` names, or undefined when it names none (an unknown or unoffered tag). */
export function chosenLocale(deps: Pick<Deps, "config">, requested: unknown): Locale | undefined {
  return offeredLocale(requested, deps.config.locales);
}

/** Saves the choice on the account (null forgets it, so the browser's preference decides again). */
export async function saveLanguageChoice(deps: Pick<Deps, "stores">, accountId: string, locale: Locale | null): Promise<void> {
  await deps.stores.accounts.setAccountLocale(accountId, locale);
}
