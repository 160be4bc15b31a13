// Client addresses in one spelling: an IPv4 client of a dual-stack socket (LATCHKEY_HOST=::) arrives as an
// IPv4-mapped IPv6 address (`::ffff:203.0.113.5`), which is the plain IPv4 address for every purpose here.
import { isIPv4, isIPv6 } from "node:net";

const MAPPED_DOTTED = "::ffff:";

/**
 * The IPv4 address `a.b.c.d` for an IPv4-mapped IPv6 address in any spelling (`::ffff:a.b.c.d`,
 * `0:0:0:0:0:ffff:a.b.c.d`, `::ffff:cb00:7105`, upper case); any other text is returned as it is.
 */
export function unmapIPv4Address(address: string): string {
  // The spelling Node.js gives a dual-stack socket's IPv4 peer: the common case, without parsing.
  if (address.startsWith(MAPPED_DOTTED) && isIPv4(address.slice(MAPPED_DOTTED.length))) return address.slice(MAPPED_DOTTED.length);
  if (!isIPv6(address) || address.includes("%") || !/ffff/i.test(address)) return address;
  // The URL parser writes an IPv6 host in its one canonical form: a mapped address reads [::ffff:x:y].
  const canonical = new URL(`http://[${address}]/`).hostname;
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
  if (!mapped) return address;
  const high = Number.parseInt(mapped[1] as string, 16);
  const low = Number.parseInt(mapped[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
