// A branded site: the owner's name, logo, colours, footer links and support contact on the pages, and the
// branding files served with their own content types, long caching and (for SVG) a policy that runs nothing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { BRAND_LOGO_SVG, BRANDED_ENV, writeBrandingDir, writeBrandTemplates } from "../helpers/branding.ts";
import { pageText, TestClient } from "../helpers/client.ts";
import { readSMS } from "../helpers/outbox.ts";

describe("starting with a colour that fails the contrast check", () => {
  it("`latchkey serve` exits 78 before opening its port or its data, naming the colour and the ratio", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "latchkey-brand-"));
    try {
      const env = {
        ...(process.env as Record<string, string>),
        ...testEnv(dataDir, { LATCHKEY_PORT: "0", LATCHKEY_PRIMARY_COLOR: "#7fb3ff", LATCHKEY_ACCENT_COLOR: "#dddddd" }),
      };
      const run = spawnSync(process.execPath, [fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url)), "serve"], {
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(run.status, 78, run.stderr + run.stdout);
      assert.match(run.stderr, /LATCHKEY_PRIMARY_COLOR=#7fb3ff: links in this colour on cards \(#ffffff\) reach 2\.1:1; WCAG AA asks at least 4\.5:1 for text/);
      assert.match(
        run.stderr,
        /LATCHKEY_ACCENT_COLOR=#dddddd: focus rings in this colour on cards \(#ffffff\) reach 1\.3:1; WCAG AA asks at least 3:1 for controls/,
      );
      assert.doesNotMatch(run.stdout, /is running at/);
      assert.equal(existsSync(join(dataDir, "latchkey.db")), false, "no database was created");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

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

  it("help articles name the site where they say {siteName}", async () => {
    const page = await new TestClient(t.app).get("/help/problems-signing-in");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /contact the people who run Harbour Books\./);
    assert.doesNotMatch(page.body, /\{siteName\}|Latchkey/);
    const phrases = {
      de: "wenden Sie sich an die Betreiber von Harbour Books.",
      fr: "contactez les personnes qui gèrent Harbour Books.",
      es: "ponte en contacto con quienes gestionan Harbour Books.",
    };
    for (const [language, phrase] of Object.entries(phrases)) {
      const translated = await new TestClient(t.app, { "accept-language": language }).get("/help/problems-signing-in");
      assert.ok(translated.body.includes(phrase), language);
      assert.doesNotMatch(translated.body, /\{siteName\}|Latchkey/, language);
    }
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

  it("answers other methods on a branding file 405 with Allow: GET, HEAD, and on an address with no file 404", async () => {
    const logo = t.config.branding.logo?.url ?? "";
    for (const method of ["OPTIONS", "TRACE", "PUT", "DELETE"]) {
      const r = await t.app.inject({ method: method as "GET", url: logo });
      assert.equal(r.statusCode, 405, method);
      assert.equal(r.headers.allow, "GET, HEAD");
      const missing = await t.app.inject({ method: method as "GET", url: logo.replace(/\/[^/]+$/, "/other.svg") });
      assert.equal(missing.statusCode, 404, method);
      assert.equal(missing.headers.allow, undefined);
    }
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

describe("a site name with Markdown and HTML characters", () => {
  // Each part would be read as Markdown (emphasis, a link, an autolink, a code span), by its typographer
  // ("(c)", "--", straight quotes) or as HTML if it were not taken as plain text.
  const NAME = `"Bits" & *Bytes* -- [Shop](https://evil.example) (c) \`x\` <b>`;
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_SITE_NAME: NAME });
  });
  after(async () => {
    await t.close();
  });

  it("reads exactly as configured in help articles, on the page and in the API, in every language", async () => {
    for (const [language, before] of [
      ["en", "contact the people who run "],
      ["de", "wenden Sie sich an die Betreiber von "],
    ] as const) {
      const client = new TestClient(t.app, { "accept-language": language });
      const page = await client.get("/help/problems-signing-in");
      assert.equal(page.statusCode, 200, language);
      assert.ok(pageText(page.body).includes(`${before}${NAME}.`), `${language}: the sentence names the site as configured`);
      const api = await client.get("/api/v1/help/articles/problems-signing-in");
      assert.equal(api.statusCode, 200, language);
      const html: string = api.json().article.html;
      assert.ok(pageText(html).includes(`${before}${NAME}.`), `${language}: the API's HTML names the site as configured`);
      for (const body of [page.body, html]) {
        assert.doesNotMatch(body, /evil\.example"|<em>Bytes|<code>x|<b>|©|–|“Bits”/, `${language}: nothing of the name became markup or typography`);
      }
    }
  });

  it("is found as written by the help search", async () => {
    const found = await new TestClient(t.app).get("/api/v1/help/articles?q=Bytes");
    assert.equal(found.statusCode, 200);
    assert.ok(
      found.json().articles.some((a: { slug: string }) => a.slug === "problems-signing-in"),
      "the article that names the site is found by a word of its name",
    );
  });
});

/** An SMTP server on loopback that keeps each message as sent and as parsed. */
function startSMTP(): Promise<{ server: SMTPServer; port: number; received: Array<{ raw: string; mail: ParsedMail }> }> {
  const received: Array<{ raw: string; mail: ParsedMail }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((mail) => {
            received.push({ raw: raw.toString("utf8"), mail });
            callback();
          })
          .catch(callback);
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.server.address() as AddressInfo).port, received }));
  });
}

