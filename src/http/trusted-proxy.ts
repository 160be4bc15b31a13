// Whether a request came straight from a proxy named in LATCHKEY_TRUST_PROXY: only such a request may tell
// us, through X-Forwarded-* or X-Original-URL, which URL the person really asked for.
import { BlockList, isIPv4, isIPv6 } from "node:net";

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

export type TrustedProxyCheck = (address: string | undefined) => boolean;

function addEntry(list: BlockList, entry: string): void {
  const [address, bits] = entry.split("/");
  if (!address) return;
  const type = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : null;
  if (!type) return;
  if (bits === undefined) list.addAddress(address, type);
  else list.addSubnet(address, Number(bits), type);
}

/** Compiles the trust list once; the check answers false for every address when the list is empty. */
export function compileTrustedProxies(entries: readonly string[]): TrustedProxyCheck {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) for (const range of NAMED_RANGES[entry] ?? [entry]) addEntry(list, range);
  return (address) => {
    if (!address) return false;
    // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d.
    const plain = address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
    const type = isIPv4(plain) ? "ipv4" : isIPv6(plain) ? "ipv6" : null;
    return type ? list.check(plain, type) : false;
  };
}
