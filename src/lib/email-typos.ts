// Typo suggestions for e-mail domains (`gmial.com` → `gmail.com`, `example.con` → `example.com`). They are
// only ever offered: the address as typed is still accepted.

/** Common mail providers, most used first (ties go to the earlier one). */
const PROVIDER_DOMAINS: readonly string[] = [
  "gmail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "icloud.com",
  "aol.com",
  "live.com",
  "msn.com",
  "me.com",
  "mac.com",
  "googlemail.com",
  "ymail.com",
  "rocketmail.com",
  "yahoo.co.uk",
  "yahoo.fr",
  "yahoo.de",
  "hotmail.co.uk",
  "hotmail.fr",
  "hotmail.de",
  "hotmail.it",
  "proton.me",
  "protonmail.com",
  "gmx.de",
  "gmx.net",
  "gmx.com",
  "web.de",
  "t-online.de",
  "yandex.ru",
  "mail.ru",
  "mail.com",
  "email.com",
  "qq.com",
  "163.com",
  "orange.fr",
  "free.fr",
  "laposte.net",
  "wanadoo.fr",
  "libero.it",
  "btinternet.com",
  "comcast.net",
  "verizon.net",
  "sky.com",
  "zoho.com",
  "fastmail.com",
];
const PROVIDER_SET: ReadonlySet<string> = new Set(PROVIDER_DOMAINS);

/** Top-level domains that do not exist but are common slips of the finger for one that does. */
const TOP_LEVEL_DOMAIN_TYPOS: ReadonlyMap<string, string> = new Map([
  ["con", "com"],
  ["cmo", "com"],
  ["ocm", "com"],
  ["comm", "com"],
  ["coom", "com"],
  ["comn", "com"],
  ["vom", "com"],
  ["xom", "com"],
  ["cpm", "com"],
  ["cim", "com"],
  ["nte", "net"],
  ["ner", "net"],
  ["nett", "net"],
  ["ogr", "org"],
  ["orgg", "org"],
  ["prg", "org"],
  ["rog", "org"],
]);

/** Real country TLDs one slip away from `.com`; only corrected for a known `.com` provider's name. */
const COM_LOOKALIKE_SUFFIXES: ReadonlySet<string> = new Set(["co", "cm", "om"]);

/** Second-level names under which country registries sell domains (`example.co.uk`). */
const SECOND_LEVEL_NAMES: ReadonlySet<string> = new Set(["co", "com", "net", "org", "ac", "ne", "or", "gov"]);

interface SplitDomain {
  name: string;
  suffix: string;
}

function splitDomain(domain: string): SplitDomain {
  const labels = domain.split(".");
  const last = labels[labels.length - 1] ?? "";
  const secondLast = labels[labels.length - 2] ?? "";
  const suffixLabels = labels.length >= 3 && last.length === 2 && SECOND_LEVEL_NAMES.has(secondLast) ? 2 : 1;
  return {
    name: labels.slice(0, -suffixLabels).join("."),
    suffix: labels.slice(-suffixLabels).join("."),
  };
}

const PROVIDERS: readonly (SplitDomain & { domain: string })[] = PROVIDER_DOMAINS.map((domain) => ({
  domain,
  ...splitDomain(domain),
}));

/**
 * How many edits a provider's name tolerates: short names are one slip away from unrelated real domains, so
 * names under five letters are only matched through their TLD.
 */
function nameTolerance(name: string): number {
  if (name.length >= 7) return 2;
  if (name.length >= 5) return 1;
  return 0;
}

/**
 * The likely intended domain for `domain` (lower-case ASCII, as the parser normalises it): a known
 * provider one or two slips away, or the same domain with a mistyped top-level domain fixed. Returns
 * `undefined` when `domain` is itself a known provider or no correction is likely.
 */
export function suggestEmailDomainCorrection(domain: string): string | undefined {
  if (PROVIDER_SET.has(domain)) return undefined;
  const fixed = fixTopLevelDomain(domain);
  if (PROVIDER_SET.has(fixed)) return fixed;
  return findNearestProvider(fixed) ?? (fixed === domain ? undefined : fixed);
}

function fixTopLevelDomain(domain: string): string {
  const dot = domain.lastIndexOf(".");
  const corrected = TOP_LEVEL_DOMAIN_TYPOS.get(domain.slice(dot + 1));
  return corrected === undefined ? domain : `${domain.slice(0, dot + 1)}${corrected}`;
}

function findNearestProvider(domain: string): string | undefined {
  const typed = splitDomain(domain);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const provider of PROVIDERS) {
    const tolerance = nameTolerance(provider.name);
    let suffixCost: number;
    if (typed.suffix === provider.suffix) suffixCost = 0;
    else if (provider.suffix === "com" && COM_LOOKALIKE_SUFFIXES.has(typed.suffix)) suffixCost = 1;
    else continue;
    if (suffixCost > tolerance) continue;
    const distance = suffixCost + editDistance(typed.name, provider.name, tolerance - suffixCost);
    if (distance >= 1 && distance <= tolerance && distance < bestDistance) {
      best = provider.domain;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Damerau–Levenshtein distance (optimal string alignment: insertions, deletions, substitutions and swaps of
 * neighbours each cost one), or `limit + 1` as soon as it is known to exceed `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current: number[] = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit + 1, limit + 1);
}
