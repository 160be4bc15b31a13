import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseForwardAuthRules, parseHostList } from "./forward-auth-rules.ts";
import { describeReturnHostsWithoutSession } from "./single-sign-on.ts";

function warningFor(returnHosts: string, cookieDomain?: string): string | null {
  const { hosts, problems } = parseHostList("LATCHKEY_ALLOWED_RETURN_HOSTS", returnHosts);
  assert.deepEqual(problems, []);
  return describeReturnHostsWithoutSession({ baseOrigin: "https://auth.example.com", cookieDomain, allowedReturnHosts: hosts });
}

describe("describeReturnHostsWithoutSession", () => {
  test("return hosts under the cookie domain give no warning", () => {
    assert.equal(warningFor("*.example.com, app.example.com:8443, example.com", "example.com"), null);
    assert.equal(warningFor("*.apps.example.com", "example.com"), null);
    assert.equal(warningFor("", undefined), null);
  });
  test("return hosts outside the cookie domain are named, and the loop explained", () => {
    const warning = warningFor("app.example.com, grafana.example.net:8443, *.example.org, *.com.example.com.evil.test", "example.com") ?? "";
    assert.match(
      warning,
      /LATCHKEY_ALLOWED_RETURN_HOSTS grafana\.example\.net:8443, \*\.example\.org, \*\.com\.example\.com\.evil\.test are not under LATCHKEY_COOKIE_DOMAIN \(example\.com\)/,
    );
    assert.doesNotMatch(warning, /app\.example\.com,/);
    assert.match(warning, /sign-in there loops/);
    // A cookie domain narrower than a wildcard leaves the wildcard's other subdomains out.
    assert.match(warningFor("*.example.com", "auth.example.com") ?? "", /\*\.example\.com is not under LATCHKEY_COOKIE_DOMAIN \(auth\.example\.com\)/);
  });
  test("without a cookie domain, every return host but Latchkey's own is named", () => {
    const warning = warningFor("auth.example.com:8443, app.example.com, *.example.com") ?? "";
    assert.match(warning, /LATCHKEY_ALLOWED_RETURN_HOSTS app\.example\.com, \*\.example\.com get no session cookie: LATCHKEY_COOKIE_DOMAIN is unset/);
  });
  test("forward-auth rule hosts that never receive the cookie are named too", () => {
    const { rules, problems } = parseForwardAuthRules("admin.example.com=admins+mfa; grafana.example.net=admins; *.example.org=signed-in");
    assert.deepEqual(problems, []);
    const { hosts } = parseHostList("LATCHKEY_ALLOWED_RETURN_HOSTS", "*.example.com");
    const config = { baseOrigin: "https://auth.example.com", allowedReturnHosts: hosts, forwardAuthRules: rules };
    const warning = describeReturnHostsWithoutSession({ ...config, cookieDomain: "example.com" }) ?? "";
    assert.match(
      warning,
      /LATCHKEY_FORWARD_AUTH_RULES names grafana\.example\.net, \*\.example\.org, which are not under LATCHKEY_COOKIE_DOMAIN \(example\.com\)/,
    );
    assert.doesNotMatch(warning, /admin\.example\.com|ALLOWED_RETURN_HOSTS/);
    assert.match(
      describeReturnHostsWithoutSession({ ...config, cookieDomain: undefined }) ?? "",
      /LATCHKEY_FORWARD_AUTH_RULES names admin\.example\.com, grafana\.example\.net, \*\.example\.org, which get no session cookie/,
    );
    assert.equal(describeReturnHostsWithoutSession({ ...config, forwardAuthRules: rules.slice(0, 1), cookieDomain: "example.com" }), null);
  });
});
