// Route schemas are compiled on a route's first request (src/http/lazy-schemas.ts): every schema still
// compiles, a bad body is still refused on the very first request, and answers keep their serialized shape.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { compileAllRouteSchemas } from "../../src/http/lazy-schemas.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";

describe("route schemas compiled on first use", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("refuses a body that breaks its schema on the route's first request", async () => {
    const extra = await t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "a@example.com", password: "x", admin: true } });
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().error.code, "VALIDATION_FAILED");
    // Only the schema caps a sign-in password's length: without it this would be a plain SIGNIN_FAILED.
    const long = await t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "a@example.com", password: "x".repeat(16385) } });
    assert.equal(long.statusCode, 400);
    assert.equal(long.json().error.code, "VALIDATION_FAILED");
    assert.equal(long.json().error.field, "password");
    // An identifier over the schema's cap gets the same code as one over the real limit.
    const longIdentifier = await t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: "a".repeat(1025), password: "x" } });
    assert.equal(longIdentifier.statusCode, 400);
    assert.equal(longIdentifier.json().error.code, "IDENTIFIER_TOO_LONG");
  });

  it("compiles every route's validator and serializer without an error", () => {
    compileAllRouteSchemas(t.app);
  });
});
