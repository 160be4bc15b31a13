import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAllowanceKey, clientNetwork } from "./client-limits.ts";

describe("clientNetwork", () => {
  it("counts an IPv4 address on its own, also when it arrives written inside IPv6", () => {
    assert.equal(clientNetwork("203.0.113.7"), "203.0.113.7");
    assert.equal(clientNetwork("::ffff:203.0.113.7"), "203.0.113.7");
    assert.equal(clientNetwork("::FFFF:203.0.113.7"), "203.0.113.7");
    assert.equal(clientNetwork("0:0:0:0:0:ffff:203.0.113.7"), "203.0.113.7");
  });

  it("counts every address of one IPv6 /64 as one client, however it is written", () => {
    const network = "2001:db8:85a3:8d3::/64";
    for (const ip of [
      "2001:db8:85a3:8d3::1",
      "2001:db8:85a3:8d3:1319:8a2e:370:7348",
      "2001:0DB8:85A3:08D3:ffff:ffff:ffff:ffff",
      "2001:db8:85a3:8d3:0:0:0:0",
      "2001:db8:85a3:8d3::",
      "2001:db8:85a3:8d3::1%eth0",
      "2001:db8:85a3:8d3::c000:0201",
      "2001:db8:85a3:8d3::192.0.2.1",
    ]) {
      assert.equal(clientNetwork(ip), network, ip);
    }
  });

  it("keeps other /64 networks apart, the compressed zeros included", () => {
    assert.equal(clientNetwork("2001:db8:85a3:8d4::1"), "2001:db8:85a3:8d4::/64");
    assert.equal(clientNetwork("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(clientNetwork("::1"), "0:0:0:0::/64");
    assert.equal(clientNetwork("fe80::1"), "fe80:0:0:0::/64");
    assert.equal(clientNetwork("::ffff:1:2"), "0:0:0:0::/64");
  });

  it("gives two addresses of one /64 the same allowance key, and another /64 a different one", () => {
    const config = { secret: "s".repeat(32) };
    const key = (ip: string): string => clientAllowanceKey(config, "signin", ip);
    assert.equal(key("2001:db8:1:2::a"), key("2001:db8:1:2:ffff::b"));
    assert.notEqual(key("2001:db8:1:2::a"), key("2001:db8:1:3::a"));
    assert.notEqual(key("203.0.113.7"), key("203.0.113.8"));
    assert.equal(key("::ffff:203.0.113.7"), key("203.0.113.7"));
  });
});
