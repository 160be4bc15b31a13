// Forward-auth decisions: which URL the person asked for (from a trusted proxy's headers), whether the
// account may use that host (the first matching rule in LATCHKEY_FORWARD_AUTH_RULES), and the identity
// headers the protected application receives.

import { type ForwardAuthAccess, hostMatches } from "../config/forward-auth-rules.ts";
import type { Config } from "../config/load.ts";
import type { AccountRecord, IdentifierRecord } from "../stores/types.ts";

const MAX_URL_LENGTH = 2048;

function firstValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.split(",")[0]?.trim() || undefined;
}

/**
 * The original URL from X-Original-URL, or X-Forwarded-Proto + X-Forwarded-Host + X-Forwarded-Uri; null
 * when the headers are missing or not an http(s) URL. Call only for requests from a trusted proxy.
 */
export function originalURLFrom(headers: Record<string, string | string[] | undefined>): URL | null {
  const original = firstValue(headers["x-original-url"]);
  const proto = firstValue(headers["x-forwarded-proto"]);
  const host = firstValue(headers["x-forwarded-host"]);
  const uri = firstValue(headers["x-forwarded-uri"]) ?? "/";
  const text = original ?? (proto && host ? `${proto}://${host}${uri.startsWith("/") ? uri : `/${uri}`}` : undefined);
  if (!text || text.length > MAX_URL_LENGTH || !URL.canParse(text)) return null;
  const url = new URL(text);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password) return null;
  return url;
}

export function groupsOf(account: AccountRecord): string[] {
  return account.isAdmin ? ["admins"] : [];
}

/** The access rule for a host: the first rule that matches, or "every signed-in account". */
export function accessRuleFor(config: Pick<Config, "forwardAuthRules">, host: string | null): ForwardAuthAccess {
  if (host) for (const rule of config.forwardAuthRules) if (hostMatches(rule.host, host)) return rule.access;
  return { kind: "signed-in" };
}

export function isAllowed(access: ForwardAuthAccess, account: AccountRecord): boolean {
  switch (access.kind) {
    case "signed-in":
      return true;
    case "admins":
      return account.isAdmin;
    case "accounts":
      return access.accountIds.includes(account.id);
    case "groups":
      return groupsOf(account).some((group) => access.groups.includes(group));
  }
}

/** Header values must be printable ASCII: anything else is sent percent-encoded (UTF-8). */
function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text);
}

/** Remote-User (the stable account id), Remote-Email, Remote-Phone, Remote-Name, Remote-Groups. */
export function identityHeaders(account: AccountRecord, identifiers: IdentifierRecord[]): Record<string, string> {
  const verified = identifiers.filter((i) => i.verifiedAt !== null).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const email = verified.find((i) => i.kind === "email");
  const phone = verified.find((i) => i.kind === "phone");
  return {
    "remote-user": account.id,
    "remote-email": email ? headerValue(email.value) : "",
    "remote-phone": phone?.value ?? "",
    "remote-name": account.name ? headerValue(account.name) : "",
    "remote-groups": groupsOf(account).join(","),
  };
}
