import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { contrastRatio, parseHexColor, type RGB } from "../lib/contrast.ts";
import { ConfigError, loadConfig } from "./load.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-branding-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function load(env: Record<string, string>, dataDir = tempDir()) {
  return loadConfig({ NODE_ENV: "test", LATCHKEY_DATA_DIR: dataDir, LATCHKEY_SECRET: "x".repeat(40), ...env });
}

function problemsOf(env: Record<string, string>, dataDir?: string): string[] {
  try {
    load(env, dataDir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail("the configuration was accepted");
}

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e2cd7e0000000049454e44ae426082",
  "hex",
);

describe("contrast", () => {
  it("computes the WCAG ratio: black on white is 21:1, a colour on itself 1:1", () => {
    assert.equal(contrastRatio(parseHexColor("#000") as RGB, parseHexColor("#ffffff") as RGB), 21);
    assert.equal(contrastRatio(parseHexColor("#0b4f8a") as RGB, parseHexColor("#0b4f8a") as RGB), 1);
    // The stylesheet's own note: --accent #0b4f8a is 8.4:1 on white.
    assert.equal(Math.round(contrastRatio(parseHexColor("#0b4f8a") as RGB, parseHexColor("#fff") as RGB) * 10) / 10, 8.4);
  });
});

describe("branding configuration", () => {
  it("defaults to the name Latchkey with no files, colours or links", () => {
    const { branding } = load({});
    assert.equal(branding.siteName, "Latchkey");
    assert.equal(branding.logo, undefined);
    assert.equal(branding.theme, undefined);
    assert.equal(branding.supportContact, undefined);
    assert.equal(branding.templates.size, 0);
  });

  it("refuses a primary colour too light for text on white, naming the colour and the ratio", () => {
    const problems = problemsOf({ LATCHKEY_PRIMARY_COLOR: "#7fb3ff" });
    assert.ok(
      problems.includes("LATCHKEY_PRIMARY_COLOR=#7fb3ff: links in this colour on cards (#ffffff) reach 2.1:1; WCAG AA asks at least 4.5:1 for text"),
      problems.join("\n"),
    );
    assert.ok(
      problems.includes(
        "LATCHKEY_PRIMARY_COLOR=#7fb3ff: links in this colour on the page background (#f2f4f7) reach 1.9:1; WCAG AA asks at least 4.5:1 for text",
      ),
      problems.join("\n"),
    );
  });

  it("refuses a primary colour on which neither white nor dark button labels reach 4.5:1", () => {
    // Mid grey: too light for white labels and too dark for dark ones.
    const problems = problemsOf({ LATCHKEY_PRIMARY_COLOR: "#808080" });
    assert.ok(
      problems.some((p) => /^LATCHKEY_PRIMARY_COLOR=#808080: button labels on this colour reach at most \d\.\d:1/.test(p)),
      problems.join("\n"),
    );
  });

  it("refuses an accent colour under 3:1 for focus rings, and a dark-scheme colour too dark for dark backgrounds", () => {
    const problems = problemsOf({ LATCHKEY_ACCENT_COLOR: "#c0d0e0", LATCHKEY_PRIMARY_COLOR_DARK: "#0b4f8a" });
    assert.ok(
      problems.some((p) =>
        /^LATCHKEY_ACCENT_COLOR=#c0d0e0: focus rings in this colour on cards \(#ffffff\) reach 1\.\d:1; WCAG AA asks at least 3:1 for controls/.test(p),
      ),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /^LATCHKEY_PRIMARY_COLOR_DARK=#0b4f8a: links in this colour on the page background \(#11161d\)/.test(p)),
      problems.join("\n"),
    );
  });

  it("refuses a colour that is not a hex colour", () => {
    assert.ok(problemsOf({ LATCHKEY_PRIMARY_COLOR: "red" }).some((p) => p.includes('LATCHKEY_PRIMARY_COLOR="red": not a colour')));
  });

  it("turns accepted colours into custom properties, light ones kept out of the dark scheme", () => {
    const { branding } = load({ LATCHKEY_PRIMARY_COLOR: "#8a1c4b", LATCHKEY_ACCENT_COLOR: "#b35900", LATCHKEY_PRIMARY_COLOR_DARK: "#ffb3d0" });
    const css = branding.theme?.body.toString("utf8") ?? "";
    assert.match(css, /@media not \(prefers-color-scheme: dark\) \{\n {2}:root \{\n {4}--accent: #8a1c4b;/);
    assert.match(css, /--accent-contrast: #ffffff;/);
    assert.match(css, /--focus: #b35900;/);
    assert.match(css, /@media \(prefers-color-scheme: dark\) \{\n {2}:root \{\n {4}--accent: #ffb3d0;/);
    assert.equal(branding.theme?.contentType, "text/css; charset=utf-8");
    assert.match(branding.theme?.url ?? "", /^\/assets\/brand\/[0-9a-f]{16}\/theme\.css$/);
    assert.equal(branding.emailColor, "#8a1c4b");
  });

  it("reads the support contact as an e-mail address or a URL, and the footer links", () => {
    const mail = load({
      LATCHKEY_SUPPORT_CONTACT: "help@example.com",
      LATCHKEY_PRIVACY_URL: "https://example.com/privacy",
      LATCHKEY_TERMS_URL: "/terms",
    }).branding;
    assert.deepEqual(mail.supportContact, { href: "mailto:help@example.com", label: "help@example.com" });
    assert.equal(mail.privacyUrl, "https://example.com/privacy");
    assert.equal(mail.termsUrl, "/terms");
    assert.deepEqual(load({ LATCHKEY_SUPPORT_CONTACT: "https://example.com/support" }).branding.supportContact, {
      href: "https://example.com/support",
      label: "example.com/support",
    });
    const problems = problemsOf({ LATCHKEY_SUPPORT_CONTACT: "javascript:alert(1)", LATCHKEY_PRIVACY_URL: "//evil.example", LATCHKEY_SITE_NAME: "Bad\nname" });
    assert.ok(problems.some((p) => p.startsWith("LATCHKEY_SUPPORT_CONTACT=")));
    assert.ok(problems.some((p) => p.startsWith("LATCHKEY_PRIVACY_URL=")));
    assert.ok(problems.some((p) => p.startsWith("LATCHKEY_SITE_NAME=")));
  });

  it("refuses a site name or support address that is not one line of text, naming each character", () => {
    // NEL and the line separator are shown as line breaks by phones and mail programs; an override reverses text.
    for (const [name, shown] of [
      ["Harbour\u2028Books", "Harbour\\u2028Books"],
      ["Harbour\u0085Books", "Harbour\\u0085Books"],
      ["Harbour\u2029Books", "Harbour\\u2029Books"],
      ["Books \u202eevil", "Books \\u202eevil"],
      ["Bad\nname", "Bad\\nname"],
    ]) {
      const problems = problemsOf({ LATCHKEY_SITE_NAME: name as string });
      assert.deepEqual(
        problems,
        [`LATCHKEY_SITE_NAME="${shown}": one line of text, without control characters, line or paragraph separators or direction overrides`],
        JSON.stringify(name),
      );
    }
    for (const contact of ["help\u0001desk@example.com", "help@example.com\u2028", "help\u202e@example.com"]) {
      const problems = problemsOf({ LATCHKEY_SUPPORT_CONTACT: contact });
      assert.equal(problems.length, 1, JSON.stringify(contact));
      assert.match(problems[0] ?? "", /^LATCHKEY_SUPPORT_CONTACT="help(\\u0001desk)?(\\u202e)?@example\.com(\\u2028)?": an e-mail address or an http\(s\) URL/);
    }
    assert.equal(load({ LATCHKEY_SITE_NAME: "Bücher & Co. — العربية" }).branding.siteName, "Bücher & Co. — العربية");
  });

  it("refuses a footer path that a browser would take to another site", () => {
    // Browsers read a backslash in a link as "/": "/\evil.example" goes to evil.example like "//evil.example".
    for (const url of ["/\\evil.example", "/\\\\evil.example/terms", "/terms\\..\\x", "/te\u0001rms"]) {
      const problems = problemsOf({ LATCHKEY_TERMS_URL: url });
      assert.ok(
        problems.some((p) => p.startsWith("LATCHKEY_TERMS_URL=")),
        `${JSON.stringify(url)} refused`,
      );
    }
    assert.equal(load({ LATCHKEY_PRIVACY_URL: "/legal/privacy?lang=de#cookies" }).branding.privacyUrl, "/legal/privacy?lang=de#cookies");
  });

  it("reads logo, favicon and stylesheet from branding/ in the data directory", () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, "branding"));
    writeFileSync(join(dataDir, "branding", "logo.svg"), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>');
    writeFileSync(join(dataDir, "branding", "favicon.png"), PNG);
    writeFileSync(join(dataDir, "branding", "style.css"), ".brand { letter-spacing: 0.1em; }");
    const { branding } = load({}, dataDir);
    assert.equal(branding.logo?.contentType, "image/svg+xml");
    assert.equal(branding.favicon?.contentType, "image/png");
    assert.equal(branding.stylesheet?.contentType, "text/css; charset=utf-8");
    assert.match(branding.logo?.url ?? "", /^\/assets\/brand\/[0-9a-f]{16}\/logo\.svg$/);
  });

  it("refuses unknown, oversized, mislabelled and duplicate branding files, naming each", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "logo.jpg"), "x");
    writeFileSync(join(dir, "logo.png"), "not a png");
    writeFileSync(join(dir, "favicon.svg"), `<svg xmlns="http://www.w3.org/2000/svg">${" ".repeat(70 * 1024)}</svg>`);
    writeFileSync(join(dir, "style.css"), Buffer.from([0xff, 0xfe, 0x00]));
    const problems = problemsOf({ LATCHKEY_BRANDING_DIR: dir });
    assert.ok(
      problems.some(
        (p) =>
          p ===
          `${join(dir, "logo.jpg")}: not a branding file (expected logo.svg, logo.png, favicon.svg, favicon.png, favicon.ico, style.css or a templates folder)`,
      ),
      problems.join("\n"),
    );
    assert.ok(problems.includes(`${join(dir, "logo.png")}: is not a PNG image`), problems.join("\n"));
    assert.ok(problems.includes(`${join(dir, "favicon.svg")}: must be a file of at most 64 KiB`), problems.join("\n"));
    assert.ok(problems.includes(`${join(dir, "style.css")}: is not UTF-8 text`), problems.join("\n"));
    const two = tempDir();
    writeFileSync(join(two, "logo.png"), PNG);
    writeFileSync(join(two, "logo.svg"), "<svg></svg>");
    assert.ok(problemsOf({ LATCHKEY_BRANDING_DIR: two }).includes(`${join(two, "logo.svg")}: there is already logo.png; keep one logo`));
    assert.ok(problemsOf({ LATCHKEY_BRANDING_DIR: join(two, "missing") }).some((p) => p.endsWith(": no such folder")));
  });
});
