// Forward-auth decisions: which URL the person asked for (from a trusted proxy's headers), whether the
// account may use that host (the first matching rule in LATCHKEY_FORWARD_AUTH_RULES), and the identity
// headers the protected application receives.

import { type ForwardAuthRule, hostMatches } from "../config/forward-auth-rules.ts";
import type { Config } from "../config/load.ts";
import type { AccountRecord, IdentifierRecord } from "../stores/types.ts";

const MAX_URL_LENGTH = 2048;

/** What the proxy says the person asked for: the host decides the rule, the URL is where sign-in returns. */
export interface OriginalRequest {
  /** The host (lower case, no trailing dot, ":port" when one was given), or null when it cannot be known. */
  host: string | null;
  /** The whole URL, or null when it is unknown or longer than MAX_URL_LENGTH (the host may still be known). */
  url: URL | null;
}

const UNKNOWN: OriginalRequest = { host: null, url: null };

/**
 * A header's value, undefined when it is absent, null when it holds several different values: a client's
 * own value with a proxy's appended after it cannot tell which one the proxy meant.
 */
function singleValue(value: string | string[] | undefined): string | null | undefined {
  const texts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const values = new Set(
    texts
      .flatMap((text) => text.split(","))
      .map((text) => text.trim())
      .filter(Boolean),
  );
  if (values.size === 0) return undefined;
  return values.size === 1 ? ([...values][0] as string) : null;
}

/** "Grafana.Example.com.:443" and "grafana.example.com:443" are one host. */
function normalHost(url: URL): string {
  const hostname = url.hostname.replace(/\.+$/, "");
  return url.port ? `${hostname}:${url.port}` : hostname;
}

/** An http(s) URL without credentials; past MAX_URL_LENGTH only its scheme and host count (no URL). */
function parseTarget(text: string): OriginalRequest {
  const long = text.length > MAX_URL_LENGTH;
  const origin = long ? /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]{1,300}/i.exec(text)?.[0] : text;
  if (!origin || !URL.canParse(origin)) return UNKNOWN;
  const url = new URL(origin);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || !url.hostname) return UNKNOWN;
  return { host: normalHost(url), url: long ? null : url };
}

/**
 * The original request from X-Original-URL (nginx), or X-Forwarded-Proto + X-Forwarded-Host +
 * X-Forwarded-Uri (Traefik, Caddy). Each proxy sets its own header and passes the others on as the client
 * sent them, so when X-Original-URL and X-Forwarded-Host both come and name different hosts, or a header
 * holds different values, the host is unknown. Call only for requests from a trusted proxy.
 */
export function originalRequestFrom(headers: Record<string, string | string[] | undefined>): OriginalRequest {
  const original = singleValue(headers["x-original-url"]);
  const proto = singleValue(headers["x-forwarded-proto"]);
  const host = singleValue(headers["x-forwarded-host"]);
  const uri = singleValue(headers["x-forwarded-uri"]) ?? "/";
  if (original === null || proto === null || host === null || uri === null) return UNKNOWN;
  const forwarded = proto && host ? parseTarget(`${proto}://${host}${uri.startsWith("/") ? uri : `/${uri}`}`) : undefined;
  if (original === undefined) return forwarded ?? UNKNOWN;
  const target = parseTarget(original);
  if (host !== undefined) {
    const forwardedHost = forwarded?.host ?? parseTarget(`https://${host}/`).host;
    if (forwardedHost !== target.host) return UNKNOWN;
  }
  return target;
}

export function groupsOf(account: AccountRecord): string[] {
  return account.isAdmin ? ["admins"] : [];
}

/** Who may use a host, and whether they must have signed in with two factors. */
export type HostRequirement = Pick<ForwardAuthRule, "access" | "twoFactors">;

const EVERY_SIGNED_IN: HostRequirement = { access: { kind: "signed-in" }, twoFactors: false };

/**
 * The access rule for a host: the first rule that matches, or "every signed-in account" when none does.
 * Null (nobody passes) when rules exist but the host is unknown: a protected host must never fall through
 * to the rule for everyone because its name could not be read.
 */
export function accessRuleFor(config: Pick<Config, "forwardAuthRules">, host: string | null): HostRequirement | null {
  if (host === null) return config.forwardAuthRules.length > 0 ? null : EVERY_SIGNED_IN;
  for (const rule of config.forwardAuthRules) if (hostMatches(rule.host, host)) return rule;
  return EVERY_SIGNED_IN;
}

export function isAllowed(rule: HostRequirement | null, account: AccountRecord): boolean {
  if (rule === null) return false;
  const access = rule.access;
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
