// Parses LATCHKEY_FORWARD_AUTH_RULES ("grafana.example.com=admins+mfa; *.example.com=signed-in") and
// LATCHKEY_ALLOWED_RETURN_HOSTS into host patterns, naming every entry it cannot read.

/** An exact host ("app.example.com", optionally with ":port") or every subdomain of a domain ("*.example.com"). */
export type HostPattern = { kind: "exact"; host: string } | { kind: "subdomains"; domain: string };

export type ForwardAuthAccess = { kind: "signed-in" } | { kind: "admins" } | { kind: "accounts"; accountIds: string[] } | { kind: "groups"; groups: string[] };

export interface ForwardAuthRule {
  host: HostPattern;
  access: ForwardAuthAccess;
  /** "+mfa" after the access: the session must have signed in with two factors (a passkey, or a password and a second factor). */
  twoFactors: boolean;
}

const TWO_FACTORS_SUFFIX = "+mfa";

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

export function parseHostPattern(text: string): HostPattern | null {
  const value = text.trim().toLowerCase();
  if (value.startsWith("*.")) {
    const domain = value.slice(2);
    return HOST.test(domain) && domain.includes(".") && !domain.includes(":") ? { kind: "subdomains", domain } : null;
  }
  return HOST.test(value) ? { kind: "exact", host: value } : null;
}

/**
 * Whether `host` (a URL's host: hostname plus an optional port) matches. An exact pattern without a port
 * matches the hostname on any port; "*.example.com" matches subdomains at any depth, never example.com.
 */
export function hostMatches(pattern: HostPattern, host: string): boolean {
  const lower = host.toLowerCase();
  const hostname = lower.replace(/:\d+$/, "").replace(/\.+$/, "");
  const value = hostname + lower.slice(lower.replace(/:\d+$/, "").length);
  if (pattern.kind === "exact") return pattern.host.includes(":") ? value === pattern.host : hostname === pattern.host;
  return hostname.endsWith(`.${pattern.domain}`);
}

function parseAccess(text: string): ForwardAuthAccess | null {
  const value = text.trim();
  if (value === "signed-in") return { kind: "signed-in" };
  if (value === "admins") return { kind: "admins" };
  const match = /^(accounts|groups):(.+)$/.exec(value);
  if (!match) return null;
  const list = (match[2] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0 || list.some((item) => !/^[A-Za-z0-9_-]{1,64}$/.test(item))) return null;
  return match[1] === "accounts" ? { kind: "accounts", accountIds: list } : { kind: "groups", groups: list };
}

/** The rules in order (none when `text` is unset), or the list of entries that could not be read. */
export function parseForwardAuthRules(text: string | undefined): { rules: ForwardAuthRule[]; problems: string[] } {
  const rules: ForwardAuthRule[] = [];
  const problems: string[] = [];
  for (const entry of (text?.split(";") ?? []).map((s) => s.trim()).filter(Boolean)) {
    const at = entry.indexOf("=");
    const host = at > 0 ? parseHostPattern(entry.slice(0, at)) : null;
    const demand = entry.slice(at + 1).trim();
    const twoFactors = demand.endsWith(TWO_FACTORS_SUFFIX);
    const access = at > 0 ? parseAccess(twoFactors ? demand.slice(0, -TWO_FACTORS_SUFFIX.length) : demand) : null;
    if (!host || !access) {
      problems.push(
        `LATCHKEY_FORWARD_AUTH_RULES: ${JSON.stringify(entry)} is not HOST=signed-in|admins|accounts:ID,…|groups:NAME,… (optionally followed by +mfa)`,
      );
      continue;
    }
    rules.push({ host, access, twoFactors });
  }
  return { rules, problems };
}

/** The host patterns of a comma-separated list (none when `text` is unset), or the entries that could not be read. */
export function parseHostList(name: string, text: string | undefined): { hosts: HostPattern[]; problems: string[] } {
  const hosts: HostPattern[] = [];
  const problems: string[] = [];
  for (const entry of (text?.split(",") ?? []).map((s) => s.trim()).filter(Boolean)) {
    const pattern = parseHostPattern(entry);
    if (pattern) hosts.push(pattern);
    else problems.push(`${name}: ${JSON.stringify(entry)} is not a host or *.domain`);
  }
  return { hosts, problems };
}
