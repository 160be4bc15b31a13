import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRecord, ownValue, safeReturnPath, withQuery } from "./forms.ts";

describe("safeReturnPath", () => {
  test("accepts paths on our own origin", () => {
    assert.equal(safeReturnPath("/account"), "/account");
    assert.equal(safeReturnPath("/help/x?q=1"), "/help/x?q=1");
    assert.equal(safeReturnPath("/"), "/");
    assert.equal(safeReturnPath("/help/reset-password?from=signin&x=%20y"), "/help/reset-password?from=signin&x=%20y");
  });

  test("keeps an encoded slash as part of a path on our origin", () => {
    assert.equal(safeReturnPath("/%2F%2Fevil.example"), "/%2F%2Fevil.example");
    assert.equal(safeReturnPath("/%2F%2Fevil"), "/%2F%2Fevil");
    assert.equal(safeReturnPath("/%5C%5Cevil"), "/%5C%5Cevil");
  });

  test("refuses other origins, protocol-relative and backslash forms", () => {
    for (const bad of [
      "//evil.example",
      "//evil.example/account",
      "/\\evil.example",
      "\\\\evil.example",
      "/\\/evil.example",
      "https://evil.example",
      "http://localhost:3000/account",
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "account",
      "evil.example",
      " /account",
    ]) {
      assert.equal(safeReturnPath(bad), "/account", JSON.stringify(bad));
    }
  });

  test("refuses dot segments that collapse into a protocol-relative path", () => {
    for (const bad of ["/..//evil.example", "/.//evil.example", "/a/..//evil.example/x", "/././/evil.example"]) {
      const result = safeReturnPath(bad);
      assert.equal(result, "/account", `${JSON.stringify(bad)} became ${JSON.stringify(result)}`);
    }
  });

  test("refuses empty, non-string and over-long values", () => {
    assert.equal(safeReturnPath(""), "/account");
    assert.equal(safeReturnPath(undefined), "/account");
    assert.equal(safeReturnPath(null), "/account");
    assert.equal(safeReturnPath(["/account"]), "/account");
    assert.equal(safeReturnPath({ toString: () => "/account" }), "/account");
    assert.equal(safeReturnPath(`/${"a".repeat(511)}`), `/${"a".repeat(511)}`);
    assert.equal(safeReturnPath(`/${"a".repeat(512)}`), "/account");
  });

  test("refuses control characters anywhere", () => {
    for (const bad of ["/account\n", "/acc\rount", "/\t/evil.example", "/account\u0000", "/x\u007f", "/\n/evil.example"]) {
      assert.equal(safeReturnPath(bad), "/account", JSON.stringify(bad));
    }
  });

  test("drops the fragment and normalises dot segments within our origin", () => {
    assert.equal(safeReturnPath("/account#security"), "/account");
    assert.equal(safeReturnPath("/help/../account"), "/account");
  });

  test("answers with the given fallback", () => {
    assert.equal(safeReturnPath("//evil.example", "/signin"), "/signin");
    assert.equal(safeReturnPath("/admin", "/signin"), "/admin");
  });
});

describe("withQuery", () => {
  test("adds only set parameters, encoded", () => {
    assert.equal(withQuery("/verify", { flow: "a b&c", empty: "", missing: undefined }), "/verify?flow=a+b%26c");
    assert.equal(withQuery("/verify", {}), "/verify");
  });
});

describe("ownValue and isRecord", () => {
  test("read a property of a parsed body or query string", () => {
    assert.equal(ownValue({ decision: "allow" }, "decision"), "allow");
    assert.deepEqual(ownValue({ pow: { id: "a", nonce: "b" } }, "pow"), { id: "a", nonce: "b" });
    assert.deepEqual(ownValue({ q: ["a", "b"] }, "q"), ["a", "b"]);
    assert.equal(isRecord({}), true);
    assert.equal(isRecord(Object.create(null)), true);
  });

  test("give undefined for a missing field, an inherited one, or a body that is not an object", () => {
    assert.equal(ownValue({ other: "x" }, "decision"), undefined);
    assert.equal(ownValue({}, "toString"), undefined);
    assert.equal(ownValue({}, "constructor"), undefined);
    for (const body of [undefined, null, "decision=allow", 42, ["allow"]]) {
      assert.equal(ownValue(body, "decision"), undefined, JSON.stringify(body));
      assert.equal(isRecord(body), false, JSON.stringify(body));
    }
  });
});
