import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { lazyRequestLogger } from "./request-logger.ts";

function appLoggingTo(lines: string[], level: string) {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split("\n"));
      done();
    },
  });
  const app = Fastify({ logger: { level, stream }, childLoggerFactory: lazyRequestLogger, disableRequestLogging: true });
  app.get("/quiet", async (request) => {
    request.log.info({ step: "quiet" }, "below the level");
    return { ok: true };
  });
  app.get("/loud", async (request) => {
    request.log.warn({ step: "loud" }, "at the level");
    return { ok: true };
  });
  app.get("/route-level", { logLevel: "debug" }, async (request) => {
    request.log.debug({ step: "debug" }, "on for this route");
    return { ok: true };
  });
  return app;
}

describe("request loggers made on first use", () => {
  it("writes nothing below the level and writes with the request id at or above it", async () => {
    const lines: string[] = [];
    const app = appLoggingTo(lines, "warn");
    await app.inject({ url: "/quiet" });
    assert.deepEqual(lines, []);
    await app.inject({ url: "/loud" });
    assert.equal(lines.length, 1);
    const line = JSON.parse(String(lines[0]));
    assert.equal(line.step, "loud");
    assert.match(String(line.reqId), /.+/);
    await app.close();
  });

  it("honours a route's own log level", async () => {
    const lines: string[] = [];
    const app = appLoggingTo(lines, "warn");
    await app.inject({ url: "/route-level" });
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(String(lines[0])).step, "debug");
    await app.close();
  });
});
