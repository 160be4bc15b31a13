// A branded site: the owner's name, logo, colours, footer links and support contact on the pages, and the
// branding files served with their own content types, long caching and (for SVG) a policy that runs nothing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { BRAND_LOGO_SVG, BRANDED_ENV, writeBrandingDir } from "../helpers/branding.ts";
import { TestClient } from "../helpers/client.ts";

describe("branding on pages", () => {
  let t: TestApp;
  let brandingDir: string;
  before(async () => {
    brandingDir = mkdtempSync(join(tmpdir(), "latchkey-brand-"));
    writeBrandingDir(brandingDir);
    t = await createTestApp({ ...BRANDED_ENV, LATCHKEY_BRANDING_DIR: brandingDir });
  });
  after(async () => {
    await t.close();
    rmSync(brandingDir, { recursive: true, force: true });
  });

  it("pages carry the site name, logo, favicon, colours, extra stylesheet, footer links and support contact", async () => {
    const page = await new TestClient(t.app).get("/signin");
    assert.equal(page.statusCode, 200);
    const html = page.body;
    const { branding } = t.config;
    assert.match(html, /<title>Sign in · Harbour Books<\/title>/);
    assert.ok(html.includes(`<img class="brand-logo" src="${branding.logo?.url}" alt=""> Harbour Books</a>`));
    assert.ok(html.includes(`<link rel="icon" href="${branding.favicon?.url}" type="image/png">`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${branding.theme?.url}">`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${branding.stylesheet?.url}">`));
    assert.match(html, /<a href="https:\/\/harbour-books\.example\/privacy">Privacy<\/a>/);
    assert.match(html, /<a href="https:\/\/harbour-books\.example\/terms">Terms of use<\/a>/);
    assert.match(html, /Contact Harbour Books support: <a href="mailto:help@harbour-books\.example">help@harbour-books\.example<\/a>/);
    assert.doesNotMatch(html, /Latchkey/);
  });

  it("the error page names the support contact and never the product", async () => {
    const page = await new TestClient(t.app).get("/no-such-page");
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /<title>Page not found · Harbour Books<\/title>/);
    assert.match(page.body, /<p class="aside">Need a person\? Contact Harbour Books support/);
    assert.doesNotMatch(page.body, /Latchkey/);
  });

  it("serves the SVG logo as an image with a policy that runs nothing, cached for a year", async () => {
    const logo = await t.app.inject({ method: "GET", url: t.config.branding.logo?.url ?? "" });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers["content-type"], "image/svg+xml");
    assert.equal(logo.headers["content-security-policy"], "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
    assert.equal(logo.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(logo.headers["x-content-type-options"], "nosniff");
    assert.equal(logo.body, BRAND_LOGO_SVG);
  });

  it("serves the favicon, the colours and the extra stylesheet with their content types", async () => {
    const { branding } = t.config;
    const favicon = await t.app.inject({ method: "GET", url: branding.favicon?.url ?? "" });
    assert.equal(favicon.headers["content-type"], "image/png");
    assert.deepEqual(favicon.rawPayload.subarray(0, 4), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const theme = await t.app.inject({ method: "GET", url: branding.theme?.url ?? "" });
    assert.equal(theme.headers["content-type"], "text/css; charset=utf-8");
    assert.match(theme.body, /--accent: #8a1c4b;/);
    const extra = await t.app.inject({ method: "GET", url: branding.stylesheet?.url ?? "" });
    assert.equal(extra.headers["content-type"], "text/css; charset=utf-8");
    assert.equal(extra.headers["cache-control"], "public, max-age=31536000, immutable");
  });

  it("answers 404 for an outdated or unknown branding URL", async () => {
    for (const url of ["/assets/brand/0000000000000000/logo.svg", "/assets/brand/x/theme.css", `${t.config.branding.logo?.url}x`]) {
      const answer = await t.app.inject({ method: "GET", url });
      assert.equal(answer.statusCode, 404, url);
    }
  });
});