describe("branded e-mails and text messages", () => {
  let smtp: Awaited<ReturnType<typeof startSMTP>>;
  let t: TestApp;
  let brandingDir: string;
  before(async () => {
    smtp = await startSMTP();
    brandingDir = mkdtempSync(join(tmpdir(), "latchkey-brand-"));
    writeBrandingDir(brandingDir);
    writeBrandTemplates(brandingDir);
    t = await createTestApp({
      ...BRANDED_ENV,
      LATCHKEY_BRANDING_DIR: brandingDir,
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
      LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      LATCHKEY_MAIL_FROM: "no-reply@harbour-books.example",
    });
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    rmSync(brandingDir, { recursive: true, force: true });
  });

  it("the owner's confirmation template arrives over SMTP from the site's name, with the values filled in", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "reader@example.com", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 202);
    const sent = smtp.received.find((m) => m.raw.includes("reader@example.com"));
    assert.ok(sent, "the SMTP server received the message");
    const { mail, raw } = sent;
    assert.deepEqual(mail.from?.value, [{ address: "no-reply@harbour-books.example", name: "Harbour Books" }]);
    const code = /Your Harbour Books code: (\d{6})$/.exec(mail.subject ?? "")?.[1];
    assert.ok(code, mail.subject);
    assert.match(mail.text ?? "", new RegExp(`# Welcome to Harbour Books\n\nYour code is \\*\\*${code}\\*\\*\\. It works for 10 minutes\\.`));
    const html = typeof mail.html === "string" ? mail.html : "";
    assert.match(html, /<h1>Welcome to Harbour Books<\/h1>/);
    assert.match(html, new RegExp(`<p>Your code is <strong>${code}</strong>\\. It works for 10 minutes\\.</p>`));
    assert.match(html, /<a href="http:\/\/localhost:3000\/verify\?[^"]+">Confirm your address<\/a>/);
    assert.match(html, /Sent by Harbour Books\. /);
    assert.match(html, /Questions\? <a href="mailto:help@harbour-books\.example"/);
    assert.doesNotMatch(raw, /Latchkey/, "no part of the message, headers included, names the product");
    const verified = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts/verify",
      payload: { identifier: "reader@example.com", code, password: STRONG_PASSWORD },
    });
    assert.equal(verified.statusCode, 200, "the code in the owner's template works");
  });

  it("a message without a template keeps its built-in text, signed with the site's name", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "reader@example.com", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 202);
    const notice = smtp.received.find((m) => m.mail.subject === "Someone tried to create an account with your address");
    assert.ok(notice, smtp.received.map((m) => m.mail.subject).join(", "));
    assert.equal(notice.mail.from?.value[0]?.name, "Harbour Books");
    assert.match(notice.mail.text ?? "", /Sent by Harbour Books\. We will never ask for your password/);
    assert.doesNotMatch(notice.raw, /Latchkey/);
  });

  it("text messages use the owner's template", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "+44 7400 123456", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 202);
    const sms = readSMS(t.config.outboxDir).at(-1);
    assert.match(sms?.body ?? "", /^Harbour Books: your code is \d{6} \(10 min\)\. Never share it\.$/);
  });
});
