// The files of public/ under /assets/: content types, caching with validators, ranges, and our own 404
// for anything that is not a file there.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";

const STYLE = readFileSync(new URL("../../public/style.css", import.meta.url));

describe("public assets", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("serves a file with its type, an hour of caching and validators", async () => {
    const css = await t.app.inject({ method: "GET", url: "/assets/style.css" });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers["content-type"]), /^text\/css; charset=utf-8/);
    assert.equal(css.headers["cache-control"], "public, max-age=3600");
    assert.equal(css.rawPayload.length, STYLE.length);
    assert.ok(css.rawPayload.equals(STYLE), "the file's bytes as they are");
    assert.match(String(css.headers.etag), /^W\/"/);
    assert.ok(css.headers["last-modified"]);
    assert.equal(css.headers["x-content-type-options"], "nosniff", "the site's security headers apply to assets too");

    const js = await t.app.inject({ method: "GET", url: "/assets/app.js" });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers["content-type"]), /^(text|application)\/javascript/);
  });

  it("answers a matching If-None-Match with 304 and no body, and HEAD with headers only", async () => {
    const first = await t.app.inject({ method: "GET", url: "/assets/style.css" });
    const again = await t.app.inject({ method: "GET", url: "/assets/style.css", headers: { "if-none-match": String(first.headers.etag) } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, "");
    const head = await t.app.inject({ method: "HEAD", url: "/assets/style.css" });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, "");
    assert.equal(Number(head.headers["content-length"]), STYLE.length);
  });

  it("answers a byte range with 206, and a range past the end with 416", async () => {
    const part = await t.app.inject({ method: "GET", url: "/assets/style.css", headers: { range: "bytes=0-9" } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers["content-range"], `bytes 0-9/${STYLE.length}`);
    assert.ok(part.rawPayload.equals(STYLE.subarray(0, 10)));
    const past = await t.app.inject({ method: "GET", url: "/assets/style.css", headers: { range: `bytes=${STYLE.length + 10}-` } });
    assert.equal(past.statusCode, 416);
    assert.equal(past.headers["content-range"], `bytes */${STYLE.length}`);
  });

  it("gives our 404 for a missing file, a folder, a dot-file, a null byte and an over-long path", async () => {
    for (const url of ["/assets/missing.css", "/assets/help", "/assets/help/", "/assets/.env", "/assets/style.css%00.js", `/assets/${"a".repeat(300)}.css`]) {
      const page = await t.app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      assert.equal(page.statusCode, 404, `${url}: ${page.statusCode}`);
      assert.match(page.body, /Page not found/, url);
    }
  });
});
