// The security check a page shows. Loading a page draws a challenge just as POST /api/v1/captcha does, so
// it counts against the same per-address allowance (LATCHKEY_RATE_CAPTCHA); and reloading a page shows
// the browser's earlier challenge for it again while that one is unanswered and speaks the page's
// language, instead of drawing another.
import type { Deps } from "../deps.ts";
import { consumeClientAllowance } from "../http/client-limits.ts";
import type { Locale } from "../i18n/locales.ts";
import { hmacHex } from "../lib/crypto.ts";
import { type CAPTCHAChallenge, type CAPTCHAPurpose, createCAPTCHAChallenge, findUnansweredChallenge } from "./challenges.ts";

/** An earlier challenge is shown again only while it has at least this long to live. */
const MIN_REMAINING_SECONDS = 120;

type PageChallengeDeps = Parameters<typeof createCAPTCHAChallenge>[0] & Pick<Deps, "stores" | "config" | "clock">;

/**
 * The challenge for a page of `purpose` in `locale` shown to `binding` (its session or browser) at address
 * `ip`: the page's unanswered earlier one (unless `another`, or unless it speaks another language: the
 * person has switched languages since), or a new one counted against the address. Throws RATE_LIMITED
 * (429) when the address has drawn its allowance.
 */
export async function challengeForPage(
  deps: PageChallengeDeps,
  input: {
    purpose: CAPTCHAPurpose;
    binding: string;
    ip: string;
    /** The page's language, which the audio speaks. */
    locale?: Locale;
    /** "Try another" was chosen: draw a new one. */
    another?: boolean;
  },
): Promise<CAPTCHAChallenge> {
  const locale = input.locale ?? deps.config.locales.fallback;
  const pageKey = `captcha:page:${hmacHex(deps.config.secret, "captcha-page", input.purpose, input.binding).slice(0, 32)}`;
  const earlierId = input.another ? null : await deps.stores.shortLived.get(pageKey);
  if (earlierId) {
    const earlier = await findUnansweredChallenge(deps, { id: earlierId, purpose: input.purpose, binding: input.binding, locale });
    if (earlier && new Date(earlier.expiresAt).getTime() - deps.clock.now().getTime() >= MIN_REMAINING_SECONDS * 1000) return earlier;
  }
  // Every challenge drawn counts, wherever it is drawn: pages cannot be used to get past the API's limit.
  await consumeClientAllowance(deps, "captcha", input.ip);
  const challenge = await createCAPTCHAChallenge(deps, { purpose: input.purpose, binding: input.binding, locale });
  const ttl = Math.max(1, Math.ceil((new Date(challenge.expiresAt).getTime() - deps.clock.now().getTime()) / 1000));
  await deps.stores.shortLived.set(pageKey, challenge.id, ttl);
  return challenge;
}
