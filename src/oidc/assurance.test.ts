import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACR_MFA, ACR_PASSWORD, meetsAssurance, requestedAssurance } from "./assurance.ts";

const essential = (acr: unknown): string => JSON.stringify({ id_token: { acr } });

describe("requestedAssurance", () => {
  it("reads a demand for two factors from acr_values naming only the two-factor level", () => {
    assert.equal(requestedAssurance({ acr_values: ACR_MFA }), "mfa");
    assert.equal(requestedAssurance({ acr_values: `urn:example:other ${ACR_MFA}` }), "mfa");
    assert.equal(requestedAssurance({ acr_values: `${ACR_MFA} ${ACR_PASSWORD}` }), "any", "the password level is accepted too");
    assert.equal(requestedAssurance({ acr_values: "urn:example:other" }), "any", "unknown preferences are ignored");
    assert.equal(requestedAssurance({}), "any");
  });

  it("reads an essential acr from the claims parameter, value or values", () => {
    assert.equal(requestedAssurance({ claims: essential({ essential: true, value: ACR_MFA }) }), "mfa");
    assert.equal(requestedAssurance({ claims: essential({ essential: true, values: [ACR_MFA] }) }), "mfa");
    assert.equal(requestedAssurance({ claims: essential({ essential: true, values: [ACR_PASSWORD, ACR_MFA] }) }), "any");
    assert.equal(requestedAssurance({ claims: essential({ essential: true, values: ["urn:example:gold"] }) }), "unsupported");
    assert.equal(requestedAssurance({ claims: essential({ values: [ACR_MFA] }) }), "any", "voluntary without essential");
    assert.equal(requestedAssurance({ claims: essential({ essential: true, values: [ACR_PASSWORD] }), acr_values: ACR_MFA }), "mfa", "the stricter wins");
  });

  it("never throws on odd input", () => {
    for (const claims of [
      "",
      "{",
      "null",
      "[]",
      '"x"',
      essential(null),
      essential("x"),
      essential({ essential: true }),
      essential({ essential: true, values: [1, 2] }),
    ])
      assert.ok(["any", "unsupported"].includes(requestedAssurance({ claims })), claims);
    assert.equal(requestedAssurance({ acr_values: 42, claims: 7 }), "any");
  });
});

describe("meetsAssurance", () => {
  it("a two-factor sign-in meets every level it offers; a password sign-in only no demand", () => {
    assert.equal(meetsAssurance("any", ACR_PASSWORD), true);
    assert.equal(meetsAssurance("mfa", ACR_MFA), true);
    assert.equal(meetsAssurance("mfa", ACR_PASSWORD), false);
    assert.equal(meetsAssurance("mfa", undefined), false);
    assert.equal(meetsAssurance("unsupported", ACR_MFA), false);
  });
});
