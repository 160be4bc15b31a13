// Which addresses a webhook may connect to. Without LATCHKEY_WEBHOOKS_ALLOW_PRIVATE a webhook must not be
// turned against the internal network: loopback, private, link-local, shared, multicast, reserved and
// documentation ranges are refused, and so are IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4).
import { BlockList, isIP } from "node:net";

const FORBIDDEN_IPV4 = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const;

const FORBIDDEN_IPV6 = [
  // Unspecified, loopback and the deprecated IPv4-compatible form.
  ["::", 96],
  // IPv4-mapped: ::ffff:127.0.0.1 would reach 127.0.0.1.
  ["::ffff:0:0", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  // IETF assignments, Teredo among them.
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const;

// Two lists: one BlockList holding both families would match every IPv4 address against ::ffff:0:0/96,
// since it compares IPv4 addresses with IPv6 rules in their mapped form.
const forbiddenIPv4 = new BlockList();
for (const [network, prefix] of FORBIDDEN_IPV4) forbiddenIPv4.addSubnet(network, prefix, "ipv4");
const forbiddenIPv6 = new BlockList();
for (const [network, prefix] of FORBIDDEN_IPV6) forbiddenIPv6.addSubnet(network, prefix, "ipv6");

/** True for an address a webhook must not reach unless private addresses are allowed. Not an address: true. */
export function isForbiddenWebhookAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return forbiddenIPv4.check(bare, "ipv4");
  if (family === 6) return forbiddenIPv6.check(bare, "ipv6");
  return true;
}
