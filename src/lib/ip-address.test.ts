import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unmapIPv4Address } from "./ip-address.ts";

describe("unmapIPv4Address", () => {
  it("writes an IPv4-mapped IPv6 address, in any spelling, as the IPv4 address", () => {
    for (const mapped of [
      "::ffff:203.0.113.5",
      "::FFFF:203.0.113.5",
      "0:0:0:0:0:ffff:203.0.113.5",
      "::ffff:cb00:7105",
      "0000:0000:0000:0000:0000:FFFF:CB00:7105",
    ]) {
      assert.equal(unmapIPv4Address(mapped), "203.0.113.5", mapped);
    }
    assert.equal(unmapIPv4Address("::ffff:127.0.0.1"), "127.0.0.1");
  });

  it("leaves every other address and text as it is", () => {
    for (const other of [
      "203.0.113.5",
      "::1",
      "2001:db8::ffff:cb00:7105",
      "::cb00:7105",
      "ffff::1",
      "fe80::ffff:1%eth0",
      "::ffff:999.1.1.1",
      "",
      "not an address",
    ]) {
      assert.equal(unmapIPv4Address(other), other, other);
    }
  });
});
