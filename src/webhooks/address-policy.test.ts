import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isForbiddenWebhookAddress } from "./address-policy.ts";

describe("isForbiddenWebhookAddress", () => {
  it("refuses loopback, private, link-local, shared, multicast and reserved addresses, and IPv4 inside IPv6", () => {
    for (const address of [
      "127.0.0.1",
      "127.255.0.9",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "64:ff9b::a00:1",
      "2002:7f00:1::",
      "fd00::1",
      "fe80::1%eth0",
      "ff02::1",
      "not-an-address",
    ]) {
      assert.equal(isForbiddenWebhookAddress(address), true, address);
    }
  });

  it("allows public addresses", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]) {
      assert.equal(isForbiddenWebhookAddress(address), false, address);
    }
  });
});
