// The start-up warning for return hosts that can never see Latchkey's session cookie (single sign-on).

import type { HostPattern } from "./forward-auth-rules.ts";
import type { Config } from "./load.ts";

type SessionReachConfig = Pick<Config, "baseOrigin" | "cookieDomain" | "allowedReturnHosts"> & Partial<Pick<Config, "forwardAuthRules">>;

function isUnder(hostname: string, domain: string): boolean {
  return hostname === domain || hostname.endsWith(`.${domain}`);
}

/** Whether a browser visiting a host of `pattern` sends the session cookie (ports do not matter to cookies). */
function receivesSessionCookie(pattern: HostPattern, config: SessionReachConfig): boolean {
  if (config.cookieDomain) {
    return pattern.kind === "exact" ? isUnder(pattern.host.replace(/:\d+$/, ""), config.cookieDomain) : isUnder(pattern.domain, config.cookieDomain);
  }
  // A host-only cookie goes back to Latchkey's own host alone.
  return pattern.kind === "exact" && pattern.host.replace(/:\d+$/, "") === new URL(config.baseOrigin).hostname;
}

/**
 * A warning naming the LATCHKEY_ALLOWED_RETURN_HOSTS entries and the LATCHKEY_FORWARD_AUTH_RULES hosts
 * whose browsers never send the session cookie,
 * or null when there are none. Not an error: such a host is fine for an app that only needs to be sent
 * back after sign-in (an OpenID Connect client, say), but forward-auth there never sees the session, so
 * sign-in would loop between the app and Latchkey.
 */
export function describeReturnHostsWithoutSession(config: SessionReachConfig): string | null {
  const outsideOf = (patterns: readonly HostPattern[]): string[] => [
    ...new Set(
      patterns.filter((pattern) => !receivesSessionCookie(pattern, config)).map((pattern) => (pattern.kind === "exact" ? pattern.host : `*.${pattern.domain}`)),
    ),
  ];
  const reach = (count: number): string =>
    config.cookieDomain
      ? `${count === 1 ? "is" : "are"} not under LATCHKEY_COOKIE_DOMAIN (${config.cookieDomain})`
      : `${count === 1 ? "gets" : "get"} no session cookie: LATCHKEY_COOKIE_DOMAIN is unset, so it goes to ${new URL(config.baseOrigin).hostname} only`;
  const warnings: string[] = [];
  const outside = outsideOf(config.allowedReturnHosts);
  if (outside.length > 0)
    warnings.push(
      `Warning: LATCHKEY_ALLOWED_RETURN_HOSTS ${outside.join(", ")} ${reach(outside.length)}. ` +
        "Forward-auth there never sees the session, so sign-in there loops between the app and Latchkey. " +
        "That is fine for an app that only needs to be sent back after sign-in; for forward-auth, set LATCHKEY_COOKIE_DOMAIN to a parent domain of these hosts and of Latchkey's.",
    );
  // A host that a forward-auth rule protects is there for forward-auth: without the cookie its rule can never
  // let anyone through, whatever LATCHKEY_ALLOWED_RETURN_HOSTS says.
  const ruled = outsideOf((config.forwardAuthRules ?? []).map((rule) => rule.host));
  if (ruled.length > 0)
    warnings.push(
      `Warning: LATCHKEY_FORWARD_AUTH_RULES names ${ruled.join(", ")}, which ${reach(ruled.length)}. ` +
        "Forward-auth there never sees the session, so nobody ever passes its rule and sign-in loops between the app and Latchkey. " +
        "Set LATCHKEY_COOKIE_DOMAIN to a parent domain of these hosts and of Latchkey's.",
    );
  return warnings.length > 0 ? warnings.join("\n") : null;
}
